# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's socket addresses: ``InetSocketAddress``, ``UnixSocketAddress`` and the flat union
``SocketAddress`` (``{"type": "unix", "path": ...}``) that blockdev-add's nbd ``server`` takes.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from guimirror.qapi.base import QAPIModel, union_check, union_discriminator, variant_tag
from guimirror.qapi.types import OptBool, OptInt, Str


class InetSocketAddress(QAPIModel):
    """A TCP address."""

    host: Str = Field(description="host name or IP address")
    port: Str = Field(description="port number or service name (a string)")
    numeric: OptBool = Field(default=None, description="host and port are numeric")
    to: OptInt = Field(default=None, description="try ports up to this one")
    ipv4: OptBool = Field(default=None, description="whether to use IPv4")
    ipv6: OptBool = Field(default=None, description="whether to use IPv6")
    keep_alive: OptBool = Field(default=None, description="enable TCP keep-alive")
    mptcp: OptBool = Field(default=None, description="enable multi-path TCP")


class UnixSocketAddress(QAPIModel):
    """A unix domain socket address."""

    path: Str = Field(description="the socket's file system path")
    abstract: OptBool = Field(default=None, description="use the abstract namespace")
    tight: OptBool = Field(default=None, description="abstract name without padding")


class InetSocketAddressVariant(InetSocketAddress):
    """``SocketAddress`` of type ``inet``: ``{"type": "inet", "host": ..., "port": ...}``."""

    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset({"type"})

    type: Literal["inet"] = Field(default="inet", description="'inet'")


class UnixSocketAddressVariant(UnixSocketAddress):
    """``SocketAddress`` of type ``unix``: ``{"type": "unix", "path": ...}``."""

    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset({"type"})

    type: Literal["unix"] = Field(default="unix", description="'unix'")


_TAGS = {"inet": "inet", "unix": "unix"}

SocketAddress = Annotated[
    Annotated[InetSocketAddressVariant, variant_tag("inet")]
    | Annotated[UnixSocketAddressVariant, variant_tag("unix")],
    union_discriminator("type", _TAGS),
    union_check("type", _TAGS),
]
"""QEMU's flat ``SocketAddress`` (the types guimirror connects to: inet and unix)."""
