# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP's JSON input as QEMU reads it: a byte-level lexer, a message streamer and a parser.

QEMU does not read QMP line by line. Its lexer cuts the byte stream into tokens, a streamer
counts braces and brackets and hands the tokens to the parser as soon as they balance (or
go negative), and a lexical error is reported at once and followed by a recovery that
skips to the next structural character or control byte. The replies a client gets to
malformed input depend on all of that, so this module follows QEMU 7.2's
qobject/json-lexer.c, json-streamer.c and json-parser.c state for state, with the same
error texts, and orders every object's members the way a QDict iterates them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from enum import IntEnum
from typing import Any

from guimirror.qapi.errors import QAPIError

MAX_TOKEN_SIZE = 64 << 20
MAX_TOKEN_COUNT = 2 << 20
MAX_NESTING = 1 << 10

QDICT_BUCKET_MAX = 512


class _State(IntEnum):
    RECOVERY = 1
    DQ_STRING_ESCAPE = 2
    DQ_STRING = 3
    SQ_STRING_ESCAPE = 4
    SQ_STRING = 5
    ZERO = 6
    EXP_DIGITS = 7
    EXP_SIGN = 8
    EXP_E = 9
    MANTISSA = 10
    MANTISSA_DIGITS = 11
    DIGITS = 12
    SIGN = 13
    KEYWORD = 14
    START = 15


class Token(IntEnum):
    """The token types of QEMU's lexer (ERROR is a lexical error)."""

    ERROR = 0
    LCURLY = 100
    RCURLY = 101
    LSQUARE = 102
    RSQUARE = 103
    COLON = 104
    COMMA = 105
    INTEGER = 106
    FLOAT = 107
    KEYWORD = 108
    STRING = 109


# A transition is (next state or token, needs lookahead): with lookahead the byte is not
# consumed and is fed again in the next state.
_Transition = tuple[int, bool]


def _build_table() -> dict[int, list[_Transition]]:
    table: dict[int, list[_Transition]] = {s: [(Token.ERROR, False)] * 256 for s in _State}

    def put(state: _State, chars: Iterable[int] | str, target: int,
            lookahead: bool = False) -> None:
        row = table[state]
        for ch in chars:
            row[ord(ch) if isinstance(ch, str) else ch] = (target, lookahead)

    def terminal(state: _State, token: Token) -> None:
        put(state, range(256), token, lookahead=True)

    digits = "0123456789"
    put(_State.RECOVERY, range(0x00, 0x20), _State.START, lookahead=True)
    put(_State.RECOVERY, range(0x20, 0xFE), _State.RECOVERY)
    put(_State.RECOVERY, (0xFE, 0xFF), _State.START, lookahead=True)
    put(_State.RECOVERY, "\t", _State.RECOVERY)
    put(_State.RECOVERY, "[]{}:,", _State.START, lookahead=True)

    for esc, body, quote in (
        (_State.DQ_STRING_ESCAPE, _State.DQ_STRING, '"'),
        (_State.SQ_STRING_ESCAPE, _State.SQ_STRING, "'"),
    ):
        put(esc, range(0x20, 0xFE), body)
        put(body, range(0x20, 0xFE), body)
        put(body, "\\", esc)
        put(body, quote, Token.STRING)

    terminal(_State.ZERO, Token.INTEGER)
    put(_State.ZERO, digits, Token.ERROR)
    put(_State.ZERO, ".", _State.MANTISSA)

    terminal(_State.EXP_DIGITS, Token.FLOAT)
    put(_State.EXP_DIGITS, digits, _State.EXP_DIGITS)
    put(_State.EXP_SIGN, digits, _State.EXP_DIGITS)
    put(_State.EXP_E, "-+", _State.EXP_SIGN)
    put(_State.EXP_E, digits, _State.EXP_DIGITS)

    terminal(_State.MANTISSA_DIGITS, Token.FLOAT)
    put(_State.MANTISSA_DIGITS, digits, _State.MANTISSA_DIGITS)
    put(_State.MANTISSA_DIGITS, "eE", _State.EXP_E)
    put(_State.MANTISSA, digits, _State.MANTISSA_DIGITS)

    terminal(_State.DIGITS, Token.INTEGER)
    put(_State.DIGITS, digits, _State.DIGITS)
    put(_State.DIGITS, "eE", _State.EXP_E)
    put(_State.DIGITS, ".", _State.MANTISSA)
    put(_State.SIGN, "0", _State.ZERO)
    put(_State.SIGN, "123456789", _State.DIGITS)

    terminal(_State.KEYWORD, Token.KEYWORD)
    put(_State.KEYWORD, "abcdefghijklmnopqrstuvwxyz", _State.KEYWORD)

    put(_State.START, '"', _State.DQ_STRING)
    put(_State.START, "'", _State.SQ_STRING)
    put(_State.START, "0", _State.ZERO)
    put(_State.START, "123456789", _State.DIGITS)
    put(_State.START, "-", _State.SIGN)
    for ch, token in zip("{}[],:", (Token.LCURLY, Token.RCURLY, Token.LSQUARE, Token.RSQUARE,
                                     Token.COMMA, Token.COLON), strict=True):
        put(_State.START, ch, token)
    put(_State.START, "abcdefghijklmnopqrstuvwxyz", _State.KEYWORD)
    put(_State.START, " \t\r\n", _State.START)
    return table


