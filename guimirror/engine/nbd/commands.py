# SPDX-License-Identifier: GPL-2.0-or-later
"""Transmission-phase commands: check one request as QEMU's server does, then run it.

Each command does its I/O through the export's BlockBackend (whose node methods move the data in
the engine's worker threads). A refused or failed request raises RequestError carrying the NBD
errno; OSError from a node is mapped with the spec's table.
"""

from __future__ import annotations

from typing import NamedTuple

from guimirror.engine.nbd.export import NbdExport
from guimirror.nbd import protocol as p

MAX_EXTENTS = 1024
"""The most ``base:allocation`` extents one BLOCK_STATUS reply carries (the client asks again)."""


class Request(NamedTuple):
    """One request as read off the wire; ``data`` is the payload of a WRITE."""

    flags: int
    command: int
    cookie: int
    offset: int
    length: int
    data: bytes = b""


class RequestError(Exception):
    """A request the server answers with an error: ``errno`` is an NBD error value.

    Protocol control flow inside the connection: it becomes the request's error reply on the
    wire and never reaches a user, so it is not a :class:`guimirror.errors.GuimirrorError`.
    """

    def __init__(self, error: p.NbdErrno, message: str) -> None:
        super().__init__(message)
        self.errno = error
        self.message = message


_FUA = int(p.CommandFlag.FUA)
_VALID_FLAGS = {
    int(p.Command.READ): _FUA,
    int(p.Command.WRITE): _FUA,
    int(p.Command.FLUSH): _FUA,
    int(p.Command.TRIM): _FUA,
    int(p.Command.CACHE): _FUA,
    int(p.Command.WRITE_ZEROES): _FUA | int(p.CommandFlag.NO_HOLE),
    int(p.Command.BLOCK_STATUS): _FUA | int(p.CommandFlag.REQ_ONE),
}
"""The flags each command accepts (plain ints: this runs for every request)."""
_DF = int(p.CommandFlag.DF)
_READ = int(p.Command.READ)
_BLOCK_STATUS = int(p.Command.BLOCK_STATUS)
_WRITES = frozenset(int(c) for c in (p.Command.WRITE, p.Command.WRITE_ZEROES, p.Command.TRIM))
_RANGED = _WRITES | {_READ, _BLOCK_STATUS, int(p.Command.CACHE)}


def check(request: Request, export: NbdExport, structured: bool, base_allocation: bool) -> None:
    """Refuse a request the export must not run.

    QEMU 7.2's server answers every request it refuses before running it with EINVAL (the
    spec would allow EPERM for a write to a read-only export and ENOSPC past the end; QEMU
    does not use them there), so this does too.
    """
    command = request.command
    valid = _VALID_FLAGS.get(command)
    if valid is None:
        raise RequestError(p.NbdErrno.EINVAL, f"unsupported command {command}")
    if command == _READ and structured:
        valid |= _DF
    if request.flags & ~valid:
        raise RequestError(p.NbdErrno.EINVAL, f"unsupported flags {request.flags:#x}")
    if command in _WRITES and not export.writable:
        raise RequestError(p.NbdErrno.EINVAL, "Export is read-only")
    if command == _READ and request.length > p.MAX_BUFFER_SIZE:
        raise RequestError(p.NbdErrno.EINVAL, f"len {request.length} is larger than max len")
    if command in _RANGED and request.offset + request.length > export.size:
        raise RequestError(
            p.NbdErrno.EINVAL,
            f"operation from {request.offset}, len {request.length} exceeds size {export.size}",
        )
    if command == _BLOCK_STATUS and not base_allocation:
        raise RequestError(p.NbdErrno.EINVAL, "CMD_BLOCK_STATUS not negotiated")


async def read(export: NbdExport, request: Request) -> bytes:
    if request.length == 0:
        return b""
    return await export.backend.pread(request.offset, request.length)


async def cache(export: NbdExport, request: Request) -> None:
    """NBD_CMD_CACHE: read the range so that later reads find it in the host's page cache."""
    offset, end = request.offset, request.offset + request.length
    while offset < end:
        chunk = min(p.MAX_BUFFER_SIZE, end - offset)
        await export.backend.pread(offset, chunk)
        offset += chunk


async def write(export: NbdExport, request: Request) -> None:
    if request.data:
        await export.backend.pwrite(request.offset, request.data, fua=_fua(export, request))


async def write_zeroes(export: NbdExport, request: Request) -> None:
    if request.length:
        may_unmap = not request.flags & p.CommandFlag.NO_HOLE
        await export.backend.pwrite_zeroes(
            request.offset, request.length, may_unmap, fua=_fua(export, request))


async def trim(export: NbdExport, request: Request) -> None:
    if request.length:
        await export.backend.pdiscard(request.offset, request.length)
    if _fua(export, request):  # a discard has no FUA of its own down the nodes: flush
        await export.backend.flush()


async def flush(export: NbdExport) -> None:
    await export.backend.flush()


async def block_status(export: NbdExport, request: Request) -> bytes:
    """The ``base:allocation`` extents of the range, as a BLOCK_STATUS chunk's payload."""
    extents: list[tuple[int, int]] = []
    offset = request.offset
    end = request.offset + request.length
    while offset < end and len(extents) < MAX_EXTENTS:
        status = await export.backend.block_status(offset, end - offset)
        if status.pnum <= 0:
            break
        pnum = min(status.pnum, end - offset)
        state = (0 if status.data else p.AllocationState.HOLE) | (
            p.AllocationState.ZERO if status.zero else 0
        )
        if extents and extents[-1][1] == state and not request.flags & p.CommandFlag.REQ_ONE:
            extents[-1] = (extents[-1][0] + pnum, state)
        else:
            extents.append((pnum, int(state)))
        offset += pnum
        if request.flags & p.CommandFlag.REQ_ONE:
            break
    if not extents:
        raise RequestError(p.NbdErrno.EINVAL, "no block status for an empty range")
    payload = p.U32.pack(p.BASE_ALLOCATION_ID)
    return payload + b"".join(p.EXTENT.pack(length, flags) for length, flags in extents)


def _fua(export: NbdExport, request: Request) -> bool:
    """The client's FUA goes down to the nodes as theirs (every write is FUA in writethrough)."""
    return bool(request.flags & _FUA) or export.writethrough

