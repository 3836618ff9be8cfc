# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's worker threads and the system calls its drivers make in them.

Every function here except ``run`` and ``pread_nowait`` blocks and must be called in a
worker thread through ``run``; the event loop only schedules. ``pread_nowait`` passes
RWF_NOWAIT, so the kernel refuses (EAGAIN) what would wait for the disk: it may run in the
loop's thread, and so may a request of at most INLINE_MAX bytes to a file that ``in_memory``
says has no disk behind it. Data moves with os.preadv/os.pwritev, holes and
zeroes with fallocate(2) and the block-device ioctls, allocation status with
SEEK_DATA/SEEK_HOLE, image locks with OFD locks on QEMU's lock bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import mmap
import os
import stat
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from guimirror.engine.workers import WorkerPool

T = TypeVar("T")

WORKERS = 16
"""Enough threads for a mirror's 16 operations in flight."""

_pool = WorkerPool(WORKERS, "guimirror-io")


async def run(fn: Callable[..., T], *args: object) -> T:
    """Run ``fn(*args)`` in a worker thread; called from a task of the engine's loop."""
    return await _pool.run(fn, *args)


# ----- buffers -------------------------------------------------------------------------------


def aligned_buffer(length: int) -> mmap.mmap:
    """Page-aligned anonymous memory for O_DIRECT I/O (at least one page)."""
    return mmap.mmap(-1, max(length, mmap.PAGESIZE))


def align_down(value: int, alignment: int) -> int:
    return value - value % alignment


def align_up(value: int, alignment: int) -> int:
    return -(-value // alignment) * alignment


class BufferPool:
    """Page-aligned buffers of ``size`` bytes, made on first need and then reused.

    A copy takes one for its read and gives it back after its write, so a mirror allocates
    no more buffers than it has copies in flight, once, and its O_DIRECT I/O goes straight
    to and from them. ``take`` and ``give`` run in the event loop's thread.
    """

    def __init__(self, size: int) -> None:
        self.size = align_up(max(size, 1), mmap.PAGESIZE)
        self.allocated = 0
        """How many buffers were ever made: grows with the copies in flight, not with the data."""
        self._free: list[mmap.mmap] = []

    def take(self) -> mmap.mmap:
        if self._free:
            return self._free.pop()
        self.allocated += 1
        return aligned_buffer(self.size)

    def give(self, buf: mmap.mmap) -> None:
        self._free.append(buf)

    def close(self) -> None:
        """Unmap the free buffers (a buffer still taken is unmapped when its holder drops it)."""
        while self._free:
            buf = self._free.pop()
            with contextlib.suppress(BufferError):  # a view outlives its copy: freed with it
                buf.close()


@dataclass(frozen=True)
class RequestLimits:
    """What a block device's queue prefers in one request, from sysfs
    (queue/optimal_io_size), in bytes; 0 where the device reports nothing."""

    optimal: int = 0


def request_limits(fd: int) -> RequestLimits | None:
    """The request limits of the block device open on ``fd``; None if it is no block device.

    A partition has no queue of its own: its disk's (``..``) applies. Worker thread.
    """
    st = os.fstat(fd)
    if not stat.S_ISBLK(st.st_mode):
        return None
    base = f"/sys/dev/block/{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    for queue in (f"{base}/queue", f"{base}/../queue"):
        try:
            return RequestLimits(optimal=_read_int(f"{queue}/optimal_io_size"))
        except (OSError, ValueError):
            continue
    return RequestLimits()


def _read_int(path: str) -> int:
    with open(path, encoding="ascii") as attribute:
        return int(attribute.read().strip())


def copy_size(wanted: int, granularity: int, *sides: PlainFd) -> int:
    """The size of one copy between ``sides``: ``wanted`` (QEMU's), a multiple of the largest
    optimal size where it is at least that, always whole granules and at least one.

    Never cut to a device's max_sectors_kb: the kernel splits a larger request inside the one
    system call and keeps the parts in flight together, while smaller copies would cut the
    bytes in flight to 16 x max_sectors_kb and multiply the requests (docs/device-io.md).
    """
    optimal = max((side.limits.optimal for side in sides if side.limits), default=0)
    size = wanted
    if optimal and size >= optimal:
        size = align_down(size, optimal)
    return max(align_down(size, granularity), granularity)


@dataclass(frozen=True)
class PlainFd:
    """A descriptor whose byte offsets are a node's, with what its I/O must respect.

    ``alignment`` is the request alignment (the logical block size under O_DIRECT, else 1).
    """

    fd: int
    alignment: int = 1
    direct: bool = False
    limits: RequestLimits | None = None
    """A block device's request limits (None for a regular file)."""

    def aligned(self, offset: int, length: int) -> bool:
        return offset % self.alignment == 0 and length % self.alignment == 0


class ReadError(OSError):
    """The read half of ``copy_through`` failed: the source's error, not the target's."""


def copy_through(src: PlainFd, dst: PlainFd, offset: int, length: int, buf: mmap.mmap) -> None:
    """Copy ``length`` bytes at ``offset`` from ``src`` to ``dst`` through ``buf`` (worker thread).

    One preadv into the buffer, one pwritev out of it, no copy in between. An O_DIRECT side
    takes aligned requests as they are; an unaligned one (a partial last block) goes through
    the read-modify-write of pread_direct/pwrite_direct. Past the end of the source the rest
    reads as zeroes. A page-cache target is then asked to start writing back (as after
    copy_file_range), so the flush before READY finds little left.
    """
    view = memoryview(buf)[:length]
    try:
        if src.direct and not src.aligned(offset, length):
            view[:] = pread_direct(src.fd, offset, length, src.alignment)
        else:
            preadv_full(src.fd, view, offset)
    except OSError as exc:
        raise ReadError(exc.errno, exc.strerror) from exc
    if dst.direct and not dst.aligned(offset, length):
        pwrite_direct(dst.fd, view, offset, dst.alignment)
    else:
        pwrite_all(dst.fd, view, offset)
    if not dst.direct:
        os.posix_fadvise(dst.fd, offset, length, os.POSIX_FADV_DONTNEED)


def preadv_full(fd: int, view: memoryview, offset: int) -> None:
    """Fill ``view`` from ``offset``; past the end of the file the rest reads as zeroes."""
    done = 0
    while done < len(view):
        got = os.preadv(fd, [view[done:]], offset + done)
        if got == 0:
            view[done:] = bytes(len(view) - done)
            return
        done += got


# ----- data ----------------------------------------------------------------------------------

INLINE_MAX = 64 * 1024
"""The largest request a driver may do in the loop's thread (a RWF_NOWAIT read from the page
cache, or any read or write of a file in memory): a copy of up to this much costs less than
the two thread switches of a worker call."""

RWF_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None)

