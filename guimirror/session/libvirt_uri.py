# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoint URIs of libvirt's QEMU driver: the VMs that libvirt runs.

==========================================  ===================================================
``qemu:///system``                          the system libvirtd on this machine (root, or a
                                            user in the ``libvirt`` group or allowed by polkit)
``qemu:///session``                         the calling user's own session libvirtd
``qemu+ssh://user@host/system``             a remote libvirtd reached over SSH (``user@`` and
                                            ``:port`` optional; libvirt's ``?keyfile=...``
                                            options pass through)
==========================================  ===================================================

The text is libvirt's own connection URI: ``str(uri)`` is what ``virConnectOpen`` receives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Self

from guimirror.session.uri import EndpointURI
from guimirror.texts import Text

_INSTANCES = ("system", "session")
_HOST = re.compile(r"(?:[A-Za-z0-9._-]+@)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


@dataclass(frozen=True)
class LibvirtURI(EndpointURI):
    """``qemu:///system`` or ``qemu:///session`` — a libvirtd on this machine."""

    scheme: ClassVar[str] = "qemu"
    forms: ClassVar[tuple[str, ...]] = ("qemu:///system", "qemu:///session")

    instance: str
    """``system`` or ``session``."""

    @property
    def local(self) -> bool:
        """Whether the VMs' disks are files and devices of this machine."""
        return True

    @classmethod
    def parse(cls, rest: str) -> Self:
        if not rest.startswith("///"):
            raise ValueError(Text("a local libvirt URI is qemu:///system or qemu:///session"))
        return cls(_instance(rest[3:]))

    def __str__(self) -> str:
        return f"qemu:///{self.instance}"


@dataclass(frozen=True)
class LibvirtSshURI(EndpointURI):
    """``qemu+ssh://[user@]host[:port]/system[?options]`` — a libvirtd reached over SSH."""

    scheme: ClassVar[str] = "qemu+ssh"
    forms: ClassVar[tuple[str, ...]] = ("qemu+ssh://user@host/system",)

    host: str
    """``[user@]host[:port]`` as libvirt reads it."""
    instance: str
    query: str = ""
    """libvirt's own options (``keyfile=...``, ``no_verify=1``...), passed through."""

    @property
    def local(self) -> bool:
        return False

    @classmethod
    def parse(cls, rest: str) -> Self:
        if not rest.startswith("//"):
            raise ValueError(Text("a libvirt URI over SSH is qemu+ssh://user@host/system"))
        authority, slash, path = rest[2:].partition("/")
        if not slash or not _HOST.fullmatch(authority):
            raise ValueError(Text("'{authority}' is not [user@]host[:port]",
                                  authority=authority))
        path, _, query = path.partition("?")
        return cls(authority, _instance(path), query)

    def __str__(self) -> str:
        text = f"qemu+ssh://{self.host}/{self.instance}"
        return f"{text}?{self.query}" if self.query else text


def _instance(path: str) -> str:
    if path not in _INSTANCES:
        raise ValueError(Text("the libvirt instance is 'system' or 'session', not '{path}'",
                              path=path))
    return path
