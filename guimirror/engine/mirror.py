# SPDX-License-Identifier: GPL-2.0-or-later
"""The mirror block job: QEMU 7.2's block/mirror.c, with the deliberate differences that
docs/deviations.md explains.

``MirrorJob.run`` runs in the job task: the initial allocation scan, then the sweep over the
dirty bitmap, READY after the first clean pass and a target flush, and on complete or soft
cancel a final drained pass. Each copy, zero or discard runs as its own asyncio task (an
*op task*); the data itself moves in worker threads (``os.copy_file_range`` between regular
files, the nodes' ``pread``/``pwrite`` otherwise), so the loop only schedules.
``active_write`` runs in the task of the user whose write passed the filter.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import stat
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from guimirror.engine import io
from guimirror.engine.backend import BlockBackend
from guimirror.engine.bitmap import DirtyBitmap
from guimirror.engine.drivers.common import DriverNode
from guimirror.engine.job import EventSink, Job, JobFailed
from guimirror.engine.mirror_filter import MirrorTopNode
from guimirror.engine.node import BlockNode
from guimirror.qapi.block_info import BlockDirtyInfo
from guimirror.qapi.commands import BlockJobChangeMirror
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import BlockJobReady
from guimirror.qapi.job import BlockDeviceIoStatus
from guimirror.qapi.mirror import BlockdevMirror, BlockdevOnError, MirrorCopyMode, MirrorSyncMode

if TYPE_CHECKING:
    from guimirror.engine.graph import BlockGraph
    from guimirror.qapi.commands import BlockJobChange

MAX_IN_FLIGHT = 16
SLICE_NS = 100_000_000
MIB = 1024 * 1024
SIZE_MISMATCH = "Source and target image have different sizes"
INT_MAX = 2**31 - 1
BLOCKER = "block device is in use by block job: mirror"
WRITEBACK_BYTES = 0
"""Bytes copied to a block device after which the job flushes it while the copy goes on;
0: no flush before the one at READY. Off because it measured slower on the devices at hand
(docs/device-io.md, "Write-back during the copy")."""


class SourceError(OSError):
    """An I/O error of a source read (the rest are target writes).

    An OSError tagged for the job's ``on-source-error`` policy; the job reports it in QMP's
    terms and it never leaves the job task.
    """


@dataclass
class MirrorPlan:
    """The effective arguments of one mirror, after QEMU's defaults and rounding."""

    sync: MirrorSyncMode
    zero_target: bool
    """Make the target read as the source where the source reads zeroes (sync=full)."""
    target_is_zero: bool
    """The user vouches that the target reads zeroes: its zeroing is skipped."""
    granularity: int
    buf_size: int
    copy_mode: MirrorCopyMode
    on_source_error: BlockdevOnError
    on_target_error: BlockdevOnError


class MirrorBitmapView:
    """The job's anonymous dirty bitmap as the source node shows it in query-named-block-nodes."""

    def __init__(self, bitmap: DirtyBitmap, recording: bool) -> None:
        self.bitmap = bitmap
        self.recording = recording

    def dirty_info(self) -> BlockDirtyInfo:
        return BlockDirtyInfo(
            count=self.bitmap.dirty_bytes,
            granularity=self.bitmap.granularity,
            recording=self.recording,
            busy=False,
            persistent=False,
        )


