"""NBD exports of the built-in engine: the protocol, the server, and one export per name."""

from guimirror.engine.nbd.export import NbdExport
from guimirror.engine.nbd.server import NbdServer, ServerState

__all__ = ["NbdExport", "NbdServer", "ServerState"]
