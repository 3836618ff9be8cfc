# SPDX-License-Identifier: GPL-2.0-or-later
"""The libvirt endpoint: the VMs a libvirtd runs, reached through libvirt's API.

libvirt holds each VM's QMP monitor, so guimirror speaks libvirt to it (libvirt-python, an
optional dependency: ``pip install guimirror[libvirt]``). :class:`LibvirtEndpoint` has the
run states of every endpoint; its ``client`` is a
:class:`~guimirror.session.libvirt_client.LibvirtClient` (a ``BlockJobClient``) and its
``capabilities`` a :class:`LibvirtCapabilities`, which says what libvirt cannot express and why.

Opening connects in a worker thread (libvirt's calls block) after libvirt's asyncio event loop
implementation (``libvirtaio``) is registered on the running loop, which then carries the
connection's events. When libvirtd goes away (a restart) the endpoint becomes LOST and tries to
connect again for ``RECONNECT_PATIENCE`` seconds; QEMU runs on with its copy jobs meanwhile,
and once connected the endpoint is RUNNING again with the same client, whose jobs list shows
them (``attached_jobs`` too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from guimirror.errors import GuimirrorError
from guimirror.qapi.events import BlockJobCancelled, BlockJobCompleted, BlockJobReady
from guimirror.session.capabilities import ArgumentInfo, ArgumentKind, Capabilities, TypeInfo
from guimirror.session.endpoint import Endpoint, EndpointError, EndpointState
from guimirror.session.libvirt_client import LibvirtCallError, LibvirtClient
from guimirror.session.libvirt_events import LibvirtEventLoopError, bind_running_loop, release
from guimirror.session.libvirt_uri import LibvirtSshURI, LibvirtURI
from guimirror.texts import Text

logger = logging.getLogger(__name__)

RECONNECT_INTERVAL = 0.5
"""Seconds between attempts to reach libvirtd again after it went away."""
RECONNECT_PATIENCE = 60.0
"""Seconds of attempts before a lost libvirtd is given up (the endpoint stays LOST)."""


def _argument(name: str, kind: ArgumentKind, *values: str, optional: bool = True) -> ArgumentInfo:
    return ArgumentInfo(name, TypeInfo(kind, values), optional)


_MIRROR_ARGUMENTS = [
    _argument("device", ArgumentKind.STR, optional=False),
    _argument("target", ArgumentKind.STR, optional=False),
    _argument("sync", ArgumentKind.ENUM, "full", "top", optional=False),
    _argument("speed", ArgumentKind.INT),
    _argument("granularity", ArgumentKind.INT),
    _argument("buf-size", ArgumentKind.INT),
    _argument("copy-mode", ArgumentKind.ENUM, "background", "write-blocking"),
]
_JOB = [_argument("device", ArgumentKind.STR, optional=False)]
_COMMANDS: dict[str, list[ArgumentInfo]] = {
    "query-named-block-nodes": [_argument("flat", ArgumentKind.BOOL)],
    "query-block-jobs": [],
    "query-version": [],
    "blockdev-mirror": _MIRROR_ARGUMENTS,
    "block-job-complete": _JOB,
    "block-job-cancel": _JOB,
    "block-job-set-speed": [*_JOB, _argument("speed", ArgumentKind.INT, optional=False)],
    "job-complete": [_argument("id", ArgumentKind.STR, optional=False)],
    "job-cancel": [_argument("id", ArgumentKind.STR, optional=False)],
}
_ABSENT = {
    "block-job-pause": "libvirt cannot pause a block job",
    "block-job-resume": "libvirt cannot resume a block job",
    "job-pause": "libvirt cannot pause a block job",
    "job-resume": "libvirt cannot resume a block job",
    "block-job-finalize": "libvirt finalizes its jobs itself",
    "block-job-dismiss": "libvirt dismisses its jobs itself",
    "blockdev-add": "libvirt owns the VM's block graph",
    "blockdev-del": "libvirt owns the VM's block graph",
    "nbd-server-start": "libvirt owns the VM's NBD server",
    "block-export-add": "libvirt owns the VM's NBD server",
    "blockdev-mirror.job-id": "libvirt names a disk's copy job by the disk (DOMAIN/TARGET)",
    "blockdev-mirror.replaces": "virDomainBlockCopy has no 'replaces'",
    "blockdev-mirror.filter-node-name": "libvirt names the mirror's filter node itself",
    "blockdev-mirror.on-source-error": "virDomainBlockCopy takes no error policy",
    "blockdev-mirror.on-target-error": "virDomainBlockCopy takes no error policy",
    "blockdev-mirror.auto-finalize": "libvirt finalizes its jobs itself",
    "blockdev-mirror.auto-dismiss": "libvirt dismisses its jobs itself",
    "blockdev-mirror.sync.none": "virDomainBlockCopy copies the whole disk or its top image",
}


class LibvirtCapabilities(Capabilities):
    """What a libvirt endpoint can do, in QMP's terms, and why the rest is absent."""

    def __init__(self, absent: Mapping[str, str] = _ABSENT) -> None:
        super().__init__(
            {name: {argument.name: argument for argument in arguments}
             for name, arguments in _COMMANDS.items()},
            (BlockJobReady.EVENT, BlockJobCompleted.EVENT, BlockJobCancelled.EVENT),
        )
        self.absent: Mapping[str, str] = dict(absent)
        """Why a command (``block-job-pause``) or an argument (``blockdev-mirror.replaces``)
        or value (``blockdev-mirror.sync.none``) is absent."""

    def why_absent(self, command: str, argument: str | None = None) -> str | None:
        """The reason libvirt lacks ``command`` (or its ``argument``); None when it has it."""
        if self.has(command, argument):
            return None
        key = command if argument is None else f"{command}.{argument}"
        return self.absent.get(key, f"libvirt has no equivalent of {key}")