NOWAIT_UNSUPPORTED = (errno.EOPNOTSUPP, errno.EINVAL)
"""What preadv2 answers where the file (system) takes no RWF_NOWAIT at all: tmpfs (Linux
6.18), a kernel without the flag."""


def pread_nowait(fd: int, offset: int, length: int) -> bytes | None:
    """The ``length`` bytes at ``offset`` if the page cache holds all of them, else None
    (reading them would wait for the disk, or the file ends before). Never blocks on I/O.

    Raises OSError: EOPNOTSUPP/EINVAL where RWF_NOWAIT reads are unsupported, or the read's
    own error.
    """
    if RWF_NOWAIT is None:
        raise OSError(errno.EOPNOTSUPP, "RWF_NOWAIT is not available")
    buf = bytearray(length)
    try:
        got = os.preadv(fd, [buf], offset, RWF_NOWAIT)
    except BlockingIOError:
        return None
    return bytes(buf) if got == length else None


IN_MEMORY_FILE_SYSTEMS = frozenset({0x01021994, 0x858458F6})
"""TMPFS_MAGIC and RAMFS_MAGIC (linux/magic.h): their files are memory, with no disk behind."""


def in_memory(fd: int) -> bool:
    """Whether ``fd``'s file lives in tmpfs or ramfs (fstatfs' f_type, the first field of
    struct statfs): reading or writing it copies memory and never waits for a disk (a tmpfs
    page that was swapped out is the exception)."""
    buf = (ctypes.c_long * 32)()
    if _libc.fstatfs(fd, buf) != 0:
        return False
    return buf[0] in IN_MEMORY_FILE_SYSTEMS


