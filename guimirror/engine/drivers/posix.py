# SPDX-License-Identifier: GPL-2.0-or-later
"""The protocol drivers over the host's storage: ``file`` (a regular file) and ``host_device``.

Both keep one descriptor; its I/O runs in the engine's worker threads (engine/io.py), except
small requests that cannot wait for a disk, which run in the loop's thread: a page-cache read
that the kernel completes at once under RWF_NOWAIT (else it falls back to a worker), and reads
and writes of a file in tmpfs or ramfs, which are copies of memory. Other writes always go to a
worker: no disk file system here takes a buffered NOWAIT write in practice (ext4 refuses the
flag, XFS answers EAGAIN to nearly every one: docs/nbd-server.md).
cache.direct opens with O_DIRECT (request alignment probed as QEMU does) and does the I/O
through page-aligned buffers. A writable host_device is opened with O_EXCL and refused while
mounted, with the mount point in the error.

Image locks use QEMU's OFD lock bytes (100 + permission held, 200 + permission not shared),
taken when the node opens: a writable node holds consistent-read and write and shares neither
write nor resize, so two writers never open one image. Checked with qemu-io and
qemu-storage-daemon 7.2 (tests/engine/test_drivers_file.py): a second engine, qemu-io, or a
writable export in qemu-storage-daemon of an image we write gets ``Failed to get "write"
lock``; we are refused an image qemu-storage-daemon exports writably with ``Failed to get
shared "write" lock``. qemu-storage-daemon's bare blockdev-add takes no lock (its nodes lock
only once a user such as an export attaches), so that step alone succeeds on both sides.
"""

from __future__ import annotations

import asyncio
import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from guimirror.engine import io
from guimirror.engine.drivers.common import DriverNode, check_request, check_writable
from guimirror.engine.node import BlockStatus
from guimirror.qapi.errors import QAPIError

DIRECT_ALIGNMENTS = (512, 1024, 2048, 4096)
"""What QEMU's raw_probe_alignment tries for an O_DIRECT file, smallest first."""

WRITER_PERM = io.PERM_CONSISTENT_READ | io.PERM_WRITE
WRITER_SHARED = io.PERM_CONSISTENT_READ | io.PERM_WRITE_UNCHANGED
"""A writable node takes write and shares neither write nor resize: one writer per image."""
READER_PERM = io.PERM_CONSISTENT_READ
READER_SHARED = io.PERM_ALL

T = TypeVar("T")


