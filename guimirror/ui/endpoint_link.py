"""One endpoint as the window sees it: a session endpoint, its sampler, and Qt signals.

The endpoint and the sampler are guimirror.session's (built-in engine in-process, a spawned
qemu-storage-daemon, an attached QMP socket); this class adds what the window needs: every
command logged with its reply, every event logged and forwarded as raw JSON, the node and job
lists refreshed (at ``REFRESH_HZ`` and at once after a command or an event), and the session's
samples turned into the plots' rows (QMP-style keys, plus the average throughput).

Run states are the session endpoint's (``idle``, ``opening``, ``running``, ``closing``,
``lost``) plus ``failed`` when opening failed (``error`` says why). Coroutines run in the
caller's task; the refresher and the sampler are tasks of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from qemu.qmp import QMPError

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.session.capabilities import Capabilities
from guimirror.session.client import SessionClient
from guimirror.session.connection import RawEvent
from guimirror.session.endpoint import DaemonEndpoint, Endpoint, EndpointState
from guimirror.session.opening import endpoint_for
from guimirror.session.sampler import JobSample, Sampler
from guimirror.session.tasks import finish_or_cancel
from guimirror.session.uri import (
    BuiltinURI,
    DaemonURI,
    EndpointURI,
    TcpURI,
    UnixURI,
    parse_endpoint_uri,
)

log = logging.getLogger(__name__)

DEFAULT_RATE = 5.0
MAX_RATE = 50.0
REFRESH_HZ = 2.0


class EndpointKind(enum.StrEnum):
    BUILTIN = "built-in"
    DAEMON = "qemu-storage-daemon"
    SOCKET = "socket"


def kind_of(uri: EndpointURI) -> EndpointKind:
    """What the window calls an endpoint of ``uri``: anything not started by guimirror is
    attached, and closing it only disconnects."""
    if isinstance(uri, BuiltinURI):
        return EndpointKind.BUILTIN
    if isinstance(uri, DaemonURI):
        return EndpointKind.DAEMON
    return EndpointKind.SOCKET


def default_name(uri: EndpointURI) -> str:
    """A short name for ``uri``'s endpoint: ``built-in``, ``qsd``, a socket's file name,
    a TCP server's ``host:port``."""
    if isinstance(uri, BuiltinURI):
        return EndpointKind.BUILTIN.value
    if isinstance(uri, DaemonURI):
        return "qsd"
    if isinstance(uri, UnixURI):
        return os.path.basename(uri.path) or "socket"
    if isinstance(uri, TcpURI):
        return str(uri).removeprefix("tcp:")
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
    """An endpoint (built-in engine, spawned daemon or attached socket) with live signals.

    Made from an endpoint URI (or its text: EndpointURIError when it is none) through
    ``guimirror.session.endpoint_for``; ``kind`` follows from the URI. ``uri`` is what
    opens the endpoint again: a spawned daemon's names its socket while it runs and after
    ``detach()``, so that saved, the next start takes that daemon over.
    """

    state_changed = Signal(str)
    nodes_changed = Signal(list)  # raw query-named-block-nodes objects
    jobs_changed = Signal(list)  # raw query-block-jobs objects
    sample = Signal(str, dict)  # job-id, sample
    event_received = Signal(dict)  # raw event
    logged = Signal(float, str, str, object)  # time, endpoint, kind, payload

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
        self.nodes: list[dict[str, Any]] = []
        self.jobs: list[dict[str, Any]] = []
        self.exports: list[dict[str, Any]] = []
        self.endpoint: Endpoint = endpoint_for(self.uri, name=self.name)
        self.endpoint.add_state_listener(lambda _endpoint, _state: self._state_event())
        self.sampler: Sampler | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._first_seen: dict[str, tuple[float, int]] = {}
        self._wake = asyncio.Event()
        self._closing = False

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

    def _state_event(self) -> None:
        if self.endpoint.state is EndpointState.LOST:
            self.error = "the QMP connection was lost"
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
        """Open the endpoint, read its version, start the sampler and the refresher."""
        self.failed = self.detached = self._closing = False
        try:
            await self.endpoint.open()
        except BaseException as err:
            self.error = getattr(err, "desc", None) or str(err) or type(err).__name__
            self.failed = True
            self.state_changed.emit(self.state)
            raise
        if isinstance(self.endpoint, DaemonEndpoint):
            self.uri = self.endpoint.uri
            launcher = self.endpoint.launcher
            if self.endpoint.adoption_error:
                self.logged.emit(time.time(), self.name, "error", {
                    "desc": f"{self.endpoint.adoption_error}; started a new daemon"})
            elif launcher.adopted:
                self.logged.emit(time.time(), self.name, "notice",
                                 f"took over the daemon left running at {self.address} "
                                 f"(pid {launcher.pid})")
        version = self.endpoint.version
        if version is not None:
            raw = version.to_qmp()
            qemu = raw.get("qemu", {})
            self.version = f"{qemu.get('major')}.{qemu.get('minor')}.{qemu.get('micro')}"
            package = str(raw.get("package", "")).strip()
            if package:
                self.version += f" ({package})"
        client = self.endpoint.client
        client.connection.add_event_listener(self._on_event)
        self.sampler = Sampler(client, rate_hz=self.rate)
        self.sampler.add_sample_listener(self._on_sample)
        self.sampler.start()
        self.state_changed.emit(self.state)
        await self.refresh()
        self._refresher = asyncio.get_running_loop().create_task(
            self._refresh_loop(), name=f"refresh-{self.name}"
        )

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
        """End the refresher after the refresh under way (cancelled, its replies would come
        for nobody), then the sampler."""
        refresher, self._refresher = self._refresher, None
        if refresher is not None:
            self._closing = True
            self._wake.set()
            await finish_or_cancel(refresher)
        if self.sampler is not None:
            # A sampler whose server went away ends with that error; closing goes on.
            with contextlib.suppress(QMPError, GuimirrorError, OSError, EOFError):
                await self.sampler.stop()
            self.sampler = None

    def set_rate(self, rate: float) -> None:
        self.rate = max(0.5, min(MAX_RATE, rate))
        if self.sampler is not None:
            self.sampler.rate_hz = self.rate

    # --- commands ------------------------------------------------------------------------

    def _client(self, command: str) -> SessionClient:
        if not self.connected:
            raise LinkStateError(
                f"Endpoint '{self.name}' is {self.state}; it cannot run '{command}'"
            )
        return self.endpoint.client

    async def execute(
        self, command: str, arguments: Mapping[str, Any] | None = None, log_it: bool = True
    ) -> Any:
        """Run a QMP command (caller's task); logs it and its reply or error."""
        client = self._client(command)
        return await self._logged(command, arguments, client.execute(command, arguments),
                                  log_it)

    async def mirror(self, model: BlockdevMirror) -> None:
        """blockdev-mirror through the typed client, so the sampler knows the source node."""
        client = self._client("blockdev-mirror")
        await self._logged("blockdev-mirror", model.to_qmp(), client.blockdev_mirror(model))

    async def _logged(self, command: str, arguments: Mapping[str, Any] | None,
                      call: Any, log_it: bool = True) -> Any:
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
            self.logged.emit(time.time(), self.name, "reply", {"return": result or {}})
            self._wake.set()
        return result

    async def refresh(self) -> None:
        """Read nodes and jobs now and emit them (caller's task)."""
        client = self._client("query-block-jobs")
        nodes = await client.execute("query-named-block-nodes", {"flat": True})
        jobs = await client.execute("query-block-jobs")
        exports = await client.execute("query-block-exports")
        if nodes != self.nodes or exports != self.exports:
            self.nodes = list(nodes)
            self.exports = list(exports)
            self.nodes_changed.emit(self.nodes)
        self.jobs = list(jobs)
        self.jobs_changed.emit(self.jobs)

    # --- events, samples, refreshing ---------------------------------------------------------

    def _on_event(self, raw: RawEvent) -> None:
        event = dict(raw)
        stamp = event.get("timestamp") or {}
        when = float(stamp.get("seconds", time.time())) + float(stamp.get("microseconds", 0)) / 1e6
        self.logged.emit(when, self.name, "event",
                         {k: v for k, v in event.items() if k != "timestamp"})
        self.event_received.emit(event)
        self._wake.set()

    def _on_sample(self, sample: JobSample) -> None:
        first = self._first_seen.setdefault(sample.job_id, (sample.time, sample.offset))
        elapsed = sample.time - first[0]
        average = (sample.offset - first[1]) / elapsed if elapsed > 0 else 0.0
        self.sample.emit(sample.job_id, {
            "time": sample.time,
            "offset": sample.offset,
            "len": sample.len,
            "throughput": sample.throughput,
            "throughput-average": max(0.0, average),
            "dirty-bytes": sample.dirty_bytes,
            "dirty-clusters": sample.dirty_clusters,
            "granularity": sample.granularity,
            "estimate": sample.dirty_estimated,
            "status": str(sample.status),
            "ready": sample.ready,
            "eta": sample.eta,
        })

    async def _refresh_loop(self) -> None:
        """The refresher task: nodes and jobs at REFRESH_HZ, at once after events/commands."""
        while self.connected and not self._closing:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0 / REFRESH_HZ):
                    await self._wake.wait()
            self._wake.clear()
            if not self.connected or self._closing:
                break
            try:
                await self.refresh()
            except GuimirrorError as err:
                log.warning("refreshing %s failed: %s", self.name, err.desc)
            except (OSError, EOFError, QMPError) as err:
                log.warning("refreshing %s failed: %s", self.name, err)
                break
        self.state_changed.emit(self.state)
