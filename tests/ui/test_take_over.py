# SPDX-License-Identifier: GPL-2.0-or-later
"""The next start of the application brings back what the last one left: a qemu-storage-daemon
left running with its job is taken over again, an attached QMP socket is attached again.

The first run is the window in this process, on the settings file a user's guimirror uses
($XDG_CONFIG_HOME/guimirror/guimirror.conf); the second is ``python -m guimirror.app``, a
process of its own on the same file, watched through what it prints with ``--log info``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

import guimirror
from tests.support import require_tools
from tests.ui.conftest import run, write_source
from tests.ui.test_questions import add_raw, answer, question, sparse

pytestmark = pytest.mark.qemu
MiB = 1 << 20
CHECKOUT = Path(guimirror.__file__).resolve().parent.parent


class SecondStart:
    """``python -m guimirror.app`` on ``home``'s settings; its stderr read line by line."""

    def __init__(self, home: Path) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "guimirror.app", "--no-example", "--log", "info"],
            cwd=CHECKOUT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = 30.0) -> str:
        """The first line (seen or to come) for which ``wanted`` holds."""
        for line in self.lines:
            if wanted(line):
                return line
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if wanted(line):
                return line
        raise AssertionError("not printed; stderr was:\n" + "\n".join(self.lines))

    def quit(self) -> int:
        """SIGTERM, as a polite kill quits it; its exit status once all is read."""
        self.process.send_signal(signal.SIGTERM)
        returncode = self.process.wait(timeout=60)
        with contextlib.suppress(AssertionError):
            self.wait_for(lambda _line: False, timeout=5)
        return returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def first(home: Path, qapp: Any, qloop: Any, qtbot: Any) -> Iterator[Any]:
    """The first run's window, started as the application starts it (built-in engine, then
    the saved endpoints, here none), on the user's settings file under ``home``."""
    from guimirror.ui.main_window import MainWindow
    from guimirror.ui.settings import AppSettings

    settings = AppSettings(QSettings(str(home / "config" / "guimirror" / "guimirror.conf"),
                                     QSettings.Format.IniFormat))
    settings.example_offered = True
    window = MainWindow(settings)
    window.show()
    try:
        run(qtbot, qloop, window.start())
        yield window
    finally:
        if not window.quit.closed.is_set():
            run(qtbot, qloop, window.quit.quit_flow(ask_user=False), timeout=30)
        window.deleteLater()


def saved_endpoints(home: Path) -> list[tuple[str, str]]:
    from guimirror.ui.settings import AppSettings

    settings = AppSettings(QSettings(str(home / "config" / "guimirror" / "guimirror.conf"),
                                     QSettings.Format.IniFormat))
    return [(saved.name, saved.uri) for saved in settings.endpoints]


def quit_leaving_jobs(window: Any, qtbot: Any) -> None:
    """Ctrl+Q with a job running: the question, answered Quit."""
    window.quit_action.trigger()
    box = question(window, qtbot)
    assert box.windowTitle() == "Quit with running jobs?"
    answer(qtbot, box, "Quit")
    qtbot.waitUntil(window.quit.closed.is_set, timeout=30000)


async def block_jobs(path: str) -> list[dict[str, Any]]:
    from qemu.qmp import QMPClient

    client = QMPClient("test")
    await client.connect(path)
    try:
        return list(await client.execute("query-block-jobs"))
    finally:
        await client.disconnect()


