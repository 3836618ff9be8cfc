# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoints and the typed client against a real qemu-storage-daemon (and the built-in engine
where the scenario names it): run states and guards, typed replies and errors, events,
reattaching to a daemon that already runs a job, and losing a daemon."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator

import pytest

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import BlockJobSetSpeed, JobCancel, JobComplete
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import BlockJobCompleted, BlockJobReady, JobStatusChange, QAPIEvent
from guimirror.qapi.job import JobStatus
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.client import SessionClient
from guimirror.session.connection import QMPCommandError
from guimirror.session.endpoint import (
    BuiltinEndpoint,
    DaemonEndpoint,
    Endpoint,
    EndpointError,
    EndpointState,
    EndpointStateError,
    SocketEndpoint,
)
from guimirror.session.launcher import DaemonLauncher
from guimirror.session.sampler import Sampler

from ..support import require_tools

MiB = 1024 * 1024


@pytest.fixture
def images() -> Iterator[str]:
    """A directory with src.img (4 MiB of data) and tgt.img (4 MiB hole)."""
    require_tools("qemu-storage-daemon")
    directory = tempfile.mkdtemp(prefix="gm-sess-")
    with open(os.path.join(directory, "src.img"), "wb") as f:
        f.write(os.urandom(4 * MiB))
    with open(os.path.join(directory, "tgt.img"), "wb") as f:
        f.truncate(4 * MiB)
    yield directory
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    os.rmdir(directory)


def raw_file(node: str, path: str) -> BlockdevOptions:
    return parse_arguments(
        BlockdevOptions,
        {"driver": "raw", "node-name": node, "file": {"driver": "file", "filename": path}},
    )


async def add_pair(client: SessionClient, directory: str) -> None:
    await client.blockdev_add(raw_file("src", f"{directory}/src.img"))
    await client.blockdev_add(raw_file("tgt", f"{directory}/tgt.img"))


def test_daemon_endpoint_runs_a_mirror_with_typed_models(images: str) -> None:
    async def scenario() -> list[QAPIEvent]:
        endpoint = DaemonEndpoint("qsd")
        states: list[EndpointState] = []
        endpoint.add_state_listener(lambda _endpoint, state: states.append(state))
        with pytest.raises(EndpointStateError, match="Endpoint 'qsd' is idle"):
            _ = endpoint.client
        await endpoint.open()
        events: list[QAPIEvent] = []
        try:
            client = endpoint.client
            client.add_event_listener(events.append)
            assert endpoint.version is not None and endpoint.version.qemu.major >= 7
            assert endpoint.attached_jobs == []
            await add_pair(client, images)
            nodes = {node.node_name: node for node in await client.query_named_block_nodes()}
            assert nodes["src"].drv == "raw" and nodes["src"].image.virtual_size == 4 * MiB
            async with client.events() as stream:
                await client.blockdev_mirror(
                    BlockdevMirror(job_id="j1", device="src", target="tgt",
                                   sync=MirrorSyncMode.FULL)
                )
                async for event in stream:
                    if isinstance(event, BlockJobReady):
                        break
            jobs = await client.query_block_jobs()
            assert [(job.device, job.status, job.ready) for job in jobs] == [
                ("j1", JobStatus.READY, True)
            ]
            await client.job_complete(JobComplete(id="j1"))
            for _ in range(200):
                if any(isinstance(event, BlockJobCompleted) for event in events):
                    break
                await asyncio.sleep(0.01)
        finally:
            await endpoint.close()
        assert states == [EndpointState.OPENING, EndpointState.RUNNING,
                          EndpointState.CLOSING, EndpointState.IDLE]
        assert endpoint.launcher.returncode == 0
        return events

    events = asyncio.run(scenario())
    statuses = [e.status for e in events if isinstance(e, JobStatusChange)]
    assert statuses[:3] == [JobStatus.CREATED, JobStatus.RUNNING, JobStatus.READY]
    completed = [e for e in events if isinstance(e, BlockJobCompleted)]
    assert len(completed) == 1 and completed[0].error is None
    assert completed[0].offset == completed[0].len == 4 * MiB


def test_errors_carry_qemus_class_and_text(images: str) -> None:
    async def scenario() -> None:
        async with DaemonEndpoint("qsd") as endpoint:
            client = endpoint.client
            with pytest.raises(QMPCommandError) as caught:
                await client.blockdev_mirror(
                    BlockdevMirror(job_id="j1", device="nope", target="tgt",
                                   sync=MirrorSyncMode.FULL)
                )
            assert isinstance(caught.value, QAPIError)
            assert caught.value.error_class == "GenericError"
            assert caught.value.desc == "Cannot find device='nope' nor node-name='nope'"
            assert caught.value.command == "blockdev-mirror"
            with pytest.raises(QMPCommandError) as caught:
                await client.block_job_set_speed(BlockJobSetSpeed(device="nojob", speed=1))
            assert caught.value.error_class == "DeviceNotActive"
            assert caught.value.desc == "Block job 'nojob' not found"
            # The endpoint stays usable after errors.
            assert await client.query_block_jobs() == []

    asyncio.run(scenario())


