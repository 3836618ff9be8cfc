# SPDX-License-Identifier: GPL-2.0-or-later
"""1,000 random and malformed messages: the server answers each exactly as QEMU 7.2 and 10.0 do.

The same bytes go to a real qemu-storage-daemon and to our server; after each message a
byte that resets QEMU's JSON parser and a tagged query-version mark where its replies end.
The replies must be equal (query-version's version and package blanked: they name the
engine). Afterwards both still answer query-version.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from guimirror.qmp.server import QMPServer
from tests.qmp.fuzz_messages import MessageGenerator
from tests.qmp.wire import RawClient, normalise_version, start_qsd, stop
from tests.support import QEMU_VERSIONS, require_qemu

MESSAGES = 1000


async def _fuzz(tmp_path: Path, program: str) -> tuple[list[str], int]:
    process, qsd_sock = await start_qsd(tmp_path, program=program)
    server = QMPServer()
    ours_sock = tmp_path / "ours.sock"
    await server.start_unix(ours_sock)
    qemu, qemu_greeting = await RawClient.connect(qsd_sock)
    ours, ours_greeting = await RawClient.connect(ours_sock)
    assert qemu_greeting["QMP"]["capabilities"] == ours_greeting["QMP"]["capabilities"]
    mismatches: list[str] = []
    answered = 0
    try:
        generator = MessageGenerator(seed=4)
        for n in range(MESSAGES):
            data = generator.message()
            expected = [normalise_version(m) for m in await qemu.replies_to(data, n)]
            actual = [normalise_version(m) for m in await ours.replies_to(data, n)]
            answered += len(actual)
            if expected != actual:
                mismatches.append(f"{data!r}:\n  qemu: {expected}\n  ours: {actual}")
        for client in (qemu, ours):
            await client.send(b'{"execute": "qmp_capabilities"}\n')
            await client.reply()
            reply = await client.execute("query-version")
            assert reply["return"]["qemu"]["major"] in (7, 10)
        await ours.close()
        await qemu.close()
    finally:
        await server.close()
        await stop(process)
    return mismatches, answered


@pytest.mark.parametrize("version", QEMU_VERSIONS)
def test_thousand_random_messages_get_qemus_replies(tmp_path: Path, version: str) -> None:
    mismatches, answered = asyncio.run(_fuzz(tmp_path, require_qemu(version)))
    assert answered >= MESSAGES, "every message was answered at least by the parser reset"
    assert not mismatches, f"{len(mismatches)} differ; first ones:\n" + "\n".join(mismatches[:8])
