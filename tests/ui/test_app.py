# SPDX-License-Identifier: GPL-2.0-or-later
"""The application around the window: the example workspace offered on first start, QEMU's
jobs going on after guimirror quits and shown again on the next start (saved endpoints), and
the command line's self-test."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.support import require_tools
from tests.ui.conftest import run, stop_left_daemons, write_source
from tests.ui.test_questions import add_raw, answer, question, sparse


def test_first_start_offers_the_example_workspace(window, qtbot, qloop, tmp_path,
                                                  monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    window.settings.example_offered = False
    task = window.tasks.spawn(window.nodes.offer_example_workspace(), "example")
    box = question(window, qtbot)
    assert "example workspace" in box.text()
    answer(qtbot, box, "Create example")
    qtbot.waitUntil(task.done, timeout=20000)
    nodes = window.node_model.by_name()
    assert {"example-src", "example-tgt"} <= set(nodes)
    assert nodes["example-src"].virtual_size == nodes["example-tgt"].virtual_size
    assert window.form.device.currentText() == "example-src"
    assert window.form.target.currentText() == "example-tgt"
    assert window.form.start_button.isEnabled()
    assert window.settings.example_offered
    # Asked once only.
    run(qtbot, qloop, window.nodes.offer_example_workspace())
    assert (tmp_path / "share" / "guimirror" / "example" / "source.img").exists()


def start_slow_mirror(window: Any, link: Any, qtbot: Any, loop: Any, tmp_path: Path) -> None:
    """From the form, on ``link``: an 8 MiB mirror at 256 KiB/s, still running for a while."""
    window.endpoint_list.setCurrentRow(list(window.endpoints.links).index(link.name))
    write_source(tmp_path / "src.img", 8 * 1024 * 1024)
    add_raw(window, qtbot, loop, "src", tmp_path / "src.img")
    add_raw(window, qtbot, loop, "tgt", sparse(tmp_path / "tgt.img", 8 * 1024 * 1024))
    window.form.select("src", "tgt")
    window.form.speed.setText("256K")
    window.form.buf_size.setText("64K")
    qtbot.mouseClick(window.form.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job((link.name, "mirror-src")) is not None,
                    timeout=5000)


def started_again_with_the_job(window: Any, qtbot: Any, loop: Any) -> Any:
    """Start ``window`` on the saved endpoints; the key of mirror-src once it shows running."""
    window.show()
    run(qtbot, loop, window.start(builtin=False))
    jobs = window.jobs
    qtbot.waitUntil(lambda: any(k[1] == "mirror-src" for k in jobs.job_keys()), timeout=10000)
    key = next(k for k in jobs.job_keys() if k[1] == "mirror-src")
    qtbot.waitUntil(lambda: jobs.job(key).status == "running", timeout=5000)
    return key


@pytest.mark.qemu
def test_qemu_jobs_go_on_after_quit_and_come_back(qemu_window, settings, qtbot, qloop,
                                                  tmp_path) -> None:
    """A daemon someone else runs (here: the test) is attached by its socket; guimirror quits
    while a mirror runs there; the job goes on, and the next start attaches the saved socket
    again and shows the job (reattach)."""
    from guimirror.session.launcher import DaemonLauncher
    from guimirror.ui.main_window import MainWindow

    require_tools("qemu-storage-daemon")
    daemon = DaemonLauncher(name="elsewhere")
    path = run(qtbot, qloop, daemon.start())
    second = None
    try:
        first = qemu_window
        link = run(qtbot, qloop, first.endpoints.open_uri(path))
        start_slow_mirror(first, link, qtbot, qloop, tmp_path)
        run(qtbot, qloop, first.quit.shutdown(), timeout=30)
        assert [(s.name, s.uri) for s in settings.endpoints] == [("qmp.sock", f"unix:{path}")]

        second = MainWindow(settings)
        key = started_again_with_the_job(second, qtbot, qloop)
        again = second.endpoints.links[key[0]]
        assert again.kind.value == "socket" and again.version.startswith("7.")
        run(qtbot, qloop, again.execute("job-cancel", {"id": "mirror-src"}))
        qtbot.waitUntil(lambda: second.jobs.job(key).status == "cancelled", timeout=10000)
    finally:
        if second is not None:
            run(qtbot, qloop, second.quit.quit_flow(ask_user=False), timeout=30)
            second.deleteLater()
        run(qtbot, qloop, daemon.stop(), timeout=30)


def test_self_test_passes_its_exit_status_through() -> None:
    result = subprocess.run([sys.executable, "-m", "guimirror.app", "--self-test"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout


def test_the_application_starts_and_quits_on_sigterm(tmp_path) -> None:
    """``guimirror`` as a user starts it (offscreen): it comes up on the built-in engine and
    a SIGTERM quits it cleanly, its settings saved."""
    import contextlib
    import os
    import signal

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from guimirror.app import main; "
         "sys.exit(main(['--no-example', '--no-restore']))"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    config = tmp_path / "config" / "guimirror" / "guimirror.conf"
    try:
        # The window writes its settings once the built-in engine is up.
        for _ in range(300):
            if config.exists() or process.poll() is not None:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)
        assert process.poll() is None, process.communicate()
        assert config.exists()
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert config.exists()
    assert "window" in config.read_text()


@pytest.mark.qemu
def test_endpoints_are_added_and_removed(window, qtbot, qloop, tmp_path) -> None:
    require_tools("qemu-storage-daemon")
    link = run(qtbot, qloop, window.endpoints.add_daemon())
    assert window.endpoint_list.count() == 2
    item = window.endpoint_list.item(1)
    assert item.text().startswith("qsd\n  qemu-storage-daemon\n  running · 7.")
    daemon = link.endpoint.launcher
    run(qtbot, qloop, window.endpoints.remove_endpoint(link.name))
    assert window.endpoint_list.count() == 1 and link.name not in window.endpoints.links
    assert daemon.returncode is not None  # the daemon guimirror started has stopped
    missing = str(tmp_path / "nobody.sock")
    task = window.tasks.spawn(window.endpoints.open_uri(missing), "attach")
    qtbot.waitUntil(task.done, timeout=10000)
    assert "attach:" in window.tasks.last_error
    failed = window.endpoints.links["nobody.sock"]
    assert failed.state == "failed"
    assert window.endpoint_list.item(1).text().endswith("failed")
    assert failed.error != ""
    assert window.endpoint_list.item(1).toolTip() == f"unix:{missing}\n{failed.error}"


def test_decimal_units_are_shown_and_remembered(window, qtbot, qloop, tmp_path) -> None:
    from guimirror.units import DisplayUnits

    with open(tmp_path / "n.img", "wb") as image:
        image.truncate(8 * 1024 * 1024)
    link = window.endpoints.current_link()
    run(qtbot, qloop, link.execute("blockdev-add", {
        "driver": "raw", "node-name": "n0",
        "file": {"driver": "file", "filename": str(tmp_path / "n.img")}}))
    qtbot.waitUntil(lambda: "n0" in window.node_model.by_name(), timeout=5000)
    try:
        window.decimal_action.trigger()
        assert window.settings.units == "decimal"
        assert window.node_model.by_name()["n0"].cell(3) == "8.4 MB"
        assert window.plots.throughput_plot.getAxis("left").labelUnits == "MB/s"
        window.form.speed.setText("50M")
        assert window.form.speed_hint.text() == "8.4 MB at 52.4 MB/s takes about 0 s"
    finally:
        window.preferences.set_units("binary")
    assert DisplayUnits.family == "binary" and window.settings.units == "binary"
    assert window.node_model.by_name()["n0"].cell(3) == "8 MiB"


def test_a_link_closes_when_its_sampler_was_just_woken(window, qtbot, qloop) -> None:
    """A command's reply asks the sampler for a round; closing in the same step must still
    end it.

    With asyncio.wait_for on Python 3.11, the wake-up and the cancel landing together made
    wait_for swallow the cancel: the poller went on forever and the close never returned.
    """
    link = window.endpoints.current_link()

    async def command_then_close() -> None:
        await link.execute("query-version")
        await link.close()

    run(qtbot, qloop, command_then_close(), timeout=10)
    assert link.state == "idle"


@pytest.mark.qemu
def test_a_daemon_guimirror_started_keeps_its_job_at_quit_and_is_taken_over(
        qemu_window, settings, qtbot, qloop, tmp_path) -> None:
    """Quitting leaves a spawned daemon that runs a job running; the next start takes the
    same daemon over and shows its job; quitting without jobs then stops it."""
    from guimirror.session.uri import DaemonURI
    from guimirror.ui.main_window import MainWindow

    require_tools("qemu-storage-daemon")
    first = qemu_window
    link = run(qtbot, qloop, first.endpoints.add_daemon())
    start_slow_mirror(first, link, qtbot, qloop, tmp_path)
    pid = link.endpoint.launcher.pid
    path = link.address
    second = None
    try:
        assert run(qtbot, qloop, first.quit.quit_flow(ask_user=False), timeout=30)
        assert link.state == "detached"
        os.kill(pid, 0)  # the daemon runs on
        assert [(s.name, s.uri) for s in settings.endpoints] == [
            ("qsd", str(DaemonURI(socket=path)))]

        second = MainWindow(settings)
        key = started_again_with_the_job(second, qtbot, qloop)
        again = second.endpoints.links[key[0]]
        assert again.kind.value == "qemu-storage-daemon"
        assert again.endpoint.launcher.adopted and again.endpoint.launcher.pid == pid
        assert any(entry.text == f"took over the daemon left running at {path} (pid {pid})"
                   for entry in second.event_log.entries)
        run(qtbot, qloop, again.execute("job-cancel", {"id": "mirror-src"}))
        qtbot.waitUntil(lambda: second.jobs.job(key).status == "cancelled", timeout=10000)
        assert run(qtbot, qloop, second.quit.quit_flow(ask_user=False), timeout=30)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert [(s.name, s.uri) for s in settings.endpoints] == [("qsd", "qsd:")]
    finally:
        if second is not None:
            run(qtbot, qloop, second.quit.quit_flow(ask_user=False), timeout=30)
            stop_left_daemons(qtbot, qloop, second)
            second.deleteLater()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.qemu
def test_removing_a_daemon_that_runs_a_job_asks_and_can_leave_it_running(
        qemu_window, qtbot, qloop, tmp_path) -> None:
    from guimirror.session.launcher import DaemonLauncher

    require_tools("qemu-storage-daemon")
    window = qemu_window
    link = run(qtbot, qloop, window.endpoints.add_daemon())
    start_slow_mirror(window, link, qtbot, qloop, tmp_path)
    pid = link.endpoint.launcher.pid
    path = link.address
    try:
        task = window.tasks.spawn(window.endpoints.remove_endpoint(link.name), "remove")
        box = question(window, qtbot)
        assert box.windowTitle() == "Remove a daemon with running jobs?"
        assert box.text() == f"The qemu-storage-daemon '{link.name}' runs mirror-src."
        assert path in box.informativeText()
        answer(qtbot, box, "Cancel")
        qtbot.waitUntil(task.done, timeout=5000)
        assert window.endpoints.links.get(link.name) is link and link.connected

        task = window.tasks.spawn(window.endpoints.remove_endpoint(link.name), "remove")
        answer(qtbot, question(window, qtbot), "Leave it running")
        qtbot.waitUntil(task.done, timeout=10000)
        assert link.name not in window.endpoints.links
        assert window.tasks.last_error == f"{link.name} runs on; its QMP socket is {path}"
        # Attached again by its socket, the daemon shows the job still running.
        again = run(qtbot, qloop, window.endpoints.open_uri(path))
        key = (again.name, "mirror-src")
        qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=10000)
        qtbot.waitUntil(lambda: window.jobs.job(key).status == "running", timeout=5000)
        assert run(qtbot, qloop, again.execute("query-version"))["qemu"]["major"] == 7
        run(qtbot, qloop, window.endpoints.remove_endpoint(again.name))
        launcher = run(qtbot, qloop, DaemonLauncher.adopt(os.path.dirname(path)))
        run(qtbot, qloop, launcher.stop(), timeout=30)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
