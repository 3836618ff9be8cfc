"""guimirror-daemon's command line against qemu-storage-daemon's (errors and exit codes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guimirror import __version__
from tests.qmp.daemons import run_daemon
from tests.support import require_tools


def test_help_and_version() -> None:
    usage = run_daemon("guimirror", ["--help"])
    assert usage.returncode == 0
    for option in ("--blockdev", "--chardev", "--monitor", "--nbd-server", "--export",
                   "--pidfile", "--help", "--version"):
        assert option in usage.stdout
    version = run_daemon("guimirror", ["-V"])
    assert version.returncode == 0
    assert __version__ in version.stdout


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
    ["--monitor", "chardev=m9"],
])
def test_bad_command_lines_fail_as_qemu_storage_daemon_does(args: list[str]) -> None:
    require_tools("qemu-storage-daemon")
    qemu = run_daemon("qemu", args)
    ours = run_daemon("guimirror", args)
    assert (qemu.returncode, ours.returncode) == (1, 1)
    # The program name differs; the rest of the message is QEMU's.
    qemu_text = qemu.stderr.strip().removeprefix("qemu-storage-daemon: ")
    ours_text = ours.stderr.strip().removeprefix("guimirror-daemon: ")
    assert ours_text == qemu_text


def test_missing_image_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "missing.img"
    result = run_daemon("guimirror", ["--blockdev", f"driver=file,node-name=f,filename={missing}"])
    assert result.returncode == 1
    assert f"Could not open '{missing}': No such file or directory" in result.stderr
