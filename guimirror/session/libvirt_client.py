# SPDX-License-Identifier: GPL-2.0-or-later
"""The typed client of a libvirt endpoint: libvirt's block-copy API in QMP's vocabulary.

:class:`LibvirtClient` implements :class:`~guimirror.session.block_client.BlockJobClient`, so
the sampler and the GUI use it as they use a QMP ``SessionClient``:

=============================  ===================================================================
``query_named_block_nodes``    each running domain's disks (:class:`LibvirtDiskInfo`, node-name
                               ``DOMAIN/TARGET``), from its XML and ``virDomainGetBlockInfo``
``query_block_jobs``           ``virDomainGetBlockJobInfo`` per disk: cur/end -> offset/len,
                               bandwidth -> speed; ready from BLOCK_JOB_2 READY or the XML
``blockdev_mirror``            ``virDomainBlockCopy``: target is a file or a block device,
                               raw or qcow2; speed, granularity, buf-size; sync=top -> shallow;
                               copy-mode=write-blocking -> synchronous writes; reuse-external;
                               a transient job for a persistent domain
``block_job_complete``         ``virDomainBlockJobAbort`` with the pivot flag
``block_job_cancel``           ``virDomainBlockJobAbort`` without it
``block_job_set_speed``        ``virDomainBlockJobSetSpeed`` (bytes per second)
=============================  ===================================================================

libvirt has no pause or resume of block jobs, nor error policies, filter node names or
``replaces``: asking for them raises :class:`LibvirtCallError` before any call. Every libvirt
call blocks, so each runs in a worker thread; its refusal reaches the caller as a
:class:`LibvirtCallError` (a ``QAPIError``) with libvirt's text.

Block job events (``VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2``) arrive through libvirt's asyncio event
loop (``libvirtaio``) and become the session's typed events: ``BLOCK_JOB_READY``,
``BLOCK_JOB_COMPLETED`` (with ``error`` when the job failed) and ``BLOCK_JOB_CANCELLED``.

Listing uses read-only calls. QMP pass-through (``virDomainQemuMonitorCommand``) makes libvirt
mark the domain *tainted* (custom-monitor) in its log: it is used only for a domain the user
names with :meth:`LibvirtClient.enable_qmp_passthrough`, and then gives the disks' QEMU node
names and the mirrors' dirty bitmaps (dirty clusters) through ``query-named-block-nodes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import stat
from collections.abc import Callable
from typing import Any, TypeVar

from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.commands import (
    BlockExportInfo,
    BlockJobCancel,
    BlockJobComplete,
    BlockJobPause,
    BlockJobResume,
    BlockJobSetSpeed,
    JobCancel,
    JobComplete,
    QueryNamedBlockNodes,
    VersionInfo,
    VersionTriple,
)
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import (
    BlockJobCancelled,
    BlockJobCompleted,
    BlockJobReady,
    JobStatusChange,
    QAPIEvent,
)
from guimirror.qapi.job import BlockDeviceIoStatus, BlockJobInfo, JobStatus, JobType
from guimirror.qapi.mirror import BlockdevMirror, BlockdevOnError, MirrorCopyMode, MirrorSyncMode
from guimirror.session.client import MirrorRecord
from guimirror.session.event_fanout import EventFanout
from guimirror.session.libvirt_disks import (
    DiskXML,
    LibvirtDiskInfo,
    device_name,
    disk_node,
    disks_of,
    image_virtual_size,
    split_device,
)
from guimirror.session.target_checks import DataMeasure, StartVerdict, judge_start, measure_data
from guimirror.texts import Text

logger = logging.getLogger(__name__)

T = TypeVar("T")

_JOB_TYPES = {  # virDomainBlockJobType -> QAPI's job type
    1: JobType.STREAM,  # PULL
    2: JobType.MIRROR,  # COPY
    3: JobType.COMMIT,
    4: JobType.COMMIT,  # ACTIVE_COMMIT
    5: JobType.BACKUP,
}


class LibvirtCallError(QAPIError):
    """libvirt refused a call (``desc`` is libvirt's text, ``code`` its virErrorNumber), or
    guimirror refused a request libvirt cannot express (``code`` None)."""

    def __init__(self, desc: str, error_class: str = "GenericError", code: int | None = None):
        super().__init__(desc, error_class)
        self.code = code


class LibvirtClient(EventFanout):
    """Typed block-job commands over one libvirt connection (``libvirt.virConnect``).

    Command methods run in the caller's task (libvirt's calls in worker threads). Event
    callbacks run in the event loop's thread, in the task that delivers events.
    ``rebind(connection)`` moves the client to a new connection after libvirtd restarted,
    keeping its listeners and records.
    """

    def __init__(self, connection: Any, *, local: bool) -> None:
        import libvirt

        self._libvirt = libvirt
        self.connection = connection
        self.local = local
        """Whether destinations are paths of this machine (checked before a copy)."""
        self.mirrors: dict[str, MirrorRecord] = {}
        self.copy_targets: dict[str, str] = {}
        """Each copy job's destination by job-id (DOMAIN/TARGET), from the domains' XML: also
        of the copies someone else started."""
        self.passthrough: set[str] = set()
        """Domains whose QEMU monitor guimirror may use (tainted by libvirt)."""
        self._ready: set[str] = set()
        self._last: dict[str, BlockJobInfo] = {}
        super().__init__()
        self._pending: asyncio.Queue[tuple[str, str, int, int]] = asyncio.Queue()
        self._delivery: asyncio.Task[None] | None = None
        self._callback_id: int | None = None

    # --- plumbing ----------------------------------------------------------------------

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker thread; libvirt's error as a LibvirtCallError."""
        try:
            return await asyncio.to_thread(function, *args)
        except self._libvirt.libvirtError as error:
            raise _call_error(error) from None

    def _domain(self, name: str) -> Any:
        """Blocks: the running domain ``name``."""
        return self.connection.lookupByName(name)

    async def _disk(self, device: str) -> tuple[Any, str]:
        try:
            domain_name, target = split_device(device)
        except ValueError as error:
            raise LibvirtCallError(error.args[0], "DeviceNotFound") from None
        return await self._call(self._domain, domain_name), target

    # --- events ------------------------------------------------------------------------

    async def start_events(self) -> None:
        """Register for block job events on the connection (caller's task) and start the task
        that delivers them in order."""
        if self._delivery is None:
            self._delivery = asyncio.create_task(self._deliver_events())
        self._callback_id = await self._call(
            self.connection.domainEventRegisterAny, None,
            self._libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, self._on_block_job, None,
        )

    async def stop_events(self) -> None:
        """Deregister (if the connection still lives) and stop delivering (caller's task)."""
        callback_id, self._callback_id = self._callback_id, None
        if callback_id is not None:
            with contextlib.suppress(LibvirtCallError):
                await self._call(self.connection.domainEventDeregisterAny, callback_id)
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None

    def rebind(self, connection: Any) -> None:
        """Use ``connection`` from now on (libvirtd restarted); call ``start_events`` again."""
        self.connection = connection
        self._callback_id = None

    def _on_block_job(
        self, _connection: Any, domain: Any, disk: str, job_type: int, status: int, _opaque: Any
    ) -> None:
        """libvirt's BLOCK_JOB_2 callback, in the event loop's thread: queue it in order."""
        self._pending.put_nowait((domain.name(), disk, job_type, status))

    async def _deliver_events(self) -> None:
        """Background task: turn each queued libvirt event into its QAPI event, in order."""
        while True:
            domain_name, disk, job_type, status = await self._pending.get()
            device = device_name(domain_name, disk)
            event = await self._event_for(device, job_type, status)
            if event is not None:
                self._emit(event)

    async def _event_for(self, device: str, job_type: int, status: int) -> QAPIEvent | None:
        libvirt = self._libvirt
        kind = _JOB_TYPES.get(job_type, JobType.MIRROR)
        last = self._last.get(device)
        size = last.len if last else 0
        done = last.offset if last else 0
        speed = last.speed if last else 0
        if status == libvirt.VIR_DOMAIN_BLOCK_JOB_READY:
            self._ready.add(device)
            with contextlib.suppress(LibvirtCallError):
                job = await self._job_info(device)
                if job is not None:
                    size, done, speed = job.len, job.offset, job.speed
            return BlockJobReady(type=kind, device=device, len=size, offset=done, speed=speed)
        self._ready.discard(device)
        self._last.pop(device, None)
        if status == libvirt.VIR_DOMAIN_BLOCK_JOB_COMPLETED:
            return BlockJobCompleted(type=kind, device=device, len=size, offset=size, speed=speed)
        if status == libvirt.VIR_DOMAIN_BLOCK_JOB_FAILED:
            return BlockJobCompleted(
                type=kind, device=device, len=size, offset=done, speed=speed,
                error="the block job failed (libvirt's log of the domain says why)",
            )
        if status == libvirt.VIR_DOMAIN_BLOCK_JOB_CANCELED:
            return BlockJobCancelled(type=kind, device=device, len=size, offset=done, speed=speed)
        return None

    def _emit(self, event: QAPIEvent) -> None:
        self.deliver(event)

    # --- block nodes -------------------------------------------------------------------

    async def query_named_block_nodes(
        self, arguments: QueryNamedBlockNodes | None = None
    ) -> list[BlockDeviceInfo]:
        """Every disk with a source of every running domain (``arguments`` change nothing:
        libvirt shows no backing chains here)."""
        nodes: list[BlockDeviceInfo] = []
        for domain_name in await self._call(self._active_domain_names):
            passthrough = domain_name in self.passthrough
            qemu_nodes = await self._qemu_nodes(domain_name) if passthrough else []
            with contextlib.suppress(LibvirtCallError):  # a domain that stopped meanwhile
                nodes.extend(await self._call(self._domain_disks, domain_name, qemu_nodes))
        return nodes

    def _active_domain_names(self) -> list[str]:
        flags = self._libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE
        return sorted(domain.name() for domain in self.connection.listAllDomains(flags))

    def _domain_disks(
        self, domain_name: str, qemu_nodes: list[BlockDeviceInfo]
    ) -> list[LibvirtDiskInfo]:
        """Blocks: the typed disks of one domain."""
        domain = self._domain(domain_name)
        nodes = []
        for disk in disks_of(domain.XMLDesc(0)):
            capacity, allocation, _physical = domain.blockInfo(disk.target)
            own = [node for node in qemu_nodes if node.file == disk.source]
            nodes.append(disk_node(domain_name, disk, capacity, allocation, own))
        return nodes

    async def _qemu_nodes(self, domain_name: str) -> list[BlockDeviceInfo]:
        reply = await self.qmp_passthrough(
            domain_name, "query-named-block-nodes", {"flat": True}
        )
        return [BlockDeviceInfo.model_validate(node) for node in reply or ()]

    # --- mirror and jobs ---------------------------------------------------------------

    async def query_block_jobs(self) -> list[BlockJobInfo]:
        """The block job of every disk of every running domain that has one."""
        jobs: list[BlockJobInfo] = []
        targets: dict[str, str] = {}
        for domain_name in await self._call(self._active_domain_names):
            with contextlib.suppress(LibvirtCallError):
                found = await self._call(self._domain_jobs, domain_name)
                jobs.extend(job for job, _target in found)
                targets.update((job.device, target) for job, target in found if target)
        self._last = {job.device: job for job in jobs}
        self.copy_targets = targets
        return jobs

    def _domain_jobs(self, domain_name: str) -> list[tuple[BlockJobInfo, str]]:
        """Blocks: the block jobs of one domain, each with its copy's destination ('' for
        none)."""
        domain = self._domain(domain_name)
        jobs = []
        for disk in disks_of(domain.XMLDesc(0)):
            job = self._disk_job(domain, domain_name, disk)
            if job is not None:
                jobs.append((job, disk.mirror_source))
        return jobs

    def _disk_job(self, domain: Any, domain_name: str, disk: DiskXML) -> BlockJobInfo | None:
        info = domain.blockJobInfo(
            disk.target, self._libvirt.VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES
        )
        if not info:
            return None
        device = device_name(domain_name, disk.target)
        ready = disk.mirror_ready or device in self._ready
        return BlockJobInfo(
            type=_JOB_TYPES.get(int(info["type"]), JobType.MIRROR), device=device,
            len=int(info["end"]), offset=int(info["cur"]), busy=not ready, paused=False,
            speed=int(info["bandwidth"]), io_status=BlockDeviceIoStatus.OK, ready=ready,
            status=JobStatus.READY if ready else JobStatus.RUNNING,
            auto_finalize=True, auto_dismiss=True,
        )

    async def _job_info(self, device: str) -> BlockJobInfo | None:
        domain_name, _target = split_device(device)
        jobs = await self._call(self._domain_jobs, domain_name)
        return next((job for job, _target in jobs if job.device == device), None)

    async def check_copy(
        self, device: str, target: str, target_format: str = "raw"
    ) -> StartVerdict:
        """What stands before copying ``device`` onto the local ``target``: its size against
        the disk's (another size is refused, as ``blockdev_mirror`` refuses it), and the data
        it holds (``confirmation`` asks before overwriting it). A remote endpoint cannot
        look at the target: the verdict then says nothing of it."""
        domain, disk = await self._disk(device)
        capacity = (await self._call(domain.blockInfo, disk))[0]
        target_size = target_data = None
        if self.local:
            target_size, target_data = await asyncio.to_thread(
                _local_target, target, target_format
            )
        verdict = judge_start(
            device=device, target=target, source_size=capacity, target_size=target_size,
            target_users=[], target_mount_refusal=None, target_data=target_data,
        )
        # The size warning is the only one: libvirt copies onto an existing target of the
        # disk's size only, so there is nothing to start anyway.
        verdict.refusals.extend(verdict.warnings)
        verdict.warnings.clear()
        return verdict

    async def blockdev_mirror(
        self, arguments: BlockdevMirror, *, target_format: str = "raw",
        reuse_external: bool = True,
    ) -> None:
        """Copy ``arguments.device`` (``DOMAIN/TARGET``) onto the file or block device
        ``arguments.target`` with ``virDomainBlockCopy``; the job-id is the device.

        ``reuse_external`` (QMP's blockdev-mirror always writes to an existing target) keeps
        the destination as it is; without it libvirt creates it. A target whose size differs
        from the disk's is refused before the call, as QEMU would refuse it.
        """
        _refuse_unmapped(arguments)
        if target_format not in ("raw", "qcow2"):
            raise LibvirtCallError(Text("the target format is raw or qcow2, not '{format}'",
                                        format=target_format))
        if not arguments.target.startswith("/"):
            raise LibvirtCallError(Text("the target of a libvirt copy is a path, not '{target}'",
                                        target=arguments.target))
        domain, disk = await self._disk(arguments.device)
        if reuse_external and self.local:
            await self._refuse_other_size(domain, disk, arguments.target, target_format)
        libvirt = self._libvirt
        params: dict[str, int] = {}
        if arguments.speed:
            params[libvirt.VIR_DOMAIN_BLOCK_COPY_BANDWIDTH] = arguments.speed
        if arguments.granularity:
            params[libvirt.VIR_DOMAIN_BLOCK_COPY_GRANULARITY] = arguments.granularity
        if arguments.buf_size:
            params[libvirt.VIR_DOMAIN_BLOCK_COPY_BUF_SIZE] = arguments.buf_size
        flags = 0
        if reuse_external:
            flags |= libvirt.VIR_DOMAIN_BLOCK_COPY_REUSE_EXT
        if arguments.sync is MirrorSyncMode.TOP:
            flags |= libvirt.VIR_DOMAIN_BLOCK_COPY_SHALLOW
        if arguments.copy_mode is MirrorCopyMode.WRITE_BLOCKING:
            flags |= libvirt.VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES
        if await self._call(domain.isPersistent):
            # libvirt keeps no copy job across a restart of a persistent domain's definition.
            flags |= libvirt.VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB
        block = await asyncio.to_thread(_is_block_device, arguments.target, self.local)
        await self._call(
            domain.blockCopy, disk, _destination_xml(arguments.target, target_format, block),
            params, flags,
        )
        self._ready.discard(arguments.device)
        self.mirrors[arguments.device] = MirrorRecord(
            arguments.device, arguments.device, arguments.target, arguments.granularity or 0
        )
        self._emit(JobStatusChange(id=arguments.device, status=JobStatus.CREATED))

    async def _refuse_other_size(
        self, domain: Any, disk: str, target: str, target_format: str
    ) -> None:
        size, _data = await asyncio.to_thread(_local_target, target, target_format)
        if size is None:
            return
        capacity = (await self._call(domain.blockInfo, disk))[0]
        if size is not None and size != capacity:
            # QEMU's words first, as QEMU would refuse it.
            raise LibvirtCallError(Text(
                "{qemu}: the disk '{disk}' is {capacity} bytes, '{target}' is {size} bytes",
                qemu="Source and target image have different sizes", disk=disk,
                capacity=capacity, target=target, size=size))

    async def block_job_set_speed(self, arguments: BlockJobSetSpeed) -> None:
        domain, disk = await self._disk(arguments.device)
        flag = self._libvirt.VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES
        await self._call(domain.blockJobSetSpeed, disk, arguments.speed, flag)

    async def block_job_complete(self, arguments: BlockJobComplete) -> None:
        """Pivot: the disk goes on from the copy (``virDomainBlockJobAbort`` + PIVOT)."""
        await self._abort(arguments.device, self._libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)

    async def job_complete(self, arguments: JobComplete) -> None:
        await self._abort(arguments.id, self._libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)

    async def block_job_cancel(self, arguments: BlockJobCancel) -> None:
        """End the copy; the disk stays on its source."""
        await self._abort(arguments.device, 0)

    async def job_cancel(self, arguments: JobCancel) -> None:
        await self._abort(arguments.id, 0)

    async def _abort(self, device: str, flags: int) -> None:
        domain, disk = await self._disk(device)
        await self._call(domain.blockJobAbort, disk, flags)

    async def block_job_pause(self, arguments: BlockJobPause) -> None:
        raise LibvirtCallError(Text("libvirt cannot pause a block job"), "CommandNotFound")

    async def block_job_resume(self, arguments: BlockJobResume) -> None:
        raise LibvirtCallError(Text("libvirt cannot resume a block job"), "CommandNotFound")

    async def query_block_exports(self) -> list[BlockExportInfo]:
        """libvirt's copies have no NBD exports of guimirror's."""
        return []

    # --- QMP pass-through --------------------------------------------------------------

    def enable_qmp_passthrough(self, domain_name: str) -> None:
        """Let guimirror send QMP commands to ``domain_name``'s QEMU through libvirt.

        libvirt then marks the domain tainted (custom-monitor) in its log for as long as it
        runs: a support case may be declined for it. Only on the user's explicit choice.
        """
        logger.warning(
            "QMP pass-through on for domain %s: libvirt marks it tainted (custom-monitor)",
            domain_name,
        )
        self.passthrough.add(domain_name)

    def disable_qmp_passthrough(self, domain_name: str) -> None:
        self.passthrough.discard(domain_name)

    async def qmp_passthrough(
        self, domain_name: str, command: str, arguments: dict[str, Any] | None = None
    ) -> Any:
        """Send one QMP command to the domain's QEMU; its ``return`` as JSON. Refused unless
        pass-through is on for the domain (:meth:`enable_qmp_passthrough`)."""
        if domain_name not in self.passthrough:
            raise LibvirtCallError(Text(
                "QMP pass-through is off for domain '{domain}' (turning it on taints the "
                "domain in libvirt)", domain=domain_name))
        import libvirt_qemu

        message = json.dumps({"execute": command, "arguments": arguments or {}})
        domain = await self._call(self._domain, domain_name)
        reply = json.loads(await self._call(libvirt_qemu.qemuMonitorCommand, domain, message, 0))
        if "error" in reply:
            error = reply["error"]
            raise QAPIError(str(error.get("desc")), str(error.get("class", "GenericError")))
        return reply.get("return")

    # --- the server itself -------------------------------------------------------------

    async def query_version(self) -> VersionInfo:
        """QEMU's version as libvirt reports it, and libvirt's own as the package."""
        hypervisor = await self._call(self.connection.getVersion)
        library = await self._call(self.connection.getLibVersion)
        return VersionInfo(
            qemu=_version_triple(hypervisor), package=f"libvirt {_dotted(library)}"
        )