class LibvirtEndpoint(Endpoint):
    """A libvirtd's QEMU driver: ``qemu:///system``, ``qemu:///session``, ``qemu+ssh://...``.

    ``open()`` and ``close()`` run in the caller's task; the reconnection after libvirtd went
    away runs in a task of its own. Closing disconnects and leaves the VMs and their jobs.
    """

    kind = "libvirt"

    def __init__(self, name: str, uri: LibvirtURI | LibvirtSshURI) -> None:
        super().__init__(name)
        self._uri = uri
        self._libvirt_client: LibvirtClient | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self.lost_reason = ""
        """Why the connection was lost last (empty while it never was)."""

    @property
    def uri(self) -> LibvirtURI | LibvirtSshURI:
        return self._uri

    @property
    def client(self) -> LibvirtClient:  # type: ignore[override]
        """The typed libvirt client (a ``BlockJobClient``); only while the endpoint runs."""
        self._require(EndpointState.RUNNING, action="a command")
        assert self._libvirt_client is not None
        return self._libvirt_client

    @property
    def libvirt_client(self) -> LibvirtClient | None:
        """The client also while LOST (its listeners and records survive a reconnection)."""
        return self._libvirt_client

    async def open(self) -> None:
        """Connect to libvirtd, register for block job events, list the jobs under way."""
        self._require(EndpointState.IDLE, action="open")
        self._set_state(EndpointState.OPENING)
        client: LibvirtClient | None = None
        try:
            connection = await self._connect_libvirt()
            client = LibvirtClient(connection, local=self._uri.local)
            await client.start_events()
            self.version = await client.query_version()
            self._capabilities = LibvirtCapabilities()
            self.attached_jobs = await client.query_block_jobs()
        except BaseException as error:
            if client is not None:
                await client.stop_events()
                await asyncio.to_thread(_close_quietly, client.connection)
                await release()
            self._set_state(EndpointState.IDLE)
            if isinstance(error, EndpointError) or not isinstance(error, Exception):
                raise
            reason = error.desc if isinstance(error, GuimirrorError) else str(error)
            raise EndpointError(Text("cannot open '{name}': {reason}", name=self.name,
                                     reason=reason)) from error
        self._libvirt_client = client
        self._watch_close(connection)
        self._set_state(EndpointState.RUNNING)

    async def close(self) -> None:
        """Disconnect; the VMs and their copy jobs run on. Closing an idle endpoint is a no-op."""
        if self._state is EndpointState.IDLE:
            return
        self._require(EndpointState.RUNNING, EndpointState.LOST, action="close")
        self._set_state(EndpointState.CLOSING)
        if self._reconnect is not None:
            self._reconnect.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnect
            self._reconnect = None
        client, self._libvirt_client = self._libvirt_client, None
        if client is not None:
            await client.stop_events()
            await asyncio.to_thread(_close_quietly, client.connection)
            await release()
        self._set_state(EndpointState.IDLE)

    async def _connect_libvirt(self) -> Any:
        """libvirtaio on the running loop, then a connection (in a worker thread)."""
        try:
            import libvirt
        except ImportError:
            raise EndpointError(Text(
                "libvirt endpoints need libvirt-python: pip install 'guimirror[libvirt]' "
                "(it builds against Debian's libvirt-dev)")) from None
        try:
            bind_running_loop()
        except LibvirtEventLoopError as error:
            raise EndpointError(Text("cannot open '{name}': {reason}", name=self.name,
                                     reason=error.desc)) from None
        try:
            return await asyncio.to_thread(libvirt.open, str(self._uri))
        except libvirt.libvirtError as error:
            await release()
            raise EndpointError(Text("cannot open '{name}': {reason}", name=self.name,
                                     reason=error.get_error_message() or str(error))) from None

    def _watch_close(self, connection: Any) -> None:
        connection.registerCloseCallback(self._on_close, None)

    def _on_close(self, _connection: Any, reason: int, _opaque: Any) -> None:
        """libvirt's close callback, in the event loop's thread."""
        if self._state is not EndpointState.RUNNING:
            return
        import libvirt

        reasons = {
            libvirt.VIR_CONNECT_CLOSE_REASON_ERROR: "a connection error",
            libvirt.VIR_CONNECT_CLOSE_REASON_EOF: "libvirtd hung up",
            libvirt.VIR_CONNECT_CLOSE_REASON_KEEPALIVE: "libvirtd stopped answering",
        }
        self.lost_reason = reasons.get(reason, f"close reason {reason}")
        logger.warning("endpoint %s lost libvirtd (%s); reconnecting", self.name, self.lost_reason)
        self._set_state(EndpointState.LOST)
        self._reconnect = asyncio.get_running_loop().create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        """Background task: connect again until libvirtd answers or patience runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECONNECT_PATIENCE
        client = self._libvirt_client
        assert client is not None
        await client.stop_events()
        await asyncio.to_thread(_close_quietly, client.connection)
        await release()
        while loop.time() < deadline:
            await asyncio.sleep(RECONNECT_INTERVAL)
            try:
                connection = await self._connect_libvirt()
            except EndpointError as error:
                logger.debug("libvirtd not back yet: %s", error.desc)
                continue
            client.rebind(connection)
            try:
                await client.start_events()
                self.attached_jobs = await client.query_block_jobs()
            except LibvirtCallError as error:
                logger.debug("libvirtd not ready yet: %s", error.desc)
                await client.stop_events()
                await asyncio.to_thread(_close_quietly, connection)
                await release()
                continue
            self._watch_close(connection)
            self._reconnect = None
            self._set_state(EndpointState.RUNNING)
            logger.info("endpoint %s reconnected to libvirtd", self.name)
            return
        logger.warning("endpoint %s gave up reaching libvirtd", self.name)

    async def _start(self) -> Any:  # pragma: no cover - open() is overridden
        raise NotImplementedError

    async def _stop(self, client: Any) -> None:  # pragma: no cover - close() is overridden
        raise NotImplementedError


def _close_quietly(connection: Any) -> None:
    """Blocks: close a libvirt connection that may already be dead or closed."""
    import libvirt

    gone = (libvirt.libvirtError, TypeError, AttributeError)
    with contextlib.suppress(*gone):
        with contextlib.suppress(*gone):
            connection.unregisterCloseCallback()
        connection.close()


def open_libvirt(uri: LibvirtURI | LibvirtSshURI, name: str) -> Endpoint:
    """The opener ``register_scheme`` takes for libvirt's URI types."""
    return LibvirtEndpoint(name, uri)