def test_reattach_shows_the_jobs_already_running(images: str) -> None:
    async def scenario() -> None:
        launcher = DaemonLauncher()
        path = await launcher.start()
        try:
            first = SocketEndpoint("first", path)
            await first.open()
            await add_pair(first.client, images)
            await first.client.blockdev_mirror(
                BlockdevMirror(job_id="slow", device="src", target="tgt",
                               sync=MirrorSyncMode.FULL, speed=1, buf_size=65536)
            )
            await first.close()
            assert first.state is EndpointState.IDLE
            async with SocketEndpoint("second", path) as second:
                assert [(job.device, job.status) for job in second.attached_jobs] == [
                    ("slow", JobStatus.RUNNING)
                ]
                # This client did not start the job, yet its one mirror bitmap is found.
                [sample] = await Sampler(second.client).poll_once()
                assert sample.job_id == "slow" and not sample.dirty_estimated
                assert sample.dirty_bytes > 0 and sample.granularity == 65536
                await second.client.job_cancel(JobCancel(id="slow"))
        finally:
            await launcher.stop()

    asyncio.run(scenario())


def test_a_daemon_that_dies_leaves_the_endpoint_lost(images: str) -> None:
    async def scenario() -> None:
        endpoint = DaemonEndpoint("qsd")
        await endpoint.open()
        pid = endpoint.launcher.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):
            if endpoint.state is EndpointState.LOST:
                break
            await asyncio.sleep(0.01)
        assert endpoint.state is EndpointState.LOST
        with pytest.raises(EndpointStateError, match="is lost"):
            _ = endpoint.client
        await endpoint.close()
        assert endpoint.state in (EndpointState.IDLE,)
        # It can be opened again: a fresh daemon.
        await endpoint.open()
        assert await endpoint.client.query_block_jobs() == []
        await endpoint.close()

    asyncio.run(scenario())


def test_daemon_startup_failure_reports_stderr() -> None:
    require_tools("qemu-storage-daemon")

    async def scenario() -> None:
        endpoint = DaemonEndpoint("bad", extra_args=["--object", "nosuchobject,id=x"])
        with pytest.raises(EndpointError, match="nosuchobject"):
            await endpoint.open()
        assert endpoint.state is EndpointState.IDLE
        assert "nosuchobject" in endpoint.stderr

    asyncio.run(scenario())


def test_connecting_to_nothing_is_a_clear_error() -> None:
    async def scenario() -> None:
        endpoint = SocketEndpoint("none", "/nonexistent/qmp.sock")
        with pytest.raises(EndpointError, match="cannot open 'none'"):
            await endpoint.open()
        assert endpoint.state is EndpointState.IDLE

    asyncio.run(scenario())


def test_several_endpoints_at_once_close_together(images: str) -> None:
    async def scenario() -> None:
        endpoints = [DaemonEndpoint(name) for name in ("one", "two")]
        await asyncio.gather(*(endpoint.open() for endpoint in endpoints))
        pids = [endpoint.launcher.pid for endpoint in endpoints]
        assert len(set(pids)) == 2
        versions = [await e.client.query_version() for e in endpoints]
        assert all(v.qemu.major >= 7 for v in versions)
        await asyncio.gather(*(endpoint.close() for endpoint in endpoints))
        assert all(endpoint.state is EndpointState.IDLE for endpoint in endpoints)
        for pid in pids:
            assert pid is not None
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)

    asyncio.run(scenario())


def test_builtin_endpoint_runs_the_engine_in_process(images: str) -> None:
    async def scenario() -> None:
        endpoint = BuiltinEndpoint("builtin")
        assert endpoint.engine is None
        await endpoint.open()
        engine = endpoint.engine
        assert engine is not None
        client = endpoint.client
        await add_pair(client, images)
        await client.blockdev_mirror(
            BlockdevMirror(job_id="slow", device="src", target="tgt",
                           sync=MirrorSyncMode.FULL, speed=1, buf_size=65536)
        )
        jobs = await client.query_block_jobs()
        assert [(job.device, job.status) for job in jobs] == [("slow", JobStatus.RUNNING)]
        # Closing cancels the engine's running jobs and drops the engine it created.
        await endpoint.close()
        assert endpoint.state in (EndpointState.IDLE,)
        assert endpoint.engine is None
        assert await engine.query_block_jobs() == []
        with pytest.raises(EndpointStateError, match="is idle"):
            _ = endpoint.client

    asyncio.run(scenario())


