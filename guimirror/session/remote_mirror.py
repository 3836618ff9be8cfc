# SPDX-License-Identifier: GPL-2.0-or-later
"""A mirror from a node on one host to a node on another, over NBD, as QEMU does it.

The target host exports its node (``nbd-server-start``, ``block-export-add`` writable), the
source host opens the export with an ``nbd`` node and ``blockdev-mirror`` copies to that node.
How the source reaches the server is the :data:`NbdRoute`:

* :class:`LocalRoute`: a unix socket in a private directory on this host (both hosts are this
  one);
* :class:`TcpRoute`: the target host listens on ``host:port`` and the source connects there
  (guimirror's engine refuses a plaintext server off loopback: give :class:`NbdTls`);
* :class:`SshForwardRoute`: the target is an ``ssh`` endpoint and the source is on this host;
  the server listens on a unix socket in a private directory on the target host, and the ssh
  master connection of the target endpoint forwards a local socket to it (for as long as that
  connection lasts). The data crosses the network inside ssh.

With :class:`NbdTls` the server uses the target host's tls-creds-x509 object (endpoint=server)
and the nbd node the source host's (endpoint=client).

:class:`RemoteMirror` runs the steps in order and remembers the undo of each step done. A
failure at any step undoes the steps before it, in reverse, and raises. Once the mirror runs,
``wait()`` follows its end: a cancelled or failed job undoes everything; a completed one keeps
the nbd node while something on the source host uses it (after a pivot: the source host writes
to the remote disk), else releases everything too (a finish without pivot). ``undo()`` removes
what is left at any time after the job has ended. No Qt; every coroutine runs in the caller's
task, event callbacks in the source connection's reader task.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.base import QAPIModel
from guimirror.qapi.blockdev import BlockdevOptionsNbd
from guimirror.qapi.commands import (
    BlockdevDel,
    BlockExportAdd,
    BlockExportDel,
    BlockExportRemoveMode,
    BlockExportType,
    InetSocketAddressLegacy,
    NbdServerStart,
    UnixSocketAddressLegacy,
)
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import (
    BlockJobCancelled,
    BlockJobCompleted,
    JobStatusChange,
    QAPIEvent,
)
from guimirror.qapi.job import JobStatus
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.qapi.socket_address import (
    InetSocketAddress,
    InetSocketAddressVariant,
    UnixSocketAddress,
    UnixSocketAddressVariant,
)
from guimirror.session.client import SessionClient
from guimirror.session.endpoint import Endpoint
from guimirror.session.ssh import SshTarget, acquire_master, release_master
from guimirror.texts import Text

logger = logging.getLogger(__name__)

SERVER_RUNNING = "NBD server already running"
"""QEMU's reply to nbd-server-start while a server runs: guimirror does not take it over."""


class RemoteMirrorError(GuimirrorError):
    """A step of a mirror to another host failed; what guimirror added was removed again."""


class RemoteMirrorStateError(StateError):
    """A request the remote mirror's state does not allow."""


class RemoteMirrorState(enum.Enum):
    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    """blockdev-mirror was accepted; the job runs on the source host."""
    KEPT = "kept"
    """The job completed and the source host uses the nbd node: the remote disk stays."""
    REMOVED = "removed"
    """Everything guimirror added is gone again (cancelled, failed, or released)."""


@dataclass(frozen=True)
class LocalRoute:
    """A unix socket in a private directory that the mirror makes on this host."""


@dataclass(frozen=True)
class TcpRoute:
    """The target host listens on ``host:port``; the source host connects there."""

    host: str
    port: int


@dataclass(frozen=True)
class SshForwardRoute:
    """Through the ssh master connection to the target host (``target``)."""

    target: SshTarget


NbdRoute = LocalRoute | TcpRoute | SshForwardRoute


@dataclass(frozen=True)
class NbdTls:
    """tls-creds-x509 object ids: ``server_creds`` on the target host, ``client_creds`` on
    the source host; ``hostname``: the name the server's certificate carries, if not the
    route's host."""

    server_creds: str
    client_creds: str
    hostname: str | None = None