def test_a_daemon_left_running_is_taken_over_by_the_next_start(
        first: Any, home: Path, qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    from guimirror.session.launcher import DaemonLauncher, LauncherError
    from guimirror.session.uri import DaemonURI

    require_tools("qemu-storage-daemon")
    window = first
    count = window.endpoint_list.count()
    window.spawn_daemon_action.trigger()  # Ctrl+Shift+D
    qtbot.waitUntil(lambda: (link := window.endpoints.get("qsd")) is not None
                    and link.connected, timeout=20000)
    link = window.endpoints.get("qsd")
    pid, path = link.endpoint.launcher.pid, link.address
    second = None
    try:
        window.endpoint_list.setCurrentRow(count)
        write_source(tmp_path / "src.img", 8 * MiB)
        add_raw(window, qtbot, qloop, "src", tmp_path / "src.img")
        add_raw(window, qtbot, qloop, "tgt", sparse(tmp_path / "tgt.img", 8 * MiB))
        window.form.select("src", "tgt")
        window.form.speed.setText("64K")  # minutes for 8 MiB: still running at the end
        window.form.buf_size.setText("64K")
        qtbot.mouseClick(window.form.start_button, Qt.MouseButton.LeftButton)
        key = ("qsd", "mirror-src")
        qtbot.waitUntil(lambda: (job := window.jobs.job(key)) is not None
                        and job.status == "running", timeout=10000)
        quit_leaving_jobs(window, qtbot)
        os.kill(pid, 0)  # left running
        uri = str(DaemonURI(socket=path))
        assert saved_endpoints(home) == [("qsd", uri)]

        second = SecondStart(home)
        second.wait_for(lambda line: line.endswith(
            f"[qsd] notice took over the daemon left running at {path} (pid {pid})"))
        second.wait_for(lambda line: line.endswith(
            f"endpoint qsd: {uri}, running"))
        second.wait_for(lambda line: line.endswith("endpoint built-in: builtin:, running"))
        assert second.quit() == 0, "\n".join(second.lines)
        # Quitting again leaves the daemon running: the second start saw its job.
        assert any(line.endswith(f"qsd runs on with mirror-src; its QMP socket is {path}")
                   for line in second.lines), "\n".join(second.lines)
        assert not any("Traceback" in line for line in second.lines), "\n".join(second.lines)
        assert saved_endpoints(home) == [("qsd", uri)]
        os.kill(pid, 0)
        jobs = run(qtbot, qloop, block_jobs(path))
        assert [(job["device"], job["status"]) for job in jobs] == [("mirror-src", "running")]
    finally:
        if second is not None:
            second.kill()
        with contextlib.suppress(LauncherError):
            launcher = run(qtbot, qloop, DaemonLauncher.adopt(os.path.dirname(path)))
            run(qtbot, qloop, launcher.stop(), timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_an_attached_socket_is_attached_again_by_the_next_start(
        first: Any, home: Path, qtbot: Any, qloop: Any) -> None:
    from guimirror.session.launcher import DaemonLauncher

    require_tools("qemu-storage-daemon")
    daemon = DaemonLauncher(name="elsewhere")
    path = run(qtbot, qloop, daemon.start())
    second = None
    try:
        link = run(qtbot, qloop, first.endpoints.open_uri(path))
        assert link.connected
        run(qtbot, qloop, first.quit.quit_flow(ask_user=False), timeout=30)
        assert saved_endpoints(home) == [("qmp.sock", f"unix:{path}")]

        second = SecondStart(home)
        second.wait_for(lambda line: line.endswith(
            f"endpoint {link.name}: unix:{path}, running"))
        second.wait_for(lambda line: line.endswith("endpoint built-in: builtin:, running"))
        assert second.quit() == 0, "\n".join(second.lines)
        assert saved_endpoints(home) == [("qmp.sock", f"unix:{path}")]
        assert daemon.returncode is None  # an attached daemon is not guimirror's to stop
    finally:
        if second is not None:
            second.kill()
        run(qtbot, qloop, daemon.stop(), timeout=30)


def test_the_previous_releases_saved_endpoints_are_opened_and_migrated(
        home: Path, qtbot: Any, qloop: Any, qapp: Any) -> None:
    """A settings file of the previous release ({"kind", "name", "address"} entries): the next
    start attaches its socket and starts its daemon, and saves both as URIs from then on."""
    from guimirror.session.launcher import DaemonLauncher

    require_tools("qemu-storage-daemon")
    daemon = DaemonLauncher(name="elsewhere")
    path = run(qtbot, qloop, daemon.start())
    config = home / "config" / "guimirror" / "guimirror.conf"
    old = QSettings(str(config), QSettings.Format.IniFormat)
    old.setValue("endpoints/list", json.dumps([
        {"kind": "socket", "name": "vm1", "address": path},
        {"kind": "qemu-storage-daemon", "name": "qsd", "address": ""},
    ]))
    old.setValue("first-start/example-offered", "true")
    old.sync()
    second = SecondStart(home)
    try:
        second.wait_for(lambda line: line.endswith(f"endpoint vm1: unix:{path}, running"))
        second.wait_for(lambda line: "endpoint qsd: qsd:?socket=" in line
                        and line.endswith(", running"))
        assert second.quit() == 0, "\n".join(second.lines)
        assert saved_endpoints(home) == [("vm1", f"unix:{path}"), ("qsd", "qsd:")]
        assert "endpoints/list" not in QSettings(str(config), QSettings.Format.IniFormat).allKeys()
    finally:
        second.kill()
        run(qtbot, qloop, daemon.stop(), timeout=30)
