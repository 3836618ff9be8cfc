# SPDX-License-Identifier: GPL-2.0-or-later
"""NBD exports of the built-in engine: the server and one export per name (the wire format
is guimirror.nbd.protocol, shared with the client)."""

from guimirror.engine.nbd.export import NbdExport
from guimirror.engine.nbd.server import NbdServer, ServerState

__all__ = ["NbdExport", "NbdServer", "ServerState"]