def pread_exact(fd: int, offset: int, length: int) -> bytes:
    """Read ``length`` bytes; past the end of the file the rest reads as zeroes (as QEMU)."""
    data = os.pread(fd, length, offset)
    if len(data) == length:
        return data
    buf = bytearray(data)
    while len(buf) < length:
        more = os.pread(fd, length - len(buf), offset + len(buf))
        if not more:
            buf.extend(bytes(length - len(buf)))
            break
        buf.extend(more)
    return bytes(buf)


def pwrite_all(fd: int, data: bytes | bytearray | memoryview, offset: int, flags: int = 0) -> None:
    """Write all of ``data`` at ``offset``; ``flags`` as pwritev2's (RWF_*)."""
    view = memoryview(data).cast("B")
    done = 0
    while done < len(view):
        done += os.pwritev(fd, [view[done:]], offset + done, flags)


def pwrite_dsync(fd: int, data: bytes | bytearray | memoryview, offset: int) -> None:
    """A FUA write. pwritev2 with RWF_DSYNC makes this range alone durable (Linux); without
    it, write and fdatasync the file."""
    flags = getattr(os, "RWF_DSYNC", None)
    if flags is None:
        pwrite_all(fd, data, offset)
        os.fdatasync(fd)
    else:
        pwrite_all(fd, data, offset, flags)


def pread_direct(fd: int, offset: int, length: int, alignment: int) -> bytes:
    """O_DIRECT read of any range: read the aligned range around it into aligned memory."""
    start = align_down(offset, alignment)
    end = align_up(offset + length, alignment)
    buf = aligned_buffer(end - start)
    try:
        done = 0
        while done < end - start:
            got = os.preadv(fd, [memoryview(buf)[done : end - start]], start + done)
            if got == 0:
                break
            done += got
        if done < offset + length - start:
            buf[done : end - start] = bytes(end - start - done)
        return buf[offset - start : offset - start + length]
    finally:
        buf.close()


def pwrite_direct(
    fd: int, data: bytes | bytearray | memoryview, offset: int, alignment: int
) -> None:
    """O_DIRECT write of any range: an unaligned head or tail is read, patched and rewritten.

    A regular file whose end lies inside the last block keeps its size: the block written
    whole past the end is cut back.
    """
    view = memoryview(data).cast("B")
    start = align_down(offset, alignment)
    end = align_up(offset + len(view), alignment)
    file_end = os.fstat(fd).st_size if end != offset + len(view) else end
    buf = aligned_buffer(end - start)
    try:
        if start != offset or end != offset + len(view):
            buf[: end - start] = pread_direct(fd, start, end - start, alignment)
        buf[offset - start : offset - start + len(view)] = view
        done = 0
        while done < end - start:
            done += os.pwritev(fd, [memoryview(buf)[done : end - start]], start + done)
        if file_end < end and stat.S_ISREG(os.fstat(fd).st_mode):
            os.ftruncate(fd, max(file_end, offset + len(view)))
    finally:
        buf.close()


# ----- holes and zeroes ----------------------------------------------------------------------

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
FALLOC_FL_ZERO_RANGE = 0x10

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
_libc.fallocate.restype = ctypes.c_int


def fallocate(fd: int, mode: int, offset: int, length: int) -> None:
    """fallocate(2); raises OSError with the errno (EOPNOTSUPP where the file system has none)."""
    if _libc.fallocate(fd, mode, offset, length) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def punch_hole(fd: int, offset: int, length: int) -> None:
    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length)


def zero_range(fd: int, offset: int, length: int) -> None:
    """Zeroes that stay allocated; writes zeroes where the file system lacks ZERO_RANGE."""
    try:
        fallocate(fd, FALLOC_FL_ZERO_RANGE, offset, length)
        return
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
            raise
    write_zero_bytes(fd, offset, length)


def write_zero_bytes(fd: int, offset: int, length: int) -> None:
    chunk = bytes(min(length, 1 << 20))
    done = 0
    while done < length:
        n = min(len(chunk), length - done)
        pwrite_all(fd, memoryview(chunk)[:n], offset + done)
        done += n


