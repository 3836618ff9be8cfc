# SPDX-License-Identifier: GPL-2.0-or-later
"""The QMP socket directory rule, on real directories: refuse only a directory others can
write without the sticky bit (or another user's), warn where others can reach the socket."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from guimirror.qmp.server import QMPServer, TransportError, check_socket_directory
from tests.qmp.daemons import daemon_argv, daemon_env, run_daemon
from tests.qmp.wire import wait_for_socket

NOBODY = 65534
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to change owners")


@pytest.fixture
def open_parent() -> Iterator[Path]:
    """A directory under /tmp that others can reach (every directory from / down is o+x);
    pytest's tmp_path is not (its parent is 0700)."""
    parent = Path(tempfile.mkdtemp(prefix="guimirror-socket-rule-", dir="/tmp"))
    parent.chmod(0o755)
    try:
        yield parent
    finally:
        shutil.rmtree(parent)


def make_directory(parent: Path, mode: int, name: str = "") -> Path:
    directory = parent / (name or f"dir-{mode:o}")
    directory.mkdir()
    directory.chmod(mode)
    return directory


async def listen(directory: Path) -> os.stat_result:
    """Start a server on ``directory/qmp.sock`` and return the socket's lstat."""
    server = QMPServer()
    try:
        await server.start_unix(directory / "qmp.sock")
        return (directory / "qmp.sock").lstat()
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("mode", "socket_mode", "warning"),
    [
        (0o700, 0o600, None),
        (0o750, 0o660, None),  # shared with its group: the group's members connect
        (0o755, 0o600, "only the socket's mode keeps them out"),
        (0o1777, 0o600, "take the socket's name while the daemon is not running"),
        (0o1770, 0o660, None),  # group-writable, sticky: the group cannot replace our socket
    ],
)
def test_accepted_directories_get_a_private_socket_and_a_warning_where_others_reach_it(
        open_parent: Path, caplog: pytest.LogCaptureFixture,
        mode: int, socket_mode: int, warning: str | None) -> None:
    directory = make_directory(open_parent, mode)
    with caplog.at_level(logging.WARNING, logger="guimirror.qmp.server"):
        info = asyncio.run(listen(directory))
    assert stat.S_ISSOCK(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == socket_mode
    assert (info.st_uid, info.st_gid) == (os.geteuid(), os.stat(directory).st_gid)
    messages = [record.getMessage() for record in caplog.records]
    if warning is None:
        assert messages == []
    else:
        assert len(messages) == 1
        assert warning in messages[0]
        assert str(directory / "qmp.sock") in messages[0]


def test_no_warning_when_a_directory_above_keeps_others_out(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """tmp_path's parent is 0700: a 0755 directory below it is out of others' reach."""
    assert not os.stat(tmp_path.parent).st_mode & stat.S_IXOTH
    directory = make_directory(tmp_path, 0o755)
    with caplog.at_level(logging.WARNING, logger="guimirror.qmp.server"):
        info = asyncio.run(listen(directory))
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert caplog.records == []


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o770])
def test_directories_others_can_write_without_the_sticky_bit_are_refused(
        tmp_path: Path, mode: int) -> None:
    directory = make_directory(tmp_path, mode)
    with pytest.raises(TransportError, match=r"writable by others .* without the sticky bit"):
        asyncio.run(listen(directory))
    assert not (directory / "qmp.sock").exists()


def as_user(uid: int, action: Callable[[], str]) -> str:
    """``action``'s result, or its error's text, computed in a child process that runs as
    ``uid`` (forked: the interpreter is already loaded)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(reader)
            os.setgid(uid)
            os.setuid(uid)
            try:
                result = action()
            except Exception as error:
                result = f"{type(error).__name__}: {error}"
            os.write(writer, result.encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        result = pipe.read().decode()
    os.waitpid(pid, 0)
    return result


@needs_root
def test_another_users_directory_is_refused_unless_we_are_root(open_parent: Path) -> None:
    foreign = make_directory(open_parent, 0o755)
    os.chown(foreign, 1234, 1234)
    own = make_directory(open_parent, 0o755, "own")
    os.chown(own, NOBODY, NOBODY)
    refused = as_user(NOBODY, lambda: str(check_socket_directory(foreign)))
    assert refused.startswith("TransportError")
    assert "belongs to another user (uid 1234)" in refused
    # Its own directory, and root's /tmp-like sticky one, are accepted (with their warnings).
    assert "only the socket's mode" in as_user(NOBODY, lambda: str(check_socket_directory(own)))
    sticky = make_directory(open_parent, 0o1777)
    assert "take the socket's name" in as_user(
        NOBODY, lambda: str(check_socket_directory(sticky)))

    def bind_there() -> str:
        info = asyncio.run(listen(sticky))
        return f"{info.st_uid} {stat.S_IMODE(info.st_mode):o}"

    assert as_user(NOBODY, bind_there) == f"{NOBODY} 600"


@needs_root
def test_a_root_server_hands_the_socket_to_the_directory_owner(tmp_path: Path) -> None:
    directory = make_directory(tmp_path, 0o700)
    os.chown(directory, 1234, 1234)
    info = asyncio.run(listen(directory))
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 1234, 0o600)


def test_daemon_refuses_at_chardev_in_qemus_words(tmp_path: Path) -> None:
    directory = make_directory(tmp_path, 0o777)
    chardev = f"socket,id=qmp,path={directory / 'qmp.sock'},server=on,wait=off"
    result = run_daemon("guimirror", ["--chardev", chardev, "--monitor", "chardev=qmp"])
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"guimirror-daemon: --chardev {chardev}: Failed to bind socket to "
        f"{directory / 'qmp.sock'}: {directory} is writable by others (drwxrwxrwx) "
        f"without the sticky bit")


def test_daemon_serves_a_socket_in_a_sticky_directory_and_warns_on_stderr(
        open_parent: Path) -> None:
    """As qemu-storage-daemon's documentation does it: a socket in a /tmp-like directory."""
    directory = make_directory(open_parent, 0o1777)
    socket_path = directory / "qmp.sock"

    async def scenario() -> str:
        process = await asyncio.create_subprocess_exec(
            *daemon_argv("guimirror"),
            "--chardev", f"socket,id=qmp,path={socket_path},server=on,wait=off",
            "--monitor", "chardev=qmp", env=daemon_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        await wait_for_socket(socket_path, process)
        reader, writer = await asyncio.open_unix_connection(str(socket_path))
        assert b'"QMP"' in await reader.readline()
        writer.close()
        await writer.wait_closed()
        process.terminate()
        _, errors = await process.communicate()
        assert process.returncode == 0, errors
        return errors.decode()

    errors = asyncio.run(scenario())
    assert errors.startswith(f"guimirror-daemon: warning: QMP socket {socket_path}: others can "
                             f"reach {directory}")
