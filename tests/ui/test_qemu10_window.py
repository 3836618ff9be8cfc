# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU 10 in the window: Switch to write-blocking (block-job-change) on the engines that have
it, in the row and in the not-converging hint, and not on QEMU 7.2; rows that hold their
status through QEMU 10.0's short pauses while the block graph changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt

from tests.support import qemu_program, require_qemu
from tests.ui.conftest import run, write_source
from tests.ui.test_questions import add_raw, sparse

MiB = 1 << 20


def start_slow_mirror(window: Any, qtbot: Any, qloop: Any, tmp_path: Path, name: str,
                      size: int = 16 * MiB, speed: str = "256K") -> tuple[str, str]:
    """A mirror of ``name`` that runs for a while (the speed limit), started from the form."""
    write_source(tmp_path / f"{name}.img", size)
    add_raw(window, qtbot, qloop, name, tmp_path / f"{name}.img")
    add_raw(window, qtbot, qloop, f"{name}-tgt", sparse(tmp_path / f"{name}-tgt.img", size))
    form = window.form
    form.select(name, f"{name}-tgt")
    form.speed.setText(speed)
    run(qtbot, qloop, window.mirror_start.start_mirror(form.model, confirm=False))
    key = (window.endpoints.current, f"mirror-{name}")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None
                    and window.jobs.job(key).status == "running", timeout=10000)
    return key


def open_qemu(window: Any, qtbot: Any, qloop: Any, version: str) -> Any:
    require_qemu(version)
    uri = "qsd:" if version == "7.2" else f"qsd:{qemu_program(version)}"
    link = run(qtbot, qloop, window.endpoints.open_uri(uri), timeout=30)
    window.endpoints.select(link.name)
    qtbot.waitUntil(lambda: window.endpoints.current == link.name, timeout=5000)
    return link


def switch(window: Any, qtbot: Any, key: tuple[str, str], button_name: str) -> None:
    row = window.job_panel.rows[key]
    button = row.findChild(object, button_name)
    qtbot.waitUntil(lambda: button.isVisibleTo(row), timeout=10000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).copy_mode == "write-blocking", timeout=10000)
    qtbot.waitUntil(lambda: not row.switch_button.isVisibleTo(row), timeout=5000)
    sent = [entry.text for entry in window.event_log.entries
            if entry.kind == "command" and '"block-job-change"' in entry.text]
    assert len(sent) == 1
    assert '"copy-mode": "write-blocking"' in sent[0] and '"type": "mirror"' in sent[0]


def test_the_builtin_engine_switches_from_the_not_converging_hint(
        window, qtbot, qloop, tmp_path) -> None:
    jobs = window.jobs
    key = start_slow_mirror(window, qtbot, qloop, tmp_path, "busy")
    row = window.job_panel.rows[key]
    assert row.switch_button.isVisibleTo(row)
    assert row.copy_mode.text() == "copy-mode background, actively-synced no"
    assert row.hint_switch.isHidden()  # no hint yet

    from guimirror.session.convergence import HINT

    job = window.endpoints.current_link().engine.jobs[key[1]]
    view = jobs.job(key)
    view.hint = HINT  # what the convergence watch sets while dirty clusters keep growing
    jobs.job_panel.update_job(view)
    assert row.hint.text() == HINT
    switch(window, qtbot, key, "hint-switch-write-blocking")
    assert job.settings.copy_mode == "write-blocking"
    link = window.endpoints.current_link()
    run(qtbot, qloop, link.execute("block-job-set-speed", {"device": key[1], "speed": 0}))
    qtbot.waitUntil(lambda: job.actively_synced, timeout=30000)
    qtbot.waitUntil(lambda: row.copy_mode.text()
                    == "copy-mode write-blocking, actively-synced yes", timeout=10000)
    assert row.hint_switch.isHidden()
    run(qtbot, qloop, link.execute("job-cancel", {"id": key[1]}))


