# SPDX-License-Identifier: GPL-2.0-or-later
"""The libvirt endpoint against a real libvirtd and real QEMU domains
(tests/libvirt/fixtures.py)."""

from __future__ import annotations

import asyncio
import filecmp
import subprocess
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

import pytest

from guimirror.errors import GuimirrorError
from guimirror.qapi.commands import (
    BlockJobCancel,
    BlockJobComplete,
    BlockJobPause,
    BlockJobSetSpeed,
)
from guimirror.qapi.events import (
    BlockJobCancelled,
    BlockJobCompleted,
    BlockJobReady,
    JobStatusChange,
    QAPIEvent,
)
from guimirror.qapi.job import BlockJobInfo
from guimirror.qapi.mirror import BlockdevMirror, BlockdevOnError
from guimirror.session import EndpointState, Sampler, open_endpoint
from guimirror.session.libvirt_client import LibvirtCallError, LibvirtClient
from guimirror.session.libvirt_disks import LibvirtDiskInfo
from guimirror.session.libvirt_endpoint import LibvirtEndpoint
from tests.libvirt.fixtures import DISK_SIZE, URI, Daemons, Domain

T = TypeVar("T")
EventT = TypeVar("EventT", bound=QAPIEvent)
SLOW = 256 * 1024
"""A speed at which copying the 4 MiB disk takes about 16 s: the job is there to act on.
QEMU paces a mirror between buffers, so a slow copy takes a small ``buf-size`` too."""
SMALL_BUFFER = 64 * 1024


def run(scenario: Callable[[], Coroutine[Any, Any, T]], timeout: float = 60) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(timeout):
            return await scenario()

    return asyncio.run(bounded())


async def opened() -> tuple[LibvirtEndpoint, LibvirtClient]:
    endpoint = await open_endpoint(URI)
    assert isinstance(endpoint, LibvirtEndpoint)
    return endpoint, endpoint.client


async def next_event(stream: AsyncIterator[QAPIEvent], kind: type[EventT], device: str) -> EventT:
    async for event in stream:
        if isinstance(event, kind) and getattr(event, "device", None) == device:
            return event
    raise AssertionError("the event stream ended")


async def jobs_of(client: LibvirtClient, domain: Domain) -> list[BlockJobInfo]:
    """The block jobs of ``domain`` (other domains may run on the same libvirtd)."""
    return [job for job in await client.query_block_jobs()
            if job.device.startswith(f"{domain.name}/")]


def test_lists_the_running_domains_disks(domain: Domain) -> None:
    async def scenario() -> None:
        endpoint, client = await opened()
        try:
            nodes = {node.node_name: node for node in await client.query_named_block_nodes()}
            disk = nodes[domain.device]
            assert isinstance(disk, LibvirtDiskInfo)
            assert (disk.domain, disk.target, disk.file, disk.drv) == (
                domain.name, "vda", str(domain.disk), "raw")
            assert disk.image.virtual_size == DISK_SIZE
            assert disk.image.actual_size == DISK_SIZE
            assert disk.qemu_node_names == []
            assert endpoint.version is not None and endpoint.version.package.startswith("libvirt")
            assert await jobs_of(client, domain) == []
        finally:
            await endpoint.close()
        assert endpoint.state is EndpointState.IDLE

    run(scenario)


def test_copy_reaches_ready_and_pivot_moves_the_disk(domain: Domain) -> None:
    target = domain.image("copy.raw")

    async def scenario() -> None:
        endpoint, client = await opened()
        try:
            async with client.events() as stream:
                await client.blockdev_mirror(BlockdevMirror(
                    device=domain.device, target=str(target), sync="full",
                    granularity=65536, buf_size=1 << 20,
                ))
                created = await anext(stream)
                assert created == JobStatusChange(id=domain.device, status="created")
                ready = await next_event(stream, BlockJobReady, domain.device)
                assert ready.len == ready.offset == DISK_SIZE
                (job,) = await jobs_of(client, domain)
                assert (job.device, job.type, job.ready, job.status) == (
                    domain.device, "mirror", True, "ready")
                await client.block_job_complete(BlockJobComplete(device=domain.device))
                done = await next_event(stream, BlockJobCompleted, domain.device)
                assert done.error is None
            assert await jobs_of(client, domain) == []
        finally:
            await endpoint.close()

    run(scenario)
    assert domain.source() == str(target)
    assert filecmp.cmp(domain.disk, target, shallow=False)
    listed = subprocess.run(["virsh", "-c", URI, "domblklist", domain.name],
                            capture_output=True, text=True, check=True).stdout
    assert str(target) in listed


