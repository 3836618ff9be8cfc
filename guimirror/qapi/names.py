# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's rules for the names a user gives: node-name, job-id, export id (util/id.c, block.c)."""

from __future__ import annotations

import re

from guimirror.qapi.errors import QAPIError

NODE_NAME_MAX = 31
"""QEMU keeps a node-name in a 32-byte buffer with its terminating NUL."""

_WELLFORMED = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")


def id_wellformed(name: str) -> bool:
    """QEMU's ``id_wellformed``: an ASCII letter, then ASCII letters, digits, ``-._``."""
    return _WELLFORMED.fullmatch(name) is not None


def check_node_name(name: str) -> None:
    """``bdrv_assign_node_name``'s own checks: well-formed, then at most 31 characters.

    QEMU checks for a clash with a device id and for a duplicate node-name between the two;
    an engine does that itself (``Duplicate nodes with node-name='%s'``).
    """
    if not id_wellformed(name):
        raise QAPIError(f"Invalid node-name: '{name}'")
    if len(name.encode()) > NODE_NAME_MAX:
        raise QAPIError("Node name too long")


def check_job_id(job_id: str | None) -> None:
    """``job_create``'s check of the id; a missing job-id is QEMU's empty device name.

    QEMU checks for a duplicate (``Job ID '%s' already in use``) right after this.
    """
    name = job_id or ""
    if not id_wellformed(name):
        raise QAPIError(f"Invalid job ID '{name}'")
