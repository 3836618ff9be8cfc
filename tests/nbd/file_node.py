"""A minimal BlockNode over a real file, for the NBD tests until the engine's drivers exist.

It does what the ``file`` driver does and nothing more: pread/pwrite/fallocate in worker
threads, SEEK_DATA/SEEK_HOLE for block status. It is not a mock: every byte lands in the file.
"""

from __future__ import annotations

import asyncio
import errno
import os
from dataclasses import dataclass

from guimirror.engine.node import BlockNode, BlockStatus

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02


@dataclass(eq=False)
class FileNode(BlockNode):
    driver = "file"

    filename: str = ""

    def __post_init__(self) -> None:
        flags = os.O_RDONLY if self.read_only else os.O_RDWR
        self._fd = os.open(self.filename, flags)

    @property
    def length(self) -> int:
        return os.fstat(self._fd).st_size

    async def pread(self, offset: int, length: int) -> bytes:
        return await asyncio.to_thread(os.pread, self._fd, length, offset)

    async def pwrite(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        if self.read_only:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        await asyncio.to_thread(os.pwrite, self._fd, data, offset)

    async def pwrite_zeroes(self, offset: int, length: int, may_unmap: bool = False) -> None:
        await self.pwrite(offset, bytes(length))

    async def pdiscard(self, offset: int, length: int) -> None:
        await asyncio.to_thread(_punch_hole, self._fd, offset, length)

    async def flush(self) -> None:
        await asyncio.to_thread(os.fdatasync, self._fd)

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        return await asyncio.to_thread(self._block_status, offset, length)

    def _block_status(self, offset: int, length: int) -> BlockStatus:
        end = min(offset + length, self.length)
        try:
            data = os.lseek(self._fd, offset, os.SEEK_DATA)
        except OSError as error:
            if error.errno != errno.ENXIO:
                raise
            return BlockStatus(pnum=end - offset, data=False, zero=True)
        if data > offset:
            return BlockStatus(pnum=min(data, end) - offset, data=False, zero=True)
        hole = os.lseek(self._fd, offset, os.SEEK_HOLE)
        return BlockStatus(pnum=min(hole, end) - offset, data=True, zero=False)

    async def close(self) -> None:
        os.close(self._fd)

    def info(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError("not needed by the NBD tests")


def _punch_hole(fd: int, offset: int, length: int) -> None:
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
    if libc.fallocate(fd, mode, offset, length) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
