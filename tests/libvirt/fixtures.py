# SPDX-License-Identifier: GPL-2.0-or-later
"""A real libvirtd and real QEMU domains for the libvirt tests (the endpoint's and the window's).

``libvirtd`` (once per session) prepares what Debian's packages leave to systemd and udev
(the kvm and libvirt-qemu accounts, libvirt's directories, /dev/kvm for the kvm group),
starts virtlogd and libvirtd when they are not running, and stops what it started at the end.
``domain`` runs a 64 MiB domain with one raw virtio disk of a few MiB of random data, made
per test (KVM where /dev/kvm exists, TCG otherwise); no guest OS is needed for block jobs.
QEMU runs as root (a static DAC label), so the disks may live in the suite's private
temporary directory.

Without root, libvirtd, virsh, qemu-system-x86_64 or libvirt-python the tests skip, saying
which; in CI they fail instead (packaging/setup.sh test installs everything).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import IN_CI

URI = "qemu:///system"
DISK_SIZE = 4 * 1024 * 1024
RUN_DIR = Path("/run")
DAEMON_PATIENCE = 20.0


def require_libvirt() -> None:
    """Skip (fail in CI) unless this machine can run the libvirt tests."""
    missing = [name for name in ("libvirtd", "virtlogd", "virsh", "qemu-system-x86_64")
               if shutil.which(name) is None]
    try:
        import libvirt  # noqa: F401
        import libvirtaio  # noqa: F401
    except ImportError:
        missing.append("libvirt-python")
    problem = ""
    if missing:
        problem = (f"needs {', '.join(missing)}: packaging/setup.sh test installs Debian's "
                   "libvirt-daemon-driver-qemu, libvirt-clients, qemu-system-x86 and "
                   "libvirt-python")
    elif os.geteuid() != 0:
        problem = "needs root to run libvirtd and QEMU domains"
    if not problem:
        return
    if IN_CI:
        pytest.fail(problem)
    pytest.skip(problem)


@dataclass
class Daemons:
    """virtlogd and libvirtd as the fixture found or started them."""

    started: list[str]

    def libvirtd_pid(self) -> int | None:
        return _running_pid("libvirtd")

    def restart_libvirtd(self) -> None:
        """Stop libvirtd and start it again (the domains and their QEMU run on)."""
        _stop("libvirtd")
        _start("libvirtd")


def _running_pid(name: str) -> int | None:
    try:
        pid = int((RUN_DIR / f"{name}.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        # A daemon is reparented to PID 1, which may be slow to reap it: a zombie is gone.
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return None
    return None if state in ("Z", "X") else pid


def _start(name: str) -> None:
    # Daemons outlive the suite's private temporary directory: not in their environment.
    environment = {key: value for key, value in os.environ.items() if key != "TMPDIR"}
    subprocess.run([name, "-d"], check=True, timeout=DAEMON_PATIENCE, env=environment)
    deadline = time.monotonic() + DAEMON_PATIENCE
    probe = ["virsh", "-c", URI, "version"] if name == "libvirtd" else None
    while time.monotonic() < deadline:
        if _running_pid(name) is not None and (
            probe is None or subprocess.run(probe, capture_output=True).returncode == 0
        ):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not start")


def _stop(name: str) -> None:
    pid = _running_pid(name)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + DAEMON_PATIENCE
    while time.monotonic() < deadline and _running_pid(name) == pid:
        time.sleep(0.05)


def _prepare_host() -> None:
    """What Debian's maintainer scripts, systemd and udev do on a full system."""
    for group in ("kvm", "libvirt-qemu", "libvirt"):
        with contextlib.suppress(KeyError):
            grp.getgrnam(group)
            continue
        subprocess.run(["groupadd", "-r", group], check=True)
    try:
        pwd.getpwnam("libvirt-qemu")
    except KeyError:
        subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", "-g", "kvm",
                        "libvirt-qemu"], check=True)
    for directory in ("/var/log/libvirt", "/run/libvirt", "/var/lib/libvirt/qemu",
                      "/var/cache/libvirt/qemu"):
        os.makedirs(directory, exist_ok=True)
    kvm = Path("/dev/kvm")
    if kvm.exists():
        # udev's rule: without it libvirtd finds KVM unusable for its QEMU user and probes
        # QEMU's capabilities again on every domain start (some 50 s each).
        os.chown(kvm, 0, grp.getgrnam("kvm").gr_gid)
        kvm.chmod(0o660)


