"""One endpoint as the window sees it: a QMP connection, its sampler, and Qt signals.

Three kinds, as the session layer defines them: the built-in engine in-process (served over
a socketpair on this same loop), a qemu-storage-daemon that guimirror spawns, and an existing
QMP socket. Every command goes over QMP (the one road: form -> model -> client -> QMP ->
engine) and is logged with its reply; every event is logged and forwarded.

The sampler task polls ``query-block-jobs`` and ``query-named-block-nodes`` at ``rate`` Hz
and emits per job a sample: time, offset, len, throughput (smoothed), dirty bytes and dirty
clusters (the job's anonymous bitmap on the source node; where none is visible, (len -
offset) / granularity, flagged as an estimate), status, ready and ETA.

Run states: ``idle`` -> ``connecting`` -> ``connected`` -> ``closing`` -> ``closed`` (or
``failed`` with ``error``). Coroutines run in the caller's task; the sampler is its own task.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import default_granularity
from guimirror.session.connection import QMPConnection, RawEvent

log = logging.getLogger(__name__)

DEFAULT_RATE = 5.0
MAX_RATE = 50.0
SMOOTHING = 0.3


class EndpointKind(enum.StrEnum):
    BUILTIN = "built-in"
    DAEMON = "qemu-storage-daemon"
    SOCKET = "socket"


class LinkState(enum.StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CLOSING = "closing"
    CLOSED = "closed"
    FAILED = "failed"


class LinkStateError(QAPIError):
    """A request the endpoint's state does not allow."""


