# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's commands: command name -> (argument model, Engine method).

Every Engine coroutine is named after its QMP command with ``_`` for ``-`` and takes the
command's argument model (nothing for commands without arguments). Arguments pass through
guimirror.qapi's ``parse_arguments``, so a bad one reads exactly as QEMU words it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from guimirror.qapi.base import QAPIModel, parse_arguments
from guimirror.qapi.commands import COMMANDS
from guimirror.qmp.json_stream import in_visit_order
from guimirror.qmp.protocol import PROTOCOL_COMMANDS, check_no_arguments


@dataclass(frozen=True)
class EngineCommand:
    """One QMP command served by an Engine method."""

    name: str
    model: type[QAPIModel] | None
    method: Callable[..., Awaitable[Any]]

    async def run(self, arguments: dict[str, Any]) -> Any:
        """Check the arguments, run the command; the QMP ``return`` value (runs in the
        connection's task)."""
        if self.model is None:
            check_no_arguments(arguments)
            result = await self.method()
        else:
            model = parse_arguments(self.model, in_visit_order(arguments))
            result = await self.method(model)
        return to_wire(result)


def to_wire(result: Any) -> Any:
    """A command's result as QMP returns it: models dumped, None as ``{}``."""
    if result is None:
        return {}
    if isinstance(result, QAPIModel):
        return result.to_qmp()
    if isinstance(result, list):
        return [to_wire(item) for item in result]
    return result


def engine_commands(engine: object) -> dict[str, EngineCommand]:
    """Every command of guimirror.qapi.commands that ``engine`` implements."""
    table: dict[str, EngineCommand] = {}
    for name, model in COMMANDS.items():
        if name in PROTOCOL_COMMANDS:
            continue
        method = getattr(engine, name.replace("-", "_"), None)
        if method is not None:
            table[name] = EngineCommand(name, model, method)
    return table
