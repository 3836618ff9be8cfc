"""The session layer: typed QMP client, endpoints, and the sampler that feeds the views.

No Qt here. The GUI opens endpoints (``BuiltinEndpoint``, ``DaemonEndpoint``,
``SocketEndpoint``), issues typed commands through ``endpoint.client`` and plots what a
``Sampler`` delivers.
"""

from guimirror.session.client import MirrorRecord, ReplyError, SessionClient
from guimirror.session.connection import ConnectionStateError, QMPCommandError, QMPConnection
from guimirror.session.endpoint import (
    BuiltinEndpoint,
    DaemonEndpoint,
    Endpoint,
    EndpointError,
    Endpoints,
    EndpointState,
    EndpointStateError,
    SocketEndpoint,
)
from guimirror.session.sampler import (
    DEFAULT_RATE_HZ,
    MAX_RATE_HZ,
    JobSample,
    Sampler,
    SamplerState,
    SamplerStateError,
)

__all__ = [
    "DEFAULT_RATE_HZ",
    "MAX_RATE_HZ",
    "BuiltinEndpoint",
    "ConnectionStateError",
    "DaemonEndpoint",
    "Endpoint",
    "EndpointError",
    "EndpointState",
    "EndpointStateError",
    "Endpoints",
    "JobSample",
    "MirrorRecord",
    "QMPCommandError",
    "QMPConnection",
    "ReplyError",
    "Sampler",
    "SamplerState",
    "SamplerStateError",
    "SessionClient",
    "SocketEndpoint",
]