@dataclass(eq=False)
class PosixNode(DriverNode):
    """A node over one host file descriptor (``file`` and ``host_device``)."""

    filename: str = ""
    fd: int = -1
    size: int = 0
    alignment: int = 1
    limits: io.RequestLimits | None = None
    """A block device's request limits from sysfs (None for a regular file)."""
    read_only_opened: bool = False
    in_flight: int = field(default=0, repr=False)
    in_memory: bool = False
    """The file is in tmpfs or ramfs: its small reads and writes run in the loop's thread."""
    nowait_reads: bool = field(default=io.RWF_NOWAIT is not None, repr=False)
    """Small page-cache reads are tried in the loop's thread (until the file refuses RWF_NOWAIT)."""
    _idle: asyncio.Event | None = field(default=None, repr=False)

    def _check_open(self) -> None:
        if self.fd < 0:
            raise OSError(errno.EBADF, f"node '{self.node_name}' is closed")

    async def _io(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(fd, *args)`` in a worker thread; ``close`` waits for every one of these."""
        self._check_open()
        self.in_flight += 1
        try:
            return await io.run(fn, self.fd, *args)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0 and self._idle is not None:
                self._idle.set()

    @property
    def length(self) -> int:
        return self.size

    @property
    def request_alignment(self) -> int:
        return self.alignment

    @property
    def supports_zero_unmap(self) -> bool:
        return True

    def copy_fd(self) -> int | None:
        return None if self.cache_direct else self.fd

    def plain_fd(self) -> io.PlainFd | None:
        if self.fd < 0:
            return None
        return io.PlainFd(self.fd, self.alignment, self.cache_direct, self.limits)

    def _read_inline(self, offset: int, length: int) -> bytes | None:
        """Loop's thread, for a node without O_DIRECT: the data of a small read of a file in
        memory, or if a RWF_NOWAIT read from the page cache gets all of it; else None (the
        caller reads in a worker, which also reports any error)."""
        if length > io.INLINE_MAX:
            return None
        self._check_open()
        if self.in_memory:
            return io.pread_exact(self.fd, offset, length)
        if not self.nowait_reads:
            return None
        try:
            return io.pread_nowait(self.fd, offset, length)
        except OSError as exc:
            if exc.errno in io.NOWAIT_UNSUPPORTED:
                self.nowait_reads = False
            return None

    def open_options(self) -> dict[str, Any]:
        return {"driver": self.driver, "filename": self.filename}

    def info_filename(self) -> str:
        return self.filename

    async def pread(self, offset: int, length: int) -> bytes:
        check_request(self, offset, length)
        if self.cache_direct:
            return await self._io(io.pread_direct, offset, length, self.alignment)
        data = self._read_inline(offset, length)
        if data is not None:
            return data
        return await self._io(io.pread_exact, offset, length)

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, len(data))
        durable = fua and not self.no_flush
        try:
            if self.cache_direct:
                await self._io(io.pwrite_direct, data, offset, self.alignment)
                if durable:
                    await self._io(os.fdatasync)
                return
            write = io.pwrite_dsync if durable else io.pwrite_all
            if self.in_memory and len(data) <= io.INLINE_MAX:
                self._check_open()
                write(self.fd, data, offset)
            else:
                await self._io(write, data, offset)
        finally:
            self.written()

    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, length)
        try:
            await self._io(self._zeroes, offset, length, may_unmap and self.discard_unmap)
            if fua and not self.no_flush:
                await self._io(os.fdatasync)
        finally:
            self.written()

    async def pdiscard(self, offset: int, length: int) -> None:
        check_writable(self)
        check_request(self, offset, length)
        if not self.discard_unmap:
            return
        try:
            await self._io(self._discard, offset, length)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.ENOTTY, errno.EINVAL):
                raise
        finally:
            self.written()

    async def flush(self) -> None:
        if self.no_flush or self.flushed_gen == self.write_gen or self.read_only:
            return
        gen = self.write_gen
        await self._io(os.fdatasync)
        self.flushed_gen = gen

    async def close(self) -> None:
        """Wait for the requests in worker threads, then close (which drops the locks)."""
        while self.in_flight:
            self._idle = asyncio.Event()
            await self._idle.wait()
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            await io.run(os.close, fd)

    def _zeroes(self, fd: int, offset: int, length: int, unmap: bool) -> None:
        """Worker thread: zero a range, unmapping where allowed."""
        raise NotImplementedError

    def _discard(self, fd: int, offset: int, length: int) -> None:
        """Worker thread: discard a range."""
        raise NotImplementedError


@dataclass(eq=False)
class FileNode(PosixNode):
    """``file``: a regular file; holes by SEEK_DATA/SEEK_HOLE and fallocate."""

    driver = "file"

    def actual_size(self) -> int | None:
        try:
            return os.fstat(self.fd).st_blocks * 512
        except OSError:
            return None

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        pnum, data = await self._io(io.seek_status, offset, length, self.size)
        return BlockStatus(pnum=pnum, data=data, zero=not data)

    def _zeroes(self, fd: int, offset: int, length: int, unmap: bool) -> None:
        if unmap:
            try:
                io.punch_hole(fd, offset, length)
                return
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                    raise
        io.zero_range(fd, offset, length)

    def _discard(self, fd: int, offset: int, length: int) -> None:
        io.punch_hole(fd, offset, length)


@dataclass(eq=False)
class HostDeviceNode(PosixNode):
    """``host_device``: a block device; size by BLKGETSIZE64, BLKZEROOUT and BLKDISCARD."""

    driver = "host_device"

    def actual_size(self) -> int | None:
        return 0

    def _zeroes(self, fd: int, offset: int, length: int, unmap: bool) -> None:
        if unmap:
            try:
                io.punch_hole(fd, offset, length)
                return
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENODEV):
                    raise
        try:
            io.blk_zeroout(fd, offset, length)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.ENOTTY, errno.EINVAL):
                raise
            io.write_zero_bytes(fd, offset, length)

    def _discard(self, fd: int, offset: int, length: int) -> None:
        io.blk_discard(fd, offset, length)


# ----- opening (worker thread) ---------------------------------------------------------------


def _could_not_open(filename: str, code: int) -> QAPIError:
    return QAPIError(f"Could not open '{filename}': {os.strerror(code)}")


def mount_point_of(device: str) -> str | None:
    """Where the block device ``device`` is mounted, from /proc/self/mountinfo; None if not."""
    try:
        rdev = os.stat(device).st_rdev
    except OSError:
        return None
    wanted = f"{os.major(rdev)}:{os.minor(rdev)}"
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
            for line in mountinfo:
                fields = line.split()
                if len(fields) > 4 and fields[2] == wanted:
                    return fields[4].replace("\\040", " ")
    except OSError:
        return None
    return None


def probe_direct_alignment(fd: int) -> int:
    """The smallest length an O_DIRECT read at offset 0 accepts (QEMU's probe; worker thread)."""
    buf = io.aligned_buffer(DIRECT_ALIGNMENTS[-1])
    try:
        for alignment in DIRECT_ALIGNMENTS:
            try:
                os.preadv(fd, [memoryview(buf)[:alignment]], 0)
                return alignment
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    return alignment
        return DIRECT_ALIGNMENTS[-1]
    finally:
        buf.close()


class OpenedImage(NamedTuple):
    fd: int
    size: int
    alignment: int
    """The request alignment: 1, or what O_DIRECT needs."""
    read_only: bool
    limits: io.RequestLimits | None
    """A block device's request limits."""
    in_memory: bool
    """A regular file in tmpfs or ramfs."""


def open_posix(
    driver: str,
    filename: str,
    read_only: bool,
    direct: bool,
    locking: bool,
    auto_read_only: bool = False,
) -> OpenedImage:
    """Open the image of a file or host_device node.

    With ``auto_read_only`` an image that cannot be written is opened read-only instead.
    Runs in a worker thread. Raises QAPIError with QEMU's texts.
    """
    if auto_read_only and not read_only and not os.access(filename, os.W_OK):
        read_only = os.path.exists(filename)
    try:
        st = os.stat(filename)
    except OSError as exc:
        raise _could_not_open(filename, exc.errno or errno.EIO) from exc
    if stat.S_ISDIR(st.st_mode):
        raise _could_not_open(filename, errno.EISDIR)
    is_device = stat.S_ISBLK(st.st_mode) or stat.S_ISCHR(st.st_mode)
    if driver == "file" and not stat.S_ISREG(st.st_mode):
        raise QAPIError(f"'file' driver requires '{filename}' to be a regular file")
    if driver == "host_device" and not is_device:
        raise QAPIError(
            f"'host_device' driver requires '{filename}' to be either a character or block device"
        )
    flags = os.O_RDONLY if read_only else os.O_RDWR
    flags |= os.O_CLOEXEC
    if direct:
        flags |= os.O_DIRECT
    if driver == "host_device" and stat.S_ISBLK(st.st_mode) and not read_only:
        mount_point = mount_point_of(filename)
        if mount_point is not None:
            raise QAPIError(
                f"Could not open '{filename}' for writing: it is mounted on '{mount_point}'"
            )
        flags |= os.O_EXCL
    try:
        fd = os.open(filename, flags)
    except OSError as exc:
        code = exc.errno or errno.EIO
        if code == errno.EBUSY and flags & os.O_EXCL:
            raise QAPIError(
                f"Could not open '{filename}': {os.strerror(code)} (a writable host_device "
                "needs a device that nobody else has open exclusively, nor mounted)"
            ) from exc
        raise _could_not_open(filename, code) from exc
    try:
        if locking:
            perm, shared = (
                (READER_PERM, READER_SHARED) if read_only else (WRITER_PERM, WRITER_SHARED)
            )
            try:
                io.lock_image(fd, perm, shared)
            except OSError as exc:
                raise QAPIError(str(exc.strerror)) from exc
        limits = io.request_limits(fd)
        if stat.S_ISBLK(st.st_mode):
            size = io.blk_getsize64(fd)
            alignment = io.blk_sector_size(fd) if direct else 1
        else:
            size = os.lseek(fd, 0, os.SEEK_END)
            alignment = probe_direct_alignment(fd) if direct else 1
    except BaseException:
        os.close(fd)
        raise
    in_memory = stat.S_ISREG(st.st_mode) and io.in_memory(fd)
    return OpenedImage(fd, size, alignment, read_only, limits, in_memory)
