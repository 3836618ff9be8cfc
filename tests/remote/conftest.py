# SPDX-License-Identifier: GPL-2.0-or-later
"""Two hosts on one machine: network namespaces joined by a veth pair, an sshd in one.

``two_hosts`` (root only) makes namespaces ``near`` (10.231.0.1) and ``far`` (10.231.0.2)
joined by a veth pair, with nothing else in them, and starts an sshd in ``far`` on its veth
address with a host key, an authorized client key and a known_hosts made here. guimirror's
ssh runs inside ``near`` (``ip netns exec``) with an ssh config of its own, so the only way
to ``far`` is the veth link. The sshd's sessions find ``guimirror-daemon`` (this checkout's)
and qemu-storage-daemon on PATH. Everything is torn down, also when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import guimirror
from guimirror.session import ssh
from tests.support import require_tools

NEAR_ADDRESS = "10.231.0.1"
FAR_ADDRESS = "10.231.0.2"
REPO = Path(guimirror.__file__).resolve().parents[1]


@dataclass
class TwoHosts:
    near: str
    far: str
    directory: Path
    ssh_config: Path

    def ssh_command(self, config: Path | None = None) -> list[str]:
        return ["ip", "netns", "exec", self.near, "ssh", "-F", str(config or self.ssh_config)]

    def far_exec(self, *argv: str) -> list[str]:
        return ["ip", "netns", "exec", self.far, *argv]


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=30)


def _client_config(directory: Path, name: str, known_hosts: Path, key: Path) -> Path:
    config = directory / name
    config.write_text(
        f"Host {FAR_ADDRESS}\n"
        "  User root\n"
        f"  IdentityFile {key}\n"
        "  IdentitiesOnly yes\n"
        f"  UserKnownHostsFile {known_hosts}\n"
        "  GlobalKnownHostsFile /dev/null\n"
        "  StrictHostKeyChecking yes\n"
    )
    return config


@pytest.fixture(scope="module")
def two_hosts() -> Iterator[TwoHosts]:
    if os.geteuid() != 0:
        pytest.skip("needs root for network namespaces and an sshd")
    require_tools("ip", "ssh", "ssh-keygen", "/usr/sbin/sshd")
    tag = f"{os.getpid() % 100000}"
    near, far = f"gm-near-{tag}", f"gm-far-{tag}"
    directory = Path(tempfile.mkdtemp(prefix="gm-hosts-", dir="/tmp"))
    sshd: subprocess.Popen[bytes] | None = None
    try:
        _run("ip", "netns", "add", near)
        _run("ip", "netns", "add", far)
        _run("ip", "link", "add", f"gmn{tag}", "netns", near, "type", "veth",
             "peer", "name", f"gmf{tag}", "netns", far)  # fmt: skip
        ends = ((near, f"gmn{tag}", NEAR_ADDRESS), (far, f"gmf{tag}", FAR_ADDRESS))
        for ns, dev, address in ends:
            _run("ip", "-n", ns, "addr", "add", f"{address}/24", "dev", dev)
            _run("ip", "-n", ns, "link", "set", dev, "up")
            _run("ip", "-n", ns, "link", "set", "lo", "up")
        for key in ("host_key", "client_key", "stranger_key"):
            _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(directory / key))
        shutil.copyfile(directory / "client_key.pub", directory / "authorized_keys")
        host_key = (directory / "host_key.pub").read_text().split()
        (directory / "known_hosts").write_text(f"{FAR_ADDRESS} {host_key[0]} {host_key[1]}\n")
        (directory / "no_known_hosts").write_text("")
        bin_dir = directory / "bin"
        bin_dir.mkdir()
        daemon = bin_dir / "guimirror-daemon"
        daemon.write_text(f'#!/bin/sh\nexec {sys.executable} -m guimirror.qmp.daemon "$@"\n')
        daemon.chmod(0o755)
        (directory / "sshd_config").write_text(
            f"ListenAddress {FAR_ADDRESS}\n"
            f"HostKey {directory / 'host_key'}\n"
            f"AuthorizedKeysFile {directory / 'authorized_keys'}\n"
            f"PidFile {directory / 'sshd.pid'}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
            f"SetEnv PATH={bin_dir}:/usr/local/bin:/usr/bin:/bin PYTHONPATH={REPO}\n"
        )
        Path("/run/sshd").mkdir(exist_ok=True)
        sshd = subprocess.Popen(
            ["ip", "netns", "exec", far, "/usr/sbin/sshd", "-D", "-e",
             "-f", str(directory / "sshd_config")],
            stdout=subprocess.DEVNULL, stderr=(directory / "sshd.log").open("wb"),
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not (directory / "sshd.pid").exists():
            assert sshd.poll() is None, (directory / "sshd.log").read_text()
            assert time.monotonic() < deadline, "sshd did not start"
            time.sleep(0.05)
        config = _client_config(directory, "ssh_config", directory / "known_hosts",
                                directory / "client_key")  # fmt: skip
        _client_config(directory, "ssh_config_unknown_host", directory / "no_known_hosts",
                       directory / "client_key")  # fmt: skip
        _client_config(directory, "ssh_config_stranger", directory / "known_hosts",
                       directory / "stranger_key")  # fmt: skip
        yield TwoHosts(near, far, directory, config)
    finally:
        if sshd is not None:
            sshd.terminate()
            sshd.wait(timeout=10)
        for ns in (near, far):
            # sshd's sessions (and what they started) outlive sshd: end every process in it
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True,
                                  check=False).stdout.split()  # fmt: skip
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def ssh_through(two_hosts: TwoHosts, monkeypatch: pytest.MonkeyPatch) -> TwoHosts:
    """guimirror's ssh runs in ``near`` with the test's ssh config."""
    monkeypatch.setattr(ssh, "SSH_COMMAND", two_hosts.ssh_command())
    return two_hosts
