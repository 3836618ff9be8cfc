# SPDX-License-Identifier: GPL-2.0-or-later
"""A seeded generator of random and malformed QMP input, for the differential fuzz test.

It never produces ``quit`` (that ends the conversation) nor commands that exist in
qemu-storage-daemon but not in the protocol set both servers share, and it keeps numbers
within what QEMU prints as JSON (QEMU writes an overflowing float as ``inf``).
"""

from __future__ import annotations

import json
import random
from typing import Any

COMMANDS = ["query-version", "qmp_capabilities", "query-nothing", "", "query_version", "Quit"]
MEMBERS = ["execute", "exec-oob", "arguments", "id", "control", "foo", "Execute"]
ARGUMENT_KEYS = ["enable", "x", "y", "z", "node-name", "a", "enable2"]
INSERTS = [b"\x00", b"\x1f", b"\t", b"\xc3", b"\xc0\x80", b"\xff", b"\xfe", b'"', b"'",
           b"\\", b"{", b"}", b"[", b"]", b":", b",", b" ", b"\n", b"%", b"@", b"-", b"e",
           b".", b"0", b"9", b"tru", b"null", b"\xef\xbf\xbf", b"\xe2\x82\xac"]
STRINGS = ['"plain"', '"tab\\t"', '"\\u00e9"', '"\\u0000"', '"\\ud83d\\ude00"', '"\\ud83d"',
           '"\\udc00"', '"\\uFDD0"', '"\\u12"', '"\\x41"', "'single'", "'it\\'s'",
           '"\\/"', '"caf\xc3\xa9"', '"\xc0\x80"', '"\xed\xa0\x80"', '"\xf4\x90\x80\x80"',
           '"\xef\xbf\xbe"', '"\xe0\x80\xaf"', '"\xc3"']
NUMBERS = ["0", "-0", "01", "1.", "1.5", "-1", "1e5", "1E+2", "2e-3", "-", "1e", "00",
           "9223372036854775807", "9223372036854775808", "18446744073709551615",
           "18446744073709551616", "-9223372036854775809", "0.1", "1.0e10"]
KEYWORDS = ["true", "false", "null", "tru", "nul", "True", "nan", "inf"]


class MessageGenerator:
    """Random QMP input as bytes; the same seed gives the same messages."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def value_text(self, depth: int = 0) -> str:
        rng = self.rng
        kind = rng.randrange(6 if depth < 3 else 3)
        if kind == 0:
            return rng.choice(STRINGS)
        if kind == 1:
            return rng.choice(NUMBERS)
        if kind == 2:
            return rng.choice(KEYWORDS)
        if kind == 3:
            items = [self.value_text(depth + 1) for _ in range(rng.randrange(3))]
            return "[" + ", ".join(items) + "]"
        if kind == 4:
            keys = rng.sample(ARGUMENT_KEYS, rng.randrange(4))
            return "{" + ", ".join(f'"{k}": {self.value_text(depth + 1)}' for k in keys) + "}"
        return json.dumps(self.rng.choice(COMMANDS))

    def arguments(self) -> Any:
        rng = self.rng
        choice = rng.randrange(5)
        if choice == 0:
            return {}
        if choice == 1:
            return {"enable": rng.choice([["oob"], [], ["foo"], "oob", [1], ["oob", "x"], None])}
        if choice == 2:
            keys = rng.sample(ARGUMENT_KEYS, rng.randrange(1, 5))
            return {k: rng.choice([1, "s", None, [], {}]) for k in keys}
        return rng.choice([[], 1, "x", None])

    def envelope(self) -> dict[str, Any]:
        rng = self.rng
        message: dict[str, Any] = {}
        for member in rng.sample(MEMBERS, rng.randrange(0, 4)):
            if member in ("execute", "exec-oob"):
                message[member] = rng.choice([*COMMANDS, *COMMANDS, 1, None, ["query-version"]])
            elif member == "arguments":
                message[member] = self.arguments()
            elif member == "id":
                message[member] = rng.choice([1, "x", None, 1.5, [1, {"a": 2}], {"b": []}, -7])
            else:
                message[member] = rng.choice([1, "x", {}])
        if rng.random() < 0.7 and "execute" not in message and "exec-oob" not in message:
            message["execute"] = rng.choice(COMMANDS)
        return message

    def mutate(self, data: bytes) -> bytes:
        rng = self.rng
        for _ in range(rng.randrange(1, 4)):
            where = rng.randrange(len(data) + 1)
            action = rng.randrange(3)
            if action == 0 and data:
                data = data[:where] + data[where + 1:]
            elif action == 1:
                data = data[:where] + rng.choice(INSERTS) + data[where:]
            else:
                data = data[:where]
        return data

    def message(self) -> bytes:
        rng = self.rng
        kind = rng.randrange(6)
        if kind <= 1:
            return json.dumps(self.envelope()).encode()
        if kind == 2:
            return self.mutate(json.dumps(self.envelope()).encode())
        if kind == 3:
            return self.value_text().encode("latin-1")
        if kind == 4:
            members = [f'"{rng.choice(MEMBERS)}": {self.value_text(1)}'
                       for _ in range(rng.randrange(1, 4))]
            return ("{" + ", ".join(members) + "}").encode("latin-1")
        return self.mutate(self.value_text().encode("latin-1"))