_TABLE = _build_table()


# --- QEMU's modified UTF-8 (util/unicode.c) ---------------------------------------------

def _is_valid_codepoint(cp: int) -> bool:
    if cp < 0 or cp > 0x10FFFF:
        return False
    if 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE:
        return False
    return not 0xD800 <= cp <= 0xDFFF


_MIN_CP = (0x80, 0x800, 0x10000, 0x200000, 0x4000000)


def _mod_utf8_codepoint(data: bytes, pos: int, n: int = 6) -> tuple[int, int]:
    """One code point at ``pos``: (code point or -1, position after it), as QEMU decodes."""
    if n == 0 or pos >= len(data) or data[pos] == 0:
        return -1, pos
    byte = data[pos]
    p = pos + 1
    if byte < 0x80:
        return byte, p
    if byte >= 0xFE or not byte & 0x40:
        return -1, p
    length = 0
    mask = 0x80
    while byte & mask:
        length += 1
        mask >>= 1
    cp = byte & (mask - 1)
    for i in range(1, length):
        nxt = data[p] if i < n and p < len(data) else 0
        if nxt & 0xC0 != 0x80:
            return -1, p
        p += 1
        cp = (cp << 6) | (nxt & 0x3F)
    if not _is_valid_codepoint(cp) or (cp < _MIN_CP[length - 2] and not (cp == 0 and length == 2)):
        return -1, p
    return cp, p


def decode_lossy(data: bytes) -> str:
    """Text of a C string as QEMU's JSON writer shows it: bad sequences become U+FFFD."""
    data = data.split(b"\0", 1)[0]
    out: list[str] = []
    pos = 0
    while pos < len(data):
        cp, pos = _mod_utf8_codepoint(data, pos)
        out.append(chr(cp) if cp >= 0 else "\ufffd")
    return "".join(out)


def mod_utf8_encode(text: str) -> bytes:
    """A string's bytes inside QEMU (NUL as C0 80), which is what QDict hashes."""
    return text.encode("utf-8", "surrogatepass").replace(b"\0", b"\xc0\x80")


# --- member order of a QDict (qobject/qdict.c) ------------------------------------------

def tdb_hash(key: str) -> int:
    """QDict's hash of a key."""
    raw = mod_utf8_encode(key)
    value = (0x238F13AF * len(raw)) & 0xFFFFFFFF
    for i, byte in enumerate(raw):
        value = (value + (byte << (i * 5 % 24))) & 0xFFFFFFFF
    return (1103515243 * value + 12345) & 0xFFFFFFFF


def qdict_order(keys: Iterable[str]) -> list[str]:
    """Keys in the order QEMU iterates a QDict built by inserting them in the given order.

    Buckets come in ascending order; inside a bucket the last inserted key comes first.
    """
    buckets: dict[int, list[str]] = {}
    for key in keys:
        buckets.setdefault(tdb_hash(key) % QDICT_BUCKET_MAX, []).insert(0, key)
    return [key for bucket in sorted(buckets) for key in buckets[bucket]]


