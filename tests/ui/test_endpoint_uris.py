# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoints by URI in the window: the Attach dialog, the sidebar, the command line; what an
engine serves choosing the form's arguments, its buf-size default and the job verbs; the
keyboard shortcuts of the job actions."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

import guimirror
from tests.support import require_tools
from tests.ui.conftest import run, write_source
from tests.ui.test_questions import add_raw, answer, question, sparse

MiB = 1 << 20
CHECKOUT = Path(guimirror.__file__).resolve().parent.parent


@pytest.fixture
def daemons(qtbot: Any, qloop: Any) -> Any:
    """Start qemu-storage-daemons someone else runs (each on its own ``.../qmp.sock``)."""
    from guimirror.session.launcher import DaemonLauncher

    require_tools("qemu-storage-daemon")
    started: list[DaemonLauncher] = []

    def start() -> str:
        launcher = DaemonLauncher(name=f"elsewhere-{len(started)}")
        started.append(launcher)
        return str(run(qtbot, qloop, launcher.start()))

    yield start
    for launcher in started:
        run(qtbot, qloop, launcher.stop(), timeout=30)


def attach_dialog(window: Any, qtbot: Any) -> Any:
    from guimirror.ui.attach_dialog import AttachDialog

    window.attach_action.trigger()
    qtbot.waitUntil(lambda: (d := window.findChild(AttachDialog, "attach")) is not None
                    and d.isVisible(), timeout=5000)
    return window.findChild(AttachDialog, "attach")


@pytest.mark.qemu
def test_the_attach_dialog_checks_the_uri_and_browses_for_a_socket(
        window, qtbot, qloop, daemons) -> None:
    first, second = daemons(), daemons()
    assert os.path.basename(first) == os.path.basename(second) == "qmp.sock"
    dialog = attach_dialog(window, qtbot)
    forms = dialog.findChild(object, "forms").text()
    for form in ("qsd:", "qsd:/path/to/qemu-storage-daemon", "unix:/path/to/qmp.sock",
                 "/path/to/qmp.sock", "tcp:HOST:PORT (loopback)", "tcp:[IPV6]:PORT"):
        assert f"  {form}\n" in f"{forms}\n"
    assert "builtin:" not in forms
    assert not dialog.ok_button.isEnabled() and dialog.error.isHidden()

    qtbot.keyClicks(dialog.edit, "localhost:4444")
    assert not dialog.ok_button.isEnabled()
    assert dialog.error.text() == ("'localhost:4444' is not an endpoint URI: guimirror knows "
                                   "no scheme 'localhost:' (did you mean tcp:localhost:4444?)")
    dialog.edit.setText("tcp:localhost:99999")
    assert "the port '99999' is not a number from 1 to 65535" in dialog.error.text()
    dialog.edit.setText("qsd:bin/qemu-storage-daemon")
    assert "must be an absolute path" in dialog.error.text()

    browse = dialog.browse()
    assert isinstance(browse, QFileDialog)
    browse.setDirectory(os.path.dirname(first))
    browse.selectFile(first)
    browse.accept()
    assert dialog.edit.text() == f"unix:{first}"
    assert dialog.ok_button.isEnabled() and dialog.error.isHidden()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (link := window.endpoints.get("qmp.sock")) is not None
                    and link.connected, timeout=10000)

    other = run(qtbot, qloop, window.endpoints.open_uri(f"unix:{second}"))
    assert other.name == "qmp.sock-2" and other.connected
    texts = [window.endpoint_list.item(row).text() for row in (1, 2)]
    parents = [os.path.basename(os.path.dirname(path)) for path in (first, second)]
    assert texts[0].startswith(f"qmp.sock\n  {parents[0]}/qmp.sock\n  running · 7.")
    assert texts[1].startswith(f"qmp.sock-2\n  {parents[1]}/qmp.sock\n  running · 7.")
    assert window.endpoint_list.item(2).toolTip() == f"unix:{second}"

    # The same socket again is only selected, not attached twice.
    again = run(qtbot, qloop, window.endpoints.open_uri(second))
    assert again is other and window.endpoint_list.count() == 3
    assert window.endpoints.current == "qmp.sock-2"


