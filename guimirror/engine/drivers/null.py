# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``null-co`` driver: a device of ``size`` bytes (1 GiB by default) that keeps nothing.

Writes succeed and vanish. Reads return zeroes (QEMU leaves the buffer untouched unless
read-zeroes is on; the engine has no buffer to leave, so it always returns zeroes).
Block status says what QEMU's says: no data, and zero only with read-zeroes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guimirror.engine.drivers.common import DriverNode, check_request, check_writable
from guimirror.engine.node import BlockStatus

DEFAULT_SIZE = 1 << 30


@dataclass(eq=False)
class NullNode(DriverNode):
    """``null-co``: options ``size`` and ``read-zeroes``."""

    driver = "null-co"

    size: int = DEFAULT_SIZE
    read_zeroes: bool = False
    given: dict[str, Any] | None = None

    @property
    def length(self) -> int:
        return self.size

    def open_options(self) -> dict[str, Any]:
        return {"driver": self.driver, **(self.given or {})}

    def actual_size(self) -> int | None:
        return 0

    def has_dirty_flag(self) -> bool:
        return False

    async def pread(self, offset: int, length: int) -> bytes:
        check_request(self, offset, length)
        return bytes(length)

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, len(data))
        self.written()

    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, length)
        self.written()

    async def pdiscard(self, offset: int, length: int) -> None:
        check_writable(self)
        check_request(self, offset, length)
        self.written()

    async def flush(self) -> None:
        self.flushed_gen = self.write_gen

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        return BlockStatus(
            pnum=max(0, min(length, self.size - offset)), data=False, zero=self.read_zeroes
        )
