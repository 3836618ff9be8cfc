# SPDX-License-Identifier: GPL-2.0-or-later
"""The NBD wire format: magics, option and command numbers, flags, and the errno mapping.

Defined once here for both ends guimirror has: the built-in engine's server
(guimirror.engine.nbd) and the client of the write load (guimirror.nbd.client). Numbers and
layouts follow the NBD protocol specification (doc/proto.md of the NBD project).
Everything on the wire is big-endian.
"""

from __future__ import annotations

import errno
import struct
from enum import IntEnum, IntFlag

NBDMAGIC = 0x4E42444D41474943  # "NBDMAGIC"
IHAVEOPT = 0x49484156454F5054  # "IHAVEOPT"
OPTION_REPLY_MAGIC = 0x0003E889045565A9
REQUEST_MAGIC = 0x25609513
SIMPLE_REPLY_MAGIC = 0x67446698
STRUCTURED_REPLY_MAGIC = 0x668E33EF

MAX_STRING_SIZE = 4096
"""The longest export name, description or context name the spec allows (NBD_MAX_STRING_SIZE)."""

MAX_BUFFER_SIZE = 32 * 1024 * 1024
"""The largest READ or WRITE payload the engine's server accepts (its maximum block size)."""

PREFERRED_BLOCK_SIZE = 4096

MAX_OPTION_LENGTH = 64 * 1024
"""Option payloads longer than this are refused without reading them into memory."""

BASE_ALLOCATION = "base:allocation"
BASE_ALLOCATION_ID = 0
"""The id this server gives the ``base:allocation`` meta context (QEMU's too)."""


class HandshakeFlag(IntFlag):
    FIXED_NEWSTYLE = 1 << 0
    NO_ZEROES = 1 << 1


class ClientFlag(IntFlag):
    FIXED_NEWSTYLE = 1 << 0
    NO_ZEROES = 1 << 1


class TransmissionFlag(IntFlag):
    HAS_FLAGS = 1 << 0
    READ_ONLY = 1 << 1
    SEND_FLUSH = 1 << 2
    SEND_FUA = 1 << 3
    ROTATIONAL = 1 << 4
    SEND_TRIM = 1 << 5
    SEND_WRITE_ZEROES = 1 << 6
    SEND_DF = 1 << 7
    CAN_MULTI_CONN = 1 << 8
    SEND_RESIZE = 1 << 9
    SEND_CACHE = 1 << 10
    SEND_FAST_ZERO = 1 << 11


class Option(IntEnum):
    EXPORT_NAME = 1
    ABORT = 2
    LIST = 3
    STARTTLS = 5
    INFO = 6
    GO = 7
    STRUCTURED_REPLY = 8
    LIST_META_CONTEXT = 9
    SET_META_CONTEXT = 10


OPTION_REPLY_ERROR = 1 << 31
"""The bit that marks an option reply as an error (NBD_REP_FLAG_ERROR)."""


class OptionReply(IntEnum):
    ACK = 1
    SERVER = 2
    INFO = 3
    META_CONTEXT = 4
    ERR_UNSUP = OPTION_REPLY_ERROR + 1
    ERR_POLICY = OPTION_REPLY_ERROR + 2
    ERR_INVALID = OPTION_REPLY_ERROR + 3
    ERR_PLATFORM = OPTION_REPLY_ERROR + 4
    ERR_TLS_REQD = OPTION_REPLY_ERROR + 5
    ERR_UNKNOWN = OPTION_REPLY_ERROR + 6
    ERR_SHUTDOWN = OPTION_REPLY_ERROR + 7
    ERR_BLOCK_SIZE_REQD = OPTION_REPLY_ERROR + 8
    ERR_TOO_BIG = OPTION_REPLY_ERROR + 9


class Info(IntEnum):
    EXPORT = 0
    NAME = 1
    DESCRIPTION = 2
    BLOCK_SIZE = 3


class Command(IntEnum):
    READ = 0
    WRITE = 1
    DISC = 2
    FLUSH = 3
    TRIM = 4
    CACHE = 5
    WRITE_ZEROES = 6
    BLOCK_STATUS = 7


class CommandFlag(IntFlag):
    FUA = 1 << 0
    NO_HOLE = 1 << 1
    DF = 1 << 2
    REQ_ONE = 1 << 3
    FAST_ZERO = 1 << 4


class ReplyFlag(IntFlag):
    DONE = 1 << 0