@pytest.mark.qemu
def test_qemu_10_switches_a_running_mirror_to_write_blocking(
        qemu_window, qtbot, qloop, tmp_path) -> None:
    window = qemu_window
    link = open_qemu(window, qtbot, qloop, "10.0")
    assert link.capabilities.has("block-job-change")
    key = start_slow_mirror(window, qtbot, qloop, tmp_path, "src")
    row = window.job_panel.rows[key]
    assert row.copy_mode.text() == "copy-mode background, actively-synced no"
    switch(window, qtbot, key, "switch-write-blocking")
    run(qtbot, qloop, link.execute("block-job-set-speed", {"device": key[1], "speed": 0}))
    qtbot.waitUntil(lambda: window.jobs.job(key).ready, timeout=30000)
    jobs = run(qtbot, qloop, link.execute("query-block-jobs", log_it=False))
    assert jobs[0]["actively-synced"] is True
    qtbot.waitUntil(lambda: row.copy_mode.text()
                    == "copy-mode write-blocking, actively-synced yes", timeout=10000)
    run(qtbot, qloop, link.execute("job-cancel", {"id": key[1]}))


@pytest.mark.qemu
def test_qemu_7_2_offers_no_switch(qemu_window, qtbot, qloop, tmp_path) -> None:
    window = qemu_window
    link = open_qemu(window, qtbot, qloop, "7.2")
    assert not link.capabilities.has("block-job-change")
    key = start_slow_mirror(window, qtbot, qloop, tmp_path, "src")
    row = window.job_panel.rows[key]
    from guimirror.session.convergence import HINT

    view = window.jobs.job(key)
    view.hint = HINT
    window.job_panel.update_job(view)
    assert row.hint.isVisibleTo(row)
    assert not row.switch_button.isVisibleTo(row) and not row.hint_switch.isVisibleTo(row)
    assert row.copy_mode.text() == "copy-mode background"  # 7.2 has no actively-synced
    run(qtbot, qloop, link.execute("job-cancel", {"id": key[1]}))


@pytest.mark.qemu
def test_qemu_10_rows_hold_their_status_through_graph_changes(
        qemu_window, qtbot, qloop, tmp_path) -> None:
    window = qemu_window
    link = open_qemu(window, qtbot, qloop, "10.0")
    key = start_slow_mirror(window, qtbot, qloop, tmp_path, "src")
    row = window.job_panel.rows[key]
    shown: list[str] = []
    row.status_shown.connect(shown.append)
    for number in range(8):
        path = sparse(tmp_path / f"extra{number}.img", MiB)
        add_raw(window, qtbot, qloop, f"extra{number}", path)
    qtbot.wait(1000)  # longer than STATUS_HOLD: a held status would show by now
    events = [entry.text for entry in window.event_log.entries
              if entry.kind == "event" and "JOB_STATUS_CHANGE" in entry.text
              and '"paused"' in entry.text]
    assert events, "QEMU 10.0 paused the job for the graph changes"
    assert shown == []
    assert "running" in row.status.text()
    run(qtbot, qloop, link.execute("job-cancel", {"id": key[1]}))


def test_a_row_shows_a_pause_only_once_it_lasted(qtbot) -> None:
    from guimirror.ui.job_panel import JobPanel

    panel = JobPanel()
    try:
        hold_through_a_pause(qtbot, panel)
    finally:  # deleted here, in the GUI thread, not by a later garbage collection
        panel.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def hold_through_a_pause(qtbot: Any, panel: Any) -> None:
    from guimirror.qapi.job import JobVerb
    from guimirror.ui.job_panel import STATUS_HOLD, JobView

    view = JobView(endpoint="e", job_id="j", status="running")
    row = panel.update_job(view)
    shown: list[str] = []
    row.status_shown.connect(shown.append)

    def status(name: str, paused: bool) -> None:
        view.status, view.paused = name, paused
        panel.update_job(view)

    status("paused", True)  # a graph change: paused for a moment, then running again
    assert row.buttons[JobVerb.PAUSE].isEnabled()
    qtbot.wait(int(STATUS_HOLD * 1000 / 5))
    status("running", False)
    qtbot.wait(int(STATUS_HOLD * 1000 * 1.5))
    assert shown == []
    status("paused", True)  # a pause that lasts
    qtbot.waitUntil(lambda: shown == ["paused"], timeout=int(STATUS_HOLD * 3000))
    assert row.buttons[JobVerb.RESUME].isEnabled()
    status("running", False)
    assert shown == ["paused", "running"]  # back at once
    qtbot.mouseClick(row.buttons[JobVerb.PAUSE], Qt.MouseButton.LeftButton)
    status("paused", True)  # the user's own pause shows at once
    assert shown == ["paused", "running", "paused"]