@pytest.mark.qemu
def test_command_line_uris_open_after_the_saved_ones_without_duplicates(
        settings, qtbot, qloop, daemons) -> None:
    from guimirror.session.uri import BuiltinURI, UnixURI
    from guimirror.ui.main_window import MainWindow
    from guimirror.ui.settings import SavedEndpoint

    first, second = daemons(), daemons()
    settings.endpoints = [SavedEndpoint("vm1", f"unix:{first}")]
    window = MainWindow(settings)
    window.show()
    try:
        run(qtbot, qloop, window.start(uris=[UnixURI(first), BuiltinURI(), UnixURI(second)]))
        assert list(window.endpoints.links) == ["built-in", "vm1", "qmp.sock"]
        qtbot.waitUntil(lambda: all(link.connected
                                    for link in window.endpoints.links.values()),
                        timeout=10000)
        assert [(s.name, s.uri) for s in settings.endpoints] == [
            ("vm1", f"unix:{first}"), ("qmp.sock", f"unix:{second}")]
    finally:
        run(qtbot, qloop, window.quit.quit_flow(ask_user=False), timeout=30)
        window.deleteLater()


def test_old_saved_endpoints_become_uris(tmp_path: Path, qapp: Any) -> None:
    import json

    from guimirror.ui.settings import AppSettings, SavedEndpoint

    path = str(tmp_path / "old.ini")
    old = QSettings(path, QSettings.Format.IniFormat)
    old.setValue("endpoints/list", json.dumps([
        {"kind": "socket", "name": "vm1", "address": "/run/vm 1/qmp.sock"},
        {"kind": "socket", "name": "tcp", "address": "localhost:4444"},
        {"kind": "qemu-storage-daemon", "name": "qsd", "address": "/tmp/guimirror-qsd-x/q.sock"},
        {"kind": "qemu-storage-daemon", "name": "qsd-2", "address": ""},
        {"kind": "socket", "name": "broken", "address": "no-port"},
    ]))
    old.sync()
    migrated = [
        SavedEndpoint("vm1", "unix:/run/vm%201/qmp.sock"),
        SavedEndpoint("tcp", "tcp:localhost:4444"),
        SavedEndpoint("qsd", "qsd:?socket=/tmp/guimirror-qsd-x/q.sock"),
        SavedEndpoint("qsd-2", "qsd:"),
    ]
    assert AppSettings(QSettings(path, QSettings.Format.IniFormat)).endpoints == migrated
    again = QSettings(path, QSettings.Format.IniFormat)
    assert "endpoints/list" not in again.allKeys()  # migrated once
    assert AppSettings(again).endpoints == migrated


def test_qt_options_go_to_qt_and_uris_are_parsed() -> None:
    from guimirror.app import parse_args
    from guimirror.session.uri import TcpURI, UnixURI

    args, qt = parse_args(["-platform", "offscreen", "/run/a.sock", "-style=Fusion",
                           "--log", "info", "tcp:localhost:4444", "-reverse"])
    assert args.uris == [UnixURI("/run/a.sock"), TcpURI("localhost", 4444)]
    assert args.log == "info"
    assert qt == ["-platform", "offscreen", "-style=Fusion", "-reverse"]


def guimirror_process(home: Path, *arguments: str) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"))
    return subprocess.Popen([sys.executable, "-m", "guimirror.app", *arguments],
                            cwd=CHECKOUT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_bad_uri_on_the_command_line_exits_2_with_the_reason(tmp_path: Path) -> None:
    process = guimirror_process(tmp_path, "-platform", "offscreen", "unix:relative.sock")
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 2, err
    assert ("guimirror: error: argument URI: 'unix:relative.sock' is not an endpoint URI: "
            "a unix socket must be an absolute path, not 'relative.sock'") in err
    helped = guimirror_process(tmp_path, "--help")
    out, _err = helped.communicate(timeout=60)
    assert helped.returncode == 0
    for form in ("builtin:", "qsd:/path/to/qemu-storage-daemon", "unix:/path/to/qmp.sock",
                 "tcp:HOST:PORT (loopback)", "-platform offscreen"):
        assert form in out


@pytest.mark.qemu
def test_the_command_line_attaches_a_uri(tmp_path: Path, daemons: Any) -> None:
    """A real start: Qt's -platform reaches Qt (no display here otherwise), the URI opens."""
    path = daemons()
    process = guimirror_process(tmp_path, "--no-example", "--no-restore", "--log", "info",
                                "-platform", "offscreen", f"unix:{path}")
    try:
        wanted = f"endpoint qmp.sock: unix:{path}, running"
        lines: list[str] = []
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            if lines[-1].endswith(wanted):
                break
        else:
            pytest.fail("not attached; stderr was:\n" + "\n".join(lines))
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=60)[1]
        assert process.returncode == 0, rest
        assert "Traceback" not in rest
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
            process.wait(timeout=30)


