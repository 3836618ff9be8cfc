# SPDX-License-Identifier: GPL-2.0-or-later
"""Argument and return models of every command guimirror's QMP server serves.

Each argument model is named after its command in CamelCase (``block-job-cancel`` ->
``BlockJobCancel``); blockdev-add takes ``BlockdevOptions`` and blockdev-mirror
``BlockdevMirror``. ``COMMANDS`` maps each command name to its argument model, None for a
command without arguments.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter

from guimirror.qapi.base import QAPIModel, QAPIReply, union_check, union_discriminator, variant_tag
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.job import JobType
from guimirror.qapi.mirror import BlockdevMirror, MirrorCopyMode
from guimirror.qapi.objects import ObjectAdd, ObjectDel
from guimirror.qapi.socket_address import InetSocketAddress, UnixSocketAddress
from guimirror.qapi.types import (
    NOT_NULL_ARRAY,
    NOT_NULL_STRING,
    Bool,
    Int,
    OptBool,
    OptStr,
    OptUint32,
    Str,
)


class QMPCapability(StrEnum):
    """Optional QMP protocol features a client may enable."""

    OOB = "oob"


class QmpCapabilities(QAPIModel):
    """Arguments of ``qmp_capabilities``: leave capabilities negotiation mode."""

    enable: Annotated[list[QMPCapability] | None, NOT_NULL_ARRAY] = Field(
        default=None, description="QMP capabilities to enable"
    )


class QueryNamedBlockNodes(QAPIModel):
    """Arguments of ``query-named-block-nodes``."""

    flat: OptBool = Field(
        default=None,
        description="leave out the backing-image chain of each node; default false",
    )


class BlockdevDel(QAPIModel):
    """Arguments of ``blockdev-del``: remove a node that has no users."""

    node_name: Str = Field(description="the name of the node to remove")


class BlockJobSetSpeed(QAPIModel):
    """Arguments of ``block-job-set-speed``."""

    device: Str = Field(description="the job identifier")
    speed: Int = Field(description="the maximum speed, in bytes per second, or 0 for unlimited")


class BlockJobPause(QAPIModel):
    """Arguments of ``block-job-pause``."""

    device: Str = Field(description="the job identifier")


class BlockJobResume(QAPIModel):
    """Arguments of ``block-job-resume``."""

    device: Str = Field(description="the job identifier")


class BlockJobCancel(QAPIModel):
    """Arguments of ``block-job-cancel``. Without force, a READY mirror completes without
    pivoting (the target is a consistent copy)."""

    device: Str = Field(description="the job identifier")
    force: Bool = Field(
        default=False,
        description="cancel even a READY mirror at once (BLOCK_JOB_CANCELLED); default false",
    )


class BlockJobComplete(QAPIModel):
    """Arguments of ``block-job-complete``: pivot a READY mirror to its target."""

    device: Str = Field(description="the job identifier")


class BlockJobChange(QAPIModel):
    """Arguments of ``block-job-change`` (QEMU 8.2 and later, ``BlockJobChangeOptions``): a
    union on ``type``; only the mirror branch has members. A job of another type than
    ``type`` is left as it is (QEMU returns ``{}``).

    Validate with ``parse_arguments(BlockJobChange, raw)`` to get the type's variant.
    """

    QAPI_UNION: ClassVar[TypeAdapter[Any] | None] = None
    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset({"type"})

    id: Str = Field(description="the job identifier")
    type: JobType = Field(description="the job's type")


class BlockJobChangeMirror(BlockJobChange):
    """``block-job-change`` of a mirror job."""

    copy_mode: MirrorCopyMode = Field(
        description="switch to this copy mode; only 'write-blocking' (from 'background') is "
        "implemented: writes from then on reach the target before they complete"
    )


_CHANGE_TAGS = {job_type.value: ("mirror" if job_type is JobType.MIRROR else "other")
                for job_type in JobType}

BlockJobChange.QAPI_UNION = TypeAdapter(
    Annotated[
        Annotated[BlockJobChangeMirror, variant_tag("mirror")]
        | Annotated[BlockJobChange, variant_tag("other")],
        union_discriminator("type", _CHANGE_TAGS),
        union_check("type", _CHANGE_TAGS),
    ]
)


class BlockJobFinalize(QAPIModel):
    """Arguments of ``block-job-finalize``."""

    id: Str = Field(description="the job identifier")


class BlockJobDismiss(QAPIModel):
    """Arguments of ``block-job-dismiss``."""

    id: Str = Field(description="the job identifier")


class JobPause(QAPIModel):
    """Arguments of ``job-pause``."""

    id: Str = Field(description="the job identifier")


class JobResume(QAPIModel):
    """Arguments of ``job-resume``."""

    id: Str = Field(description="the job identifier")


class JobCancel(QAPIModel):
    """Arguments of ``job-cancel`` (always a forced cancel)."""

    id: Str = Field(description="the job identifier")


class JobComplete(QAPIModel):
    """Arguments of ``job-complete``."""

    id: Str = Field(description="the job identifier")


class JobFinalize(QAPIModel):
    """Arguments of ``job-finalize``."""

    id: Str = Field(description="the job identifier")


class JobDismiss(QAPIModel):
    """Arguments of ``job-dismiss``."""

    id: Str = Field(description="the job identifier")


class InetSocketAddressLegacy(QAPIModel):
    """``SocketAddressLegacy`` of type ``inet``: ``{"type": "inet", "data": {host, port}}``."""

    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset({"type"})

    type: Literal["inet"] = Field(default="inet", description="'inet'")
    data: InetSocketAddress = Field(description="the TCP address")


class UnixSocketAddressLegacy(QAPIModel):
    """``SocketAddressLegacy`` of type ``unix``: ``{"type": "unix", "data": {path}}``."""

    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset({"type"})

    type: Literal["unix"] = Field(default="unix", description="'unix'")
    data: UnixSocketAddress = Field(description="the unix socket address")


_ADDRESS_TAGS = {"inet": "inet", "unix": "unix"}

SocketAddressLegacy = Annotated[
    Annotated[InetSocketAddressLegacy, variant_tag("inet")]
    | Annotated[UnixSocketAddressLegacy, variant_tag("unix")],
    union_discriminator("type", _ADDRESS_TAGS),
    union_check("type", _ADDRESS_TAGS),
]
"""QEMU's ``SocketAddressLegacy`` (the types guimirror serves: inet and unix)."""


