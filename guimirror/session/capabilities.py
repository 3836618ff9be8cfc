# SPDX-License-Identifier: GPL-2.0-or-later
"""What an engine serves: its commands, each command's arguments, and its events.

Read once when an endpoint opens (:func:`read_capabilities`). QEMU describes itself in
``query-qmp-schema`` (SchemaInfo: a command's ``arg-type`` names an object type whose members
are its arguments; enum types list their values; arrays name their element type; alternates
are read as ``any``). The built-in engine does not serve that command (CommandNotFound), so
its capabilities come from ``query-commands`` and guimirror's own argument models
(guimirror.qapi.commands.COMMANDS) and event models (guimirror.qapi.events.EVENTS), which are
what its server validates against.

A union's arguments (blockdev-add's) are its common members, as QEMU lists them; the variant
members of each driver are not expanded here.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from guimirror.qapi.base import QAPIModel
from guimirror.qapi.commands import COMMANDS
from guimirror.qapi.events import EVENTS
from guimirror.session.client import ReplyError, SessionClient
from guimirror.session.connection import QMPCommandError
from guimirror.texts import Text


class ArgumentKind(enum.StrEnum):
    """The JSON type of an argument, in QAPI's terms."""

    BOOL = "bool"
    INT = "int"
    NUMBER = "number"
    STR = "str"
    ENUM = "enum"
    OBJECT = "object"
    ARRAY = "array"
    ANY = "any"


@dataclass(frozen=True)
class TypeInfo:
    """An argument's type: its kind, an enum's values, an array's element type."""

    kind: ArgumentKind
    values: tuple[str, ...] = ()
    """The values of an enum (empty for other kinds)."""
    element: TypeInfo | None = None
    """The element type of an array (None for other kinds)."""


@dataclass(frozen=True)
class ArgumentInfo:
    """One argument of a command: its QMP name, its type, and whether it may be left out."""

    name: str
    type: TypeInfo
    optional: bool

    @property
    def kind(self) -> ArgumentKind:
        return self.type.kind

    @property
    def values(self) -> tuple[str, ...]:
        """An enum argument's values."""
        return self.type.values


class Capabilities:
    """The commands (with their arguments) and the events of one engine."""

    def __init__(
        self, commands: Mapping[str, Mapping[str, ArgumentInfo]], events: Iterable[str]
    ) -> None:
        self._commands = {name: dict(arguments) for name, arguments in commands.items()}
        self.events: frozenset[str] = frozenset(events)
        """The names of the events the engine may emit."""

    @property
    def commands(self) -> frozenset[str]:
        """The names of the commands the engine serves."""
        return frozenset(self._commands)

    def has(self, command: str, argument: str | None = None) -> bool:
        """Whether the engine serves ``command`` (and, given, takes ``argument`` in it)."""
        arguments = self._commands.get(command)
        if arguments is None:
            return False
        return argument is None or argument in arguments

    def arguments(self, command: str) -> Mapping[str, ArgumentInfo]:
        """The arguments of ``command`` by QMP name, in the engine's order; KeyError when
        the engine does not serve it."""
        return types.MappingProxyType(self._commands[command])

    def __repr__(self) -> str:
        return f"<Capabilities: {len(self._commands)} commands, {len(self.events)} events>"

    # --- from query-qmp-schema -----------------------------------------------------------

    @classmethod
    def from_schema(cls, schema: Iterable[Mapping[str, Any]]) -> Capabilities:
        """Capabilities from the return of ``query-qmp-schema`` (a list of SchemaInfo)."""
        entities = {str(entity["name"]): entity for entity in schema}

        def type_of(name: str, seen: frozenset[str] = frozenset()) -> TypeInfo:
            entity = entities.get(name)
            if entity is None or name in seen:
                return TypeInfo(ArgumentKind.ANY)
            meta = entity.get("meta-type")
            if meta == "builtin":
                return TypeInfo(_JSON_TYPES.get(str(entity.get("json-type")), ArgumentKind.ANY))
            if meta == "enum":
                return TypeInfo(ArgumentKind.ENUM, tuple(str(v) for v in entity.get("values", ())))
            if meta == "array":
                element = type_of(str(entity["element-type"]), seen | {name})
                return TypeInfo(ArgumentKind.ARRAY, element=element)
            if meta == "object":
                return TypeInfo(ArgumentKind.OBJECT)
            return TypeInfo(ArgumentKind.ANY)

        def members(type_name: str | None) -> dict[str, ArgumentInfo]:
            entity = entities.get(type_name or "")
            if entity is None:
                return {}
            return {
                str(member["name"]): ArgumentInfo(
                    str(member["name"]), type_of(str(member["type"])), "default" in member
                )
                for member in entity.get("members", ())
            }

        commands = {
            name: members(entity.get("arg-type"))
            for name, entity in entities.items()
            if entity.get("meta-type") == "command"
        }
        events = [name for name, entity in entities.items() if entity.get("meta-type") == "event"]
        return cls(commands, events)

    # --- from guimirror's models ---------------------------------------------------------

    @classmethod
    def from_models(
        cls,
        command_names: Iterable[str],
        models: Mapping[str, type[QAPIModel] | None] = COMMANDS,
        events: Iterable[str] = EVENTS,
    ) -> Capabilities:
        """Capabilities of an engine that lists ``command_names`` (``query-commands``) and
        validates each command's arguments with its model in ``models``."""
        commands: dict[str, dict[str, ArgumentInfo]] = {}
        for name in command_names:
            model = models.get(name)
            commands[name] = {} if model is None else _model_arguments(model)
        return cls(commands, events)