@dataclass
class _JobTrack:
    """What the sampler remembers of one job between polls."""

    device: str = ""
    cluster_size: int | None = None
    granularity: int | None = None
    first_time: float | None = None
    first_offset: int = 0
    last_time: float | None = None
    last_offset: int = 0
    throughput: float = 0.0
    samples: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class EndpointLink(QObject):
    """An endpoint (built-in engine, spawned daemon or attached socket) with live signals."""

    state_changed = Signal(str)
    nodes_changed = Signal(list)  # raw query-named-block-nodes objects
    jobs_changed = Signal(list)  # raw query-block-jobs objects
    sample = Signal(str, dict)  # job-id, sample
    event_received = Signal(dict)  # raw event
    logged = Signal(float, str, str, object)  # time, endpoint, kind, payload

    def __init__(
        self,
        name: str,
        kind: EndpointKind,
        address: str | tuple[str, int] | None = None,
        rate: float = DEFAULT_RATE,
    ) -> None:
        super().__init__()
        self.name = name
        self.kind = kind
        self.address = address
        self.rate = rate
        self.state = LinkState.IDLE
        self.error = ""
        self.version = ""
        self.nodes: list[dict[str, Any]] = []
        self.jobs: list[dict[str, Any]] = []
        self._connection = QMPConnection(name)
        self._connection.add_event_listener(self._on_event)
        self._engine: Any = None
        self._server: Any = None
        self._launcher: Any = None
        self._sampler: asyncio.Task[None] | None = None
        self._tracks: dict[str, _JobTrack] = {}
        self._wake = asyncio.Event()

    # --- life -------------------------------------------------------------------------

    def _set_state(self, state: LinkState) -> None:
        self.state = state
        self.state_changed.emit(state.value)

    @property
    def engine(self) -> Any:
        """The in-process engine of a built-in endpoint (for shutdown only), else None."""
        return self._engine

    @property
    def stderr(self) -> str:
        """What a spawned daemon printed on stderr."""
        return "" if self._launcher is None else str(self._launcher.stderr)

    async def start(self) -> None:
        """Start or reach the endpoint, negotiate, read its version and start sampling."""
        if self.state is not LinkState.IDLE:
            raise LinkStateError(f"endpoint '{self.name}' is {self.state.value}; cannot connect")
        self._set_state(LinkState.CONNECTING)
        try:
            address = await self._open()
            await self._connection.connect(address)
            version = await self.execute("query-version", log_it=False)
            qemu = version.get("qemu", {})
            package = str(version.get("package", "")).strip()
            self.version = f"{qemu.get('major')}.{qemu.get('minor')}.{qemu.get('micro')}"
            if package:
                self.version += f" ({package})"
        except BaseException as err:
            self.error = getattr(err, "desc", None) or str(err) or type(err).__name__
            await self._teardown()
            self._set_state(LinkState.FAILED)
            raise
        self._set_state(LinkState.CONNECTED)
        await self.refresh()
        self._sampler = asyncio.get_running_loop().create_task(
            self._sample_loop(), name=f"sampler-{self.name}"
        )

    async def _open(self) -> str | tuple[str, int] | socket.socket:
        if self.kind is EndpointKind.BUILTIN:
            from guimirror.engine.engine import Engine
            from guimirror.qmp.server import QMPServer

            self._engine = Engine()
            self._server = QMPServer(self._engine)
            ours, theirs = socket.socketpair()
            await self._server.serve_socket(theirs)
            return ours
        if self.kind is EndpointKind.DAEMON:
            from guimirror.qmp.launcher import DaemonLauncher

            self._launcher = DaemonLauncher(name=self.name)
            path: str = await self._launcher.start()
            self.address = path
            return path
        if self.address is None:
            raise LinkStateError(f"endpoint '{self.name}' has no socket address")
        return self.address

    def detach_daemon(self) -> None:
        """Leave a spawned daemon running when this endpoint closes (its jobs go on); its
        socket stays at ``address`` for a later attach."""
        self._launcher = None

    async def close(self) -> None:
        """Stop sampling and disconnect; a built-in engine cancels its jobs (never a pivot),
        a spawned daemon is told to quit. QEMU endpoints one attached to keep their jobs."""
        if self.state in (LinkState.CLOSING, LinkState.CLOSED):
            return
        self._set_state(LinkState.CLOSING)
        await self._teardown()
        self._set_state(LinkState.CLOSED)

    async def _teardown(self) -> None:
        sampler, self._sampler = self._sampler, None
        if sampler is not None:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        if self._launcher is not None:
            launcher = self._launcher

            async def quit_daemon() -> None:
                await self._connection.execute("quit")

            with contextlib.suppress(Exception):
                await launcher.stop(quit_command=quit_daemon)
        await self._connection.disconnect()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.close()
        if self._engine is not None:
            with contextlib.suppress(Exception):
                await self._engine.close()

    # --- commands ------------------------------------------------------------------------

    async def execute(
        self, command: str, arguments: Mapping[str, Any] | None = None, log_it: bool = True
    ) -> Any:
        """Run a QMP command (caller's task); logs it and its reply or error."""
        message: dict[str, Any] = {"execute": command}
        if arguments:
            message["arguments"] = dict(arguments)
        if log_it:
            self.logged.emit(time.time(), self.name, "command", message)
        try:
            result = await self._connection.execute(command, arguments)
        except QAPIError as err:
            if log_it:
                self.logged.emit(time.time(), self.name, "error",
                                 {"class": err.error_class, "desc": err.desc})
            raise
        if log_it:
            self.logged.emit(time.time(), self.name, "reply", {"return": result})
        if command not in ("query-version", "query-block-jobs", "query-named-block-nodes"):
            self._wake.set()
        return result

    async def refresh(self) -> None:
        """Read nodes and jobs now and emit them."""
        nodes = await self.execute("query-named-block-nodes", {"flat": True}, log_it=False)
        jobs = await self.execute("query-block-jobs", log_it=False)
        self._publish(nodes, jobs)

    def track_mirror(self, job_id: str, device: str, granularity: int = 0) -> None:
        """Tell the sampler which node holds a new job's bitmap (known from the command)."""
        track = self._tracks.setdefault(job_id, _JobTrack())
        track.device = device
        if granularity:
            track.granularity = granularity

    def set_rate(self, rate: float) -> None:
        self.rate = max(0.5, min(MAX_RATE, rate))
        self._wake.set()

    # --- events and sampling -----------------------------------------------------------------

    def _on_event(self, raw: RawEvent) -> None:
        event = dict(raw)
        stamp = event.get("timestamp") or {}
        when = float(stamp.get("seconds", time.time())) + float(stamp.get("microseconds", 0)) / 1e6
        self.logged.emit(when, self.name, "event", {k: v for k, v in event.items()
                                                    if k != "timestamp"})
        self.event_received.emit(event)
        self._wake.set()

    async def _sample_loop(self) -> None:
        """The sampler task: poll at ``rate`` Hz; an event or a command polls at once."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0 / self.rate)
            self._wake.clear()
            try:
                await self.refresh()
            except QAPIError as err:
                log.warning("sampling %s failed: %s", self.name, err.desc)
                if self._connection.runstate.name != "RUNNING":
                    self.error = f"connection lost: {err.desc}"
                    self._set_state(LinkState.FAILED)
                    return
            except (OSError, EOFError) as err:
                self.error = f"connection lost: {err}"
                self._set_state(LinkState.FAILED)
                return

    def _publish(self, nodes: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> None:
        now = time.monotonic()
        by_name = {str(node.get("node-name")): node for node in nodes}
        if nodes != self.nodes:
            self.nodes = nodes
            self.nodes_changed.emit(nodes)
        self.jobs = jobs
        self.jobs_changed.emit(jobs)
        for job in jobs:
            job_id = str(job.get("device"))
            track = self._tracks.setdefault(job_id, _JobTrack())
            self.sample.emit(job_id, self._sample(job, track, by_name, now))
        for gone in set(self._tracks) - {str(job.get("device")) for job in jobs}:
            del self._tracks[gone]

    @staticmethod
    def _sample(
        job: Mapping[str, Any], track: _JobTrack, nodes: Mapping[str, Any], now: float
    ) -> dict[str, Any]:
        offset, length = int(job.get("offset", 0)), int(job.get("len", 0))
        if track.first_time is None:
            track.first_time, track.first_offset = now, offset
        if track.last_time is not None and now > track.last_time:
            instant = max(0, offset - track.last_offset) / (now - track.last_time)
            track.throughput = (
                instant if track.samples <= 1
                else SMOOTHING * instant + (1 - SMOOTHING) * track.throughput
            )
        track.last_time, track.last_offset = now, offset
        track.samples += 1
        elapsed = now - track.first_time
        average = (offset - track.first_offset) / elapsed if elapsed > 0 else 0.0
        bitmap = None
        source = nodes.get(track.device)
        if source is not None:
            bitmap = next(
                (b for b in source.get("dirty-bitmaps") or [] if not b.get("name")), None
            )
        if bitmap is not None:
            granularity = int(bitmap.get("granularity") or 65536)
            dirty_bytes = int(bitmap.get("count", 0))
            estimate = False
        else:
            granularity = track.granularity or default_granularity(None)
            dirty_bytes = max(0, length - offset)
            estimate = True
        remaining = max(0, length - offset)
        rate = track.throughput or average
        eta = remaining / rate if rate > 0 and not job.get("ready") else None
        return {
            "time": now,
            "offset": offset,
            "len": length,
            "throughput": track.throughput,
            "throughput-average": average,
            "dirty-bytes": dirty_bytes,
            "dirty-clusters": -(-dirty_bytes // granularity),
            "estimate": estimate,
            "status": str(job.get("status", "")),
            "ready": bool(job.get("ready", False)),
            "eta": eta,
        }