def test_shallow_write_blocking_copy_to_a_new_qcow2(domain: Domain) -> None:
    """sync=top, copy-mode=write-blocking, and libvirt creating the destination itself."""
    target = domain.directory / "made-by-libvirt.qcow2"

    async def scenario() -> None:
        endpoint, client = await opened()
        try:
            async with client.events() as stream:
                await client.blockdev_mirror(
                    BlockdevMirror(device=domain.device, target=str(target), sync="top",
                                   copy_mode="write-blocking"),
                    target_format="qcow2", reuse_external=False,
                )
                await next_event(stream, BlockJobReady, domain.device)
                await client.block_job_complete(BlockJobComplete(device=domain.device))
                await next_event(stream, BlockJobCompleted, domain.device)
        finally:
            await endpoint.close()

    run(scenario)
    assert domain.source() == str(target)
    assert "type='qcow2'" in domain.xml()
    subprocess.run(["qemu-img", "compare", "-q", "-U", "-f", "raw", "-F", "qcow2",
                    str(domain.disk), str(target)], check=True)


def test_cancel_leaves_the_disk_on_its_source_and_speed_changes(domain: Domain) -> None:
    target = domain.image("copy.raw")

    async def scenario() -> None:
        endpoint, client = await opened()
        try:
            async with client.events() as stream:
                await client.blockdev_mirror(BlockdevMirror(
                    device=domain.device, target=str(target), sync="full", speed=SLOW,
                buf_size=SMALL_BUFFER))
                (job,) = await jobs_of(client, domain)
                assert (job.speed, job.ready, job.len) == (SLOW, False, DISK_SIZE)
                await client.block_job_set_speed(
                    BlockJobSetSpeed(device=domain.device, speed=2 * SLOW))
                (job,) = await jobs_of(client, domain)
                assert job.speed == 2 * SLOW
                with pytest.raises(LibvirtCallError, match="cannot pause"):
                    await client.block_job_pause(BlockJobPause(device=domain.device))
                await client.block_job_cancel(BlockJobCancel(device=domain.device))
                cancelled = await next_event(stream, BlockJobCancelled, domain.device)
                assert cancelled.len == DISK_SIZE and cancelled.speed == 2 * SLOW
            assert await jobs_of(client, domain) == []
        finally:
            await endpoint.close()

    run(scenario)
    assert domain.source() == str(domain.disk)