@dataclass(frozen=True)
class RemoteMirrorPlan:
    """``mirror`` runs on the source host (its ``target`` is replaced by the nbd node);
    ``target_node`` is the node on the target host that receives the data."""

    mirror: BlockdevMirror
    target_node: str
    route: NbdRoute
    tls: NbdTls | None = None

    @property
    def job_id(self) -> str:
        return self.mirror.job_id or self.mirror.device

    @property
    def nbd_node(self) -> str:
        """The node-name of the nbd node on the source host."""
        return f"nbd-{self.job_id}"

    @property
    def export_id(self) -> str:
        """The export's id (and NBD name) on the target host."""
        return f"mirror-{self.job_id}"


def route_for(source: Endpoint, target: Endpoint, tcp: TcpRoute | None = None) -> NbdRoute:
    """The route a mirror from ``source`` to ``target`` takes when the user names none:
    ``tcp`` when given; through ssh when the target is reached over ssh and the source is on
    this host; else a unix socket on this host (both local)."""
    if tcp is not None:
        return tcp
    source_ssh = getattr(source, "target", None)
    target_ssh = getattr(target, "target", None)
    if isinstance(target_ssh, SshTarget):
        if isinstance(source_ssh, SshTarget):
            raise RemoteMirrorError(Text(
                "both hosts are reached over ssh ({source} and {target}): name a TCP address "
                "on the target host that the source host reaches", source=source_ssh,
                target=target_ssh))
        return SshForwardRoute(target_ssh)
    if isinstance(source_ssh, SshTarget):
        raise RemoteMirrorError(Text(
            "the source host {source} cannot reach a socket on this host: name a TCP address "
            "on this host that it reaches", source=source_ssh))
    return LocalRoute()


ArgumentsT = TypeVar("ArgumentsT", bound=QAPIModel)
ResultT = TypeVar("ResultT")


class Host(Protocol):
    """An endpoint and how commands reach it: the window's EndpointLink (which logs each
    command and refreshes its views) or :class:`DirectHost`."""

    name: str
    endpoint: Endpoint

    async def call(
        self, method: Callable[[SessionClient, ArgumentsT], Awaitable[ResultT]],
        arguments: ArgumentsT,
    ) -> ResultT: ...

    async def execute(self, command: str, arguments: Mapping[str, Any] | None = None) -> Any: ...


