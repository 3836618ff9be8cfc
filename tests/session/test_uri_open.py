# SPDX-License-Identifier: GPL-2.0-or-later
"""Every kind of endpoint URI opens a real engine: the built-in one, spawned
qemu-storage-daemons, and daemons attached over a unix socket or loopback TCP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from guimirror.session.endpoint import (
    DaemonEndpoint,
    Endpoint,
    EndpointError,
    EndpointState,
)
from guimirror.session.launcher import DaemonLauncher
from guimirror.session.opening import open_endpoint
from guimirror.session.uri import DaemonURI, EndpointURIError

from ..support import require_tools


class Opened:
    """What a test opened: ``close_all()`` in the test's own loop, and, whatever happened
    there, the fixture kills any daemon process that is left."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []
        self.launchers: list[DaemonLauncher] = []
        self.pids: set[int] = set()

    async def open(self, uri: str) -> Endpoint:
        endpoint = await open_endpoint(uri)
        self.endpoints.append(endpoint)
        if isinstance(endpoint, DaemonEndpoint) and endpoint.launcher.pid is not None:
            self.pids.add(endpoint.launcher.pid)
        return endpoint

    async def daemon(self, *extra_args: str) -> DaemonLauncher:
        launcher = DaemonLauncher(extra_args=extra_args)
        self.launchers.append(launcher)
        await launcher.start()
        assert launcher.pid is not None
        self.pids.add(launcher.pid)
        return launcher

    @contextlib.asynccontextmanager
    async def closing(self) -> AsyncIterator[Opened]:
        try:
            yield self
        finally:
            for endpoint in self.endpoints:
                await endpoint.close()
            for launcher in self.launchers:
                await launcher.stop()


@pytest.fixture
def opened() -> Iterator[Opened]:
    require_tools("qemu-storage-daemon")
    record = Opened()
    yield record
    for pid in record.pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def tcp_monitor(host: str, port: int) -> tuple[str, ...]:
    return ("--chardev", f"socket,id=tcp0,host={host},port={port},server=on,wait=off",
            "--monitor", "chardev=tcp0")


async def serves(endpoint: Endpoint) -> None:
    """The endpoint runs, and its engine answers commands."""
    assert endpoint.state is EndpointState.RUNNING
    assert endpoint.version is not None
    assert await endpoint.client.query_block_jobs() == []


def test_builtin_opens_the_engine_in_process(opened: Opened) -> None:
    async def scenario() -> None:
        async with opened.closing():
            endpoint = await opened.open("builtin:")
            assert str(endpoint.uri) == "builtin:" and endpoint.name == "builtin:"
            await serves(endpoint)
            assert getattr(endpoint, "engine", None) is not None

    asyncio.run(scenario())


@pytest.mark.parametrize("text", ["qsd:", "qsd:{binary}"])
def test_qsd_spawns_a_daemon_and_its_uri_takes_it_over_after_a_detach(
        opened: Opened, text: str) -> None:
    binary = shutil.which("qemu-storage-daemon")
    assert binary is not None
    text = text.format(binary=binary)

    async def scenario() -> None:
        async with opened.closing():
            first = await opened.open(text)
            assert isinstance(first, DaemonEndpoint)
            pid = first.launcher.pid
            await serves(first)
            saved = first.uri
            socket_path = first.launcher.socket_path
            assert saved == DaemonURI(binary if text != "qsd:" else None, socket_path)
            assert str(saved) == f"{text}?socket={socket_path}"

            assert await first.detach() == socket_path
            assert first.state is EndpointState.IDLE and first.uri.socket is None
            second = await opened.open(str(saved))
            assert isinstance(second, DaemonEndpoint)
            assert second.launcher.adopted and second.launcher.pid == pid
            assert second.uri == saved
            await second.close()
            assert not await asyncio.to_thread(os.path.exists, os.path.dirname(socket_path))

            # The daemon is gone: the same URI starts a new one and says why.
            third = await opened.open(str(saved))
            assert isinstance(third, DaemonEndpoint)
            assert not third.launcher.adopted and third.launcher.pid != pid
            assert third.adoption_error.startswith("no daemon runs in")
            assert third.uri.socket == third.launcher.socket_path != socket_path

    asyncio.run(scenario())


