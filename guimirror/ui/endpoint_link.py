# SPDX-License-Identifier: GPL-2.0-or-later
"""One endpoint as the window sees it: a session endpoint, its sampler, and Qt signals.

The endpoint and the sampler are guimirror.session's (built-in engine in-process, a spawned
qemu-storage-daemon, an attached QMP socket, a libvirtd's VMs); this class adds what the window
needs: every command logged with its reply (as QMP JSON), every event logged, and the sampler's
snapshots turned into typed signals. The sampler is the one poller of the endpoint: the link
asks it for a round after each command's reply (and the sampler takes one on each event), and
never polls itself.

Run states are the session endpoint's (``idle``, ``opening``, ``running``, ``closing``,
``lost``) plus ``failed`` when opening failed (``error`` says why). Coroutines run in the
caller's task; the sampler is a task of its own, and the signals are emitted from it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from qemu.qmp import QMPError

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.base import QAPIModel
from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.commands import BlockExportInfo
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import QAPIEvent
from guimirror.qapi.job import BlockJobInfo
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.session.capabilities import Capabilities
from guimirror.session.client import SessionClient
from guimirror.session.connection import RawEvent
from guimirror.session.endpoint import DaemonEndpoint, Endpoint, EndpointState
from guimirror.session.job_ends import GRAPH_COMMAND, JobEdges, JobEnds, job_edges, mirror_ends
from guimirror.session.libvirt_client import LibvirtClient
from guimirror.session.libvirt_endpoint import LibvirtEndpoint
from guimirror.session.libvirt_uri import LibvirtSshURI, LibvirtURI
from guimirror.session.opening import endpoint_for
from guimirror.session.sampler import EndpointSnapshot, Sampler
from guimirror.session.uri import (
    BuiltinURI,
    DaemonURI,
    EndpointURI,
    TcpURI,
    UnixURI,
    parse_endpoint_uri,
)
from guimirror.ui.translated import core_text, error_text

log = logging.getLogger(__name__)

DEFAULT_RATE = 5.0
MAX_RATE = 50.0
ROUND_PATIENCE = 10.0
"""Seconds ``refresh()`` waits for the round it asked for."""

ArgumentsT = TypeVar("ArgumentsT", bound=QAPIModel)
ResultT = TypeVar("ResultT")


class EndpointKind(enum.StrEnum):
    BUILTIN = "built-in"
    DAEMON = "qemu-storage-daemon"
    SOCKET = "socket"
    LIBVIRT = "libvirt"


def kind_of(uri: EndpointURI) -> EndpointKind:
    """What the window calls an endpoint of ``uri``: anything not started by guimirror is
    attached, and closing it only disconnects."""
    if isinstance(uri, BuiltinURI):
        return EndpointKind.BUILTIN
    if isinstance(uri, DaemonURI):
        return EndpointKind.DAEMON
    if isinstance(uri, LibvirtURI | LibvirtSshURI):
        return EndpointKind.LIBVIRT
    return EndpointKind.SOCKET


def default_name(uri: EndpointURI) -> str:
    """A short name for ``uri``'s endpoint: ``built-in``, ``qsd``, a socket's file name,
    a TCP server's ``host:port``, ``libvirt qemu:///system`` for a libvirtd."""
    if isinstance(uri, BuiltinURI):
        return EndpointKind.BUILTIN.value
    if isinstance(uri, DaemonURI):
        return "qsd"
    if isinstance(uri, UnixURI):
        return os.path.basename(uri.path) or "socket"
    if isinstance(uri, TcpURI):
        return str(uri).removeprefix("tcp:")
    if isinstance(uri, LibvirtURI | LibvirtSshURI):
        return f"{EndpointKind.LIBVIRT.value} {uri}"
    return str(uri)


def where(uri: EndpointURI) -> str:
    """Where an attached endpoint is, short enough for the sidebar: a socket's directory
    and file name (two ``qmp.sock`` differ there), a TCP server's host and port."""
    if isinstance(uri, UnixURI):
        parent = os.path.basename(os.path.dirname(uri.path))
        return f"{parent}/{os.path.basename(uri.path)}" if parent else uri.path
    if isinstance(uri, TcpURI):
        return str(uri).removeprefix("tcp:")
    return ""


