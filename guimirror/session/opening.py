# SPDX-License-Identifier: GPL-2.0-or-later
"""Open an endpoint by its URI: each scheme has an opener that makes its Endpoint.

``open_endpoint("qsd:")`` parses the URI, makes the endpoint and opens it. ``endpoint_for``
makes it without opening, for a caller that listens to its states from the start. libvirt's
``qemu:///system``, ``qemu:///session`` and ``qemu+ssh://`` come from
guimirror.session.libvirt_uri. A new scheme is a URI type and an opener given to
:func:`register_scheme`; the callers stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint, SocketEndpoint
from guimirror.session.launcher import DEFAULT_BINARY
from guimirror.session.libvirt_endpoint import open_libvirt
from guimirror.session.libvirt_uri import LibvirtSshURI, LibvirtURI
from guimirror.session.ssh_endpoint import ssh_daemon_endpoint, ssh_socket_endpoint
from guimirror.session.ssh_uri import SshDaemonURI, SshGuimirrorURI, SshSocketURI
from guimirror.session.uri import (
    BuiltinURI,
    DaemonURI,
    EndpointURI,
    EndpointURIError,
    TcpURI,
    UnixURI,
    parse_endpoint_uri,
    register_uri_type,
)
from guimirror.texts import Text

URIT = TypeVar("URIT", bound=EndpointURI)

Opener = Callable[[Any, str], Endpoint]
"""``opener(uri, name)``: a new, idle endpoint for ``uri`` (of the type it was registered for)."""

_OPENERS: dict[type[EndpointURI], Opener] = {}


def register_scheme(uri_type: type[URIT], opener: Callable[[URIT, str], Endpoint]) -> None:
    """Accept ``uri_type``'s scheme in URIs and make its endpoints with ``opener``."""
    register_uri_type(uri_type)
    _OPENERS[uri_type] = opener


def endpoint_for(uri: str | EndpointURI, *, name: str | None = None) -> Endpoint:
    """The idle endpoint that ``uri`` names, called ``name`` (default: the canonical URI).

    Raises EndpointURIError for a text that is no endpoint URI.
    """
    parsed = parse_endpoint_uri(uri) if isinstance(uri, str) else uri
    opener = _OPENERS.get(type(parsed))
    if opener is None:
        raise EndpointURIError(Text("'{uri}' names a kind of endpoint guimirror cannot open",
                                    uri=str(parsed)))
    return opener(parsed, name if name is not None else str(parsed))


async def open_endpoint(uri: str | EndpointURI, *, name: str | None = None) -> Endpoint:
    """Parse ``uri``, make its endpoint and open it; returns it RUNNING (caller's task).

    Raises EndpointURIError for a bad URI, EndpointError when the endpoint cannot open.
    """
    endpoint = endpoint_for(uri, name=name)
    await endpoint.open()
    return endpoint


def _builtin(uri: BuiltinURI, name: str) -> Endpoint:
    return BuiltinEndpoint(name)


def _daemon(uri: DaemonURI, name: str) -> Endpoint:
    return DaemonEndpoint(name, binary=uri.binary or DEFAULT_BINARY, adopt=uri.socket)


def _unix(uri: UnixURI, name: str) -> Endpoint:
    return SocketEndpoint(name, uri.path)


def _tcp(uri: TcpURI, name: str) -> Endpoint:
    return SocketEndpoint(name, (uri.host, uri.port))


register_scheme(BuiltinURI, _builtin)
register_scheme(DaemonURI, _daemon)
register_scheme(UnixURI, _unix)
register_scheme(TcpURI, _tcp)
register_scheme(LibvirtURI, open_libvirt)
register_scheme(LibvirtSshURI, open_libvirt)
register_scheme(SshSocketURI, ssh_socket_endpoint)
register_scheme(SshDaemonURI, ssh_daemon_endpoint)
register_scheme(SshGuimirrorURI, ssh_daemon_endpoint)