@pytest.mark.parametrize("form", ["unix:{path}", "{path}"])
def test_unix_and_a_bare_path_attach_to_a_daemon(opened: Opened, form: str) -> None:
    async def scenario() -> None:
        async with opened.closing():
            launcher = await opened.daemon()
            endpoint = await opened.open(form.format(path=launcher.socket_path))
            assert str(endpoint.uri) == f"unix:{launcher.socket_path}"
            await serves(endpoint)
            await endpoint.close()
            # Attached, so closing only disconnected: the daemon still runs.
            assert not launcher.exited

    asyncio.run(scenario())


@pytest.mark.parametrize("host", ["localhost", "127.1", "127.0.0.1"])
def test_tcp_names_of_loopback_reach_a_daemon_on_127_0_0_1(opened: Opened, host: str) -> None:
    port = free_port("127.0.0.1")

    async def scenario() -> None:
        async with opened.closing():
            launcher = await opened.daemon(*tcp_monitor("127.0.0.1", port))
            endpoint = await opened.open(f"tcp:{host}:{port}")
            assert str(endpoint.uri) == f"tcp:{host}:{port}"
            await serves(endpoint)
            assert not launcher.exited

    asyncio.run(scenario())


def test_tcp_reaches_a_daemon_on_ipv6_loopback(opened: Opened) -> None:
    try:
        port = free_port("::1")
    except OSError:
        pytest.skip("this host has no IPv6 loopback")

    async def scenario() -> None:
        async with opened.closing():
            await opened.daemon(*tcp_monitor("::1", port))
            endpoint = await opened.open(f"tcp:[::1]:{port}")
            assert str(endpoint.uri) == f"tcp:[::1]:{port}"
            await serves(endpoint)

    asyncio.run(scenario())


@pytest.mark.parametrize("host", ["192.0.2.1", "[2001:db8::1]", "8.8.8.8"])
def test_tcp_to_an_address_off_loopback_is_refused_before_connecting(
        opened: Opened, host: str) -> None:
    async def scenario() -> None:
        with pytest.raises(EndpointError) as caught:
            await opened.open(f"tcp:{host}:4444")
        assert "QMP over TCP is offered on loopback addresses only" in caught.value.desc
        assert host.strip("[]") in caught.value.desc
        assert opened.endpoints == []

    asyncio.run(scenario())


def test_tcp_to_a_name_that_does_not_resolve_is_a_clear_error(opened: Opened) -> None:
    async def scenario() -> None:
        with pytest.raises(EndpointError, match=r"cannot resolve 'no-such-host\.invalid'"):
            await opened.open("tcp:no-such-host.invalid:4444")

    asyncio.run(scenario())


def test_a_bad_uri_is_refused_before_anything_starts(opened: Opened) -> None:
    async def scenario() -> None:
        with pytest.raises(EndpointURIError, match="'qsd:relative' is not an endpoint URI"):
            await opened.open("qsd:relative")

    asyncio.run(scenario())


def test_a_socket_where_nothing_listens_cannot_open(
        opened: Opened, tmp_path: os.PathLike[str]) -> None:
    async def scenario() -> None:
        path = os.path.join(tmp_path, "qmp.sock")
        with pytest.raises(EndpointError, match=re.escape(f"cannot open 'unix:{path}'")):
            await opened.open(path)
        port = free_port("127.0.0.1")
        with pytest.raises(EndpointError, match=f"cannot open 'tcp:localhost:{port}'"):
            await opened.open(f"tcp:localhost:{port}")

    asyncio.run(scenario())
