# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoints over SSH between two network namespaces: ssh:// attaches to a daemon's QMP
socket on the far host, ssh+qsd:// and ssh+guimirror:// start a daemon there; a login that
cannot happen is a clear error, at once."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from guimirror.session import ssh
from guimirror.session.endpoint import EndpointError, EndpointState
from guimirror.session.opening import open_endpoint
from tests.qmp.wire import spawn_qsd, stop
from tests.remote.conftest import FAR_ADDRESS, TwoHosts

pytestmark = pytest.mark.qemu


def test_ssh_attaches_to_a_qmp_socket_on_the_far_host(
    ssh_through: TwoHosts, sock_dir: Path
) -> None:
    qmp, other = sock_dir / "qmp.sock", sock_dir / "other.sock"

    async def scenario() -> None:
        daemon = await spawn_qsd("--chardev", f"socket,id=m0,path={qmp},server=on,wait=off",
                                 "--monitor", "chardev=m0",
                                 "--chardev", f"socket,id=m1,path={other},server=on,wait=off",
                                 "--monitor", "chardev=m1")  # fmt: skip
        try:
            uri = f"ssh://root@{FAR_ADDRESS}{qmp}"
            endpoint = await open_endpoint(uri)
            assert str(endpoint.uri) == uri
            assert endpoint.version is not None and endpoint.version.qemu.major == 7
            await endpoint.client.execute("blockdev-add", {"driver": "null-co", "node-name": "n"})
            # qemu-storage-daemon serves one client per monitor: a second monitor, same master
            second = await open_endpoint(f"ssh://root@{FAR_ADDRESS}{other}", name="second")
            nodes = await second.client.execute("query-named-block-nodes")
            assert [node["node-name"] for node in nodes] == ["n"]
            assert len(ssh._MASTERS) == 1
            await second.close()
            await endpoint.close()
            assert ssh._MASTERS == {}
            assert daemon.returncode is None, "closing an attached endpoint stops nothing"
        finally:
            await stop(daemon)

    asyncio.run(scenario())


@pytest.mark.parametrize("scheme", ["ssh+qsd", "ssh+guimirror"])
def test_a_daemon_started_on_the_far_host_is_stopped_and_cleaned_on_close(
    ssh_through: TwoHosts, scheme: str
) -> None:
    async def scenario() -> str:
        endpoint = await open_endpoint(f"{scheme}://root@{FAR_ADDRESS}")
        remote_dir = endpoint.remote_dir  # type: ignore[attr-defined]
        assert os.stat(remote_dir).st_mode & 0o777 == 0o700
        pid = int(await asyncio.to_thread(Path(remote_dir, "pid").read_text))
        await endpoint.client.execute("blockdev-add", {"driver": "null-co", "node-name": "n"})
        nodes = await endpoint.client.execute("query-named-block-nodes")
        assert [node["node-name"] for node in nodes] == ["n"]
        await endpoint.close()
        assert endpoint.state is EndpointState.IDLE
        return f"{remote_dir}:{pid}"

    remote_dir, pid = asyncio.run(scenario()).split(":")
    assert not os.path.exists(remote_dir)
    status = Path(f"/proc/{pid}/status")
    assert not status.exists() or "zombie" in status.read_text().lower()


@pytest.mark.parametrize(
    ("config", "expected"),
    [("ssh_config_unknown_host", "Host key verification failed."),
     ("ssh_config_stranger", "Permission denied (publickey).")],
)  # fmt: skip
def test_an_unknown_host_key_or_a_refused_login_fails_at_once(
    two_hosts: TwoHosts, monkeypatch: pytest.MonkeyPatch, config: str, expected: str
) -> None:
    monkeypatch.setattr(ssh, "SSH_COMMAND", two_hosts.ssh_command(two_hosts.directory / config))

    async def scenario() -> None:
        started = time.monotonic()
        with pytest.raises(EndpointError) as failed:
            await open_endpoint(f"ssh+qsd://root@{FAR_ADDRESS}")
        assert failed.value.desc.endswith(expected), failed.value.desc
        assert time.monotonic() - started < 10
        assert ssh._MASTERS == {}

    asyncio.run(scenario())


def test_no_sshd_on_the_port_is_a_clear_error(ssh_through: TwoHosts) -> None:
    async def scenario() -> None:
        with pytest.raises(EndpointError, match="Connection refused"):
            await open_endpoint(f"ssh://root@{FAR_ADDRESS}:2/run/qmp.sock")

    asyncio.run(scenario())
