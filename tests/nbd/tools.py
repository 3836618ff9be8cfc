# SPDX-License-Identifier: GPL-2.0-or-later
"""Running the real NBD clients (qemu-io, qemu-img, nbdinfo) from a test's event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from guimirror.engine.engine import Engine
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import COMMANDS

CLIENT_TIMEOUT = 30.0


@dataclass
class Result:
    returncode: int
    output: str


async def run(*argv: str) -> Result:
    """Run a client while the loop keeps serving; stdout and stderr together, as text."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        async with asyncio.timeout(CLIENT_TIMEOUT):
            out, _ = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Result(process.returncode, out.decode())


def nbd_uri(socket_path: object, name: str) -> str:
    return f"nbd+unix:///{name}?socket={socket_path}"


async def command(engine: Engine, name: str, arguments: dict[str, Any] | None = None) -> Any:
    """Run one QMP command on the engine, its arguments parsed as the QMP server parses them."""
    method = getattr(engine, name.replace("-", "_"))
    if name == "blockdev-add":
        return await method(parse_arguments(BlockdevOptions, arguments))
    model = COMMANDS[name]
    if model is None:
        return await method()
    return await method(parse_arguments(model, arguments or {}))