class NbdServerStart(QAPIModel):
    """Arguments of ``nbd-server-start``. QEMU 7.2 takes the legacy (``data``-wrapped)
    socket address here."""

    addr: SocketAddressLegacy = Field(description="where the NBD server listens")
    tls_creds: OptStr = Field(default=None, description="TLS credentials object id")
    tls_authz: OptStr = Field(default=None, description="authorization object id")
    max_connections: OptUint32 = Field(
        default=None, description="maximum number of connections; default 0 = unlimited"
    )


class BlockExportType(StrEnum):
    """The kinds of block export guimirror serves."""

    NBD = "nbd"


class BlockExportRemoveMode(StrEnum):
    """How block-export-del treats connected clients."""

    SAFE = "safe"
    HARD = "hard"


class BlockExportAdd(QAPIModel):
    """Arguments of ``block-export-add`` (an NBD export of a node)."""

    type: BlockExportType = Field(description="the export type: 'nbd'")
    id: Str = Field(description="a unique identifier for the export")
    fixed_iothread: OptBool = Field(default=None, description="iothread must not move")
    iothread: OptStr = Field(default=None, description="the iothread to run the export in")
    node_name: Str = Field(description="the node to export")
    writable: OptBool = Field(default=None, description="clients may write; default false")
    writethrough: OptBool = Field(
        default=None, description="flush after every write; default false"
    )
    name: OptStr = Field(default=None, description="the NBD export name; default the node-name")
    description: OptStr = Field(default=None, description="free-form description for clients")
    bitmaps: Annotated[list[Str] | None, NOT_NULL_ARRAY] = Field(
        default=None, description="dirty bitmaps to expose"
    )
    allocation_depth: OptBool = Field(
        default=None, description="expose the allocation depth (qemu:allocation-depth)"
    )


class BlockExportDel(QAPIModel):
    """Arguments of ``block-export-del``."""

    id: Str = Field(description="the export's identifier")
    mode: Annotated[BlockExportRemoveMode | None, NOT_NULL_STRING] = Field(
        default=None,
        description="'safe' (default): fail while clients are connected; 'hard': drop them",
    )


class VersionTriple(QAPIReply):
    """A version number."""

    major: Int
    minor: Int
    micro: Int


class VersionInfo(QAPIReply):
    """Return of ``query-version``."""

    qemu: VersionTriple = Field(description="the version of the engine's QMP interface")
    package: Str = Field(description="the package or build that provides it")


class CommandInfo(QAPIReply):
    """One element of ``query-commands``' return."""

    name: Str = Field(description="the command's name")


class BlockExportInfo(QAPIReply):
    """One element of ``query-block-exports``' return."""

    id: Str = Field(description="the export's identifier")
    type: BlockExportType = Field(description="the export type")
    node_name: Str = Field(description="the exported node (after a pivot, the new one)")
    shutting_down: Bool = Field(description="block-export-del was given; clients still attached")


COMMANDS: dict[str, type[QAPIModel] | None] = {
    "qmp_capabilities": QmpCapabilities,
    "query-version": None,
    "query-commands": None,
    "query-named-block-nodes": QueryNamedBlockNodes,
    "blockdev-add": BlockdevOptions,
    "blockdev-del": BlockdevDel,
    "blockdev-mirror": BlockdevMirror,
    "query-block-jobs": None,
    "query-jobs": None,
    "block-job-set-speed": BlockJobSetSpeed,
    "block-job-pause": BlockJobPause,
    "block-job-resume": BlockJobResume,
    "block-job-cancel": BlockJobCancel,
    "block-job-complete": BlockJobComplete,
    "block-job-change": BlockJobChange,
    "block-job-finalize": BlockJobFinalize,
    "block-job-dismiss": BlockJobDismiss,
    "job-pause": JobPause,
    "job-resume": JobResume,
    "job-cancel": JobCancel,
    "job-complete": JobComplete,
    "job-finalize": JobFinalize,
    "job-dismiss": JobDismiss,
    "nbd-server-start": NbdServerStart,
    "nbd-server-stop": None,
    "block-export-add": BlockExportAdd,
    "block-export-del": BlockExportDel,
    "query-block-exports": None,
    "object-add": ObjectAdd,
    "object-del": ObjectDel,
    "quit": None,
}
"""Every command the QMP server serves, with its argument model (None: no arguments)."""