class MirrorJob(Job):
    """One ``blockdev-mirror``: source (below the filter) to target, then pivot or not."""

    job_type = "mirror"

    def __init__(
        self,
        job_id: str,
        emit: EventSink,
        *,
        graph: BlockGraph,
        source: BlockNode,
        target: BlockNode,
        filter_node: MirrorTopNode,
        plan: MirrorPlan,
        replaces: BlockNode | None,
        auto_finalize: bool,
        auto_dismiss: bool,
        on_gone: Callable[[Job], None] | None = None,
    ) -> None:
        super().__init__(
            job_id, emit, auto_finalize=auto_finalize, auto_dismiss=auto_dismiss, on_gone=on_gone
        )
        self.graph = graph
        self.source = source
        self.target_node = target
        self.target = BlockBackend(target, writable=True)
        self.filter = filter_node
        self.settings = plan
        self.replaces = replaces
        gran = plan.granularity
        self.granularity = gran
        self.buf_size = plan.buf_size
        self.bitmap = DirtyBitmap(source.length, gran)
        self.in_flight_bitmap = DirtyBitmap(source.length, gran)
        self.bitmap_view = MirrorBitmapView(
            self.bitmap, recording=plan.copy_mode == MirrorCopyMode.BACKGROUND
        )
        self.should_complete = False
        self.synced = False
        self.actively_synced = False
        self.in_flight = 0
        self.bytes_in_flight = 0
        self.buf_free = self.buf_size
        self.active_bytes_in_flight = 0
        self.active_writes = 0
        self._op_done = asyncio.Condition()
        self._ops: set[asyncio.Task[None]] = set()
        self._error_ret = 0
        self._error_text: str | None = None
        self._cursor = 0
        self._drained = False
        # QEMU's cap on one copy is MAX(buf_size / 16, 1 MiB). Between two regular files the
        # kernel copies without a user-space buffer, and fewer, larger copies are faster.
        self.in_kernel = _regular_file(source.copy_fd()) and _regular_file(target.copy_fd())
        self.max_io_bytes = max(self.buf_size // (4 if self.in_kernel else 16), MIB)
        src_plain, dst_plain = source.plain_fd(), target.plain_fd()
        if not self.in_kernel and src_plain is not None and dst_plain is not None:
            self.max_io_bytes = io.copy_size(self.max_io_bytes, gran, src_plain, dst_plain)
        self._unflushed = 0
        self._write_back_task: asyncio.Task[None] | None = None
        self.buffers = io.BufferPool(max(self.max_io_bytes, gran))

    # ----- the filter's side ---------------------------------------------------------------

    @property
    def copies_writes(self) -> bool:
        return self.settings.copy_mode == MirrorCopyMode.WRITE_BLOCKING

    def write_passes_through(self) -> bool:
        return self._error_ret < 0 or self.force_cancel or self.is_completed

    def on_change(self, args: BlockJobChange) -> None:
        """block-job-change (QEMU 10.0's ``mirror_change``): background -> write-blocking.

        From the switch on, every write that passes the filter reaches the target before it
        completes; what is still dirty is copied by the sweep as before, and once nothing
        is dirty the job is actively synced. Runs in the command's task.
        """
        assert isinstance(args, BlockJobChangeMirror)
        current = self.settings.copy_mode
        if args.copy_mode == current:
            return
        if args.copy_mode != MirrorCopyMode.WRITE_BLOCKING:
            raise QAPIError(f"Change to copy mode '{args.copy_mode.value}' is not implemented")
        self.settings.copy_mode = args.copy_mode
        self.enter()

    def type_info(self) -> dict[str, object]:
        return {"actively_synced": self.actively_synced}

    def mark_dirty(self, offset: int, length: int) -> None:
        self.bitmap.set_dirty(offset, length)
        self.enter()

    async def active_write(
        self,
        offset: int,
        length: int,
        source_write: Callable[[], Awaitable[None]],
        target_write: Callable[[BlockNode], Awaitable[None]],
    ) -> None:
        """Write-blocking mode: source, then the target before the user's write returns."""
        first, end = self.in_flight_bitmap.chunks_of(offset, length)
        self.active_writes += 1
        self.active_bytes_in_flight += length
        try:
            async with self._op_done:
                await self._op_done.wait_for(
                    lambda: not self.in_flight_bitmap.any_dirty(first, end)
                )
                self.in_flight_bitmap.set_chunks(first, end)
            try:
                await source_write()
                if not self.write_passes_through():
                    await self._sync_target_write(offset, length, target_write)
            finally:
                self.in_flight_bitmap.reset_chunks(first, end)
        finally:
            self.active_writes -= 1
            self.active_bytes_in_flight -= length
            await self._notify()
            self.enter()

    async def _sync_target_write(
        self, offset: int, length: int, target_write: Callable[[BlockNode], Awaitable[None]]
    ) -> None:
        """QEMU's ``do_sync_target_write``, without trimming dirty partial chunks.

        QEMU leaves a dirty partial head or tail chunk to the background copy; here the user's
        bytes are written to the target as well, and the chunk stays dirty, so the background
        copy still brings the rest of it: the same result with one write.
        """
        gran = self.granularity
        end = offset + length
        full_end = self.bitmap.nb_chunks if end == self.source.length else end // gran
        self.bitmap.reset_chunks(-(-offset // gran), full_end)
        self.progress_total += length
        try:
            await target_write(self.target.node)
        except OSError as exc:
            self.actively_synced = False
            self.bitmap.set_dirty(offset, length)
            self._handle_error(self.settings.on_target_error, is_read=False, exc=exc)
        else:
            self.progress_current += length

    # ----- the job task --------------------------------------------------------------------

    async def run(self) -> None:
        if self.source.length != self.target_node.length:
            raise JobFailed(-errno.EINVAL, SIZE_MISMATCH)
        if self.source.length == 0:
            await self._ready_when_empty()
            return
        if self.settings.sync != MirrorSyncMode.NONE:
            await self._dirty_init()
        if self.force_cancel:
            return
        try:
            await self._main_loop()
        finally:
            await self._wait_all_io()
            self.buffers.close()
            if not self._drained:
                await self.filter.drain_begin()
                self._drained = True

    async def _ready_when_empty(self) -> None:
        self._become_ready()
        while not (self.should_complete or self.cancelled):
            await self.sleep_ns(10 * SLICE_NS)
            await self.pause_point()

    def _become_ready(self) -> None:
        self.synced = True
        self.transition_to_ready()
        self._emit(
            BlockJobReady(
                type=self.job_type,
                device=self.id,
                len=self.progress_total,
                offset=self.progress_current,
                speed=self.ratelimit.speed,
            )
        )

    async def _dirty_init(self) -> None:
        """Mark the source's allocated ranges dirty; zero the target where the source has holes
        (unless ``target-is-zero`` says it reads zeroes already).

        Progress counts the holes as QEMU does, which marks the whole device dirty and
        zeroes the holes in its sweep: ``offset`` grows by each hole as it is zeroed or
        skipped, and ``len`` by what the scan has seen, the whole device once it is done.
        """
        length = self.source.length
        offset = 0
        zeroes: set[asyncio.Task[None]] = set()
        try:
            while offset < length and not self.force_cancel:
                status = await self.source.block_status(offset, min(length - offset, INT_MAX))
                pnum = max(status.pnum, 1)
                if status.data or not status.zero:
                    self.bitmap.set_dirty(offset, pnum)
                elif self.settings.target_is_zero:
                    self.progress_current += pnum
                elif self.settings.zero_target:
                    while len(zeroes) >= MAX_IN_FLIGHT:
                        _done, zeroes = await asyncio.wait(
                            zeroes, return_when=asyncio.FIRST_COMPLETED
                        )
                    zeroes.add(asyncio.create_task(self._zero_hole(offset, pnum)))
                offset += pnum
                self._update_total(self.bitmap.dirty_bytes)
                await self.pause_point()
        finally:
            if zeroes:
                await asyncio.wait(zeroes)
        self.progress_total = self.progress_current + self.bitmap.dirty_bytes

    async def _zero_hole(self, offset: int, length: int) -> None:
        """Zero a source hole on the target unless the target reads zeroes there already.

        A failure goes through on-target-error like any target write, and the range is
        marked dirty so that the sweep zeroes it again.
        """
        end = offset + length
        try:
            while offset < end:
                status = await self.target.block_status(offset, end - offset)
                pnum = max(status.pnum, 1)
                if not (status.zero and not status.data):
                    await self.target.pwrite_zeroes(offset, pnum, may_unmap=True)
                offset += pnum
                self.progress_current += pnum
        except OSError as exc:
            self.bitmap.set_dirty(offset, end - offset)
            self._handle_error(self.settings.on_target_error, is_read=False, exc=exc)

    async def _main_loop(self) -> None:
        while True:
            if self._error_ret < 0:
                raise JobFailed(self._error_ret, self._error_text)
            await self.pause_point()
            if self.force_cancel:
                return
            cnt = self.bitmap.dirty_bytes
            self._update_total(cnt)
            if self.io_status == BlockDeviceIoStatus.OK:
                if self.in_flight >= MAX_IN_FLIGHT or (cnt == 0 and self.in_flight > 0):
                    await self._wait_for_any_op()
                    continue
                if cnt > 0:
                    await self._iteration()
                    await self.ratelimit_sleep()
                    continue
            elif self.in_flight > 0:
                await self._wait_for_any_op()
                continue
            should_complete = False
            if self.in_flight == 0 and cnt == 0 and self.active_writes == 0:
                if not self.synced:
                    if not await self._flush_target():
                        continue
                    self._become_ready()
                if self.copies_writes:
                    self.actively_synced = True
                should_complete = self.should_complete or self.cancelled
                cnt = self.bitmap.dirty_bytes
            if cnt == 0 and should_complete:
                await self.filter.drain_begin()
                self._drained = True
                if self.bitmap.count == 0 and self.in_flight == 0 and await self._flush_target():
                    self._update_total(0)
                    return
                self.filter.drain_end()
                self._drained = False
                continue
            await self.ratelimit_sleep()
            if self.in_flight == 0 and self.bitmap.count == 0:
                await self.sleep_ns(SLICE_NS)

    def _update_total(self, cnt: int) -> None:
        self.progress_total = (
            self.progress_current + self.bytes_in_flight + cnt + self.active_bytes_in_flight
        )

    async def _flush_target(self) -> bool:
        if self._write_back_task is not None:
            await asyncio.wait({self._write_back_task})
        try:
            await self.target.flush()
        except OSError as exc:
            self._handle_error(self.settings.on_target_error, is_read=False, exc=exc)
            return False
        return True

    async def _iteration(self) -> None:
        """One pass of QEMU's ``mirror_iteration``: one run of contiguous dirty chunks."""
        chunk = self.bitmap.next_dirty(self._cursor)
        if chunk is None:
            chunk = self.bitmap.next_dirty(0)
            if chunk is None:
                return
        if self.in_flight_bitmap.is_dirty(chunk):
            await self._wait_for_any_op()
            return
        max_chunks = max(self.buf_size // self.granularity, 1)
        nb_chunks = self.bitmap.dirty_run(chunk, max_chunks)
        busy = self.in_flight_bitmap.next_dirty(chunk)
        if busy is not None:
            nb_chunks = min(nb_chunks, busy - chunk)
        gran = self.granularity
        offset = chunk * gran
        end = min((chunk + nb_chunks) * gran, self.source.length)
        self.bitmap.reset_chunks(chunk, chunk + nb_chunks)
        self.in_flight_bitmap.set_chunks(chunk, chunk + nb_chunks)
        self._cursor = chunk + nb_chunks
        try:
            while offset < end:
                try:
                    status = await self.source.block_status(offset, end - offset)
                    pnum, data = max(status.pnum, 1), status.data or not status.zero
                except OSError:
                    pnum, data = end - offset, True
                io_bytes = min(pnum, self.max_io_bytes) if data else pnum
                io_bytes -= io_bytes % gran
                if io_bytes < gran:
                    io_bytes, data = gran, True
                io_bytes = min(io_bytes, end - offset, self.buf_size)
                while self.in_flight >= MAX_IN_FLIGHT or (data and self.buf_free < io_bytes):
                    await self._wait_for_any_op()
                if self._error_ret < 0:
                    self.in_flight_bitmap.reset_dirty(offset, end - offset)
                    self.bitmap.set_dirty(offset, end - offset)
                    return
                self._start_op(offset, io_bytes, copy=data)
                offset += io_bytes
                self.ratelimit.calculate_delay(io_bytes if data else 0)
        finally:
            if offset < end:
                self.in_flight_bitmap.reset_dirty(offset, end - offset)

    def _start_op(self, offset: int, length: int, copy: bool) -> None:
        self.in_flight += 1
        self.bytes_in_flight += length
        if copy:
            self.buf_free -= length
        task = asyncio.get_running_loop().create_task(self._op(offset, length, copy))
        self._ops.add(task)
        task.add_done_callback(self._ops.discard)

    async def _op(self, offset: int, length: int, copy: bool) -> None:
        """One background operation (op task)."""
        error: OSError | None = None
        try:
            if copy:
                await self._copy(offset, length)
            else:
                await self.target.pwrite_zeroes(offset, length, may_unmap=True)
        except OSError as exc:
            error = exc
        except Exception as exc:  # a bug in an op fails the job, never the engine
            error = OSError(errno.EIO, f"{type(exc).__name__}: {exc}")
        self.in_flight -= 1
        self.bytes_in_flight -= length
        if copy:
            self.buf_free += length
        self.in_flight_bitmap.reset_dirty(offset, length)
        if error is None:
            self.progress_current += length
        else:
            self.bitmap.set_dirty(offset, length)
            is_read = isinstance(error, SourceError)
            policy = self.settings.on_source_error if is_read else self.settings.on_target_error
            self._handle_error(policy, is_read=is_read, exc=error)
        await self._notify()
        self.enter()

    async def _copy(self, offset: int, length: int) -> None:
        src_fd = self.source.copy_fd()
        dst_fd = self.target.node.copy_fd()
        if self.in_kernel and src_fd is not None and dst_fd is not None:
            try:
                await io.run(_copy_file_range, src_fd, dst_fd, offset, length)
                _note_written(self.target.node)
                return
            except OSError as exc:
                # Read and write instead: that also tells a read error from a write error.
                if exc.errno in _NO_COPY_FILE_RANGE:
                    self.in_kernel = False
        src, dst = self.source.plain_fd(), self.target.node.plain_fd()
        if src is not None and dst is not None and length <= self.buffers.size:
            buf = self.buffers.take()
            try:
                await io.run(io.copy_through, src, dst, offset, length, buf)
            except io.ReadError as exc:
                raise SourceError(exc.errno, exc.strerror) from exc
            finally:
                self.buffers.give(buf)
                _note_written(self.target.node)
            if dst.limits is not None:
                self._write_back_after(length)
            return
        try:
            data = await self.source.pread(offset, length)
        except OSError as exc:
            raise SourceError(exc.errno, exc.strerror) from exc
        await self.target.pwrite(offset, data)

    def _write_back_after(self, length: int) -> None:
        """Op task: count ``length`` bytes copied to a block device; once WRITEBACK_BYTES are
        copied and no write-back runs, start one.

        Below a block device may lie a cache (a loop device's backing file, a disk's write
        cache) that the flush before READY would otherwise write back all at once. The
        write-back is an operation of the job (in ``_ops``): the job waits for it before it
        flushes, ends or lets its target be closed, and the node's close waits for it too.
        """
        self._unflushed += length
        if (
            not WRITEBACK_BYTES
            or self._unflushed < WRITEBACK_BYTES
            or self._write_back_task is not None
        ):
            return
        self._unflushed = 0
        task = asyncio.get_running_loop().create_task(self._write_back())
        self._write_back_task = task
        self._ops.add(task)
        task.add_done_callback(self._write_back_done)

    async def _write_back(self) -> None:
        """Write-back task: flush the target; a failure follows on-target-error."""
        try:
            await self.target.flush()
        except OSError as exc:
            self._handle_error(self.settings.on_target_error, is_read=False, exc=exc)

    def _write_back_done(self, task: asyncio.Task[None]) -> None:
        self._ops.discard(task)
        if self._write_back_task is task:
            self._write_back_task = None

    def _handle_error(self, policy: BlockdevOnError, is_read: bool, exc: OSError) -> None:
        code = exc.errno or errno.EIO
        action = self.error_action(policy, is_read, code)
        if action == "report" and self._error_ret == 0:
            self._error_ret = -code
            self._error_text = os.strerror(code)
        self.enter()

    async def _notify(self) -> None:
        async with self._op_done:
            self._op_done.notify_all()

    async def _wait_for_any_op(self) -> None:
        """Wait until a background op ends (or, with none in flight, an active write)."""
        if self._ops:
            await asyncio.wait(set(self._ops), return_when=asyncio.FIRST_COMPLETED)
            return
        async with self._op_done:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SLICE_NS / 1e9):
                    await self._op_done.wait()

    async def _wait_all_io(self) -> None:
        while self._ops:
            await asyncio.wait(set(self._ops))
        async with self._op_done:
            await self._op_done.wait_for(lambda: self.active_writes == 0)

    async def quiesce(self) -> None:
        await self._wait_all_io()

    # ----- verbs ---------------------------------------------------------------------------

    def on_complete(self) -> None:
        if not self.synced:
            raise QAPIError(f"The active block job '{self.id}' cannot be completed")
        if self.replaces is not None and self.graph.find_node(self.replaces.node_name) is None:
            raise QAPIError(f"Node name '{self.replaces.node_name}' not found")
        self.should_complete = True
        self.enter()

    def on_cancel(self, force: bool) -> bool:
        return force or not self.is_ready

    # ----- exit (mirror_exit_common) -------------------------------------------------------

    async def prepare(self) -> None:
        await self._exit_common(abort=False)

    async def abort(self) -> None:
        await self._exit_common(abort=True)

    async def _exit_common(self, abort: bool) -> None:
        if not self._drained:
            await self.filter.drain_begin()
            self._drained = True
        try:
            self.source_bitmaps_remove()
            for node in (self.source, self.target_node, self.replaces):
                if node is not None:
                    node.blockers.pop(BLOCKER, None)
            if self.should_complete and not abort:
                to_replace = self.replaces or self.source
                self.graph.replace_node(to_replace, self.target_node)
                self.filter.children["backing"] = self.target_node
            self.graph.remove_filter(self.filter)
            self.filter.job = None
        finally:
            self._drained = False
            self.filter.drain_end()

    def source_bitmaps_remove(self) -> None:
        self.source.remove_dirty_bitmap(self.bitmap_view)


_NO_COPY_FILE_RANGE = (errno.EINVAL, errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF)


def _regular_file(fd: int | None) -> bool:
    """Whether ``fd`` is a regular file, the only kind ``copy_file_range`` copies between."""
    if fd is None:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        return False


def _note_written(node: BlockNode) -> None:
    """Tell the target and the nodes below it that a copy bypassing them wrote data, so that
    their next flush is not skipped."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, DriverNode):
            current.written()
        stack.extend(current.children.values())


def _copy_file_range(src_fd: int, dst_fd: int, offset: int, length: int) -> None:
    """Copy ``length`` bytes at ``offset`` between two files (worker thread).

    Then start the writeback of the copied range (POSIX_FADV_DONTNEED writes dirty pages
    back without waiting and drops clean ones), so the flush before READY finds little
    left to write and the target does not crowd the page cache.
    """
    done = 0
    while done < length:
        copied = os.copy_file_range(src_fd, dst_fd, length - done, offset + done, offset + done)
        if copied == 0:
            raise OSError(errno.EIO, "short copy")
        done += copied
    os.posix_fadvise(dst_fd, offset, length, os.POSIX_FADV_DONTNEED)


def _holder(node: BlockNode) -> str:
    holder = node.blockers.get(BLOCKER)
    return str(getattr(holder, "id", "")) if holder is not None else ""


def _check_not_busy(node: BlockNode) -> None:
    for reason in node.blockers:
        raise QAPIError(f"Node '{node.node_name}' is busy: {reason}")


def _check_replaces(graph: BlockGraph, args: BlockdevMirror, source: BlockNode) -> BlockNode:
    """QEMU's ``check_to_replace_node`` and the size check of ``blockdev_mirror_common``."""
    assert args.replaces is not None
    node = graph.find_node(args.replaces)
    if node is None:
        raise QAPIError(f"Failed to find node with node-name='{args.replaces}'")
    _check_not_busy(node)
    if node is not source:
        raise QAPIError(
            f"Cannot replace '{node.node_name}' by a node mirrored from '{source.node_name}', "
            "because it cannot be guaranteed that doing so would not lead to an abrupt change "
            "of visible data"
        )
    return node


def start_mirror(
    args: BlockdevMirror,
    *,
    graph: BlockGraph,
    jobs: dict[str, Job],
    emit: EventSink,
    on_gone: Callable[[Job], None],
) -> MirrorJob:
    """``blockdev-mirror``: the checks in QEMU's order, the filter, the job; then start it.

    Runs in the command's task. On an error nothing is left behind (no filter, no job, no
    blockers); errors after the job's creation emit JOB_STATUS_CHANGE created and null first.
    """
    source = graph.lookup_bs(args.device)
    if not graph.is_root(source):
        holder = _holder(source)
        if holder:
            raise QAPIError(
                f"Need a root block node: '{source.node_name}' is used by job '{holder}'"
            )
        raise QAPIError("Need a root block node")
    target = graph.lookup_bs(args.target)
    args.check_granularity()
    _check_not_busy(source)
    _check_not_busy(target)
    sync = args.sync
    zero_target = sync == MirrorSyncMode.FULL
    target_is_zero = bool(args.target_is_zero) and zero_target
    if sync == MirrorSyncMode.TOP and source.children.get("backing") is None:
        sync, zero_target = MirrorSyncMode.FULL, True
        target_is_zero = bool(args.target_is_zero)
    replaces = _check_replaces(graph, args, source) if args.replaces is not None else None
    args.check_sync_mode()
    args.check_buf_size()
    if source is target:
        raise QAPIError("Can't mirror node into itself")
    if source.length != target.length:
        raise QAPIError(SIZE_MISMATCH)
    filter_name = args.filter_node_name
    if filter_name is not None:
        graph.check_node_name(filter_name)
    args.check_job_id()
    job_id = args.job_id or ""
    if job_id in jobs:
        raise QAPIError(f"Job ID '{job_id}' already in use")
    resolved = args.resolve(target.cluster_size)
    plan = MirrorPlan(
        sync=sync,
        zero_target=zero_target,
        target_is_zero=target_is_zero,
        granularity=resolved.granularity,
        buf_size=resolved.buf_size,
        copy_mode=args.copy_mode,
        on_source_error=args.on_source_error,
        on_target_error=args.on_target_error,
    )
    filter_node = MirrorTopNode(
        filter_name or graph.generate_node_name(), source, implicit=filter_name is None
    )
    graph.insert_filter(filter_node, source)
    job = MirrorJob(
        job_id,
        emit,
        graph=graph,
        source=source,
        target=target,
        filter_node=filter_node,
        plan=plan,
        replaces=replaces,
        auto_finalize=args.auto_finalize,
        auto_dismiss=args.auto_dismiss,
        on_gone=on_gone,
    )
    try:
        job.create(args.speed)
    except QAPIError:
        graph.remove_filter(filter_node)
        raise
    if target.read_only:
        job.early_fail()
        graph.remove_filter(filter_node)
        raise QAPIError("Block node is read-only")
    jobs[job_id] = job
    for node in (source, target, filter_node):
        node.blockers[BLOCKER] = job
    source.add_dirty_bitmap(job.bitmap_view)
    filter_node.job = job
    job.start()
    return job
