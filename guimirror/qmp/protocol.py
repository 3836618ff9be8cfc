# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP's message layer as QEMU 7.2's monitor applies it, without any I/O.

What is checked, in which order and with which words follows qapi/qmp-dispatch.c
(qmp_dispatch, qmp_dispatch_check_obj) and monitor/qmp.c (capabilities negotiation).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from guimirror import __version__
from guimirror.qapi.errors import QAPIError
from guimirror.qmp.json_stream import ghash_order

QEMU_VERSION = {"major": 7, "minor": 2, "micro": 0}
PACKAGE = f"guimirror {__version__}"
CAPABILITIES = ("oob",)
# Answered by the server itself: they concern the connection, not the engine.
PROTOCOL_COMMANDS = ("qmp_capabilities", "query-version", "query-commands", "quit")

NEGOTIATION_NEEDED = "Expecting capabilities negotiation with 'qmp_capabilities'"
NEGOTIATION_DONE = "Capabilities negotiation is already complete, command ignored"


def version_info(package: str = PACKAGE) -> dict[str, Any]:
    """query-version's return value (and the greeting's ``version``)."""
    return {"qemu": dict(QEMU_VERSION), "package": package}


def greeting(package: str = PACKAGE) -> dict[str, Any]:
    """The message a server sends first on every connection."""
    return {"QMP": {"version": version_info(package), "capabilities": list(CAPABILITIES)}}


def encode(message: dict[str, Any]) -> bytes:
    """One message on the wire, as QEMU frames it."""
    return json.dumps(message).encode("ascii") + b"\r\n"


def event_message(name: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """An event with QEMU's wall-clock timestamp."""
    now = time.time_ns() // 1000
    message: dict[str, Any] = {
        "timestamp": {"seconds": now // 1_000_000, "microseconds": now % 1_000_000},
        "event": name,
    }
    if data is not None:
        message["data"] = data
    return message


@dataclass(frozen=True)
class Request:
    """A request that passed the envelope checks."""

    command: str
    arguments: dict[str, Any]
    oob: bool


def check_request(message: Any, allow_oob: bool) -> Request:
    """QEMU's checks of a request's envelope, in QEMU's order; raises QAPIError."""
    if not isinstance(message, dict):
        raise QAPIError("QMP input must be a JSON object")
    exec_key: str | None = None
    for name, value in message.items():
        if name == "execute" or (name == "exec-oob" and allow_oob):
            if not isinstance(value, str):
                raise QAPIError(f"QMP input member '{name}' must be a string")
            if exec_key is not None:
                raise QAPIError(f"QMP input member '{name}' clashes with '{exec_key}'")
            exec_key = name
        elif name == "arguments":
            if not isinstance(value, dict):
                raise QAPIError("QMP input member 'arguments' must be an object")
        elif name != "id":
            raise QAPIError(f"QMP input member '{name}' is unexpected")
    if exec_key is None:
        raise QAPIError("QMP input lacks member 'execute'")
    return Request(message[exec_key], message.get("arguments", {}), exec_key == "exec-oob")


def reply_id(message: Any) -> tuple[bool, Any]:
    """Whether the message has an ``id`` to echo, and its value."""
    if isinstance(message, dict) and "id" in message:
        return True, message["id"]
    return False, None


def check_no_arguments(arguments: dict[str, Any], visited: tuple[str, ...] = ()) -> None:
    """Refuse members left over after the visited ones, naming the one QEMU names."""
    leftover = [key for key in ghash_order(list(arguments)) if key not in visited]
    if leftover:
        raise QAPIError(f"Parameter '{leftover[0]}' is unexpected")


def capabilities_to_enable(arguments: dict[str, Any]) -> set[str]:
    """qmp_capabilities' ``enable`` argument checked as QEMU's visitor checks it."""
    enable = arguments.get("enable", [])
    if "enable" in arguments:
        if not isinstance(enable, list):
            raise QAPIError("Invalid parameter type for 'enable', expected: array")
        for index, capability in enumerate(enable):
            if not isinstance(capability, str):
                raise QAPIError(
                    f"Invalid parameter type for 'enable[{index}]', expected: string")
            if capability not in CAPABILITIES:
                # QEMU 7.2 names an enum inside a list 'null' in this message.
                raise QAPIError(f"Parameter 'null' does not accept value '{capability}'")
    check_no_arguments(arguments, visited=("enable",))
    return set(enable)
