# SPDX-License-Identifier: GPL-2.0-or-later
"""The .deb that packaging/build.sh made: its control fields, its files, its dependencies, and
the unpacked application itself (--version, and the --self-test mirror, offscreen)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

import guimirror
from tests.packaging.conftest import APP_ID, deb_architecture, require_program

# What the Qt platform plugins (xcb, offscreen) and Qt's libraries link to on Debian 12.
QT_RUNTIME = {
    "libdbus-1-3", "libegl1", "libfontconfig1", "libfreetype6", "libgl1", "libglib2.0-0",
    "libx11-6", "libx11-xcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1",
    "libxcb1", "libxkbcommon-x11-0", "libxkbcommon0",
}
# Files the package must hold, and the symlink targets of its commands.
REQUIRED_FILES = {
    "./opt/guimirror/guimirror",
    "./opt/guimirror/guimirror-daemon",
    f"./usr/share/applications/{APP_ID}.desktop",
    f"./usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
    f"./usr/share/metainfo/{APP_ID}.metainfo.xml",
    "./usr/share/doc/guimirror/copyright",
    "./usr/share/doc/guimirror/changelog.gz",
    "./usr/share/man/man1/guimirror.1.gz",
    "./usr/share/man/man1/guimirror-daemon.1.gz",
    "./usr/lib/systemd/system/guimirror-daemon.service",
    "./usr/lib/sysusers.d/guimirror.conf",
    f"./usr/share/polkit-1/actions/{APP_ID}.policy",
    "./usr/libexec/guimirror/start-root-daemon",
    "./usr/share/lintian/overrides/guimirror",
}
COMMANDS = {
    "./usr/bin/guimirror": "/opt/guimirror/guimirror",
    "./usr/bin/guimirror-daemon": "/opt/guimirror/guimirror-daemon",
}
ALLOWED_TOP = (
    "./opt/guimirror/", "./usr/bin/", "./usr/share/applications/", "./usr/share/icons/",
    "./usr/share/metainfo/", "./usr/share/doc/guimirror/", "./usr/share/man/man1/guimirror",
    "./usr/lib/systemd/system/guimirror", "./usr/lib/sysusers.d/guimirror",
    "./usr/share/polkit-1/actions/", "./usr/libexec/guimirror/", "./usr/share/lintian/overrides/",
)
# What the bundle must not carry: test and build tools, Qt parts it does not use.
UNWANTED = re.compile(
    r"/(pytest|_pytest|hypothesis|mypy|PyInstaller|setuptools|tkinter|__pycache__)/"
    r"|libQt6(Network|Qml|Quick|WaylandClient)|plugins/platforms/libqwayland|\.pyc$"
)
SIZE_BUDGET = 200 * 1024 * 1024


def control_field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def package_list(field: str) -> set[str]:
    return {item.split()[0] for item in field.split(",") if item.strip()}


def contents(deb: Path) -> dict[str, tuple[str, str]]:
    """path -> (owner, symlink target or '') from ``dpkg-deb --contents``."""
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    entries = {}
    for line in listing.splitlines():
        _mode, owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        entries[path] = (owner, target)
    return entries


def is_elf(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(4) == b"\x7fELF"


def clean_environment() -> dict[str, str]:
    """No display of any kind and no Qt platform chosen: the bundle must choose offscreen."""
    hidden = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "PYTHONPATH", "PYTHONHOME")
    return {key: value for key, value in os.environ.items() if key not in hidden}


def test_control_fields(deb_path: Path) -> None:
    assert control_field(deb_path, "Package") == "guimirror"
    assert control_field(deb_path, "Version") == guimirror.__version__
    assert control_field(deb_path, "Architecture") == deb_architecture()
    recommends = package_list(control_field(deb_path, "Recommends"))
    assert recommends == {"qemu-system-common", "qemu-utils"}
    # dpkg-shlibdeps gives the minimum versions of the symbols the bundle uses.
    assert re.search(r"\blibc6 \(>= [0-9.]+\)", control_field(deb_path, "Depends"))
    depends = package_list(control_field(deb_path, "Depends"))
    assert depends >= QT_RUNTIME, f"Depends lacks {sorted(QT_RUNTIME - depends)}"
    assert control_field(deb_path, "Description").startswith("mirror live block devices")
    installed_kib = int(control_field(deb_path, "Installed-Size"))
    assert 0 < installed_kib * 1024 < SIZE_BUDGET


def test_file_list(deb_path: Path) -> None:
    entries = contents(deb_path)
    assert set(entries) >= REQUIRED_FILES
    for command, target in COMMANDS.items():
        assert entries.get(command, ("", ""))[1] == target, command
    assert {owner for owner, _target in entries.values()} == {"root/root"}
    for path in entries:
        if not path.endswith("/"):
            assert path.startswith(ALLOWED_TOP), f"{path} is outside the package's places"
        assert not UNWANTED.search(path), f"the package carries {path}"


def test_every_library_resolves_and_comes_from_a_dependency(
    deb_path: Path, unpacked_root: Path
) -> None:
    require_program("ldd", "libc-bin")
    bundle = unpacked_root / "opt" / "guimirror"
    internal = bundle / "_internal"
    environment = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal}/PySide6/Qt/lib"}
    system_libraries: set[str] = set()
    elf_files = [path for path in bundle.rglob("*") if path.is_file() and is_elf(path)]
    assert len(elf_files) > 20
    require_program("readelf", "binutils")
    for path in elf_files:
        listing = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, env=environment, timeout=60
        ).stdout
        assert "not found" not in listing, f"{path.relative_to(bundle)}:\n{listing}"
        # What the file itself needs; the rest comes with those libraries' own packages.
        dynamic = subprocess.run(
            ["readelf", "-d", str(path)], capture_output=True, text=True, timeout=60
        ).stdout
        needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", dynamic))
        for match in re.finditer(r"^\s*(\S+) => (/\S+)", listing, re.MULTILINE):
            if match.group(1) in needed and not match.group(2).startswith(str(bundle)):
                system_libraries.add(match.group(2))
    depends = package_list(control_field(deb_path, "Depends"))
    owners = subprocess.run(
        ["dpkg-query", "--search", *sorted(system_libraries)], capture_output=True, text=True
    ).stdout
    owning = {line.split(":")[0] for line in owners.splitlines()}
    assert owning, "dpkg knows none of the system libraries"
    assert owning <= depends, f"Depends lacks {sorted(owning - depends)}"


def unpacked_command(unpacked_root: Path, name: str) -> str:
    """/usr/bin/NAME of the unpacked package: its absolute symlink followed inside the root."""
    link = unpacked_root / "usr" / "bin" / name
    return str(unpacked_root / os.readlink(link).lstrip("/"))


def run_unpacked(unpacked_root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [unpacked_command(unpacked_root, "guimirror"), *arguments],
        capture_output=True, text=True, env=clean_environment(), timeout=180,
    )


def test_unpacked_guimirror_answers_version(unpacked_root: Path) -> None:
    result = run_unpacked(unpacked_root, "--version")
    assert result.returncode == 0, result.stdout + result.stderr
    assert guimirror.__version__ in result.stdout


def test_unpacked_guimirror_passes_its_self_test_offscreen(unpacked_root: Path) -> None:
    result = run_unpacked(unpacked_root, "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "source and target are identical" in result.stdout


def test_unpacked_window_starts_offscreen_on_its_built_in_engine(
    unpacked_root: Path, tmp_path: Path
) -> None:
    """The window's whole import chain (Qt plugins, pyqtgraph, qasync) loads from the bundle,
    and the built-in endpoint connects: the app then saves its endpoints to its settings."""
    settings = tmp_path / "config" / "guimirror" / "guimirror.conf"
    environment = {
        **clean_environment(),
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    window = subprocess.Popen(
        [unpacked_command(unpacked_root, "guimirror"), "--no-example", "--no-restore"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )
    try:
        deadline = time.monotonic() + 90
        while not settings.exists() and window.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        running = window.poll() is None
    finally:
        window.terminate()
        _out, errors = window.communicate(timeout=60)
    assert running, f"the window exited:\n{errors}"
    assert "[endpoints]" in settings.read_text(), errors
    assert "Traceback" not in errors, errors


def test_unpacked_daemon_answers_version(unpacked_root: Path) -> None:
    result = subprocess.run(
        [unpacked_command(unpacked_root, "guimirror-daemon"), "--version"],
        capture_output=True, text=True, env=clean_environment(), timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"guimirror-daemon version {guimirror.__version__}" in result.stdout


def test_unpacked_daemon_serves_qmp(unpacked_root: Path, tmp_path: Path) -> None:
    from qemu.qmp import QMPClient

    socket_path = tmp_path / "qmp.sock"
    daemon = subprocess.Popen(
        [
            unpacked_command(unpacked_root, "guimirror-daemon"),
            "--chardev", f"socket,id=qmp,path={socket_path},server=on,wait=off",
            "--monitor", "chardev=qmp",
            "--blockdev", "driver=null-co,node-name=packaged-null,size=1048576",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_environment(),
    )

    async def ask() -> list[dict[str, object]]:
        for _ in range(300):
            if socket_path.exists() or daemon.poll() is not None:
                break
            await asyncio.sleep(0.1)
        assert daemon.poll() is None, f"guimirror-daemon exited: {daemon.communicate()[1]}"
        client = QMPClient("packaging-test")
        await client.connect(str(socket_path))
        try:
            nodes = await client.execute("query-named-block-nodes")
            await client.execute("quit")
        finally:
            # After quit the daemon hangs up, as QEMU does; qemu.qmp may report that EOF here.
            with contextlib.suppress(EOFError):
                await client.disconnect()
        assert isinstance(nodes, list)
        return nodes

    try:
        nodes = asyncio.run(ask())
        assert daemon.wait(timeout=60) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
        _out, errors = daemon.communicate(timeout=60)
    assert [node["node-name"] for node in nodes] == ["packaged-null"], errors


@pytest.mark.parametrize("name", ["desktop", "metainfo.xml"])
def test_installed_desktop_integration_is_the_repository_one(
    unpacked_root: Path, name: str
) -> None:
    from tests.packaging.conftest import LINUX

    place = "applications" if name == "desktop" else "metainfo"
    installed = unpacked_root / "usr" / "share" / place / f"{APP_ID}.{name}"
    assert installed.read_bytes() == (LINUX / f"{APP_ID}.{name}").read_bytes()
