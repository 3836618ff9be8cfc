# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoint URIs: one line of text names every engine guimirror can open.

======================================================  ==========================================
``builtin:``                                            the built-in engine, in this process
``qsd:``                                                a qemu-storage-daemon that guimirror starts
``qsd:/usr/bin/qemu-storage-daemon``                    the same, with that binary
``qsd:?socket=/tmp/guimirror-qsd-x/qmp.sock``           take over the daemon that an earlier
                                                        guimirror started and left running there;
                                                        if it is gone, start a new one
``unix:/run/vm1/qmp.sock`` or ``/run/vm1/qmp.sock``     attach to a QMP server on a unix socket
``tcp:localhost:4444``, ``tcp:[::1]:4444``              attach over TCP, loopback only
``qemu:///system``, ``qemu+ssh://user@host/system``     the VMs a libvirtd runs
                                                        (guimirror.session.libvirt_uri)
======================================================  ==========================================

``parse_endpoint_uri(text)`` is pure: it checks the syntax and returns an :class:`EndpointURI`
(one frozen dataclass per scheme) whose ``str()`` is the canonical form, so that
``parse_endpoint_uri(str(uri)) == uri``. Paths in a URI may be percent-encoded (``%20``); a bare
path is taken literally. Whether a TCP host is on loopback is decided when the endpoint opens,
after the name is resolved.

A new scheme is a subclass of :class:`EndpointURI` with ``scheme``, ``forms`` and ``parse``,
registered with :func:`register_uri_type` (guimirror.session.opening's ``register_scheme`` does
that and registers its opener).
"""

from __future__ import annotations

import abc
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Self
from urllib.parse import quote, unquote

from guimirror.errors import GuimirrorError
from guimirror.texts import Text

_PATH_SAFE = "/:@!$&'()*+,;=-._~"
"""What stays unencoded in a path written by ``str()`` (RFC 3986's pchar and '/')."""
_VALUE_SAFE = "/:@!$'()*+,;-._~"
"""The same in a query's value, where '&' and '=' separate options."""
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)


class EndpointURIError(GuimirrorError):
    """A text that is not an endpoint URI; ``desc`` says why and lists the accepted forms,
    ``problem`` only says why."""

    def __init__(self, problem: str, forms: str | None = None) -> None:
        super().__init__(problem if forms is None else Text(
            "{problem}. Accepted forms: {forms}", problem=problem, forms=forms))
        self.problem = problem


class EndpointURI(abc.ABC):
    """A parsed endpoint URI; ``str()`` gives its canonical form."""

    scheme: ClassVar[str]
    """The scheme's name, before the colon."""
    forms: ClassVar[tuple[str, ...]]
    """The forms of this scheme, as a user reads them in an error message."""

    @classmethod
    @abc.abstractmethod
    def parse(cls, rest: str) -> Self:
        """The URI from what follows ``scheme:``; raises ValueError saying what is wrong."""

    @abc.abstractmethod
    def __str__(self) -> str: ...


@dataclass(frozen=True)
class BuiltinURI(EndpointURI):
    """``builtin:`` — the built-in engine in this process."""

    scheme: ClassVar[str] = "builtin"
    forms: ClassVar[tuple[str, ...]] = ("builtin:",)

    @classmethod
    def parse(cls, rest: str) -> Self:
        if rest:
            raise ValueError(Text("'builtin:' takes nothing after the colon"))
        return cls()

    def __str__(self) -> str:
        return "builtin:"


@dataclass(frozen=True)
class DaemonURI(EndpointURI):
    """``qsd:[BINARY][?socket=SOCKET]`` — a qemu-storage-daemon that guimirror starts.

    ``binary`` is an absolute path (None: ``qemu-storage-daemon`` from PATH). ``socket`` is the
    QMP socket of a daemon an earlier guimirror started and left running: opening takes that
    daemon over with its jobs, or starts a new one when it is gone. A running spawned daemon's
    endpoint gives its URI with ``socket``, which is what to save to find it again.
    """

    scheme: ClassVar[str] = "qsd"
    forms: ClassVar[tuple[str, ...]] = (
        "qsd:", "qsd:/path/to/qemu-storage-daemon", "qsd:[/path/to/binary]?socket=/path/qmp.sock",
    )

    binary: str | None = None
    socket: str | None = None

    @classmethod
    def parse(cls, rest: str) -> Self:
        path, _, query = rest.partition("?")
        binary = _absolute_path(unquote(path), Text("the daemon's binary")) if path else None
        options = _query(query, allowed=("socket",))
        socket = options.get("socket")
        if socket is not None:
            _absolute_path(socket, "socket=")
        return cls(binary, socket)

    def __str__(self) -> str:
        text = "qsd:" + (_quote(self.binary) if self.binary else "")
        if self.socket is not None:
            text += "?socket=" + quote(self.socket, safe=_VALUE_SAFE)
        return text