def test_quit_on_the_builtin_endpoint_shuts_its_engine_down_like_a_daemon(images: str) -> None:
    async def scenario() -> None:
        endpoint = BuiltinEndpoint("builtin")
        await endpoint.open()
        engine = endpoint.engine
        assert engine is not None
        client = endpoint.client
        await add_pair(client, images)
        await client.blockdev_mirror(
            BlockdevMirror(job_id="slow", device="src", target="tgt",
                           sync=MirrorSyncMode.FULL, speed=1, buf_size=65536)
        )
        seen: list[str] = []
        client.add_event_listener(lambda event: seen.append(type(event).EVENT))
        await client.quit()
        # The job's last events came before the reply, as from qemu-storage-daemon.
        assert "BLOCK_JOB_CANCELLED" in seen
        assert await engine.query_block_jobs() == []
        for _ in range(200):
            if endpoint.state is EndpointState.LOST:
                break
            await asyncio.sleep(0.01)
        assert endpoint.state is EndpointState.LOST
        await endpoint.close()
        assert endpoint.state in (EndpointState.IDLE,)

    asyncio.run(scenario())


def test_builtin_endpoint_with_a_given_engine_reattaches(images: str) -> None:
    from guimirror.engine.engine import Engine

    async def scenario() -> None:
        engine = Engine()
        try:
            async with BuiltinEndpoint("first", engine=engine) as first:
                await add_pair(first.client, images)
                await first.client.blockdev_mirror(
                    BlockdevMirror(job_id="slow", device="src", target="tgt",
                                   sync=MirrorSyncMode.FULL, speed=1, buf_size=65536)
                )
            # The engine was given, so it outlives the endpoint, and its job with it.
            async with BuiltinEndpoint("second", engine=engine) as second:
                assert [job.device for job in second.attached_jobs] == ["slow"]
                await second.client.job_cancel(JobCancel(id="slow"))
        finally:
            await engine.close()

    asyncio.run(scenario())


def test_socket_endpoint_attaches_over_tcp_loopback_and_unix() -> None:
    from guimirror.engine.engine import Engine
    from guimirror.qmp.server import QMPServer

    async def scenario() -> None:
        engine = Engine()
        server = QMPServer(engine)
        directory = tempfile.mkdtemp(prefix="gm-tcp-")
        try:
            host, port = await server.start_tcp("127.0.0.1", 0)
            await server.start_unix(os.path.join(directory, "qmp.sock"))
            tcp = SocketEndpoint("tcp", (host, port))
            unix = SocketEndpoint("unix", os.path.join(directory, "qmp.sock"))
            endpoints: list[Endpoint] = [tcp, unix]
            await tcp.open()
            await unix.open()
            names = {command.name for command in await tcp.client.query_commands()}
            assert {"blockdev-mirror", "query-block-jobs", "job-complete"} <= names
            assert (await unix.client.query_block_jobs()) == []
            await asyncio.gather(*(endpoint.close() for endpoint in endpoints))
            # Closing an attached endpoint only disconnects: the server still serves.
            async with SocketEndpoint("again", (host, port)) as again:
                assert await again.client.query_block_jobs() == []
        finally:
            await server.close()
            await engine.close()
            os.rmdir(directory)

    asyncio.run(scenario())


