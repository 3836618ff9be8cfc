# SPDX-License-Identifier: GPL-2.0-or-later
"""guimirror-daemon's command line against qemu-storage-daemon's (errors and exit codes)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
from pathlib import Path

import pytest
from qemu.qmp import ConnectError, QMPClient

from guimirror import __version__
from tests.qmp.daemons import daemon_argv, daemon_env, run_daemon
from tests.support import QEMU_VERSIONS, require_qemu, require_tools


def test_help_and_version() -> None:
    usage = run_daemon("guimirror", ["--help"])
    assert usage.returncode == 0
    for option in ("--blockdev", "--chardev", "--monitor", "--nbd-server", "--export",
                   "--pidfile", "--help", "--version"):
        assert option in usage.stdout
    version = run_daemon("guimirror", ["-V"])
    assert version.returncode == 0
    assert __version__ in version.stdout


def _without_program(stderr: str) -> str:
    """qemu-storage-daemon's message without the program name it starts with (a path when
    the daemon is not the system's)."""
    text = stderr.strip()
    first, separator, rest = text.partition(": ")
    return rest if separator and first.endswith("qemu-storage-daemon") else text


#: Where a QEMU version words a command-line error otherwise than 7.2 (and guimirror-daemon).
NEWER_TEXTS = {"10.0": {"Device 'm0' is in use": "chardev 'm0' is already in use"}}


def _as_version(text: str, version: str) -> str:
    for old, new in NEWER_TEXTS.get(version, {}).items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("args", [
    ["--bogus"],
    ["--pidfile"],
    ["extra"],
    ["--blockdev", "node-name=x"],
    ["--blockdev", "driver=bogus,node-name=x"],
    ["--blockdev", "driver=null-co,node-name=n,size=1M,read-zeroes"],
    ["--blockdev", "driver=null-co,node-name=n,bogus=1"],
    ["--blockdev", "driver=null-co,node-name=n,size=abc"],
    ["--blockdev", '{"driver": "null-co", "node-name": "n", "size": "x"}'],
    ["--blockdev", "driver=null-co,node-name=n,,x=1"],
    ["--blockdev", "driver=file,node-name=f0"],
    ["--nbd-server", "addr.type=unix"],
    ["--nbd-server", "addr.type=bogus"],
    ["--nbd-server", "addr.type=inet,addr.host=127.0.0.1"],
    ["--monitor", "chardev=m9"],
    ["--blockdev", '{"driver": "null-co", "node-name": "n", "x": 1, "y": 2, "z": 3}'],
    ["--blockdev", '{"driver": "null-co", "node-name": "n", "cache": {"direct": "on"}}'],
    ["--blockdev", "driver=null-co,node-name=n", "--blockdev", "driver=null-co,node-name=n"],
    ["--blockdev", "driver=null-co,node-name=n,size=1048576",
     "--export", "type=nbd,id=e,node-name=n"],
])
@pytest.mark.parametrize("version", QEMU_VERSIONS)
def test_bad_command_lines_fail_as_qemu_storage_daemon_does(args: list[str], version: str) -> None:
    qemu = run_daemon("qemu", args, require_qemu(version))
    ours = run_daemon("guimirror", args)
    assert (qemu.returncode, ours.returncode) == (1, 1)
    # The program name differs; the rest of the message is QEMU's.
    qemu_text = _without_program(qemu.stderr)
    ours_text = ours.stderr.strip().removeprefix("guimirror-daemon: ")
    assert _as_version(ours_text, version) == qemu_text


@pytest.mark.parametrize("version", QEMU_VERSIONS)
def test_duplicate_chardev_and_monitor_fail_as_qemu_storage_daemon_does(
    tmp_path: Path, version: str
) -> None:
    program = require_qemu(version)
    chardev = f"socket,id=m0,path={tmp_path / 'qmp.sock'},server=on,wait=off"
    for args in (["--chardev", chardev, "--chardev", chardev],
                 ["--chardev", chardev, "--monitor", "m0", "--monitor", "m0"]):
        qemu = run_daemon("qemu", args, program)
        ours = run_daemon("guimirror", args)
        assert (qemu.returncode, ours.returncode) == (1, 1)
        ours_text = ours.stderr.strip().removeprefix("guimirror-daemon: ")
        assert _as_version(ours_text, version) == _without_program(qemu.stderr)


def test_missing_image_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "missing.img"
    result = run_daemon("guimirror", ["--blockdev", f"driver=file,node-name=f,filename={missing}"])
    assert result.returncode == 1
    assert f"Could not open '{missing}': No such file or directory" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_qmp_and_nbd_on_tcp_loopback(tmp_path: Path) -> None:
    require_tools("nbdinfo")
    qmp_port, nbd_port = _free_port(), _free_port()

    async def scenario() -> None:
        process = await asyncio.create_subprocess_exec(
            *daemon_argv("guimirror"),
            "--blockdev", "driver=null-co,node-name=n0,size=1048576",
            "--chardev", f"socket,id=m0,host=127.0.0.1,port={qmp_port},server=on,wait=off",
            "--monitor", "m0",
            "--nbd-server", f"addr.type=inet,addr.host=127.0.0.1,addr.port={nbd_port}",
            "--export", "nbd,id=e0,node-name=n0,name=n0",
            env=daemon_env(), stderr=subprocess.PIPE)
        client = QMPClient("tcp")
        try:
            for _ in range(200):
                try:
                    await client.connect(("127.0.0.1", qmp_port))
                    break
                except ConnectError:
                    await asyncio.sleep(0.05)
            exports = await client.execute("query-block-exports")
            assert isinstance(exports, list) and exports[0]["id"] == "e0"
            info = await asyncio.create_subprocess_exec(
                "nbdinfo", "--size", f"nbd://127.0.0.1:{nbd_port}/n0", stdout=subprocess.PIPE)
            out, _ = await info.communicate()
            assert int(out) == 1048576
            await client.execute("quit")
        finally:
            with contextlib.suppress(EOFError):
                await client.disconnect()
            status = await asyncio.wait_for(process.wait(), 20)
        assert status == 0

    asyncio.run(scenario())