@pytest.mark.qemu
def test_capabilities_choose_the_form_and_the_buf_size_default(
        window, qtbot, qloop, tmp_path) -> None:
    from guimirror.qapi.mirror import DOCUMENTED_BUF_SIZE, QEMU_7_2_BUF_SIZE
    from guimirror.session.capabilities import Capabilities
    from guimirror.ui.node_actions import default_buf_size

    require_tools("qemu-storage-daemon")
    builtin = window.endpoints.current_link()
    assert default_buf_size(builtin.endpoint) == DOCUMENTED_BUF_SIZE
    assert window.form.buf_size_hint.text() == "default: 10 MiB in flight on this engine"
    link = run(qtbot, qloop, window.endpoints.add_daemon())
    assert default_buf_size(link.endpoint) == QEMU_7_2_BUF_SIZE
    window.endpoints.select(link.name)
    qtbot.waitUntil(lambda: window.form.buf_size_hint.text().startswith(
        "default: 16 MiB in flight on this engine"), timeout=5000)
    # target-is-zero is QEMU 10.1's: 7.2 is not offered it
    not_in_7_2 = ("Not offered: this engine does not accept target-is-zero "
                  "(QEMU 10.1 and later).")
    assert window.form.not_accepted.text() == not_in_7_2
    assert window.form.copy_mode.isVisibleTo(window.form)

    # QEMU 7.2's own schema, less one of blockdev-mirror's arguments.
    schema = run(qtbot, qloop, link.execute("query-qmp-schema", log_it=False))
    arg_type = next(e["arg-type"] for e in schema if e["name"] == "blockdev-mirror")
    for entity in schema:
        if entity["name"] == arg_type:
            entity["members"] = [m for m in entity["members"] if m["name"] != "copy-mode"]
    lacking = Capabilities.from_schema(schema)
    assert not lacking.has("blockdev-mirror", "copy-mode")
    window.form.copy_mode.setCurrentText("write-blocking")
    assert window.form.arguments()["copy-mode"] == "write-blocking"
    window.form.set_accepted_arguments(lacking.arguments("blockdev-mirror"))
    assert not window.form.copy_mode.isVisibleTo(window.form)
    assert "copy-mode" not in window.form.arguments()
    assert window.form.not_accepted.text() == (
        "Not offered: this engine does not accept copy-mode, target-is-zero "
        "(QEMU 10.1 and later).")
    window.form.set_accepted_arguments(link.capabilities.arguments("blockdev-mirror"))
    assert window.form.copy_mode.isVisibleTo(window.form)
    assert window.form.not_accepted.text() == not_in_7_2
    window.endpoints.select(builtin.name)
    qtbot.waitUntil(window.form.not_accepted.isHidden, timeout=5000)


def start_builtin_mirror(window: Any, qtbot: Any, qloop: Any, tmp_path: Path, name: str,
                         speed: str = "", auto_finalize: bool = True) -> tuple[str, str]:
    write_source(tmp_path / f"{name}.img", 4 * MiB)
    add_raw(window, qtbot, qloop, name, tmp_path / f"{name}.img")
    add_raw(window, qtbot, qloop, f"{name}-tgt", sparse(tmp_path / f"{name}-tgt.img", 4 * MiB))
    window.form.select(name, f"{name}-tgt")
    window.form.speed.setText(speed)
    window.form.auto_finalize.setChecked(auto_finalize)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    key = ("built-in", f"mirror-{name}")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    window.job_panel.select(key)
    return key


