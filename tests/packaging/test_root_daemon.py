# SPDX-License-Identifier: GPL-2.0-or-later
"""The root daemon as the package sets it up: the systemd unit, readiness over sd_notify, the
group-shared socket directory under /run, and the pkexec helper's refusals."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from guimirror.session.root_daemon import (
    START_ROOT_DAEMON,
    root_daemon_command,
    root_daemon_socket,
)
from tests.packaging.conftest import TOP, require_program

UNIT = TOP / "packaging" / "systemd" / "guimirror-daemon.service"
HELPER = TOP / "packaging" / "polkit" / "start-root-daemon"
POLICY = TOP / "packaging" / "polkit" / "io.github.guimirror.GuiMirror.policy"


def unit_with_exec_start(tmp_path: Path, daemon: str) -> Path:
    """The unit, with ExecStart naming ``daemon`` (systemd-analyze checks that it exists)."""
    text = UNIT.read_text().replace("/usr/bin/guimirror-daemon", daemon)
    unit = tmp_path / UNIT.name
    unit.write_text(text)
    return unit


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    tool = require_program("systemd-analyze", "systemd")
    daemon = shutil.which("guimirror-daemon") or sys.executable
    result = subprocess.run(
        [tool, "verify", "--man=no", str(unit_with_exec_start(tmp_path, daemon))],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr


def test_systemd_analyze_rejects_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: a misspelt directive is reported."""
    tool = require_program("systemd-analyze", "systemd")
    unit = unit_with_exec_start(tmp_path, sys.executable)
    unit.write_text(unit.read_text().replace("ProtectSystem=strict", "ProtectSystem=stricter"))
    result = subprocess.run(
        [tool, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=120
    )
    assert "stricter" in result.stderr


def test_unit_hardening_and_socket_place() -> None:
    lines = set(UNIT.read_text().splitlines())
    assert {
        "Type=notify", "Group=guimirror", "RuntimeDirectory=guimirror/system",
        "RuntimeDirectoryMode=0750", "ProtectSystem=strict", "PrivateTmp=yes",
        "NoNewPrivileges=yes", "DevicePolicy=closed", "DeviceAllow=block-* rw",
    } <= lines
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    assert "path=/run/guimirror/system/qmp.sock" in exec_start


def start_daemon(socket_path: Path, notify_address: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "guimirror.qmp.daemon",
            "--chardev", f"socket,id=qmp,path={socket_path},server=on,wait=off",
            "--monitor", "chardev=qmp",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=TOP,
        env={**os.environ, "NOTIFY_SOCKET": notify_address},
    )


@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_daemon_notifies_ready_once_its_monitor_listens(tmp_path: Path, abstract: bool) -> None:
    directory = tmp_path / "run"
    directory.mkdir(mode=0o700)
    socket_path = directory / "qmp.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        if abstract:
            name = f"guimirror-test-notify-{os.getpid()}"
            notify.bind("\0" + name)
            address = "@" + name
        else:
            address = str(tmp_path / "notify")
            notify.bind(address)
        notify.settimeout(60)
        daemon = start_daemon(socket_path, address)
        try:
            message = notify.recv(4096)
            # READY=1 comes after the monitor listens: a client connects at once.
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(str(socket_path))
                assert b'"QMP"' in client.recv(4096)
        finally:
            daemon.terminate()
            _out, errors = daemon.communicate(timeout=60)
    assert message == b"READY=1", errors
    assert daemon.returncode == 0, errors


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the directory a group")
def test_a_root_directory_shared_with_a_group_gets_a_group_socket(tmp_path: Path) -> None:
    """/run/guimirror/system as systemd makes it: root:guimirror 0750; the socket 0660."""
    group = 54321
    directory = tmp_path / "system"
    directory.mkdir()
    os.chown(directory, 0, group)
    directory.chmod(0o750)
    socket_path = directory / "qmp.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(tmp_path / "notify"))
        notify.settimeout(60)
        daemon = start_daemon(socket_path, str(tmp_path / "notify"))
        try:
            assert notify.recv(4096) == b"READY=1"
            info = socket_path.lstat()
        finally:
            daemon.terminate()
            _out, errors = daemon.communicate(timeout=60)
    assert stat.S_IMODE(info.st_mode) == 0o660, errors
    assert (info.st_uid, info.st_gid) == (0, group)
    # Directories others can write without the sticky bit stay refused.
    for mode in (0o770, 0o757):
        directory.chmod(mode)
        refused = start_daemon(socket_path, "")
        _out, errors = refused.communicate(timeout=60)
        assert refused.returncode == 1
        assert "writable by others" in errors


def run_helper(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PKEXEC_UID"}
    return subprocess.run(
        ["sh", str(HELPER), *arguments], capture_output=True, text=True,
        env={**env, **environment}, timeout=60,
    )


@pytest.mark.parametrize(
    ("arguments", "environment", "reason"),
    [
        ((), {}, "PKEXEC_UID is not set"),
        (("--chardev", "socket,id=x,path=/tmp/x"), {"PKEXEC_UID": "1000"}, "takes no arguments"),
        (("/bin/sh",), {"PKEXEC_UID": "1000"}, "takes no arguments"),
        ((), {"PKEXEC_UID": "1000; id"}, "is not a user id"),
        ((), {"PKEXEC_UID": ""}, "PKEXEC_UID is not set"),
        ((), {"PKEXEC_UID": "4294967000"}, "no user has the id"),
    ],
)
def test_helper_refuses_what_pkexec_would_not_give_it(
    arguments: tuple[str, ...], environment: dict[str, str], reason: str
) -> None:
    if reason == "no user has the id" and os.geteuid() != 0:
        reason = "must run as root"
    result = run_helper(*arguments, **environment)
    assert result.returncode == 2
    assert reason in result.stderr


def test_helper_runs_only_the_installed_daemon_in_the_users_directory() -> None:
    text = HELPER.read_text()
    assert 'exec "$daemon"' in text and "daemon=/usr/bin/guimirror-daemon" in text
    assert "path=$directory/qmp.sock" in text and "directory=$base/user-$uid" in text


def test_polkit_action_names_the_helper_and_session_builds_its_command() -> None:
    import xml.etree.ElementTree as ElementTree

    action = ElementTree.parse(POLICY).getroot().find("action")
    assert action is not None
    assert action.get("id") == "io.github.guimirror.GuiMirror.daemon"
    path = action.find("annotate[@key='org.freedesktop.policykit.exec.path']")
    assert path is not None and path.text == START_ROOT_DAEMON
    assert root_daemon_command() == ["pkexec", START_ROOT_DAEMON]
    assert root_daemon_socket(1000) == Path("/run/guimirror/user-1000/qmp.sock")