def test_a_daemon_that_crashes_while_starting_is_started_again(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tools("qemu-storage-daemon")
    # A stand-in for qemu-storage-daemon 7.2's occasional SIGSEGV at start: the first run
    # dies of SIGSEGV, later runs are the real daemon.
    wrapper = tmp_path / "crash-once-qsd"
    wrapper.write_text(
        "#!/bin/sh\n"
        'if [ ! -e "$CRASH_FLAG" ]; then touch "$CRASH_FLAG"; kill -SEGV $$; fi\n'
        'exec qemu-storage-daemon "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("CRASH_FLAG", str(tmp_path / "crashed"))

    async def scenario() -> None:
        endpoint = DaemonEndpoint("crashy", binary=str(wrapper))
        await endpoint.open()
        try:
            assert (tmp_path / "crashed").exists()
            assert await endpoint.client.query_block_jobs() == []
        finally:
            await endpoint.close()

    asyncio.run(scenario())


def test_a_detached_daemon_runs_its_job_on_and_is_taken_over_again(images: str) -> None:
    async def scenario() -> None:
        first = DaemonEndpoint("qsd")
        await first.open()
        pid = first.launcher.pid
        assert pid is not None
        try:
            await add_pair(first.client, images)
            await first.client.blockdev_mirror(
                BlockdevMirror(job_id="slow", device="src", target="tgt",
                               sync=MirrorSyncMode.FULL, speed=1, buf_size=65536)
            )
            path = await first.detach()
            assert first.state is EndpointState.IDLE
            os.kill(pid, 0)  # still running, without its launcher

            second = DaemonEndpoint("qsd", adopt=path)
            await second.open()
            assert second.launcher.adopted and second.launcher.pid == pid
            assert second.adoption_error == ""
            assert [(job.device, job.status) for job in second.attached_jobs] == [
                ("slow", JobStatus.RUNNING)
            ]
            # Closing stops the adopted daemon (quit over this client), as any of ours.
            await second.close()
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
            assert not await asyncio.to_thread(os.path.exists, os.path.dirname(path))

            # Its socket now leads nowhere: the next endpoint given it starts a new daemon.
            third = DaemonEndpoint("qsd", adopt=path)
            async with third:
                assert not third.launcher.adopted and third.launcher.pid != pid
                assert third.adoption_error.startswith("no daemon runs in")
                assert await third.client.query_block_jobs() == []
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    asyncio.run(scenario())


DETACH_AND_EXIT = """
import asyncio, sys
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.endpoint import DaemonEndpoint
from tests.session.test_endpoints import add_pair

async def main():
    endpoint = DaemonEndpoint("qsd")
    await endpoint.open()
    await add_pair(endpoint.client, sys.argv[1])
    await endpoint.client.blockdev_mirror(BlockdevMirror(
        job_id="slow", device="src", target="tgt", sync=MirrorSyncMode.FULL, speed=1,
        buf_size=65536))
    print(await endpoint.detach())

asyncio.run(main())
"""


def test_a_daemon_left_by_a_process_that_ended_is_taken_over(images: str) -> None:
    """What a restart of guimirror does: the daemon outlives the process that started it."""
    root = pathlib.Path(__file__).resolve().parents[2]
    ended = subprocess.run([sys.executable, "-c", DETACH_AND_EXIT, images], cwd=root,
                           capture_output=True, text=True, timeout=60)
    assert ended.returncode == 0, ended.stderr
    path = ended.stdout.strip()

    async def scenario() -> None:
        endpoint = DaemonEndpoint("qsd", adopt=path)
        await endpoint.open()
        pid = endpoint.launcher.pid
        assert pid is not None
        try:
            assert endpoint.launcher.adopted
            assert [(job.device, job.status) for job in endpoint.attached_jobs] == [
                ("slow", JobStatus.RUNNING)
            ]
            await endpoint.close()
            # Not our child: no exit status, but its exit was seen and its directory is gone.
            assert endpoint.launcher.exited and endpoint.launcher.returncode is None
            assert not await asyncio.to_thread(os.path.exists, os.path.dirname(path))
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    asyncio.run(scenario())


def test_a_taken_over_daemon_is_left_running_when_opening_fails_half_way(
        images: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon and its job were there before the endpoint: a failed open must not stop
    them. The open is cancelled after the takeover, while it waits for query-version; a
    version reply that never comes stands in for a daemon that hangs right then, which a
    real one cannot be made to do on cue."""
    asked = asyncio.Event()

    async def version_that_never_comes(self: SessionClient) -> None:
        asked.set()
        await asyncio.Event().wait()

    async def scenario() -> None:
        first = DaemonEndpoint("qsd")
        await first.open()
        pid = first.launcher.pid
        assert pid is not None
        try:
            await add_pair(first.client, images)
            await first.client.blockdev_mirror(
                BlockdevMirror(job_id="slow", device="src", target="tgt",
                               sync=MirrorSyncMode.FULL, speed=1, buf_size=65536)
            )
            path = await first.detach()
            second = DaemonEndpoint("qsd", adopt=path)
            monkeypatch.setattr(SessionClient, "query_version", version_that_never_comes)
            opening = asyncio.create_task(second.open())
            await asyncio.wait_for(asked.wait(), 20)
            assert second.launcher.adopted
            opening.cancel()
            with pytest.raises(asyncio.CancelledError):
                await opening
            monkeypatch.undo()
            assert second.state is EndpointState.IDLE
            os.kill(pid, 0)  # still running
            async with DaemonEndpoint("qsd", adopt=path) as third:
                assert third.launcher.pid == pid
                assert [job.device for job in third.attached_jobs] == ["slow"]
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    asyncio.run(scenario())
