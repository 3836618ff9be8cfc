# SPDX-License-Identifier: GPL-2.0-or-later
"""The QMP protocol of our server, with real clients over real sockets (no engine needed).

Exact texts here are the ones a real qemu-storage-daemon 7.2 sends for the same input;
test_fuzz.py checks a thousand more against the daemon itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
from pathlib import Path

import pytest
from qemu.qmp import ExecuteError, QMPClient

from guimirror import __version__
from guimirror.errors import StateError
from guimirror.qmp.server import QMPServer, ServerState, TransportError
from tests.qmp.wire import RawClient


async def _raw_session(tmp_path: Path) -> tuple[QMPServer, RawClient, dict[str, object]]:
    server = QMPServer()
    await server.start_unix(tmp_path / "qmp.sock")
    client, greeting = await RawClient.connect(tmp_path / "qmp.sock")
    return server, client, greeting


def test_greeting_negotiation_and_id_echo(tmp_path: Path) -> None:
    async def scenario() -> None:
        server, client, greeting = await _raw_session(tmp_path)
        assert greeting == {"QMP": {
            "version": {"qemu": {"major": 7, "minor": 2, "micro": 0},
                        "package": f"guimirror {__version__}"},
            "capabilities": ["oob"]}}
        await client.send(b'{"execute": "query-version", "id": 1}\n')
        assert await client.reply() == {"id": 1, "error": {
            "class": "CommandNotFound",
            "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}}
        await client.send(b'{"execute": "qmp_capabilities", "id": "neg"}\n')
        assert await client.reply() == {"return": {}, "id": "neg"}
        await client.send(b'{"execute": "qmp_capabilities", "id": [2]}\n')
        assert await client.reply() == {"id": [2], "error": {
            "class": "CommandNotFound",
            "desc": "Capabilities negotiation is already complete, command ignored"}}
        await client.send(b'{"execute": "query-version", "id": {"n": 3}}\n')
        reply = await client.reply()
        assert reply["id"] == {"n": 3}
        assert reply["return"]["package"] == f"guimirror {__version__}"
        await client.send(b'{"execute": "foo", "id": 4}\n')
        assert await client.reply() == {"id": 4, "error": {
            "class": "CommandNotFound", "desc": "The command foo has not been found"}}
        names = {c["name"] for c in (await client.execute("query-commands"))["return"]}
        assert {"qmp_capabilities", "query-version", "query-commands", "quit"} <= names
        await client.close()
        await server.close()

    asyncio.run(scenario())


def test_malformed_input_gets_qemus_replies_and_the_connection_stays(tmp_path: Path) -> None:
    cases = [
        (b"[]", ["QMP input must be a JSON object"]),
        (b"{}", ["QMP input lacks member 'execute'"]),
        (b'{"execute": 1}', ["QMP input member 'execute' must be a string"]),
        (b'{"execute": "query-version", "arguments": []}',
         ["QMP input member 'arguments' must be an object"]),
        (b'{"execute": "query-version", "arguments": {"x": 1, "y": 2, "z": 3}}',
         ["Parameter 'z' is unexpected"]),
        (b'{"execute": "query-version", "control": {}}',
         ["QMP input member 'control' is unexpected"]),
        (b'{"exec-oob": "query-version"}', ["QMP input member 'exec-oob' is unexpected"]),
        (b'{"a": 1, "a": 2}', ["JSON parse error, duplicate key"]),
        (b'{"execute": "query-version\xff"}',
         ["JSON parse error, stray '\"query-version\ufffd'", "JSON parse error, expecting value"]),
        (b"@,", ["JSON parse error, stray '@'", "JSON parse error, expecting value"]),
        (b'{"id": tru}', ["JSON parse error, invalid keyword 'tru'"]),
    ]

    async def scenario() -> None:
        server, client, _ = await _raw_session(tmp_path)
        await client.execute("qmp_capabilities")
        for n, (data, texts) in enumerate(cases):
            replies = await client.replies_to(data, n)
            descs = [r["error"]["desc"] for r in replies]
            assert descs == [*texts, "JSON parse error, stray '\ufffd'"], data
        assert (await client.execute("query-version"))["return"]["qemu"]["minor"] == 2
        await client.close()
        await server.close()

    asyncio.run(scenario())


def test_out_of_band_requests_are_refused_as_qemu_refuses_them(tmp_path: Path) -> None:
    async def scenario() -> None:
        server, client, _ = await _raw_session(tmp_path)
        await client.send(b'{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}\n')
        assert await client.reply() == {"return": {}}
        await client.send(b'{"exec-oob": "query-version", "id": 7}\n')
        assert await client.reply() == {"id": 7, "error": {
            "class": "GenericError", "desc": "The command query-version does not support OOB"}}
        await client.send(b'{"exec-oob": "query-version", "execute": "query-version"}\n')
        assert (await client.reply())["error"]["desc"] == \
            "QMP input member 'execute' clashes with 'exec-oob'"
        await client.close()
        await server.close()

    asyncio.run(scenario())


def test_events_reach_every_negotiated_client_with_a_timestamp(tmp_path: Path) -> None:
    async def scenario() -> None:
        server, first, _ = await _raw_session(tmp_path)
        # one client per socket, as with QEMU's monitors: each client has a socket of its own
        await server.start_unix(tmp_path / "second.sock")
        await server.start_unix(tmp_path / "waiting.sock")
        second, _ = await RawClient.connect(tmp_path / "second.sock")
        waiting, _ = await RawClient.connect(tmp_path / "waiting.sock")
        for client in (first, second):
            await client.execute("qmp_capabilities")
        server.broadcast("JOB_STATUS_CHANGE", {"id": "j", "status": "created"})
        for client in (first, second):
            event = await client.read()
            assert event["event"] == "JOB_STATUS_CHANGE"
            assert event["data"] == {"id": "j", "status": "created"}
            assert set(event["timestamp"]) == {"seconds", "microseconds"}
            assert 0 <= event["timestamp"]["microseconds"] < 1_000_000
        # A client still negotiating gets no events, as with QEMU.
        await waiting.send(b'{"execute": "qmp_capabilities"}\n')
        assert await waiting.read() == {"return": {}}
        for client in (first, second, waiting):
            await client.close()
        await server.close()

    asyncio.run(scenario())


def test_unix_socket_is_private_and_unsafe_directories_are_refused(tmp_path: Path) -> None:
    async def scenario() -> None:
        private = tmp_path / "private"
        private.mkdir(mode=0o700)
        server = QMPServer()
        await server.start_unix(private / "qmp.sock")
        assert stat.S_IMODE(os.stat(private / "qmp.sock").st_mode) == 0o600
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o777)
        with pytest.raises(TransportError, match="writable by others"):
            await server.start_unix(shared / "qmp.sock")
        await server.close()
        assert not (private / "qmp.sock").exists()
        assert server.state is ServerState.CLOSED
        with pytest.raises(StateError):
            await server.start_unix(private / "again.sock")

    asyncio.run(scenario())


def test_tcp_only_on_loopback_and_qemu_qmp_client_works_over_it() -> None:
    async def scenario() -> None:
        server = QMPServer()
        with pytest.raises(TransportError, match="loopback"):
            await server.start_tcp("0.0.0.0", 0)
        host, port = await server.start_tcp("127.0.0.1", 0)
        client = QMPClient("tcp")
        await client.connect((host, port))
        version = await client.execute("query-version")
        assert isinstance(version, dict)
        assert version["package"] == f"guimirror {__version__}"
        with pytest.raises(ExecuteError, match="has not been found"):
            await client.execute("no-such-command")
        await client.disconnect()
        await server.close()

    asyncio.run(scenario())


def test_socketpair_for_in_process_use_and_quit(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = QMPServer()
        ours, theirs = socket.socketpair()
        await server.serve_socket(ours)
        client = QMPClient("in-process")
        await client.connect(theirs)
        version = await client.execute("query-version")
        assert isinstance(version, dict) and version["qemu"]["major"] == 7
        assert await client.execute("quit") == {}
        await asyncio.wait_for(server.quit_requested.wait(), 5)
        # The owner shuts down on quit; closing the server ends the connection, as QEMU's
        # exit does.
        await server.close()
        with pytest.raises(EOFError):
            await client.disconnect()

    asyncio.run(scenario())


def test_a_large_message_is_parsed_and_echoed(tmp_path: Path) -> None:
    async def scenario() -> None:
        server, client, _ = await _raw_session(tmp_path)
        await client.execute("qmp_capabilities")
        tag = "é" + "x" * (4 << 20) + "\U0001f600"
        await client.send(json.dumps({"execute": "query-version", "id": tag},
                                     ensure_ascii=False).encode() + b"\n")
        assert (await client.reply())["id"] == tag
        await client.close()
        await server.close()

    asyncio.run(scenario())


def test_close_does_not_wait_forever_for_a_client_that_reads_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = QMPServer()
        server.close_timeout = 0.5
        await server.start_unix(tmp_path / "qmp.sock")
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_UNIX) as sock:
            sock.setblocking(False)
            await loop.sock_connect(sock, str(tmp_path / "qmp.sock"))
            await loop.sock_sendall(sock, b'{"execute": "qmp_capabilities"}')
            # A reply far larger than the socket buffers, which this client never reads.
            request = json.dumps({"execute": "query-version", "id": "x" * (8 << 20)})
            await loop.sock_sendall(sock, request.encode())
            await asyncio.sleep(0.5)
            connection = next(iter(server._connections))
            assert connection.writer.transport.get_write_buffer_size() > 1 << 20
            await asyncio.wait_for(server.close(), 10)
            assert server.state is ServerState.CLOSED

    asyncio.run(scenario())
