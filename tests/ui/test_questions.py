# SPDX-License-Identifier: GPL-2.0-or-later
"""The questions and refusals around a mirror, against a real qemu-storage-daemon: data on the
target, a size mismatch, a busy target, Cancel after READY (finish without pivot or abort),
manual finalize and dismiss, quitting with a running job."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from guimirror.qapi.job import JobVerb
from guimirror.ui.endpoint_link import EndpointLink
from tests.support import require_tools
from tests.ui.conftest import run, write_source

pytestmark = pytest.mark.qemu
MiB = 1 << 20


@pytest.fixture
def daemon_window(qemu_window: Any, qtbot: Any, qloop: Any) -> Any:
    require_tools("qemu-storage-daemon")
    run(qtbot, qloop, qemu_window.endpoints.add_daemon())
    qemu_window.endpoint_list.setCurrentRow(qemu_window.endpoint_list.count() - 1)
    return qemu_window


def add_raw(window: Any, qtbot: Any, loop: Any, name: str, path: Path) -> None:
    link = window.endpoints.current_link()
    run(qtbot, loop, link.execute("blockdev-add", {
        "driver": "raw", "node-name": name,
        "file": {"driver": "file", "filename": str(path)},
    }))
    qtbot.waitUntil(lambda: name in window.node_model.by_name(), timeout=5000)


def sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as image:
        image.truncate(size)
    return path


def question(window: Any, qtbot: Any) -> QMessageBox:
    def shown() -> bool:
        box = window.findChild(QMessageBox, "question")
        return box is not None and box.isVisible()

    qtbot.waitUntil(shown, timeout=10000)
    box = window.findChild(QMessageBox, "question")
    assert box is not None
    return box


def answer(qtbot: Any, box: QMessageBox, label: str) -> None:
    button = next(b for b in box.buttons() if b.text() == label)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)


def commands_sent(window: Any, name: str) -> int:
    return sum(1 for entry in window.event_log.entries
               if entry.kind == "command" and f'"execute": "{name}"' in entry.text)


def start(window: Any, qtbot: Any) -> None:
    assert window.form.start_button.isEnabled(), window.form.errors
    qtbot.mouseClick(window.form.start_button, Qt.MouseButton.LeftButton)


def test_data_on_the_target_needs_a_confirmation_naming_it(daemon_window, qtbot, qloop,
                                                           tmp_path) -> None:
    window = daemon_window
    write_source(tmp_path / "src.img", 4 * MiB)
    (tmp_path / "tgt.img").write_bytes(os.urandom(4 * MiB))
    add_raw(window, qtbot, qloop, "src", tmp_path / "src.img")
    add_raw(window, qtbot, qloop, "tgt", tmp_path / "tgt.img")
    window.form.select("src", "tgt")
    start(window, qtbot)
    box = question(window, qtbot)
    assert "The target 'tgt' (4 MiB) holds 4 MiB of data" in box.text()
    answer(qtbot, box, "Cancel")
    assert commands_sent(window, "blockdev-mirror") == 0
    start(window, qtbot)
    answer(qtbot, question(window, qtbot), "Overwrite target")
    key = (window.endpoints.current, "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    assert commands_sent(window, "blockdev-mirror") == 1


def test_a_size_mismatch_warns_and_a_busy_target_is_refused(daemon_window, qtbot, qloop,
                                                            tmp_path) -> None:
    window = daemon_window
    write_source(tmp_path / "src.img", 8 * MiB)
    add_raw(window, qtbot, qloop, "src", tmp_path / "src.img")
    add_raw(window, qtbot, qloop, "small", sparse(tmp_path / "small.img", 4 * MiB))
    add_raw(window, qtbot, qloop, "tgt", sparse(tmp_path / "tgt.img", 8 * MiB))
    add_raw(window, qtbot, qloop, "other", sparse(tmp_path / "other.img", 8 * MiB))
    window.form.select("src", "small")
    start(window, qtbot)
    box = question(window, qtbot)
    assert box.windowTitle() == "Size mismatch"
    assert "'src' is 8 MiB" in box.text() and "'small' is 4 MiB" in box.text()
    answer(qtbot, box, "Cancel")
    assert commands_sent(window, "blockdev-mirror") == 0

    window.form.select("src", "tgt")
    window.form.speed.setText("1M")
    window.form.buf_size.setText("64K")
    start(window, qtbot)
    key = (window.endpoints.current, "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    window.form.select("other", "tgt")
    window.form.speed.setText("0")
    start(window, qtbot)
    qtbot.waitUntil(lambda: "busy" in window.form.start_error.text(), timeout=5000)
    assert window.form.start_error.text() == (
        "Node 'tgt' is busy: it is in use by job mirror-src (target)")
    assert commands_sent(window, "blockdev-mirror") == 1
    assert window.findChild(QMessageBox, "question") is None


def ready_job(window: Any, qtbot: Any, loop: Any, tmp_path: Path, **form: Any) -> Any:
    source = write_source(tmp_path / "src.img", 4 * MiB)
    add_raw(window, qtbot, loop, "src", tmp_path / "src.img")
    add_raw(window, qtbot, loop, "tgt", sparse(tmp_path / "tgt.img", 4 * MiB))
    window.form.select("src", "tgt")
    for name, value in form.items():
        getattr(window.form, name).setChecked(value)
    start(window, qtbot)
    key = (window.endpoints.current, "mirror-src")
    qtbot.waitUntil(lambda: (view := window.jobs.job(key)) is not None and view.ready,
                    timeout=10000)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "ready", timeout=5000)
    return key, source


def test_cancel_after_ready_finishes_without_pivot(daemon_window, qtbot, qloop,
                                                   tmp_path) -> None:
    window = daemon_window
    key, source = ready_job(window, qtbot, qloop, tmp_path)
    row = window.job_panel.rows[key]
    qtbot.mouseClick(row.buttons[JobVerb.CANCEL], Qt.MouseButton.LeftButton)
    box = question(window, qtbot)
    assert "Finish it without pivot" in box.text()
    answer(qtbot, box, "Keep running")
    assert window.jobs.job(key).status == "ready"
    qtbot.mouseClick(row.buttons[JobVerb.CANCEL], Qt.MouseButton.LeftButton)
    answer(qtbot, question(window, qtbot), "Finish without pivot")
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "completed", timeout=10000)
    assert commands_sent(window, "block-job-cancel") == 1
    # No pivot: the source node still reads the source file, the target holds its copy.
    assert (tmp_path / "tgt.img").read_bytes() == source
    assert window.node_model.by_name()["src"].file == str(tmp_path / "src.img")


def test_cancel_after_ready_can_abort(daemon_window, qtbot, qloop, tmp_path) -> None:
    window = daemon_window
    key, _ = ready_job(window, qtbot, qloop, tmp_path)
    qtbot.mouseClick(window.job_panel.rows[key].buttons[JobVerb.CANCEL],
                     Qt.MouseButton.LeftButton)
    answer(qtbot, question(window, qtbot), "Abort")
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "cancelled", timeout=10000)
    assert commands_sent(window, "job-cancel") == 1


def test_manual_finalize_and_dismiss(daemon_window, qtbot, qloop, tmp_path) -> None:
    window = daemon_window
    key, source = ready_job(window, qtbot, qloop, tmp_path,
                            auto_finalize=False, auto_dismiss=False)
    row = window.job_panel.rows[key]
    finalize, dismiss = row.buttons[JobVerb.FINALIZE], row.buttons[JobVerb.DISMISS]
    assert not finalize.isHidden() and not finalize.isEnabled()
    qtbot.mouseClick(row.buttons[JobVerb.COMPLETE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "pending", timeout=10000)
    assert finalize.isEnabled() and not dismiss.isEnabled()
    qtbot.mouseClick(finalize, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "concluded", timeout=10000)
    assert dismiss.isEnabled() and not finalize.isEnabled()
    qtbot.mouseClick(dismiss, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "completed", timeout=10000)
    assert (tmp_path / "tgt.img").read_bytes() == source


def test_quitting_with_a_running_job_asks(daemon_window, qtbot, qloop, tmp_path) -> None:
    window = daemon_window
    write_source(tmp_path / "src.img", 8 * MiB)
    add_raw(window, qtbot, qloop, "src", tmp_path / "src.img")
    add_raw(window, qtbot, qloop, "tgt", sparse(tmp_path / "tgt.img", 8 * MiB))
    window.form.select("src", "tgt")
    window.form.speed.setText("512K")
    window.form.buf_size.setText("64K")
    start(window, qtbot)
    key = (window.endpoints.current, "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    window.close()
    box = question(window, qtbot)
    assert box.windowTitle() == "Quit with running jobs?"
    link = window.endpoints.current_link()
    assert box.text() == (
        "QEMU jobs go on without guimirror: mirror-src. A qemu-storage-daemon that guimirror "
        "started keeps running them, and guimirror takes it over again at the next start.\n"
        f"The qemu-storage-daemon '{link.name}' (QMP socket {link.address}) runs on with "
        f"mirror-src and keeps open: src ({tmp_path}/src.img), tgt ({tmp_path}/tgt.img).")
    answer(qtbot, box, "Keep running")
    qtbot.waitUntil(lambda: not window.quit.quitting, timeout=5000)
    assert window.isVisible() and not window.quit.closed.is_set()
    qtbot.waitUntil(lambda: window.jobs.job(key).status in ("running", "ready"), timeout=5000)


def test_a_taken_over_daemon_without_jobs_stops_at_quit(daemon_window, qtbot, qloop,
                                                        tmp_path) -> None:
    """Like one started in this run: it would otherwise keep its devices open unseen."""
    window = daemon_window
    first = window.endpoints.current_link()
    add_raw(window, qtbot, qloop, "src", sparse(tmp_path / "src.img", MiB))
    pid = first.endpoint.launcher.pid
    run(qtbot, qloop, first.detach())
    os.kill(pid, 0)
    taken = run(qtbot, qloop, window.endpoints.add_endpoint(
        EndpointLink(first.uri, "qsd-again")))
    assert taken.endpoint.launcher.adopted and taken.endpoint.launcher.pid == pid
    assert run(qtbot, qloop, window.quit.quit_flow())  # no jobs: no question
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
