# SPDX-License-Identifier: GPL-2.0-or-later
"""The session layer: endpoints by URI, their typed QMP client and capabilities, the sampler.

No Qt here.

URIs
    ``endpoint = await open_endpoint(uri, name=None)`` parses a URI, makes the endpoint and
    returns it RUNNING (``endpoint_for`` makes it idle, to listen from the start):

    * ``builtin:`` — the built-in engine in this process (:class:`BuiltinEndpoint`).
    * ``qsd:`` or ``qsd:/path/to/qemu-storage-daemon`` — a qemu-storage-daemon that guimirror
      starts on a private QMP socket and stops when the endpoint closes
      (:class:`DaemonEndpoint`). While it runs, its ``uri`` is
      ``qsd:[BINARY]?socket=/tmp/guimirror-qsd-.../qmp.sock``: after ``detach()`` (the daemon
      runs on with its jobs) that URI takes it over again, also from a later guimirror; if it
      has ended meanwhile, a new daemon starts and ``adoption_error`` says why.
    * ``unix:/path/qmp.sock`` or a bare absolute path — attach to a QMP server someone else
      runs; closing only disconnects (:class:`SocketEndpoint`).
    * ``tcp:HOST:PORT`` (``tcp:[::1]:4444`` for IPv6) — the same over TCP, loopback only: the
      host is resolved in a worker thread when the endpoint opens, and any address that is not
      loopback refuses it.
    * ``ssh://[user@]host[:port]/path/qmp.sock``, ``ssh+qsd://[user@]host``,
      ``ssh+guimirror://[user@]host`` — on another host, over the system's ssh with one
      master connection per host (guimirror.session.ssh_endpoint).

    ``parse_endpoint_uri(text)`` is the pure parser: an :class:`EndpointURI` whose ``str()``
    is the canonical form, or :class:`EndpointURIError` listing the accepted forms. A later
    scheme is an ``EndpointURI`` subclass and an opener given to ``register_scheme``.

States and events
    ``endpoint.state`` is an :class:`EndpointState`: idle -> opening -> running -> closing ->
    idle, or running -> lost when the server hangs up (``close()`` returns it to idle).
    ``add_state_listener(callback)`` hears every change. A request its state does not allow
    raises :class:`EndpointStateError`. QMP events come from the client, as
    ``guimirror.qapi.events`` models (``client.add_event_listener``, ``client.events()``).

Client
    ``endpoint.client`` (while running) is a :class:`SessionClient`: one coroutine per
    command, taking and returning ``guimirror.qapi`` models; ``execute`` for any other command.

Capabilities
    ``endpoint.capabilities`` (read once at open) says which commands the engine serves and
    which arguments each takes (``has(command, argument=None)``, ``arguments(command)`` ->
    name -> :class:`ArgumentInfo` with its :class:`TypeInfo` and ``optional``), and which
    events it has (``commands``, ``events``): from ``query-qmp-schema``, or for the built-in
    engine from ``query-commands`` and guimirror's argument models.

Errors
    Everything raised here on purpose is a ``guimirror.errors.GuimirrorError``, so the GUI
    catches the root alone: :class:`QMPCommandError` (a ``QAPIError``: QEMU's class, desc and
    the command), :class:`EndpointError`, :class:`EndpointStateError` /
    :class:`ConnectionStateError` (``StateError``), :class:`ConnectionFailedError`,
    :class:`ConnectionLostError` (qemu.qmp's errors under a command), :class:`ReplyError`,
    :class:`LauncherError`, :class:`EndpointURIError`.
"""

from guimirror.session.capabilities import (
    ArgumentInfo,
    ArgumentKind,
    Capabilities,
    TypeInfo,
    read_capabilities,
)
from guimirror.session.client import MirrorRecord, ReplyError, SessionClient
from guimirror.session.connection import (
    ConnectionFailedError,
    ConnectionLostError,
    ConnectionStateError,
    QMPCommandError,
    QMPConnection,
)
from guimirror.session.endpoint import (
    BuiltinEndpoint,
    DaemonEndpoint,
    Endpoint,
    EndpointError,
    EndpointState,
    EndpointStateError,
    SocketEndpoint,
)
from guimirror.session.launcher import DaemonLauncher, LauncherError
from guimirror.session.opening import endpoint_for, open_endpoint, register_scheme
from guimirror.session.sampler import (
    DEFAULT_RATE_HZ,
    MAX_RATE_HZ,
    JobSample,
    Sampler,
    SamplerState,
    SamplerStateError,
)
from guimirror.session.uri import (
    BuiltinURI,
    DaemonURI,
    EndpointURI,
    EndpointURIError,
    TcpURI,
    UnixURI,
    parse_endpoint_uri,
)

__all__ = [
    "DEFAULT_RATE_HZ",
    "MAX_RATE_HZ",
    "ArgumentInfo",
    "ArgumentKind",
    "BuiltinEndpoint",
    "BuiltinURI",
    "Capabilities",
    "ConnectionFailedError",
    "ConnectionLostError",
    "ConnectionStateError",
    "DaemonEndpoint",
    "DaemonLauncher",
    "DaemonURI",
    "Endpoint",
    "EndpointError",
    "EndpointState",
    "EndpointStateError",
    "EndpointURI",
    "EndpointURIError",
    "JobSample",
    "LauncherError",
    "MirrorRecord",
    "QMPCommandError",
    "QMPConnection",
    "ReplyError",
    "Sampler",
    "SamplerState",
    "SamplerStateError",
    "SessionClient",
    "SocketEndpoint",
    "TcpURI",
    "TypeInfo",
    "UnixURI",
    "endpoint_for",
    "open_endpoint",
    "parse_endpoint_uri",
    "read_capabilities",
    "register_scheme",
]
