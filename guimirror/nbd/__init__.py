# SPDX-License-Identifier: GPL-2.0-or-later
"""The NBD protocol, shared by the built-in engine's server and guimirror's own client.

``protocol`` holds the wire format (magics, numbers, flags, structs); ``client`` is the small
asyncio client of the write load. No Qt, no engine: both ends import from here.
"""