class ReplyType(IntEnum):
    NONE = 0
    OFFSET_DATA = 1
    OFFSET_HOLE = 2
    BLOCK_STATUS = 5
    ERROR = (1 << 15) + 1
    ERROR_OFFSET = (1 << 15) + 2


class AllocationState(IntFlag):
    """Flags of one ``base:allocation`` extent."""

    HOLE = 1 << 0
    ZERO = 1 << 1


class NbdErrno(IntEnum):
    """The error values the spec allows on the wire (they equal Linux's numbers)."""

    EPERM = 1
    EIO = 5
    ENOMEM = 12
    EINVAL = 22
    ENOSPC = 28
    EOVERFLOW = 75
    ENOTSUP = 95
    ESHUTDOWN = 108


_ERRNO_TO_NBD = {
    errno.EPERM: NbdErrno.EPERM,
    errno.EROFS: NbdErrno.EPERM,
    errno.EACCES: NbdErrno.EPERM,
    errno.EIO: NbdErrno.EIO,
    errno.ENOMEM: NbdErrno.ENOMEM,
    errno.ENOSPC: NbdErrno.ENOSPC,
    errno.EDQUOT: NbdErrno.ENOSPC,
    errno.EFBIG: NbdErrno.ENOSPC,
    errno.EOVERFLOW: NbdErrno.EOVERFLOW,
    errno.ENOTSUP: NbdErrno.ENOTSUP,
    errno.EOPNOTSUPP: NbdErrno.ENOTSUP,
    errno.ESHUTDOWN: NbdErrno.ESHUTDOWN,
}


def nbd_errno(system_errno: int | None) -> NbdErrno:
    """Map a host errno to the NBD error a reply carries; unknown ones become EINVAL (the spec)."""
    if system_errno is None:
        return NbdErrno.EIO
    return _ERRNO_TO_NBD.get(system_errno, NbdErrno.EINVAL)


# Fixed-size headers.
CLIENT_FLAGS = struct.Struct(">I")
OPTION_HEADER = struct.Struct(">QII")  # IHAVEOPT, option, length
OPTION_REPLY_HEADER = struct.Struct(">QIII")  # magic, option, reply type, length
REQUEST = struct.Struct(">IHHQQI")  # magic, flags, type, cookie, offset, length
SIMPLE_REPLY = struct.Struct(">IIQ")  # magic, error, cookie
STRUCTURED_REPLY_HEADER = struct.Struct(">IHHQI")  # magic, flags, type, cookie, length
STRUCTURED_REPLY_REST = struct.Struct(">HHQI")  # the structured header after its magic
SIMPLE_REPLY_REST = struct.Struct(">IQ")  # the simple reply after its magic
ERROR_CHUNK = struct.Struct(">IH")  # errno, message length
HOLE_CHUNK = struct.Struct(">QI")  # offset, length
GREETING = struct.Struct(">QQH")  # NBDMAGIC, IHAVEOPT, handshake flags
EXPORT_NAME_REPLY = struct.Struct(">QH")  # size, transmission flags
INFO_EXPORT = struct.Struct(">HQH")  # NBD_INFO_EXPORT, size, transmission flags
INFO_BLOCK_SIZE = struct.Struct(">HIII")  # NBD_INFO_BLOCK_SIZE, minimum, preferred, maximum
EXTENT = struct.Struct(">II")  # length, flags
U16 = struct.Struct(">H")
U32 = struct.Struct(">I")
U64 = struct.Struct(">Q")


def option_reply(option: int, reply: OptionReply, payload: bytes = b"") -> bytes:
    """One option reply: header and payload."""
    return OPTION_REPLY_HEADER.pack(OPTION_REPLY_MAGIC, option, reply, len(payload)) + payload


def simple_reply(cookie: int, error: int = 0) -> bytes:
    return SIMPLE_REPLY.pack(SIMPLE_REPLY_MAGIC, error, cookie)


def structured_header(cookie: int, reply_type: ReplyType, length: int, done: bool) -> bytes:
    flags = ReplyFlag.DONE if done else 0
    return STRUCTURED_REPLY_HEADER.pack(STRUCTURED_REPLY_MAGIC, flags, reply_type, cookie, length)


def structured_error(cookie: int, error: int, message: str) -> bytes:
    """A final NBD_REPLY_TYPE_ERROR chunk carrying ``error`` and a human-readable message."""
    text = message.encode()[:MAX_STRING_SIZE]
    payload = U32.pack(error) + U16.pack(len(text)) + text
    return structured_header(cookie, ReplyType.ERROR, len(payload), done=True) + payload
