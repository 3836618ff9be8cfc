# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs one conformance scenario against one engine over QMP and checks every step."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Mapping
from typing import Any

from guimirror.session.connection import QMPCommandError, QMPConnection, RawEvent

from .steps import (
    ABSENT,
    Cmd,
    Compare,
    ExpectBytes,
    ExpectJob,
    ExpectJobEvents,
    ExpectNodes,
    ExpectOffsetFrozen,
    ExpectOffsetMoves,
    ExpectSpeedBelow,
    Image,
    JoinBackground,
    QemuIO,
    Same,
    Scenario,
    Sleep,
    Step,
    WaitEvent,
    WaitJob,
)


def substitute(value: Any, directory: str) -> Any:
    """Replace ``{dir}`` in every string of a JSON value."""
    if isinstance(value, str):
        return value.replace("{dir}", directory)
    if isinstance(value, Mapping):
        return {key: substitute(item, directory) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [substitute(item, directory) for item in value]
    return value


def create_image(image: Image, directory: str) -> str:
    """Write the image file (holes where no data is listed); returns its path."""
    path = os.path.join(directory, f"{image.name}.img")
    with open(path, "wb") as f:
        f.truncate(image.size)
        for offset, length, byte in image.data:
            f.seek(offset)
            f.write(os.urandom(length) if byte is None else bytes([byte]) * length)
    return path


def matches(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    for key, value in expected.items():
        if value is ABSENT:
            if key in actual:
                return False
        elif isinstance(value, Same):
            if key not in actual or actual[key] != actual.get(value.key, ABSENT):
                return False
        elif actual.get(key, ABSENT) != value:
            return False
    return True


def event_job(event: RawEvent) -> str | None:
    data = event.get("data") or {}
    job = data.get("id", data.get("device"))
    return job if isinstance(job, str) else None


def event_token(event: RawEvent) -> str:
    if event["event"] == "JOB_STATUS_CHANGE":
        return str(event["data"]["status"])
    return str(event["event"])


class ScenarioRun:
    """One scenario on one engine: records events, runs steps, fails with the step that broke."""

    def __init__(self, connection: QMPConnection, engine: str, directory: str) -> None:
        self.connection = connection
        self.engine = engine
        self.directory = directory
        self.events: list[RawEvent] = []
        self._event_cursor = 0
        self._new_event = asyncio.Event()
        self._background: list[asyncio.Task[None]] = []
        connection.add_event_listener(self._on_event)

    def _on_event(self, event: RawEvent) -> None:
        self.events.append(event)
        self._new_event.set()

    async def run(self, scenario: Scenario) -> None:
        """Add the scenario's nodes (each must return ``{}``), then run its steps."""
        adds = [Cmd("blockdev-add", node, ret={}, check_ret=True) for node in scenario.nodes]
        try:
            for index, step in enumerate((*adds, *scenario.steps_on(self.engine))):
                try:
                    await self.step(step)
                except AssertionError as err:
                    raise AssertionError(
                        f"[{self.engine}] {scenario.name}: step {index} {step!r} failed: {err}\n"
                        f"events: {[(event_job(e), event_token(e)) for e in self.events]}"
                    ) from None
        finally:
            for task in self._background:
                task.cancel()
            await asyncio.gather(*self._background, return_exceptions=True)

    async def step(self, step: Step) -> None:
        match step:
            case Cmd():
                await self.command(step)
            case WaitEvent():
                await self.wait_event(step)
            case WaitJob():
                await self.wait_job(step)
            case ExpectJob():
                job = await self.job(step.job)
                if step.fields is None:
                    assert job is None, f"job {step.job} still listed: {job}"
                else:
                    assert job is not None, f"job {step.job} is not listed"
                    assert matches(job, step.fields), f"{job} lacks {step.fields}"
            case ExpectNodes():
                nodes = await self.connection.execute("query-named-block-nodes")
                drivers = {node.get("node-name"): node["drv"] for node in nodes}
                for name, driver in step.present.items():
                    assert drivers.get(name) == driver, f"{name} is not a {driver} node: {drivers}"
                missing = sorted(set(step.drivers) - set(drivers.values()))
                assert not missing, f"no node of driver {missing}: {drivers}"
                present = sorted(set(drivers.values()) & set(step.absent_drivers))
                assert not present, f"nodes of driver {present} remain: {drivers}"
            case ExpectOffsetFrozen():
                before = await self.job(step.job)
                await asyncio.sleep(step.seconds)
                after = await self.job(step.job)
                assert before and after, "job vanished"
                assert before["offset"] == after["offset"], f"offset moved: {before} -> {after}"
            case ExpectOffsetMoves():
                await self.offset_moves(step)
            case ExpectSpeedBelow():
                await self.speed_below(step)
            case QemuIO() if step.background:
                self._background.append(asyncio.create_task(self.qemu_io(step)))
            case QemuIO():
                await self.qemu_io(step)
            case JoinBackground():
                tasks, self._background = self._background, []
                await asyncio.gather(*tasks)
            case Sleep():
                await asyncio.sleep(step.seconds)
            case ExpectJobEvents():
                await self.job_events(step)
            case ExpectBytes():
                await self.expect_bytes(step)
            case Compare():
                await self.compare(step)
            case _:
                raise AssertionError(f"unknown step {step!r}")

    async def command(self, step: Cmd) -> None:
        arguments = substitute(step.arguments, self.directory) if step.arguments else None
        try:
            ret = await self.connection.execute(step.command, arguments)
        except QMPCommandError as err:
            assert step.error is not None, f"unexpected error {err.error_class}: {err.desc}"
            assert (err.error_class, err.desc) == (step.error_class, step.error), (
                f"error {err.error_class}: {err.desc!r} != {step.error_class}: {step.error!r}"
            )
            return
        assert step.error is None, f"expected error {step.error!r}, got return {ret!r}"
        if step.check_ret:
            assert ret == step.ret, f"return {ret!r} != {step.ret!r}"

    async def wait_event(self, step: WaitEvent) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + step.within
        while True:
            for index in range(self._event_cursor, len(self.events)):
                event = self.events[index]
                if event["event"] != step.name:
                    continue
                if step.job is not None and event_job(event) != step.job:
                    continue
                if matches(event.get("data") or {}, step.data):
                    self._event_cursor = index + 1
                    return
            remaining = deadline - loop.time()
            assert remaining > 0, f"no {step.name} {step.data} within {step.within} s"
            self._new_event.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._new_event.wait()

    async def job_events(self, step: ExpectJobEvents) -> None:
        """The job's events equal ``order``; events still due may arrive for up to 5 s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0
        while True:
            seen = tuple(event_token(e) for e in self.events if event_job(e) == step.job)
            if seen == step.order or len(seen) > len(step.order) or loop.time() > deadline:
                break
            self._new_event.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.1):
                    await self._new_event.wait()
        assert seen == step.order, f"events of {step.job}: {seen} != {step.order}"

    async def job(self, job_id: str) -> dict[str, Any] | None:
        jobs = await self.connection.execute("query-block-jobs")
        for job in jobs:
            if job["device"] == job_id:
                return dict(job)
        return None

    async def wait_job(self, step: WaitJob) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + step.within
        while True:
            job = await self.job(step.job)
            if job is not None and matches(job, step.fields):
                return
            assert loop.time() < deadline, f"job {step.job} never showed {step.fields}: {job}"
            await asyncio.sleep(0.02)

    async def offset_moves(self, step: ExpectOffsetMoves) -> None:
        loop = asyncio.get_running_loop()
        first = await self.job(step.job)
        assert first is not None, f"job {step.job} is not listed"
        deadline = loop.time() + step.within
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            now = await self.job(step.job)
            if now is None or now["offset"] > first["offset"]:
                return
        raise AssertionError(f"offset of {step.job} stayed at {first['offset']}")

    async def speed_below(self, step: ExpectSpeedBelow) -> None:
        loop = asyncio.get_running_loop()
        first = await self.job(step.job)
        start = loop.time()
        await asyncio.sleep(step.seconds)
        last = await self.job(step.job)
        assert first and last, "job vanished"
        rate = (last["offset"] - first["offset"]) / (loop.time() - start)
        # Slack: a 10 % timing margin plus one 1 MiB request that a slice may let through.
        slack = step.limit * 0.1 + 1024 * 1024 / step.seconds
        assert rate <= step.limit + slack, f"copied {rate:.0f} B/s with speed {step.limit}"

    async def qemu_io(self, step: QemuIO) -> None:
        uri = f"nbd+unix:///{step.export}?socket={self.directory}/nbd.sock"
        argv = ["qemu-io", "-f", "raw"]
        for command in step.commands:
            argv += ["-c", command]
        argv.append(uri)
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        output, _ = await process.communicate()
        assert process.returncode == 0, f"qemu-io failed: {output.decode(errors='replace')}"

    async def expect_bytes(self, step: ExpectBytes) -> None:
        path = os.path.join(self.directory, f"{step.image}.img")
        data = await asyncio.to_thread(_read, path, step.offset, step.length)
        wrong = next((index for index, byte in enumerate(data) if byte != step.byte), None)
        assert wrong is None, (
            f"{step.image} holds {data[wrong]:#04x}, not {step.byte:#04x}, at {step.offset + wrong}"
            if wrong is not None else "")

    async def compare(self, step: Compare) -> None:
        first = os.path.join(self.directory, f"{step.first}.img")
        second = os.path.join(self.directory, f"{step.second}.img")
        process = await asyncio.create_subprocess_exec(
            "qemu-img", "compare", "-U", "-f", "raw", "-F", "raw", first, second,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        text = output.decode(errors="replace").strip()
        if step.identical:
            assert process.returncode == 0, f"images differ: {text}"
        else:
            assert process.returncode == 1, f"images should differ: {text}"


def _read(path: str, offset: int, length: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length).ljust(length, b"\0")