@dataclass(frozen=True)
class UnixURI(EndpointURI):
    """``unix:PATH`` (or a bare absolute path) — a QMP server on a unix socket."""

    scheme: ClassVar[str] = "unix"
    forms: ClassVar[tuple[str, ...]] = ("unix:/path/to/qmp.sock", "/path/to/qmp.sock")

    path: str

    @classmethod
    def parse(cls, rest: str) -> Self:
        return cls(_absolute_path(unquote(rest), Text("a unix socket")))

    def __str__(self) -> str:
        return "unix:" + _quote(self.path)


@dataclass(frozen=True)
class TcpURI(EndpointURI):
    """``tcp:HOST:PORT`` — a QMP server on TCP; the host must resolve to loopback addresses.

    An IPv6 address goes in brackets (``tcp:[::1]:4444``).
    """

    scheme: ClassVar[str] = "tcp"
    forms: ClassVar[tuple[str, ...]] = ("tcp:HOST:PORT (loopback)", "tcp:[IPV6]:PORT")

    host: str
    port: int

    @classmethod
    def parse(cls, rest: str) -> Self:
        host, colon, port = rest.rpartition(":")
        if not colon or not host:
            raise ValueError(Text("'tcp:' needs HOST:PORT"))
        if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(Text("the port '{port}' is not a number from 1 to 65535",
                                      port=port))
        if host.startswith("[") and host.endswith("]"):
            try:
                host = str(ipaddress.IPv6Address(host[1:-1]))
            except ValueError:
                raise ValueError(Text("'{host}' is not an IPv6 address", host=host)) from None
        elif not re.fullmatch(r"[A-Za-z0-9._-]+", host):
            raise ValueError(Text(
                "'{host}' is not a host name or an IPv4 address "
                "(an IPv6 address goes in brackets: tcp:[::1]:4444)", host=host))
        return cls(host.lower(), int(port))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp:{host}:{self.port}"


_URI_TYPES: dict[str, type[EndpointURI]] = {}


def register_uri_type(uri_type: type[EndpointURI]) -> None:
    """Make ``parse_endpoint_uri`` accept ``uri_type.scheme``."""
    _URI_TYPES[uri_type.scheme] = uri_type


def uri_types() -> Iterable[type[EndpointURI]]:
    """The registered URI types, in the order of registration."""
    return tuple(_URI_TYPES.values())


for _uri_type in (BuiltinURI, DaemonURI, UnixURI, TcpURI):
    register_uri_type(_uri_type)


def accepted_forms() -> str:
    """Every accepted form, for a message."""
    return ", ".join(form for uri_type in _URI_TYPES.values() for form in uri_type.forms)


def parse_endpoint_uri(text: str) -> EndpointURI:
    """The endpoint URI ``text`` names (surrounding blanks ignored).

    Raises EndpointURIError, in the user's terms, with the accepted forms.
    """
    stripped = text.strip()
    try:
        if not stripped:
            raise ValueError(Text("it is empty"))
        if stripped.startswith("/"):
            return UnixURI(stripped)
        match = _SCHEME.fullmatch(stripped)
        if match is None:
            raise ValueError(Text("it has no scheme (the part before the colon)"))
        scheme, rest = match[1].lower(), match[2]
        uri_type = _URI_TYPES.get(scheme)
        if uri_type is None:
            if rest.isdigit():
                raise ValueError(Text("guimirror knows no scheme '{scheme}:' (did you mean "
                                      "tcp:{uri}?)", scheme=scheme, uri=stripped))
            raise ValueError(Text("guimirror knows no scheme '{scheme}:'", scheme=scheme))
        return uri_type.parse(rest)
    except ValueError as error:
        reason = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) \
            else str(error)
        raise EndpointURIError(Text("'{uri}' is not an endpoint URI: {reason}",
                                    uri=stripped or text, reason=reason),
                               accepted_forms()) from None


def _absolute_path(path: str, what: str) -> str:
    if not path.startswith("/"):
        raise ValueError(Text("{what} must be an absolute path, not '{path}'", what=what,
                              path=path))
    if "\0" in path:
        raise ValueError(Text("{what} must not hold a NUL character", what=what))
    return path


def _query(query: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """``key=value&...`` with percent-encoded values; only ``allowed`` keys, each once."""
    options: dict[str, str] = {}
    if not query:
        return options
    for item in query.split("&"):
        key, equals, value = item.partition("=")
        if key not in allowed or not equals:
            accepted = ", ".join(f"{name}=..." for name in allowed)
            raise ValueError(Text("'{item}' is not an option here (accepted: {accepted})",
                                  item=item, accepted=accepted))
        if key in options:
            raise ValueError(Text("'{key}=' is given twice", key=key))
        options[key] = unquote(value)
    return options


def _quote(path: str) -> str:
    return quote(path, safe=_PATH_SAFE)