def test_refusals_before_libvirt_is_asked(domain: Domain) -> None:
    small = domain.image("small.raw", size=DISK_SIZE // 2)
    full = domain.image("full.raw")
    full.write_bytes(b"\xa5" * DISK_SIZE)
    empty = domain.image("empty.raw")

    async def scenario() -> None:
        endpoint, client = await opened()
        try:
            with pytest.raises(LibvirtCallError, match="different sizes") as caught:
                await client.blockdev_mirror(
                    BlockdevMirror(device=domain.device, target=str(small), sync="full"))
            assert caught.value.code is None
            with pytest.raises(LibvirtCallError, match="on-target-error 'ignore'"):
                await client.blockdev_mirror(BlockdevMirror(
                    device=domain.device, target=str(empty), sync="full",
                    on_target_error=BlockdevOnError.IGNORE))
            with pytest.raises(LibvirtCallError, match="sync 'none'"):
                await client.blockdev_mirror(
                    BlockdevMirror(device=domain.device, target=str(empty), sync="none"))
            assert await jobs_of(client, domain) == []

            verdict = await client.check_copy(domain.device, str(full))
            assert verdict.allowed and verdict.confirmation is not None
            assert "4.0 MiB" in verdict.confirmation or "4 MiB" in verdict.confirmation
            verdict = await client.check_copy(domain.device, str(empty))
            assert verdict.allowed and verdict.confirmation is None and not verdict.warnings
            verdict = await client.check_copy(domain.device, str(small))
            assert not verdict.allowed and not verdict.warnings
            assert "different sizes" in verdict.refusals[0]
        finally:
            await endpoint.close()

    run(scenario)


def test_libvirts_own_refusal_reaches_the_caller(domain: Domain) -> None:
    """A destination libvirt cannot create: its text, as a GuimirrorError."""
    target = domain.directory / "no-such-directory" / "copy.raw"

    async def scenario() -> None:
        endpoint, client = await opened()
        try:
            with pytest.raises(GuimirrorError) as caught:
                await client.blockdev_mirror(
                    BlockdevMirror(device=domain.device, target=str(target), sync="full"),
                    reuse_external=False)
            assert isinstance(caught.value, LibvirtCallError)
            assert caught.value.code is not None
            assert "No such file or directory" in caught.value.desc
            assert await jobs_of(client, domain) == []
        finally:
            await endpoint.close()

    run(scenario)
    assert domain.source() == str(domain.disk)


def test_a_persistent_domain_copies_with_a_transient_job(
    make_domain: Callable[..., Domain],
) -> None:
    domain = make_domain(persistent=True)
    target = domain.image("copy.raw")

    async def scenario() -> None:
        endpoint, client = await opened()
        try:
            async with client.events() as stream:
                await client.blockdev_mirror(
                    BlockdevMirror(device=domain.device, target=str(target), sync="full"))
                await next_event(stream, BlockJobReady, domain.device)
                await client.block_job_complete(BlockJobComplete(device=domain.device))
                await next_event(stream, BlockJobCompleted, domain.device)
        finally:
            await endpoint.close()

    run(scenario)
    assert domain.source() == str(target)


def test_passthrough_gives_node_names_and_the_sampler_dirty_clusters(domain: Domain) -> None:
    target = domain.image("copy.raw")

    async def scenario() -> None:
        endpoint, client = await opened()
        sampler = Sampler(client)
        try:
            with pytest.raises(LibvirtCallError, match="pass-through is off"):
                await client.qmp_passthrough(domain.name, "query-block-jobs")
            await client.blockdev_mirror(BlockdevMirror(
                device=domain.device, target=str(target), sync="full", speed=SLOW,
                granularity=65536, buf_size=SMALL_BUFFER))
            (estimated,) = [one for one in await sampler.poll_once() if one.job_id == domain.device]
            assert estimated.dirty_estimated and estimated.job_id == domain.device

            client.enable_qmp_passthrough(domain.name)
            nodes = {node.node_name: node for node in await client.query_named_block_nodes()}
            disk = nodes[domain.device]
            assert isinstance(disk, LibvirtDiskInfo) and disk.qemu_node_names
            sampler.request_round()  # a round that reads the nodes
            (sample,) = [one for one in await sampler.poll_once() if one.job_id == domain.device]
            assert not sample.dirty_estimated
            assert sample.granularity == 65536
            assert 0 < sample.dirty_bytes <= DISK_SIZE
            assert sample.dirty_clusters == -(-sample.dirty_bytes // 65536)
            await client.block_job_cancel(BlockJobCancel(device=domain.device))
        finally:
            await endpoint.close()

    run(scenario)
    assert "custom-monitor" in domain.log()


def test_a_libvirtd_restart_during_a_copy(domain: Domain, libvirtd: Daemons) -> None:
    """QEMU copies on; the endpoint goes LOST, reconnects, and shows the job again."""
    if "libvirtd" not in libvirtd.started:
        pytest.skip("restarts only a libvirtd the tests started")
    target = domain.image("copy.raw")

    async def scenario() -> None:
        endpoint, client = await opened()
        states: list[EndpointState] = []
        back = asyncio.Event()

        def on_state(_endpoint: object, state: EndpointState) -> None:
            states.append(state)
            if state is EndpointState.RUNNING:
                back.set()

        endpoint.add_state_listener(on_state)
        try:
            await client.blockdev_mirror(BlockdevMirror(
                device=domain.device, target=str(target), sync="full", speed=SLOW,
                buf_size=SMALL_BUFFER))
            await asyncio.to_thread(libvirtd.restart_libvirtd)
            await back.wait()
            assert states == [EndpointState.LOST, EndpointState.RUNNING]
            assert endpoint.client is client
            assert [job.device for job in endpoint.attached_jobs] == [domain.device]
            async with client.events() as stream:
                await client.block_job_set_speed(BlockJobSetSpeed(device=domain.device, speed=0))
                await next_event(stream, BlockJobReady, domain.device)
                await client.block_job_complete(BlockJobComplete(device=domain.device))
                await next_event(stream, BlockJobCompleted, domain.device)
        finally:
            await endpoint.close()

    run(scenario, timeout=90)
    assert domain.source() == str(target)
