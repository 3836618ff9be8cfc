# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoint URIs over SSH.

=============================================  ==================================================
``ssh://[user@]host[:port]/path/to/qmp.sock``  attach to a QMP socket on another host (forwarded
                                               over the ssh master connection)
``ssh+qsd://[user@]host[:port]``               start a qemu-storage-daemon there
``ssh+guimirror://[user@]host[:port]``         start a guimirror-daemon there
=============================================  ==================================================
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import ClassVar, Self
from urllib.parse import quote, unquote

from guimirror.session.ssh import SshTarget
from guimirror.session.uri import EndpointURI
from guimirror.texts import Text

_HOST = re.compile(r"[A-Za-z0-9._-]+")
_USER = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]*")


def parse_authority(scheme: str, rest: str) -> tuple[SshTarget, str]:
    """``//[user@]host[:port]`` and the path after it; ValueError saying what is wrong."""
    if not rest.startswith("//"):
        raise ValueError(Text("'{scheme}:' needs //[user@]host", scheme=scheme))
    authority, slash, path = rest[2:].partition("/")
    user, at, hostport = authority.rpartition("@")
    if at and not _USER.fullmatch(user):
        raise ValueError(Text("'{user}' is not a user name", user=user))
    host, port = hostport, None
    if hostport.startswith("["):
        host, bracket, after = hostport[1:].partition("]")
        try:
            host = str(ipaddress.IPv6Address(host))
        except ValueError:
            raise ValueError(Text("'{host}' is not an IPv6 address", host=host)) from None
        if not bracket or (after and not after.startswith(":")):
            raise ValueError(Text("'{hostport}' is not [IPV6]:PORT", hostport=hostport))
        port = after[1:] or None
    elif ":" in hostport:
        host, _, port = hostport.partition(":")
    if not host or (not hostport.startswith("[") and not _HOST.fullmatch(host)):
        raise ValueError(Text("'{host}' is not a host name or address", host=host))
    if port is not None and (not port.isdigit() or not 0 < int(port) < 65536):
        raise ValueError(Text("the port '{port}' is not a number from 1 to 65535", port=port))
    target = SshTarget(host.lower(), user or None, int(port) if port else None)
    return target, (slash + unquote(path)) if slash else ""


@dataclass(frozen=True)
class SshSocketURI(EndpointURI):
    """``ssh://[user@]host[:port]/path/to/qmp.sock`` — a QMP socket on another host."""

    scheme: ClassVar[str] = "ssh"
    forms: ClassVar[tuple[str, ...]] = ("ssh://[user@]host[:port]/path/to/qmp.sock",)

    target: SshTarget
    path: str

    @classmethod
    def parse(cls, rest: str) -> Self:
        target, path = parse_authority(cls.scheme, rest)
        if not path.startswith("/") or path == "/":
            raise ValueError(Text("'ssh:' needs the absolute path of the QMP socket after "
                                  "the host"))
        return cls(target, path)

    def __str__(self) -> str:
        return f"ssh://{self.target}{quote(self.path, safe='/:@-._~')}"


@dataclass(frozen=True)
class SshDaemonURI(EndpointURI):
    """``ssh+qsd://[user@]host[:port]`` — a qemu-storage-daemon started on another host."""

    scheme: ClassVar[str] = "ssh+qsd"
    forms: ClassVar[tuple[str, ...]] = ("ssh+qsd://[user@]host[:port]",)
    program: ClassVar[str] = "qemu-storage-daemon"

    target: SshTarget

    @classmethod
    def parse(cls, rest: str) -> Self:
        target, path = parse_authority(cls.scheme, rest)
        if path not in ("", "/"):
            raise ValueError(Text("'{scheme}:' takes no path", scheme=cls.scheme))
        return cls(target)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.target}"


@dataclass(frozen=True)
class SshGuimirrorURI(SshDaemonURI):
    """``ssh+guimirror://[user@]host[:port]`` — a guimirror-daemon started on another host."""

    scheme: ClassVar[str] = "ssh+guimirror"
    forms: ClassVar[tuple[str, ...]] = ("ssh+guimirror://[user@]host[:port]",)
    program: ClassVar[str] = "guimirror-daemon"
