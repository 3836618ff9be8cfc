# SPDX-License-Identifier: GPL-2.0-or-later
"""What the mirror and engine tests share: images, an engine with nodes, commands, events.

Commands go through the same path as QMP: the raw arguments are parsed into the command's
model (``guimirror.qapi.commands.COMMANDS``) and the engine method of that name is awaited.
Writers use a BlockBackend attached to the graph, exactly as an NBD export writes.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from guimirror.engine.backend import BlockBackend
from guimirror.engine.engine import Engine
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import COMMANDS
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror

KiB = 1024
MiB = 1024 * KiB

Extent = tuple[int, int, int | None]
"""(offset, length, byte): ``byte`` None writes random data."""


def make_image(path: Path, size: int, extents: Sequence[Extent] = ()) -> Path:
    """A sparse raw image of ``size`` bytes with data only in ``extents``."""
    with open(path, "wb") as image:
        image.truncate(size)
        for offset, length, byte in extents:
            image.seek(offset)
            image.write(os.urandom(length) if byte is None else bytes([byte]) * length)
    return path


def allocated_bytes(path: Path) -> int:
    return os.stat(path).st_blocks * 512


def same_content(a: Path, b: Path) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            ca, cb = fa.read(MiB), fb.read(MiB)
            if ca != cb:
                return False
            if not ca:
                return True


class EventLog:
    """Every event of an engine, in order, with a way to wait for one."""

    def __init__(self, engine: Engine) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._changed = asyncio.Event()
        engine.add_event_listener(self._on_event)

    def _on_event(self, event: Any) -> None:
        self.events.append((type(event).EVENT, event.to_qmp()))
        self._changed.set()

    def names(self, job: str | None = None) -> list[str]:
        """Event names, with JOB_STATUS_CHANGE written as its status."""
        return [
            data["status"] if name == "JOB_STATUS_CHANGE" else name
            for name, data in self.events
            if job is None or data.get("id", data.get("device")) == job
        ]

    def find(self, name: str, job: str | None = None) -> list[dict[str, Any]]:
        return [
            data
            for event, data in self.events
            if event == name and (job is None or data.get("id", data.get("device")) == job)
        ]

    async def wait(
        self,
        name: str,
        job: str | None = None,
        within: float = 20.0,
        match: Callable[[dict[str, Any]], bool] = lambda _data: True,
    ) -> dict[str, Any]:
        """The first event ``name`` (of ``job``) that matches; waits for it if need be."""

        async def first() -> dict[str, Any]:
            while True:
                for data in self.find(name, job):
                    if match(data):
                        return data
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(first(), within)

    async def wait_status(self, job: str, status: str, within: float = 20.0) -> None:
        await self.wait("JOB_STATUS_CHANGE", job, within, lambda d: d["status"] == status)


async def run(engine: Engine, command: str, arguments: dict[str, Any] | None = None) -> Any:
    """One QMP command on the engine, its arguments parsed as the QMP server parses them."""
    model = COMMANDS[command]
    method = getattr(engine, command.replace("-", "_"))
    if model is None:
        return await method()
    return await method(parse_arguments(model, arguments or {}))


async def error_of(engine: Engine, command: str, arguments: dict[str, Any]) -> QAPIError:
    """The QAPIError a command fails with (the test fails if it succeeds)."""
    try:
        await run(engine, command, arguments)
    except QAPIError as error:
        return error
    raise AssertionError(f"{command} {arguments} succeeded")


async def complete_and_wait(engine: Engine, log: EventLog, job: str) -> dict[str, Any]:
    """iotests' complete_and_wait: wait for READY, send job-complete, and return the data of
    the job's BLOCK_JOB_COMPLETED."""
    await log.wait("BLOCK_JOB_READY", job)
    await run(engine, "job-complete", {"id": job})
    return await log.wait("BLOCK_JOB_COMPLETED", job)


async def mirror(engine: Engine, **arguments: Any) -> None:
    raw = {key.replace("_", "-"): value for key, value in arguments.items()}
    await engine.blockdev_mirror(parse_arguments(BlockdevMirror, raw))


async def add_node(engine: Engine, **options: Any) -> None:
    raw = {key.replace("_", "-"): value for key, value in options.items()}
    await engine.blockdev_add(parse_arguments(BlockdevOptions, raw))


async def add_driver_pair(
    engine: Engine, driver: str, source: str | Path, target: str | Path, **options: Any
) -> None:
    """Nodes ``src`` and ``tgt`` of ``driver`` (``file``, ``host_device``) over ``source``
    and ``target``, with the same further ``options``."""
    for name, filename in (("src", source), ("tgt", target)):
        await add_node(engine, driver=driver, node_name=name, filename=str(filename), **options)


async def add_raw(engine: Engine, name: str, path: Path, **raw_options: Any) -> None:
    """A ``raw`` node ``name`` over a ``file`` node ``name-file``."""
    await add_node(engine, driver="file", node_name=f"{name}-file", filename=str(path))
    await add_node(engine, driver="raw", node_name=name, file=f"{name}-file", **raw_options)


def backend_on(engine: Engine, node_name: str) -> BlockBackend:
    """A writer attached to a node the way an export attaches (the graph re-points it)."""
    node = engine.graph.find_node(node_name)
    assert node is not None
    backend = BlockBackend(node, name="")
    engine.graph.attach(backend)
    return backend


async def job_info(engine: Engine, job: str) -> dict[str, Any] | None:
    for info in await engine.query_block_jobs():
        data: dict[str, Any] = info.to_qmp()
        if data["device"] == job:
            return data
    return None


DATA: tuple[Extent, ...] = (
    (0, 512 * KiB, None),
    (1 * MiB, 1 * MiB, None),
    (3 * MiB, 64 * KiB, 0x5A),
)


async def engine_with_pair(
    tmp_path: Path,
    size: int = 4 * MiB,
    extents: Sequence[Extent] = DATA,
    target_extents: Sequence[Extent] = (),
    target_size: int | None = None,
) -> tuple[Engine, EventLog, Path, Path]:
    """An engine with raw nodes ``src`` (data in ``extents``) and ``tgt`` (sparse)."""
    engine = Engine()
    log = EventLog(engine)
    src = make_image(tmp_path / "src.img", size, extents)
    tgt = make_image(
        tmp_path / "tgt.img", size if target_size is None else target_size, target_extents
    )
    await add_raw(engine, "src", src)
    await add_raw(engine, "tgt", tgt)
    return engine, log, src, tgt
