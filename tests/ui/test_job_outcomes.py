# SPDX-License-Identifier: GPL-2.0-or-later
"""How a mirror ended, on both engines: a cancel before READY asks first and says what it
leaves on the target; the row then says which node the users of the source write to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from guimirror.qapi.job import JobVerb
from tests.support import require_tools
from tests.ui.conftest import run, write_source
from tests.ui.test_questions import add_raw, answer, commands_sent, question, sparse, start

MiB = 1 << 20


@pytest.fixture(params=["built-in", "qemu-storage-daemon"])
def engine_window(request: Any, qtbot: Any, qloop: Any) -> Any:
    if request.param == "built-in":
        return request.getfixturevalue("window")
    require_tools("qemu-storage-daemon")
    window = request.getfixturevalue("qemu_window")
    run(qtbot, qloop, window.endpoints.add_daemon())
    window.endpoint_list.setCurrentRow(window.endpoint_list.count() - 1)
    return window


def start_job(window: Any, qtbot: Any, loop: Any, tmp_path: Path, speed: str) -> Any:
    source = write_source(tmp_path / "src.img", 8 * MiB)
    add_raw(window, qtbot, loop, "src", tmp_path / "src.img")
    add_raw(window, qtbot, loop, "tgt", sparse(tmp_path / "tgt.img", 8 * MiB))
    window.form.select("src", "tgt")
    window.form.speed.setText(speed)
    window.form.buf_size.setText("64K")
    start(window, qtbot)
    key = (window.endpoints.current, "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    return key, source


def status_text(window: Any, key: Any) -> str:
    return str(window.job_panel.rows[key].status.text())


def test_a_cancel_before_ready_asks_and_leaves_a_partial_copy(engine_window, qtbot, qloop,
                                                              tmp_path) -> None:
    window = engine_window
    key, _ = start_job(window, qtbot, qloop, tmp_path, "512K")
    qtbot.waitUntil(lambda: window.jobs.job(key).offset > 0, timeout=10000)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "running", timeout=5000)
    row = window.job_panel.rows[key]
    qtbot.mouseClick(row.buttons[JobVerb.CANCEL], Qt.MouseButton.LeftButton)
    box = question(window, qtbot)
    text = box.text()
    assert text.startswith("Cancel job 'mirror-src' before it is in sync? It has copied ")
    assert "of 8 MiB (" in text and " of 8388608 bytes) to 'tgt'" in text
    assert ("its data is then a partial copy, not usable as a copy of 'src'. 'src' is "
            "untouched.") in text
    assert box.defaultButton().text() == "Keep running"
    answer(qtbot, box, "Keep running")
    assert commands_sent(window, "job-cancel") == 0
    assert window.jobs.job(key).status == "running"
    qtbot.mouseClick(row.buttons[JobVerb.CANCEL], Qt.MouseButton.LeftButton)
    answer(qtbot, question(window, qtbot), "Cancel job")
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "cancelled", timeout=10000)
    assert commands_sent(window, "job-cancel") == 1
    assert "'>cancelled: 'tgt' holds a partial copy (" in status_text(window, key)


def ready(window: Any, qtbot: Any, loop: Any, tmp_path: Path) -> Any:
    key, source = start_job(window, qtbot, loop, tmp_path, "0")
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "ready", timeout=10000)
    return key, source


def test_after_a_pivot_the_row_says_the_users_write_to_the_target(engine_window, qtbot, qloop,
                                                                  tmp_path) -> None:
    window = engine_window
    key, source = ready(window, qtbot, qloop, tmp_path)
    qtbot.mouseClick(window.job_panel.rows[key].buttons[JobVerb.COMPLETE],
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "completed", timeout=10000)
    assert status_text(window, key).endswith("pivoted: users of 'src' now write to 'tgt'</b>")
    assert (tmp_path / "tgt.img").read_bytes() == source


def test_after_a_finish_without_pivot_the_row_says_the_users_stay(engine_window, qtbot, qloop,
                                                                  tmp_path) -> None:
    window = engine_window
    key, source = ready(window, qtbot, qloop, tmp_path)
    qtbot.mouseClick(window.job_panel.rows[key].buttons[JobVerb.CANCEL],
                     Qt.MouseButton.LeftButton)
    answer(qtbot, question(window, qtbot), "Finish without pivot")
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "completed", timeout=10000)
    assert ("finished without pivot: users still write to 'src'; 'tgt' holds a copy as of "
            in status_text(window, key))
    assert "pivoted" not in status_text(window, key).replace("without pivot", "")
    assert (tmp_path / "tgt.img").read_bytes() == source
