# SPDX-License-Identifier: GPL-2.0-or-later
"""The error drill: a target that fails one write (blkdebug), on-target-error=stop. The job
row shows the job paused with io-status failed; Resume continues it to READY; Complete
leaves the target identical to the source. On both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from guimirror.qapi.job import JobVerb
from tests.support import require_tools
from tests.ui.conftest import run, write_source

MiB = 1 << 20
SIZE = 4 * MiB


def blkdebug_target(path: Path) -> dict[str, Any]:
    rule = {"event": "write_aio", "errno": 5, "sector": 2048, "once": True}
    return {
        "driver": "raw",
        "node-name": "tgt",
        "file": {
            "driver": "blkdebug",
            "node-name": "tgt-dbg",
            "inject-error": [rule],
            "image": {"driver": "file", "node-name": "tgt-file", "filename": str(path)},
        },
    }


def drill(window: Any, qtbot: Any, loop: Any, tmp_path: Path, endpoint: str) -> None:
    link = window.endpoints.links[endpoint]
    source = write_source(tmp_path / "src.img", SIZE)
    (tmp_path / "tgt.img").write_bytes(b"")
    with open(tmp_path / "tgt.img", "wb") as target:
        target.truncate(SIZE)
    run(qtbot, loop, link.execute("blockdev-add", {
        "driver": "raw", "node-name": "src",
        "file": {"driver": "file", "filename": str(tmp_path / "src.img")},
    }))
    run(qtbot, loop, link.execute("blockdev-add", blkdebug_target(tmp_path / "tgt.img")))
    qtbot.waitUntil(lambda: {"src", "tgt"} <= set(window.node_model.by_name()), timeout=5000)
    form = window.form
    form.select("src", "tgt")
    form.on_target_error.setCurrentText("stop")
    assert form.arguments()["on-target-error"] == "stop"
    qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    key = (endpoint, "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=10000)
    view = window.jobs.job(key)
    qtbot.waitUntil(lambda: view.status == "paused" and view.io_status == "failed",
                    timeout=15000)
    row = window.job_panel.rows[key]
    assert "io-status failed" in row.io_status.text()
    assert "write error, action stop" in row.io_status.text()
    assert row.buttons[JobVerb.RESUME].isEnabled()
    assert not row.buttons[JobVerb.PAUSE].isEnabled()
    qtbot.mouseClick(row.buttons[JobVerb.RESUME], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.status == "ready", timeout=15000)
    assert view.io_status == "ok"
    assert "io-status ok" in row.io_status.text()
    qtbot.mouseClick(row.buttons[JobVerb.COMPLETE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.status == "completed", timeout=15000)
    assert (tmp_path / "tgt.img").read_bytes() == source


def test_error_drill_on_the_builtin_engine(window, qtbot, qloop, tmp_path) -> None:
    drill(window, qtbot, qloop, tmp_path, "built-in")


@pytest.mark.qemu
def test_error_drill_on_qemu_storage_daemon(qemu_window, qtbot, qloop, tmp_path) -> None:
    require_tools("qemu-storage-daemon")
    link = run(qtbot, qloop, qemu_window.endpoints.add_daemon())
    qemu_window.endpoint_list.setCurrentRow(qemu_window.endpoint_list.count() - 1)
    drill(qemu_window, qtbot, qloop, tmp_path, link.name)