class DirectHost:
    """An endpoint's typed client, unlogged (scripts and tests)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.name = endpoint.name

    async def call(
        self, method: Callable[[SessionClient, ArgumentsT], Awaitable[ResultT]],
        arguments: ArgumentsT,
    ) -> ResultT:
        return await method(self.endpoint.client, arguments)

    async def execute(self, command: str, arguments: Mapping[str, Any] | None = None) -> Any:
        return await self.endpoint.client.execute(command, arguments)


Undo = Callable[[], Awaitable[object]]


@dataclass
class _Steps:
    """The undo of every step done, last first when run."""

    undos: list[tuple[str, Undo]] = field(default_factory=list)

    def add(self, what: str, undo: Undo) -> None:
        self.undos.append((what, undo))

    def drop(self, what: str) -> None:
        self.undos = [(name, undo) for name, undo in self.undos if name != what]

    async def run(self) -> list[str]:
        """Undo everything, last step first; returns what could not be undone."""
        failures: list[str] = []
        while self.undos:
            what, undo = self.undos.pop()
            try:
                await undo()
            except (GuimirrorError, OSError) as error:
                reason = error.desc if isinstance(error, GuimirrorError) else str(error)
                logger.warning("could not undo %s: %s", what, reason)
                failures.append(Text("{step}: {reason}", step=what, reason=reason))
        return failures


class RemoteMirror:
    """One mirror from ``source`` (its host writes) to a node on ``target`` (another host).

    ``start()`` and ``wait()`` and ``undo()`` run in the caller's task.
    """

    def __init__(self, source: Host, target: Host, plan: RemoteMirrorPlan) -> None:
        self.source = source
        self.target = target
        self.plan = plan
        self.state = RemoteMirrorState.IDLE
        self.end_event: QAPIEvent | None = None
        """BLOCK_JOB_COMPLETED or BLOCK_JOB_CANCELLED, once the job has ended."""
        self.leftovers: list[str] = []
        """What could not be removed again, with the reason."""
        self._steps = _Steps()
        self._ended: asyncio.Event = asyncio.Event()
        self._client: SessionClient | None = None

    def __repr__(self) -> str:
        return f"<RemoteMirror {self.plan.job_id} {self.state.value}>"

    def _require(self, *states: RemoteMirrorState, action: str) -> None:
        if self.state not in states:
            allowed = " or ".join(state.value for state in states)
            raise RemoteMirrorStateError(Text(
                "remote mirror '{job_id}' is {state}; {action} needs it {allowed}",
                job_id=self.plan.job_id, state=self.state.value, action=action,
                allowed=allowed))

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    # --- starting ------------------------------------------------------------------------

    async def start(self) -> None:
        """Export the target node, open it on the source host, start the mirror.

        Raises RemoteMirrorError naming the step that failed, after undoing the others.
        """
        self._require(RemoteMirrorState.IDLE, action="start")
        self.state = RemoteMirrorState.STARTING
        source, target = self.source, self.target
        step: str = ""
        try:
            step = Text("route")
            server_address, client_address = await self._open_route()
            step = Text("{command} on {endpoint}", command="nbd-server-start",
                        endpoint=self.target.name)
            await self._start_server(target, server_address)
            step = Text("{command} on {endpoint}", command="block-export-add",
                        endpoint=self.target.name)
            export_id = self.plan.export_id
            await target.call(SessionClient.block_export_add, BlockExportAdd(
                type=BlockExportType.NBD, id=export_id, node_name=self.plan.target_node,
                name=export_id, writable=True))
            self._steps.add(Text("export {export} on {endpoint}", export=export_id,
                                 endpoint=self.target.name), lambda: target.call(
                SessionClient.block_export_del,
                BlockExportDel(id=export_id, mode=BlockExportRemoveMode.HARD)))
            step = Text("{command} on {endpoint}", command="blockdev-add nbd",
                        endpoint=self.source.name)
            await source.call(SessionClient.blockdev_add, self._nbd_options(client_address))
            nbd_node = self.plan.nbd_node
            self._steps.add(Text("node {node} on {endpoint}", node=nbd_node,
                                 endpoint=self.source.name), lambda: source.call(
                SessionClient.blockdev_del, BlockdevDel(node_name=nbd_node)))
            step = Text("{command} on {endpoint}", command="blockdev-mirror",
                        endpoint=self.source.name)
            self._client = source.endpoint.client
            self._client.add_event_listener(self._on_event)
            mirror = self.plan.mirror.model_copy(update={"target": nbd_node})
            await source.call(SessionClient.blockdev_mirror, mirror)
        except (GuimirrorError, OSError) as error:
            if self._client is not None:
                self._client.remove_event_listener(self._on_event)
                self._client = None
            self.leftovers = await self._steps.run()
            self.state = RemoteMirrorState.REMOVED
            reason = error.desc if isinstance(error, GuimirrorError) else str(error)
            raise RemoteMirrorError(Text("{step}: {reason}", step=step, reason=reason)) from error
        self.state = RemoteMirrorState.RUNNING

    async def _open_route(self) -> tuple[
        UnixSocketAddressLegacy | InetSocketAddressLegacy,
        UnixSocketAddressVariant | InetSocketAddressVariant,
    ]:
        """Where the server listens and where the nbd node connects (ssh: forward them)."""
        route = self.plan.route
        if isinstance(route, TcpRoute):
            port = str(route.port)
            return (InetSocketAddressLegacy(data=InetSocketAddress(host=route.host, port=port)),
                    InetSocketAddressVariant(host=route.host, port=port))
        if isinstance(route, LocalRoute):
            directory = await asyncio.to_thread(tempfile.mkdtemp, prefix="guimirror-nbd-")
            path = os.path.join(directory, "nbd.sock")
            self._steps.add(Text("socket directory {directory}", directory=directory),
                            lambda: asyncio.to_thread(shutil.rmtree, directory, True))
            return (UnixSocketAddressLegacy(data=UnixSocketAddress(path=path)),
                    UnixSocketAddressVariant(path=path))
        # The target endpoint's own connection to the host: the forward lasts as long as it.
        master = await acquire_master(route.target)
        await release_master(master)
        made = await master.run(["mktemp", "-d", "/tmp/guimirror-nbd-XXXXXXXX"])
        remote_dir = made.stdout.strip()
        self._steps.add(Text("directory {directory} on {host}", directory=remote_dir,
                             host=route.target), lambda: master.run(
            ["rm", "-rf", "--", remote_dir], check=False))
        remote = f"{remote_dir}/nbd.sock"
        local = f"{master.local_dir}/nbd-{self.plan.job_id}-{id(self):x}.sock"
        await master.forward(local, remote)
        self._steps.add(Text("ssh forward to {socket}", socket=remote),
                        lambda: master.cancel_forward(local, remote))
        return (UnixSocketAddressLegacy(data=UnixSocketAddress(path=remote)),
                UnixSocketAddressVariant(path=local))

    async def _start_server(self, target: Host,
                            address: UnixSocketAddressLegacy | InetSocketAddressLegacy) -> None:
        tls = self.plan.tls
        try:
            await target.call(SessionClient.nbd_server_start, NbdServerStart(
                addr=address, **({"tls_creds": tls.server_creds} if tls else {})))
        except QAPIError as error:
            if error.desc == SERVER_RUNNING:
                raise RemoteMirrorError(Text(
                    "an NBD server already runs on {endpoint}; guimirror starts its own for "
                    "the mirror: stop that one (nbd-server-stop) first",
                    endpoint=self.target.name)) from None
            raise
        self._steps.add(Text("NBD server on {endpoint}", endpoint=self.target.name),
                        lambda: target.execute("nbd-server-stop"))

    def _nbd_options(
        self, address: UnixSocketAddressVariant | InetSocketAddressVariant
    ) -> BlockdevOptionsNbd:
        tls = self.plan.tls
        secure: dict[str, str] = {}
        if tls is not None:
            secure["tls_creds"] = tls.client_creds
            if tls.hostname:
                secure["tls_hostname"] = tls.hostname
        return BlockdevOptionsNbd(node_name=self.plan.nbd_node, server=address,
                                  export=self.plan.export_id, **secure)

    # --- the end -------------------------------------------------------------------------

    def _on_event(self, event: QAPIEvent) -> None:
        """The source connection's reader task: the job's end, then its disappearance."""
        job_id = self.plan.job_id
        if isinstance(event, BlockJobCompleted | BlockJobCancelled) and event.device == job_id:
            self.end_event = event
            if self.plan.mirror.auto_dismiss is not False:
                self._ended.set()
        elif (isinstance(event, JobStatusChange) and event.id == job_id
              and event.status is JobStatus.NULL and self.end_event is not None):
            self._ended.set()

    async def wait(self) -> RemoteMirrorState:
        """Wait until the job has ended (and been dismissed), then keep or remove what
        guimirror added: KEPT when the source host uses the nbd node, else REMOVED."""
        self._require(RemoteMirrorState.RUNNING, action="wait")
        await self._ended.wait()
        if self._client is not None:
            self._client.remove_event_listener(self._on_event)
        event = self.end_event
        if isinstance(event, BlockJobCompleted) and event.error is None:
            try:
                await self.source.call(SessionClient.blockdev_del,
                                       BlockdevDel(node_name=self.plan.nbd_node))
            except QAPIError:
                # In use: the job pivoted and the source host's users write to the remote disk.
                self.state = RemoteMirrorState.KEPT
                return self.state
            self._steps.drop(Text("node {node} on {endpoint}", node=self.plan.nbd_node,
                                  endpoint=self.source.name))
        await self.undo()
        return self.state

    async def undo(self) -> None:
        """Remove what guimirror added on both hosts (the nbd node, the export, the NBD
        server, the forward), after the job has ended; ``leftovers`` lists what failed."""
        if self.state is RemoteMirrorState.RUNNING and not self.ended:
            raise RemoteMirrorStateError(Text(
                "remote mirror '{job_id}' still runs: cancel its job first",
                job_id=self.plan.job_id))
        self._require(RemoteMirrorState.RUNNING, RemoteMirrorState.KEPT, action="undo")
        self.leftovers = await self._steps.run()
        self.state = RemoteMirrorState.REMOVED
