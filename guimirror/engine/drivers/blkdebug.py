# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``blkdebug`` filter: QEMU's ``inject-error`` rules over its child ``image``.

The rules behave as QEMU 7.2's (block/blkdebug.c), checked against qemu-io and
qemu-storage-daemon (tests/engine/test_drivers_blkdebug.py):

- A rule is armed by its ``event``, which a format parent raises on this node: a ``raw``
  node above raises read_aio before a read, write_aio before a write, flush_to_disk before a
  flush with writes to write back. With no format parent no event comes and nothing fails.
- An event whose rules include inject-error rules makes those rules the active set,
  replacing the previous set; an event without such rules leaves the set as it was, so a
  read_aio rule keeps failing writes until another event re-arms.
- An active rule fails a request of a type in its ``iotype`` (default: read, write,
  write-zeroes, discard, flush) that touches byte ``sector * 512`` (any request, flushes
  included, when ``sector`` is not given) with ``errno`` (default EIO).
- ``once`` deletes the rule after its first error; ``immediately`` fails without first
  yielding to the loop.
"""

from __future__ import annotations

import asyncio
import errno as errno_codes
import os
from dataclasses import dataclass, field
from typing import Any

from guimirror.engine.drivers.common import DriverNode, check_request, check_writable
from guimirror.engine.node import BlockNode, BlockStatus

IOTYPES = ("read", "write", "write-zeroes", "discard", "flush", "block-status")
DEFAULT_IOTYPES = frozenset(IOTYPES[:5])


@dataclass(eq=False)
class InjectErrorRule:
    """One ``inject-error`` rule (QAPI BlkdebugInjectErrorOptions, with QEMU's defaults)."""

    event: str
    errno: int = errno_codes.EIO
    sector: int | None = None
    once: bool = False
    immediately: bool = False
    iotypes: frozenset[str] = DEFAULT_IOTYPES
    state: int = 0

    def matches(self, offset: int, length: int, iotype: str) -> bool:
        if iotype not in self.iotypes:
            return False
        if self.sector is None:
            return True
        byte = self.sector * 512
        return length > 0 and offset <= byte < offset + length


@dataclass(eq=False)
class BlkdebugNode(DriverNode):
    """``blkdebug`` over ``image``; requests pass through unless an active rule fails them."""

    driver = "blkdebug"

    rules: list[InjectErrorRule] = field(default_factory=list)
    given_rules: list[dict[str, Any]] = field(default_factory=list)
    active: list[InjectErrorRule] = field(default_factory=list)
    state: int = 1

    @property
    def image(self) -> BlockNode:
        return self.children["image"]

    @property
    def filtered_child(self) -> BlockNode | None:
        return self.shown_child("image")

    @property
    def length(self) -> int:
        return self.image.length

    @property
    def request_alignment(self) -> int:
        return self.image.request_alignment

    @property
    def supports_zero_unmap(self) -> bool:
        return bool(getattr(self.shown_child("image"), "supports_zero_unmap", False))

    def open_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for index, given in enumerate(self.given_rules):
            for key, value in given.items():
                options[f"inject-error.{index}.{key}"] = value
        image = self.shown_child("image")
        options["image"] = image.open_options()
        options["driver"] = self.driver
        return options

    def debug_event(self, event: str) -> None:
        triggered = [
            rule for rule in self.rules if rule.event == event and rule.state in (0, self.state)
        ]
        if triggered:
            self.active = list(reversed(triggered))

    async def _check(self, offset: int, length: int, iotype: str) -> None:
        """QEMU's rule_check: fail the request if an active rule matches it."""
        rule = next((r for r in self.active if r.matches(offset, length, iotype)), None)
        if rule is None or rule.errno == 0:
            return
        if rule.once:
            self.active.remove(rule)
            self.rules.remove(rule)
        if not rule.immediately:
            await asyncio.sleep(0)
        raise OSError(rule.errno, os.strerror(rule.errno))

    async def pread(self, offset: int, length: int) -> bytes:
        check_request(self, offset, length)
        await self._check(offset, length, "read")
        return await self.image.pread(offset, length)

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, len(data))
        try:
            await self._check(offset, len(data), "write")
            await self.image.pwrite(offset, data, fua=fua)
        finally:
            self.written()

    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, length)
        try:
            await self._check(offset, length, "write-zeroes")
            await self.image.pwrite_zeroes(
                offset, length, may_unmap and self.discard_unmap, fua=fua)
        finally:
            self.written()

    async def pdiscard(self, offset: int, length: int) -> None:
        check_writable(self)
        check_request(self, offset, length)
        if not self.discard_unmap:
            return
        try:
            await self._check(offset, length, "discard")
            await self.image.pdiscard(offset, length)
        finally:
            self.written()

    async def flush(self) -> None:
        gen = self.write_gen
        if not self.no_flush and gen != self.flushed_gen:
            await self._check(0, 0, "flush")
        await self.image.flush()
        self.flushed_gen = gen

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        await self._check(offset, length, "block-status")
        return await self.image.block_status(offset, length)