def as_qdict(members: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``members`` whose iteration order is QEMU's QDict order."""
    return {key: members[key] for key in qdict_order(members)}


def _g_str_hash(key: str) -> int:
    value = 5381
    for byte in mod_utf8_encode(key):
        signed = byte - 256 if byte >= 0x80 else byte
        value = (value * 33 + signed) & 0xFFFFFFFF
    return value if value >= 2 else 2


_GLIB_PRIME_MOD = (1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381)


def ghash_order(keys: list[str]) -> list[str]:
    """Iteration order of a GLib string hash table the keys were inserted into in order.

    QEMU's input visitor reports the first leftover key of such a table as unexpected, so
    with several unexpected members this picks the one QEMU names.
    """
    shift = 3
    while len(keys) >= (1 << shift) - ((1 << shift) >> 4):
        shift += 1
    size = 1 << shift
    mod = _GLIB_PRIME_MOD[shift]
    slots: list[str | None] = [None] * size
    for key in keys:
        index = ((_g_str_hash(key) * 11) & 0xFFFFFFFF) % mod
        step = 0
        while slots[index] is not None and slots[index] != key:
            step += 1
            index = (index + step) & (size - 1)
        slots[index] = key
    return [key for key in slots if key is not None]


def in_visit_order(value: Any) -> Any:
    """``value`` with every object's members in the order QEMU's input visitor finds the
    leftover ones, so a validator that names the first unexpected member names QEMU's."""
    if isinstance(value, dict):
        return {key: in_visit_order(value[key]) for key in ghash_order(list(value))}
    if isinstance(value, list):
        return [in_visit_order(item) for item in value]
    return value


# --- the parser (qobject/json-parser.c) --------------------------------------------------

class JSONParseError(Exception):
    """A JSON parse error; ``str()`` is QEMU's text after ``JSON parse error, ``.

    Control flow inside the parser: the stream turns it into the client's error reply, so it
    never reaches a user as such and is not a :class:`guimirror.errors.GuimirrorError`.
    """


_SIMPLE_ESCAPES = {
    ord('"'): '"', ord("'"): "'", ord("\\"): "\\", ord("/"): "/",
    ord("b"): "\b", ord("f"): "\f", ord("n"): "\n", ord("r"): "\r", ord("t"): "\t",
}


def _cvt4hex(raw: bytes, pos: int) -> int:
    chunk = raw[pos:pos + 4]
    if len(chunk) < 4 or any(chr(c) not in "0123456789abcdefABCDEF" for c in chunk):
        return -1
    return int(chunk, 16)


_PLAIN_RUN = re.compile(rb"[^\\]+")
# Noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) in UTF-8: valid UTF-8 that QEMU refuses.
_NONCHARACTER = re.compile(
    rb"\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]")


def _plain_prefix(chunk: bytes) -> tuple[str, int]:
    """The longest start of ``chunk`` that Python's strict UTF-8 decoding and QEMU both
    accept, and its length in bytes (QEMU also takes C0 80 and refuses noncharacters;
    the caller decodes those one by one)."""
    if chunk.isascii():
        return chunk.decode("ascii"), len(chunk)
    bad = _NONCHARACTER.search(chunk)
    if bad is not None:
        chunk = chunk[:bad.start()]
    try:
        return chunk.decode("utf-8"), len(chunk)
    except UnicodeDecodeError as error:
        return chunk[:error.start].decode("utf-8"), error.start


def _parse_string(raw: bytes) -> str:
    quote = raw[0]
    pos = 1
    out: list[str] = []
    while raw[pos] != quote:
        plain = _PLAIN_RUN.match(raw, pos, len(raw) - 1)
        if plain is not None:
            text, size = _plain_prefix(plain.group())
            if size:
                out.append(text)
                pos += size
                continue
        if raw[pos] == ord("\\"):
            begin = pos
            escape = raw[pos + 1]
            pos += 2
            if escape in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[escape])
                continue
            if escape != ord("u"):
                raise JSONParseError("invalid escape sequence in string")
            cp = _cvt4hex(raw, pos)
            pos += 4
            if 0xD800 <= cp <= 0xDBFF and raw[pos:pos + 2] == b"\\u":
                cp = 0x10000 + ((cp & 0x3FF) << 10)
                trailing = _cvt4hex(raw, pos + 2)
                if 0xDC00 <= trailing <= 0xDFFF:
                    cp |= trailing & 0x3FF
                    pos += 6
                else:
                    cp = -1
            if not _is_valid_codepoint(cp):
                escape_text = decode_lossy(raw[begin:pos])
                raise JSONParseError(f"{escape_text} is not a valid Unicode character")
            out.append(chr(cp))
        else:
            cp, pos = _mod_utf8_codepoint(raw, pos)
            if cp < 0:
                raise JSONParseError("invalid UTF-8 sequence in string")
            out.append(chr(cp))
    return "".join(out)