def seek_status(fd: int, offset: int, length: int, size: int) -> tuple[int, bool]:
    """(pnum, data) of the range at ``offset`` from SEEK_DATA/SEEK_HOLE; ``pnum`` > 0."""
    if offset >= size:
        return length, False
    try:
        data = os.lseek(fd, offset, os.SEEK_DATA)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            return min(length, size - offset), False
        raise
    if data > offset:
        return min(length, data - offset), False
    hole = os.lseek(fd, offset, os.SEEK_HOLE)
    if hole <= offset:
        return min(length, size - offset), True
    return min(length, hole - offset), True


# ----- block devices -------------------------------------------------------------------------

BLKGETSIZE64 = 0x80081272
BLKSSZGET = 0x1268
BLKDISCARD = 0x1277
BLKZEROOUT = 0x127F


def blk_getsize64(fd: int) -> int:
    out = fcntl.ioctl(fd, BLKGETSIZE64, b"\0" * 8)
    return int(struct.unpack("Q", out)[0])


def blk_sector_size(fd: int) -> int:
    out = fcntl.ioctl(fd, BLKSSZGET, b"\0" * 4)
    return int(struct.unpack("i", out)[0])


def blk_zeroout(fd: int, offset: int, length: int) -> None:
    fcntl.ioctl(fd, BLKZEROOUT, struct.pack("QQ", offset, length))


def blk_discard(fd: int, offset: int, length: int) -> None:
    fcntl.ioctl(fd, BLKDISCARD, struct.pack("QQ", offset, length))


# ----- image locking (QEMU's file-posix lock bytes) ------------------------------------------

PERM_NAMES = ("consistent read", "write", "write unchanged", "resize")
"""QEMU 7.2's permission bits in order (bdrv_perm_names)."""

PERM_CONSISTENT_READ = 0x1
PERM_WRITE = 0x2
PERM_WRITE_UNCHANGED = 0x4
PERM_RESIZE = 0x8
PERM_ALL = 0xF
LOCK_PERM_BASE = 100
LOCK_SHARED_BASE = 200


def _flock(kind: int, start: int) -> bytes:
    return struct.pack("hhxxxxqqixxxx", kind, os.SEEK_SET, start, 1, 0)


def _locked_by_other(fd: int, byte: int) -> bool:
    out = fcntl.fcntl(fd, fcntl.F_OFD_GETLK, _flock(fcntl.F_WRLCK, byte))
    kind: int = struct.unpack("hhxxxxqqixxxx", out)[0]
    return kind != fcntl.F_UNLCK


def check_image_locks(fd: int, perm: int, shared: int) -> None:
    """QEMU's raw_check_lock_bytes: refuse what another user's lock bytes forbid.

    Raises OSError(EAGAIN) whose strerror is QEMU's text, e.g. ``Failed to get "write" lock``.
    """
    for bit, name in enumerate(PERM_NAMES):
        if perm & (1 << bit) and _locked_by_other(fd, LOCK_SHARED_BASE + bit):
            raise OSError(errno.EAGAIN, f'Failed to get "{name}" lock')
    for bit, name in enumerate(PERM_NAMES):
        if not shared & (1 << bit) and _locked_by_other(fd, LOCK_PERM_BASE + bit):
            raise OSError(errno.EAGAIN, f'Failed to get shared "{name}" lock')


def apply_image_locks(fd: int, perm: int, shared: int) -> None:
    """QEMU's raw_apply_lock_bytes: a shared lock on each held and each unshared permission."""
    for bit in range(len(PERM_NAMES)):
        held = perm & (1 << bit)
        unshared = not shared & (1 << bit)
        for base, on in ((LOCK_PERM_BASE, held), (LOCK_SHARED_BASE, unshared)):
            kind = fcntl.F_RDLCK if on else fcntl.F_UNLCK
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _flock(kind, base + bit))


def lock_image(fd: int, perm: int, shared: int) -> None:
    """Take the lock bytes, then check the others' (QEMU's order); on a conflict take none."""
    apply_image_locks(fd, perm, shared)
    try:
        check_image_locks(fd, perm, shared)
    except OSError:
        apply_image_locks(fd, 0, PERM_ALL)
        raise