_JSON_TYPES = {
    "boolean": ArgumentKind.BOOL,
    "int": ArgumentKind.INT,
    "number": ArgumentKind.NUMBER,
    "string": ArgumentKind.STR,
}


def _model_arguments(model: type[BaseModel]) -> dict[str, ArgumentInfo]:
    arguments: dict[str, ArgumentInfo] = {}
    for field_name, field in model.model_fields.items():
        name = field.alias or field_name
        arguments[name] = ArgumentInfo(
            name, _annotation_type(field.annotation), not field.is_required()
        )
    return arguments


def _annotation_type(annotation: Any) -> TypeInfo:
    """The QAPI type of a model field's annotation (Annotated layers and None dropped)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        branches = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(branches) == 1:
            return _annotation_type(branches[0])
        kinds = {_annotation_type(branch).kind for branch in branches}
        # A QAPI union of structs is an object; anything else that takes two shapes is an
        # alternate, read as 'any' as from QEMU's schema.
        union_kind = ArgumentKind.OBJECT if kinds == {ArgumentKind.OBJECT} else ArgumentKind.ANY
        return TypeInfo(union_kind)
    if origin is typing.Literal:
        literals = typing.get_args(annotation)
        return TypeInfo(ArgumentKind.ENUM, tuple(str(_value(value)) for value in literals))
    if origin in (list, tuple):
        args = typing.get_args(annotation)
        return TypeInfo(ArgumentKind.ARRAY, element=_annotation_type(args[0]) if args else None)
    if origin in (dict, Mapping):
        return TypeInfo(ArgumentKind.OBJECT)
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return TypeInfo(ArgumentKind.ENUM, tuple(str(member.value) for member in annotation))
        if issubclass(annotation, bool):
            return TypeInfo(ArgumentKind.BOOL)
        if issubclass(annotation, int):
            return TypeInfo(ArgumentKind.INT)
        if issubclass(annotation, float):
            return TypeInfo(ArgumentKind.NUMBER)
        if issubclass(annotation, str):
            return TypeInfo(ArgumentKind.STR)
        if issubclass(annotation, BaseModel):
            return TypeInfo(ArgumentKind.OBJECT)
    return TypeInfo(ArgumentKind.ANY)


def _value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


async def read_capabilities(client: SessionClient) -> Capabilities:
    """Ask the engine behind ``client`` what it serves (runs in the caller's task).

    ``query-qmp-schema`` where the engine has it; else ``query-commands`` and guimirror's
    models of those commands.
    """
    try:
        schema = await client.execute("query-qmp-schema")
    except QMPCommandError as error:
        if error.error_class != "CommandNotFound":
            raise
        commands = await client.query_commands()
        return Capabilities.from_models(command.name for command in commands)
    if not isinstance(schema, list) or not all(isinstance(item, dict) for item in schema):
        raise ReplyError(Text("the reply to '{command}' is not a list of objects",
                              command="query-qmp-schema"))
    try:
        return Capabilities.from_schema(schema)
    except (KeyError, TypeError) as error:
        raise ReplyError(Text("the reply to '{command}' does not fit {model}: {reason}",
                              command="query-qmp-schema", model="SchemaInfo",
                              reason=repr(error))) from None