def _parse_integer(text: str) -> int | float:
    value = int(text)
    if -(1 << 63) <= value < (1 << 63) or 0 <= value < (1 << 64):
        return value
    return float(text)


def _parse_scalar(kind: Token, raw: bytes) -> Any:
    if kind == Token.STRING:
        return _parse_string(raw)
    if kind == Token.INTEGER:
        return _parse_integer(raw.decode("ascii"))
    if kind == Token.FLOAT:
        return float(raw.decode("ascii"))
    word = raw.decode("ascii")
    if word in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[word]
    raise JSONParseError(f"invalid keyword '{word}'")


_NO_KEY = object()


class _Frame:
    """An object or array being parsed; ``key`` is _NO_KEY while an object awaits its key."""

    def __init__(self, container: dict[str, Any] | list[Any]) -> None:
        self.container = container
        self.key: object = _NO_KEY


def parse_tokens(tokens: deque[tuple[Token, bytes]]) -> Any:
    """Parse one value from balanced tokens, raising QEMU's first error (iteratively, so
    that the 1024 levels of nesting QEMU allows need no deep recursion)."""

    def pop() -> tuple[Token, bytes]:
        if not tokens:
            raise JSONParseError("premature EOI")
        return tokens.popleft()

    stack: list[_Frame] = []
    while True:
        if not tokens:
            raise JSONParseError("premature EOI")
        kind, raw = tokens[0]
        value: Any
        if kind in (Token.LCURLY, Token.LSQUARE):
            tokens.popleft()
            container: dict[str, Any] | list[Any] = {} if kind == Token.LCURLY else []
            if not tokens:
                raise JSONParseError("premature EOI")
            closer = Token.RCURLY if kind == Token.LCURLY else Token.RSQUARE
            if tokens[0][0] != closer:
                stack.append(_Frame(container))
                continue
            tokens.popleft()
            value = container
        elif kind in (Token.STRING, Token.INTEGER, Token.FLOAT, Token.KEYWORD):
            tokens.popleft()
            value = _parse_scalar(kind, raw)
        else:
            raise JSONParseError("expecting value")

        # Hand the finished value to the enclosing containers, closing those that end.
        while True:
            if not stack:
                return value
            frame = stack[-1]
            if isinstance(frame.container, list):
                frame.container.append(value)
                separator = pop()[0]
                if separator == Token.RSQUARE:
                    stack.pop()
                    value = frame.container
                    continue
                if separator != Token.COMMA:
                    raise JSONParseError("expected separator in list")
                break
            if frame.key is _NO_KEY:
                if not isinstance(value, str):
                    raise JSONParseError("key is not a string in object")
                frame.key = value
                if pop()[0] != Token.COLON:
                    raise JSONParseError("missing : in object pair")
                break
            key = frame.key
            assert isinstance(key, str)
            if key in frame.container:
                raise JSONParseError("duplicate key")
            frame.container[key] = value
            frame.key = _NO_KEY
            separator = pop()[0]
            if separator == Token.RCURLY:
                stack.pop()
                value = as_qdict(frame.container)
                continue
            if separator != Token.COMMA:
                raise JSONParseError("expected separator in dict")
            break


