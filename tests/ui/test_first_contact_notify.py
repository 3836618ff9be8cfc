# SPDX-License-Identifier: GPL-2.0-or-later
"""Desktop notifications of a real built-in job, received by a notification service on a
private D-Bus session bus, and the window title's progress."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusVirtualObject

from guimirror.qapi.job import JobVerb
from guimirror.ui.notifications import OBJECT_PATH, SERVICE, DesktopNotifier, Notice
from tests.ui.conftest import run, write_source
from tests.ui.test_questions import add_raw, sparse

MiB = 1 << 20

INTROSPECTION = f"""<interface name="{SERVICE}">
  <method name="Notify">
    <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
    <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
    <arg type="a{{sv}}" direction="in"/><arg type="i" direction="in"/>
    <arg type="u" direction="out"/>
  </method>
</interface>
"""

class FakeNotifications(QDBusVirtualObject):
    """org.freedesktop.Notifications that records each call: (signature, arguments)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, list[Any]]] = []

    def introspect(self, path: str) -> str:
        return INTROSPECTION

    def handleMessage(self, message: QDBusMessage, connection: QDBusConnection) -> bool:
        if message.member() != "Notify":
            return False
        self.calls.append((message.signature(), list(message.arguments())))
        connection.send(message.createReply([len(self.calls)]))
        return True

    def summaries(self) -> list[str]:
        return [arguments[3] for _signature, arguments in self.calls]


@pytest.fixture
def bus(qapp: Any) -> Iterator[str]:
    """A private session bus of its own (its address); stopped at teardown."""
    started = subprocess.run(
        ["dbus-daemon", "--session", "--print-address=1", "--print-pid=1", "--fork"],
        capture_output=True, text=True, check=True, timeout=10)
    address, pid = started.stdout.split()
    try:
        yield address
    finally:
        QDBusConnection.disconnectFromBus(f"test-{pid}")
        os.kill(int(pid), signal.SIGTERM)


@pytest.fixture
def service(bus: str) -> FakeNotifications:
    connection = QDBusConnection.connectToBus(bus, f"test-{bus.split('guid=')[-1]}")
    fake = FakeNotifications()
    assert connection.registerVirtualObject(OBJECT_PATH, fake)
    assert connection.registerService(SERVICE)
    return fake


def start_mirror(window: Any, qtbot: Any, qloop: Any, tmp_path: Path, speed: str) -> Any:
    write_source(tmp_path / "src.img", 4 * MiB)
    add_raw(window, qtbot, qloop, "src", tmp_path / "src.img")
    add_raw(window, qtbot, qloop, "tgt", sparse(tmp_path / "tgt.img", 4 * MiB))
    window.form.select("src", "tgt")
    window.form.speed.setText(speed)
    window.form.buf_size.setText("64K")  # not the whole image in flight at once
    window.form.start_button.click()
    key = ("built-in", "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    return key


def test_ready_and_completed_reach_the_desktop_and_the_title_shows_progress(
        window: Any, qtbot: Any, qloop: Any, tmp_path: Path, bus: str,
        service: FakeNotifications) -> None:
    window.notifications.notifier.address = bus
    jobs = window.jobs
    key = start_mirror(window, qtbot, qloop, tmp_path, speed="1M")
    titles: set[str] = set()

    def ready() -> bool:
        window.update_status()
        titles.add(window.windowTitle())
        return bool(jobs.job(key).ready)

    qtbot.waitUntil(ready, timeout=20000)
    progress = {title for title in titles if title != "guimirror"}
    assert progress and all(re.fullmatch(r"\d{1,3} % · guimirror", t) for t in progress)
    assert len(progress) > 1, f"the title follows the copy: {progress}"
    qtbot.waitUntil(lambda: service.summaries() == ["Mirror mirror-src is ready"],
                    timeout=10000)
    window.verb_actions[JobVerb.COMPLETE].trigger()
    qtbot.waitUntil(lambda: len(service.calls) == 2, timeout=10000)
    assert service.summaries() == ["Mirror mirror-src is ready", "Mirror mirror-src completed"]
    signature, arguments = service.calls[1]
    assert signature == "susssasa{sv}i", "Notify's own signature, replaces_id a uint32"
    app_name, replaces, _icon, _summary, body, actions, _hints, timeout = arguments
    assert (app_name, replaces, actions, timeout) == ("guimirror", 0, [], -1)
    assert body == "src → tgt on built-in: 4 MiB copied."
    assert "is in sync; Complete pivots to tgt." in service.calls[0][1][4]
    qtbot.waitUntil(lambda: not jobs.active_jobs(), timeout=10000)
    window.update_status()
    assert window.windowTitle() == "guimirror"
    # The service has the call; gdbus's exit with its reply may come a moment later.
    qtbot.waitUntil(lambda: window.notifications.notifier.sent["desktop"] == 2, timeout=5000)


def test_turned_off_nothing_is_sent_and_the_choice_is_kept(
        window: Any, qtbot: Any, qloop: Any, tmp_path: Path, bus: str,
        service: FakeNotifications, settings: Any) -> None:
    window.notifications.notifier.address = bus
    assert window.notifications_action.isChecked()
    window.notifications_action.trigger()
    assert settings.notifications is False
    assert str(settings.qsettings.value("notifications/desktop")) == "false"
    key = start_mirror(window, qtbot, qloop, tmp_path, speed="")
    qtbot.waitUntil(lambda: window.jobs.job(key).ready, timeout=20000)
    link = window.endpoints.current_link()
    run(qtbot, qloop, link.execute("job-cancel", {"id": key[1]}))
    qtbot.waitUntil(lambda: not window.jobs.active_jobs(), timeout=10000)
    assert service.calls == [] and window.notifications.notifier.sent["desktop"] == 0


def test_without_a_notification_service_the_notice_is_not_lost_silently(
        qloop: Any, qtbot: Any, bus: str) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    notifier = DesktopNotifier(bus)
    way = run(qtbot, qloop, notifier.notify(Notice("Mirror x is ready", "body")))
    assert way == ("tray" if QSystemTrayIcon.isSystemTrayAvailable() else "none")
    assert notifier.sent["desktop"] == 0
