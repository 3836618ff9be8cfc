# SPDX-License-Identifier: GPL-2.0-or-later
"""A screenshot of the main window during a mirror (tests/artifacts/, git-ignored), and the
plots' PNG and CSV exports taken at the same moment."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.support import require_tools
from tests.ui.conftest import ARTIFACTS, run, write_source

MiB = 1 << 20


def mirror_and_shoot(window: Any, qtbot: Any, loop: Any, tmp_path: Path, endpoint: str,
                     name: str) -> None:
    link = window.endpoints.links[endpoint]
    write_source(tmp_path / "src.img", 32 * MiB)
    with open(tmp_path / "tgt.img", "wb") as target:
        target.truncate(32 * MiB)
    for node, path in (("src", "src.img"), ("tgt", "tgt.img")):
        run(qtbot, loop, link.execute("blockdev-add", {
            "driver": "raw", "node-name": node,
            "file": {"driver": "file", "filename": str(tmp_path / path)},
        }))
    qtbot.waitUntil(lambda: {"src", "tgt"} <= set(window.node_model.by_name()), timeout=5000)
    window.form.select("src", "tgt")
    window.form.speed.setText("8M")
    window.form.buf_size.setText("256K")
    qtbot.mouseClick(window.form.start_button, Qt.MouseButton.LeftButton)
    key = (endpoint, "mirror-src")
    plot_key = window.jobs.plot_key(key)
    qtbot.waitUntil(lambda: window.plots.point_count(plot_key) >= 8, timeout=15000)
    window.node_view.selectRow(list(window.node_model.by_name()).index("src"))
    assert '"node-name": "src"' in window.node_details.toPlainText()
    view = window.jobs.job(key)
    assert view.status == "running" and 0 < view.offset < view.len
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 20_000
    plots_png = ARTIFACTS / f"{name}-plots.png"
    window.plots.export_png(str(plots_png))
    assert plots_png.stat().st_size > 5_000
    rows = run(qtbot, loop, window.plots.export_csv(str(tmp_path / "samples.csv")))
    with open(tmp_path / "samples.csv", newline="") as stream:
        read = list(csv.DictReader(stream))
    assert len(read) == rows >= 8
    assert {row["job-id"] for row in read} == {plot_key}
    assert int(read[-1]["offset"]) >= int(read[0]["offset"])
    assert read[-1]["len"] == str(32 * MiB)


def test_screenshot_during_a_builtin_mirror(window, qtbot, qloop, tmp_path) -> None:
    mirror_and_shoot(window, qtbot, qloop, tmp_path, "built-in", "main-window-builtin")


@pytest.mark.qemu
def test_screenshot_during_a_qemu_mirror(qemu_window, qtbot, qloop, tmp_path) -> None:
    require_tools("qemu-storage-daemon")
    link = run(qtbot, qloop, qemu_window.endpoints.add_daemon())
    qemu_window.endpoint_list.setCurrentRow(qemu_window.endpoint_list.count() - 1)
    mirror_and_shoot(qemu_window, qtbot, qloop, tmp_path, link.name, "main-window-qemu")