# --- the lexer and streamer -------------------------------------------------------------

_STRING_RUNS: dict[int, re.Pattern[bytes]] = {
    _State.DQ_STRING: re.compile(rb"[\x20\x21\x23-\x5b\x5d-\xfd]+"),
    _State.SQ_STRING: re.compile(rb"[\x20-\x26\x28-\x5b\x5d-\xfd]+"),
}


class JSONMessageStream:
    """Feed bytes, get each complete message (a parsed value) or its QAPIError, in order.

    Runs in whichever task feeds it; it holds no I/O of its own.
    """

    def __init__(self) -> None:
        self._state: int = _State.START
        self._token = bytearray()
        self._tokens: deque[tuple[Token, bytes]] = deque()
        self._token_size = 0
        self._brace_count = 0
        self._bracket_count = 0
        self._out: list[Any] = []

    def feed(self, data: bytes) -> list[Any]:
        """Lex ``data``; return the messages it completed (values or QAPIError instances)."""
        pos = 0
        while pos < len(data):
            run = _STRING_RUNS.get(self._state)
            match = run.match(data, pos) if run is not None else None
            if match is None:
                self._feed_byte(data[pos])
                pos += 1
                continue
            # Plain characters inside a string only grow the token: take them at once,
            # stopping where QEMU's per-character size check would fire.
            end = min(match.end(), pos + max(1, MAX_TOKEN_SIZE + 1 - len(self._token)))
            self._token += data[pos:end]
            pos = end
            self._check_token_size()
        out, self._out = self._out, []
        return out

    def _feed_byte(self, byte: int) -> None:
        consumed = False
        while not consumed:
            new_state, lookahead = _TABLE[self._state][byte]
            consumed = not lookahead
            if consumed:
                self._token.append(byte)
            if new_state >= Token.LCURLY:
                self._process_token(Token(new_state), bytes(self._token))
                self._token.clear()
                new_state = _State.START
            elif new_state == _State.START:
                self._token.clear()
            elif new_state == Token.ERROR:
                self._process_token(Token.ERROR, bytes(self._token))
                self._token.clear()
                new_state = _State.RECOVERY
            elif new_state == _State.RECOVERY:
                self._token.clear()
            self._state = new_state
        self._check_token_size()

    def _check_token_size(self) -> None:
        if len(self._token) > MAX_TOKEN_SIZE:
            self._emit(QAPIError("JSON token size limit exceeded"))
            self._token.clear()
            self._state = _State.START

    def _process_token(self, kind: Token, raw: bytes) -> None:
        if kind == Token.ERROR:
            self._emit(QAPIError(f"JSON parse error, stray '{decode_lossy(raw)}'"))
            return
        if kind == Token.LCURLY:
            self._brace_count += 1
        elif kind == Token.RCURLY:
            self._brace_count -= 1
        elif kind == Token.LSQUARE:
            self._bracket_count += 1
        elif kind == Token.RSQUARE:
            self._bracket_count -= 1
        if self._token_size + len(raw) + 1 > MAX_TOKEN_SIZE:
            self._emit(QAPIError("JSON token size limit exceeded"))
            return
        if len(self._tokens) + 1 > MAX_TOKEN_COUNT:
            self._emit(QAPIError("JSON token count limit exceeded"))
            return
        if self._brace_count + self._bracket_count > MAX_NESTING:
            self._emit(QAPIError("JSON nesting depth limit exceeded"))
            return
        self._tokens.append((kind, raw))
        self._token_size += len(raw)
        if (self._brace_count > 0 or self._bracket_count > 0) and \
                self._brace_count >= 0 and self._bracket_count >= 0:
            return
        try:
            value = parse_tokens(self._tokens)
        except JSONParseError as error:
            self._emit(QAPIError(f"JSON parse error, {error}"))
        else:
            self._emit(value)

    def _emit(self, message: Any) -> None:
        self._brace_count = 0
        self._bracket_count = 0
        self._tokens.clear()
        self._token_size = 0
        self._out.append(message)