class LinkStateError(StateError):
    """A request the endpoint's state does not allow."""


class EndpointLink(QObject):
    """An endpoint (built-in engine, spawned daemon, attached socket, libvirtd) with live
    signals.

    Made from an endpoint URI (or its text: EndpointURIError when it is none) through
    ``guimirror.session.endpoint_for``; ``kind`` follows from the URI. ``uri`` is what
    opens the endpoint again: a spawned daemon's names its socket while it runs and after
    ``detach()``, so that saved, the next start takes that daemon over.
    """

    state_changed = Signal(str)
    nodes_changed = Signal(list)  # list[BlockDeviceInfo] (and the exports changed: .exports)
    jobs_changed = Signal(list)  # list[BlockJobInfo], when more than offset and len changed
    sample = Signal(object)  # JobSample, every job of every round
    event_received = Signal(object)  # QAPIEvent (its name: type(event).EVENT)
    logged = Signal(float, str, str, object)  # time, endpoint, kind, QMP JSON payload

    def __init__(
        self,
        uri: EndpointURI | str,
        name: str | None = None,
        rate: float = DEFAULT_RATE,
    ) -> None:
        super().__init__()
        self.uri: EndpointURI = parse_endpoint_uri(uri) if isinstance(uri, str) else uri
        self.name = name or default_name(self.uri)
        self.kind = kind_of(self.uri)
        self.rate = max(0.5, min(MAX_RATE, rate))
        self.error = ""
        self.failed = False
        self.detached = False
        """A spawned daemon left running (``detach()``)."""
        self.version = ""
        self.nodes: list[BlockDeviceInfo] = []
        self.jobs: list[BlockJobInfo] = []
        self.exports: list[BlockExportInfo] = []
        self.endpoint: Endpoint = endpoint_for(self.uri, name=self.name)
        self.endpoint.add_state_listener(lambda _endpoint, _state: self._state_event())
        self.sampler: Sampler | None = None
        self._round_waiters: list[asyncio.Future[None]] = []
        self.job_ends: dict[str, JobEnds] = {}
        """Each mirror's source and target, also of mirrors someone else started."""
        self._edges: dict[str, JobEdges] = {}
        self._graph_asked: set[str] = set()
        self._graph_task: asyncio.Task[None] | None = None
        self._jobs_shape: list[tuple[object, ...]] | None = None

    @classmethod
    def from_uri(cls, text: str, name: str | None = None,
                 rate: float = DEFAULT_RATE) -> EndpointLink:
        """The link for the URI ``text``; EndpointURIError when it is none."""
        return cls(parse_endpoint_uri(text), name, rate)

    @property
    def address(self) -> str | tuple[str, int] | None:
        """A socket's path or (host, port); a spawned daemon's QMP socket while it runs or
        after ``detach()`` (else None)."""
        uri = self.uri
        if isinstance(uri, DaemonURI):
            return uri.socket
        if isinstance(uri, UnixURI):
            return uri.path
        if isinstance(uri, TcpURI):
            return (uri.host, uri.port)
        return None

    @property
    def capabilities(self) -> Capabilities | None:
        """What the engine serves, once it has opened (None before)."""
        if self.endpoint.state not in (EndpointState.RUNNING, EndpointState.LOST):
            return None
        return self.endpoint.capabilities

    # --- life -------------------------------------------------------------------------

    @property
    def state(self) -> str:
        if self.failed:
            return "failed"
        return "detached" if self.detached else self.endpoint.state.value

    @property
    def connected(self) -> bool:
        return self.endpoint.state is EndpointState.RUNNING

    @property
    def libvirt(self) -> bool:
        """Whether libvirt runs this endpoint's VMs: no QMP of its own, targets are paths."""
        return isinstance(self.endpoint, LibvirtEndpoint)

    def why_not(self, command: str, argument: str | None = None) -> str | None:
        """Why this endpoint cannot run ``command`` (or take its ``argument``); None when
        it can or while that is not known."""
        capabilities = self.capabilities
        if capabilities is None or capabilities.has(command, argument):
            return None
        why_absent = getattr(capabilities, "why_absent", None)
        if why_absent is not None:
            return str(why_absent(command, argument))
        what = command if argument is None else self.tr("{0}'s argument {1}").format(
            command, argument)
        return self.tr("{0} does not serve {1}").format(self.name, what)

    def _state_event(self) -> None:
        if self.endpoint.state is EndpointState.LOST:
            lost = getattr(self.endpoint, "lost_reason", "")
            self.error = (self.tr("the libvirt connection was lost ({0})").format(lost)
                          if self.libvirt else self.tr("the QMP connection was lost"))
        self.state_changed.emit(self.state)

    @property
    def engine(self) -> Any:
        """The in-process engine of a built-in endpoint, else None."""
        return getattr(self.endpoint, "engine", None)

    @property
    def stderr(self) -> str:
        """What a spawned daemon printed on stderr."""
        return str(getattr(self.endpoint, "stderr", ""))

    async def start(self) -> None:
        """Open the endpoint, read its version, start the sampler; returns after its first
        round."""
        self.failed = self.detached = False
        self._jobs_shape = None
        try:
            await self.endpoint.open()
        except BaseException as err:
            self.error = error_text(err) or type(err).__name__
            self.failed = True
            self.state_changed.emit(self.state)
            raise
        if isinstance(self.endpoint, DaemonEndpoint):
            self.uri = self.endpoint.uri
            launcher = self.endpoint.launcher
            if self.endpoint.adoption_error:
                self.logged.emit(time.time(), self.name, "error", {
                    "desc": self.tr("{0}; started a new daemon").format(
                        core_text(self.endpoint.adoption_error))})
            elif launcher.adopted:
                self.logged.emit(time.time(), self.name, "notice",
                                 self.tr("took over the daemon left running at {0} "
                                         "(pid {1})").format(self.address, launcher.pid))
        version = self.endpoint.version
        if version is not None:
            raw = version.to_qmp()
            qemu = raw.get("qemu", {})
            self.version = f"{qemu.get('major')}.{qemu.get('minor')}.{qemu.get('micro')}"
            package = str(raw.get("package", "")).strip()
            if package:
                self.version += f" ({package})"
        client = self.endpoint.client
        if isinstance(client, LibvirtClient):
            client.add_event_listener(self._log_typed_event)
        else:
            client.connection.add_event_listener(self._log_event)
        self.sampler = Sampler(client, rate_hz=self.rate)
        self.sampler.add_snapshot_listener(self._on_snapshot)
        self.sampler.add_event_listener(self.event_received.emit)
        first_round = self._next_round()
        self.sampler.start()
        self.state_changed.emit(self.state)
        await self._wait_round(first_round)

    async def close(self) -> None:
        """Stop sampling and close the endpoint: the built-in engine cancels its jobs (never
        a pivot), a spawned daemon quits, a socket only disconnects (its jobs go on). A
        detached daemon is no longer this link's to close."""
        if self.detached:
            return
        await self._stop_watching()
        if self.endpoint.state in (EndpointState.RUNNING, EndpointState.LOST):
            await self.endpoint.close()
        if isinstance(self.uri, DaemonURI):
            self.uri = DaemonURI(self.uri.binary)

    async def detach(self) -> None:
        """Stop sampling and leave a spawned daemon running with its jobs; ``address`` keeps
        its socket, through which the next start takes it over again."""
        if not isinstance(self.endpoint, DaemonEndpoint):
            raise LinkStateError(f"Endpoint '{self.name}' is not a daemon guimirror started")
        await self._stop_watching()
        socket = await self.endpoint.detach()
        assert isinstance(self.uri, DaemonURI)
        self.uri = DaemonURI(self.uri.binary, socket)
        self.detached = True
        self.state_changed.emit(self.state)

    async def _stop_watching(self) -> None:
        """Stop the sampler after the round under way (its replies would come for nobody)."""
        graph_task, self._graph_task = self._graph_task, None
        if graph_task is not None:
            graph_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await graph_task
        if self.sampler is not None:
            # A sampler whose server went away ends with that error; closing goes on.
            with contextlib.suppress(QMPError, GuimirrorError, OSError, EOFError):
                await self.sampler.stop()
            self.sampler = None
        for waiter in self._round_waiters:
            waiter.cancel()
        self._round_waiters.clear()

    def set_rate(self, rate: float) -> None:
        self.rate = max(0.5, min(MAX_RATE, rate))
        if self.sampler is not None:
            self.sampler.rate_hz = self.rate

    # --- commands ------------------------------------------------------------------------

    def _client(self, command: str) -> Any:
        """The endpoint's typed client (a SessionClient, or a LibvirtClient)."""
        if not self.connected:
            raise LinkStateError(
                self.tr("Endpoint '{0}' is {1}; it cannot run '{2}'").format(
                    self.name, self.state, command)
            )
        return self.endpoint.client

    async def call(
        self,
        method: Callable[[SessionClient, ArgumentsT], Awaitable[ResultT]],
        arguments: ArgumentsT,
    ) -> ResultT:
        """Run a typed command of ``SessionClient`` (caller's task), e.g.
        ``await link.call(SessionClient.job_pause, JobPause(id="mirror0"))``: logged with its
        reply or error as QMP JSON, then a sampler round asked for.

        The command runs as the endpoint's own client has it (a libvirt endpoint's client
        has the same methods); one that client lacks raises LinkStateError saying why."""
        command = method.__name__.replace("_", "-")
        client = self._client(command)
        bound = getattr(client, method.__name__, None)
        why = self.why_not(command) if self.libvirt else None
        if bound is None or why is not None:
            raise LinkStateError(self.tr("{0} cannot run {1}: {2}").format(
                self.name, command, why or self.tr("its client has no such command")))
        return await self._logged(command, arguments.to_qmp(), bound(arguments))

    async def execute(
        self, command: str, arguments: Mapping[str, Any] | None = None, log_it: bool = True
    ) -> Any:
        """Run any QMP command untyped (caller's task), for what the models do not cover;
        logged like ``call``. A libvirt endpoint has no QMP of its own: LinkStateError."""
        client = self._client(command)
        if not isinstance(client, SessionClient):
            raise LinkStateError(self.tr("{0} cannot run {1}: {2}").format(
                self.name, command,
                self.why_not(command) or self.tr("libvirt speaks no QMP here")))
        return await self._logged(command, arguments, client.execute(command, arguments),
                                  log_it)

    async def mirror(self, model: BlockdevMirror, target_format: str = "raw") -> None:
        """blockdev-mirror through the typed client, so the sampler knows the source node.

        On a libvirt endpoint the target is a path and ``target_format`` its format (raw or
        qcow2): virDomainBlockCopy onto the existing file or block device."""
        client = self._client("blockdev-mirror")
        if isinstance(client, LibvirtClient):
            arguments = {**model.to_qmp(), "format": target_format}
            await self._logged("blockdev-mirror", arguments, client.blockdev_mirror(
                model, target_format=target_format, reuse_external=True))
            return
        await self.call(SessionClient.blockdev_mirror, model)

    async def _logged(self, command: str, arguments: Mapping[str, Any] | None,
                      call: Awaitable[ResultT], log_it: bool = True) -> ResultT:
        message: dict[str, Any] = {"execute": command}
        if arguments:
            message["arguments"] = dict(arguments)
        if log_it:
            self.logged.emit(time.time(), self.name, "command", message)
        try:
            result = await call
        except QAPIError as err:
            if log_it:
                self.logged.emit(time.time(), self.name, "error",
                                 {"class": err.error_class, "desc": err.desc})
            raise
        if log_it:
            self.logged.emit(time.time(), self.name, "reply", {"return": _as_qmp(result)})
            if self.sampler is not None:
                self.sampler.request_round()
        return result

    async def refresh(self) -> None:
        """Ask the sampler for a round reading every list and wait until it is delivered
        (caller's task)."""
        self._client("query-block-jobs")
        if self.sampler is None:
            raise LinkStateError(f"Endpoint '{self.name}' is not sampled")
        waiter = self._next_round()
        self.sampler.request_round()
        await self._wait_round(waiter)

    def _next_round(self) -> asyncio.Future[None]:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._round_waiters.append(waiter)
        return waiter

    async def _wait_round(self, waiter: asyncio.Future[None]) -> None:
        try:
            async with asyncio.timeout(ROUND_PATIENCE):
                await waiter
        except TimeoutError:
            raise LinkStateError(
                f"Endpoint '{self.name}' did not answer its sampler within "
                f"{ROUND_PATIENCE:g} s"
            ) from None
        finally:
            with contextlib.suppress(ValueError):
                self._round_waiters.remove(waiter)

    # --- events and snapshots ---------------------------------------------------------------

    def _log_event(self, raw: RawEvent) -> None:
        """The connection's reader task: every event into the log as QMP JSON."""
        event = dict(raw)
        stamp = event.get("timestamp") or {}
        when = float(stamp.get("seconds", time.time())) + float(stamp.get("microseconds", 0)) / 1e6
        self.logged.emit(when, self.name, "event",
                         {k: v for k, v in event.items() if k != "timestamp"})

    def _log_typed_event(self, event: QAPIEvent) -> None:
        """A libvirt client's event (delivery task): into the log as QMP JSON."""
        self.logged.emit(time.time(), self.name, "event",
                         {"event": type(event).EVENT, "data": event.to_qmp()})

    def _on_snapshot(self, snapshot: EndpointSnapshot) -> None:
        """The sampler's task: one round into the signals. Nodes and exports keep their last
        reading in a round that did not read them; ``nodes_changed`` only when either
        changed."""
        nodes = self.nodes if snapshot.nodes is None else list(snapshot.nodes)
        exports = self.exports if snapshot.exports is None else list(snapshot.exports)
        if nodes != self.nodes or exports != self.exports:
            self.nodes, self.exports = nodes, exports
            self.nodes_changed.emit(self.nodes)
        self.jobs = list(snapshot.jobs)
        client = self.endpoint.client
        self.job_ends = mirror_ends(self.jobs, self.nodes, client.mirrors, self._edges)
        if isinstance(client, LibvirtClient):
            # libvirt names a copy by its disk, and the domain's XML names its destination.
            self.job_ends.update(
                (job.device, JobEnds(job.device, client.copy_targets.get(job.device)))
                for job in self.jobs if job.device not in client.mirrors)
        unknown = {job.device for job in self.jobs
                   if job.type == "mirror" and job.device not in client.mirrors}
        if unknown - self._graph_asked and self._graph_task is None and not self.libvirt:
            self._graph_asked |= unknown
            self._graph_task = asyncio.get_running_loop().create_task(self._read_graph())
        # offset and len move every round: the samples carry them; the rest only now and then.
        shape: list[tuple[object, ...]] = [
            (job.device, job.status, job.ready, job.paused, job.speed, job.io_status,
             job.auto_finalize, job.auto_dismiss, job.actively_synced,
             self.job_ends.get(job.device))
            for job in self.jobs]
        if shape != self._jobs_shape:
            self._jobs_shape = shape
            self.jobs_changed.emit(self.jobs)
        for sample in snapshot.samples:
            self.sample.emit(sample)
        if snapshot.nodes is not None and snapshot.exports is not None:
            waiters, self._round_waiters = self._round_waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)


    async def _read_graph(self) -> None:
        """A task of its own, once per mirror found that this client did not start: the
        jobs' edges from the block graph, where the engine lists it, for their targets."""
        try:
            graph = await self.endpoint.client.execute(GRAPH_COMMAND)
            self._edges = job_edges(graph)
        except (GuimirrorError, QMPError, OSError, EOFError) as err:
            log.info("%s: no block graph (%s); attached jobs show no target", self.name, err)
        finally:
            self._graph_task = None
        if self.sampler is not None:
            self.sampler.request_round()


def _as_qmp(result: Any) -> Any:
    """A reply as the log shows it: QMP JSON (``{}`` for none)."""
    if result is None:
        return {}
    if isinstance(result, QAPIModel):
        return result.to_qmp()
    if isinstance(result, list):
        return [_as_qmp(item) for item in result]
    return result