def _call_error(error: Any) -> LibvirtCallError:
    message = error.get_error_message() or str(error)
    return LibvirtCallError(message, "GenericError", error.get_error_code())


def _refuse_unmapped(arguments: BlockdevMirror) -> None:
    """Raise for what virDomainBlockCopy cannot express."""
    refusals: list[str] = []
    if arguments.job_id not in (None, arguments.device):
        refusals.append(Text("a job-id other than the disk (libvirt names a disk's job by the "
                             "disk)"))
    if arguments.sync not in (MirrorSyncMode.FULL, MirrorSyncMode.TOP):
        refusals.append(Text("sync '{sync}' (libvirt copies full or top)",
                             sync=arguments.sync.value))
    if arguments.replaces is not None:
        refusals.append("replaces")
    if arguments.filter_node_name is not None:
        refusals.append("filter-node-name")
    for name, policy in (("on-source-error", arguments.on_source_error),
                         ("on-target-error", arguments.on_target_error)):
        if policy is not BlockdevOnError.REPORT:
            refusals.append(f"{name} '{policy}'")
    if not arguments.auto_finalize or not arguments.auto_dismiss:
        refusals.append(Text("manual finalize or dismiss"))
    if refusals:
        listed = functools.reduce(
            lambda first, second: Text("{first}; {second}", first=first, second=second),
            refusals)
        raise LibvirtCallError(Text("libvirt's block copy cannot take {refusals}",
                                    refusals=listed))