def press(window: Any, shortcut: str) -> None:
    sequence = QKeySequence(shortcut)[0]
    QTest.keyClick(window, sequence.key(), sequence.keyboardModifiers())


def test_job_shortcuts_trigger_their_actions(window, qtbot, qloop, tmp_path) -> None:
    jobs = window.jobs
    key = start_builtin_mirror(window, qtbot, qloop, tmp_path, "slow", speed="64K")
    qtbot.waitUntil(lambda: jobs.job(key).status == "running", timeout=5000)
    press(window, "Ctrl+Shift+P")
    qtbot.waitUntil(lambda: jobs.job(key).paused, timeout=5000)
    press(window, "Ctrl+Shift+R")
    qtbot.waitUntil(lambda: not jobs.job(key).paused, timeout=5000)
    press(window, "Ctrl+Shift+X")
    answer(qtbot, question(window, qtbot), "Cancel job")  # before READY: it asks first
    qtbot.waitUntil(lambda: jobs.job(key).status in ("cancelled", "concluded", "null"),
                    timeout=5000)

    fast = start_builtin_mirror(window, qtbot, qloop, tmp_path, "fast")
    qtbot.waitUntil(lambda: jobs.job(fast).ready, timeout=10000)
    press(window, "Ctrl+Shift+C")
    qtbot.waitUntil(lambda: jobs.job(fast).status in ("completed", "concluded", "null"),
                    timeout=10000)
    completes = [entry for entry in window.event_log.entries
                 if entry.kind == "command" and '"job-complete"' in entry.text]
    assert len(completes) == 1


def test_the_job_panel_offers_only_the_verbs_the_endpoint_serves(
        window, qtbot, qloop, tmp_path) -> None:
    from guimirror.qapi.job import JobVerb

    link = window.endpoints.current_link()
    key = start_builtin_mirror(window, qtbot, qloop, tmp_path, "manual", speed="64K",
                               auto_finalize=False)
    row = window.job_panel.rows[key]
    assert "job-finalize" in link.capabilities.commands
    assert row.commands == link.capabilities.commands
    assert not row.buttons[JobVerb.FINALIZE].isHidden()
    window.job_panel.set_commands("built-in", link.capabilities.commands - {"job-finalize",
                                                                            "job-pause"})
    assert row.buttons[JobVerb.FINALIZE].isHidden() and row.buttons[JobVerb.PAUSE].isHidden()
    assert not row.buttons[JobVerb.CANCEL].isHidden()
    press(window, "Ctrl+Shift+P")
    assert window.tasks.last_error == "pause: built-in does not serve job-pause"
    run(qtbot, qloop, link.execute("job-cancel", {"id": key[1]}))


def test_the_shortcuts_dialog_lists_the_actions_and_none_clash(window, qtbot) -> None:
    from PySide6.QtWidgets import QTableWidget

    actions = window.shortcut_actions()
    for action in [window.start_mirror_action, *window.verb_actions.values()]:
        assert action in actions
    sequences = [action.shortcut() for action in actions]
    assert len(set(s.toString() for s in sequences)) == len(sequences)
    standard = {binding.toString()
                for key in QKeySequence.StandardKey if key != QKeySequence.StandardKey.UnknownKey
                for binding in QKeySequence.keyBindings(key)}
    own = [window.start_mirror_action, *window.verb_actions.values()]
    assert not {action.shortcut().toString() for action in own} & standard

    window.shortcuts_action.trigger()
    dialog = window.findChild(object, "shortcuts")
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=5000)
    table = dialog.findChild(QTableWidget, "shortcut-table")
    rows = {table.item(row, 0).text(): table.item(row, 1).text()
            for row in range(table.rowCount())}
    assert rows["Pause"] == QKeySequence("Ctrl+Shift+P").toString(
        QKeySequence.SequenceFormat.NativeText)
    assert {"Start mirror", "Resume", "Complete", "Cancel", "Attach to an endpoint"} <= set(rows)
    assert len(rows) == len(actions)
    dialog.reject()