@pytest.fixture(scope="session")
def libvirtd() -> Iterator[Daemons]:
    """virtlogd and libvirtd running; the ones started here are stopped at the end."""
    require_libvirt()
    _prepare_host()
    daemons = Daemons(started=[])
    for name in ("virtlogd", "libvirtd"):
        if _running_pid(name) is None:
            _start(name)
            daemons.started.append(name)
    yield daemons
    for name in reversed(daemons.started):
        _stop(name)


def virsh(*arguments: str, check: bool = True) -> str:
    """virsh's output (a separate process: libvirt connections of this one would be served
    by the event loop of the test that opened an endpoint)."""
    done = subprocess.run(["virsh", "-q", "-c", URI, *arguments], capture_output=True,
                          text=True, check=False, timeout=DAEMON_PATIENCE)
    if check and done.returncode != 0:
        raise RuntimeError(f"virsh {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout


@dataclass
class Domain:
    """A running test domain: its name, its disk image and its directory."""

    name: str
    disk: Path
    directory: Path

    def xml(self) -> str:
        """The live XML."""
        return virsh("dumpxml", self.name)

    def source(self) -> str:
        """The file the domain's vda reads now."""
        from guimirror.session.libvirt_disks import disks_of

        return next(disk.source for disk in disks_of(self.xml()) if disk.target == "vda")

    def log(self) -> str:
        """What libvirt logged of the domain (its taint notes among them)."""
        return Path(f"/var/log/libvirt/qemu/{self.name}.log").read_text(errors="replace")

    @property
    def device(self) -> str:
        return f"{self.name}/vda"

    def image(self, name: str, size: int = DISK_SIZE, image_format: str = "raw") -> Path:
        """A new image ``name`` beside the disk that holds no data (raw: all a hole)."""
        path = self.directory / name
        if image_format == "raw":
            path.touch()
            os.truncate(path, size)
            return path
        subprocess.run(["qemu-img", "create", "-q", "-f", image_format, str(path), str(size)],
                       check=True)
        return path


def domain_xml(name: str, disk: Path) -> str:
    kind = "kvm" if os.path.exists("/dev/kvm") else "qemu"
    return f"""<domain type='{kind}'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
</domain>"""


@pytest.fixture
def make_domain(libvirtd: Daemons, tmp_path: Path) -> Iterator[Callable[..., Domain]]:
    """``make_domain(persistent=False)`` runs a new test domain; all are removed after."""
    made: list[tuple[str, bool]] = []

    def make(persistent: bool = False) -> Domain:
        name = f"gm-test-{uuid.uuid4().hex[:8]}"
        directory = tmp_path / name
        directory.mkdir()
        disk = directory / "disk.raw"
        disk.write_bytes(os.urandom(DISK_SIZE))
        definition = directory / "domain.xml"
        definition.write_text(domain_xml(name, disk))
        if persistent:
            virsh("define", str(definition))
            made.append((name, persistent))
            virsh("start", name)
        else:
            virsh("create", str(definition))
            made.append((name, persistent))
        return Domain(name, disk, directory)

    try:
        yield make
    finally:
        for name, persistent in made:
            virsh("destroy", name, check=False)
            if persistent:
                virsh("undefine", name, check=False)


@pytest.fixture
def domain(make_domain: Callable[..., Domain]) -> Domain:
    """One running transient test domain."""
    return make_domain()