def _destination_xml(path: str, target_format: str, block: bool) -> str:
    from xml.sax.saxutils import quoteattr

    kind, attribute = ("block", "dev") if block else ("file", "file")
    return (
        f"<disk type='{kind}'><driver type='{target_format}'/>"
        f"<source {attribute}={quoteattr(path)}/></disk>"
    )


def _is_block_device(path: str, local: bool) -> bool:
    """Blocks: whether ``path`` is a block device (remote: whether it is under /dev)."""
    if not local:
        return path.startswith("/dev/")
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def _local_target(path: str, image_format: str) -> tuple[int | None, DataMeasure | None]:
    """Blocks: the guest-visible size of a local raw or qcow2 image or device and the data
    it holds; (None, None) when there is nothing at ``path``."""
    if not os.path.exists(path):
        return None, None
    with open(path, "rb") as image:
        header = image.read(32)
        size = image.seek(0, os.SEEK_END)
    return image_virtual_size(header, size, image_format), measure_data(path)


def _version_triple(number: int) -> VersionTriple:
    return VersionTriple(
        major=number // 1_000_000, minor=number // 1000 % 1000, micro=number % 1000
    )


def _dotted(number: int) -> str:
    triple = _version_triple(number)
    return f"{triple.major}.{triple.minor}.{triple.micro}"

