# SPDX-License-Identifier: GPL-2.0-or-later
"""The base of every QAPI model, and QEMU's QAPI input errors for bad arguments.

Models declare their members in the order of QEMU's schema: QEMU's input visitor stops at
the first bad member in that order (depth first; unknown members of a struct are reported
after its known ones), and pydantic lists its errors in the same order, so the first
pydantic error is the one QEMU reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, ClassVar, TypeVar, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Tag,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError, PydanticUndefined

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.types import LEAF_VALUE_ERROR, TYPE_ERROR, VALUE_ERROR

ModelT = TypeVar("ModelT", bound="QAPIModel")

TAG_PREFIX = "<"
"""Union branch tags in a validation error's location start with this; they are not members."""


def qmp_name(python_name: str) -> str:
    """The QMP spelling of a field name: ``buf_size`` -> ``buf-size``."""
    return python_name.replace("_", "-")


class ArgumentError(QAPIError):
    """A QAPIError about one argument of a command: ``argument`` is its QMP name."""

    def __init__(self, desc: str, argument: str, error_class: str = "GenericError") -> None:
        super().__init__(desc, error_class)
        self.argument = argument


class Unit(StrEnum):
    """What an integer argument counts."""

    BYTES = "bytes"
    BYTES_PER_SECOND = "bytes/s"


@dataclass(frozen=True)
class Presentation:
    """How a command argument is shown to a person; put it in the field's ``Annotated``.

    The documentation of the argument is the field's ``description``, its default the field's
    default, its values the enum's; this holds only what the schema does not say.
    """

    label: str
    group: str = ""
    unit: Unit | None = None
    zero_means: str = ""
    """What the value 0 stands for (``unlimited``, ``automatic``); empty: 0 is a plain 0."""
    node: bool = False
    """The value is a node-name of the engine."""
    allowed: tuple[str, ...] = ()
    """The enum values this command accepts, where it refuses some of the enum's."""
    suggestions: tuple[str, ...] = ()
    """Example values offered for a free-form argument."""
    check_text: str = ""
    """For a boolean: what ticking it means."""
    since: str = ""
    """The QEMU version that added the argument (``"10.1"``); empty: QEMU 7.2 has it."""


@dataclass(frozen=True)
class ArgumentSpec:
    """One argument of a command, everything a form needs to offer it."""

    name: str
    """The QMP name (``buf-size``)."""
    attribute: str
    """The model's attribute (``buf_size``)."""
    description: str
    required: bool
    default: Any
    """The default value (None for an optional argument without one)."""
    choices: tuple[str, ...]
    """The accepted values of an enum argument, else empty."""
    presentation: Presentation

    @property
    def label(self) -> str:
        return self.presentation.label

    @property
    def since_text(self) -> str:
        """``"QEMU 10.1 and later"`` for an argument a newer QEMU added, else empty."""
        since = self.presentation.since
        return f"QEMU {since} and later" if since else ""


def argument_specs(model_cls: type[QAPIModel]) -> tuple[ArgumentSpec, ...]:
    """The arguments of a command model in schema order, from its fields' metadata."""
    specs = []
    for attribute, info in model_cls.model_fields.items():
        presentation = next(
            (item for item in info.metadata if isinstance(item, Presentation)),
            Presentation(label=qmp_name(attribute)),
        )
        choices: tuple[str, ...] = ()
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            choices = tuple(str(member.value) for member in annotation)
            if presentation.allowed:
                choices = tuple(value for value in presentation.allowed if value in choices)
        default = None if info.default is PydanticUndefined else info.default
        if isinstance(default, Enum):
            default = default.value
        specs.append(
            ArgumentSpec(
                name=info.alias or qmp_name(attribute),
                attribute=attribute,
                description=info.description or "",
                required=info.is_required(),
                default=default,
                choices=choices,
                presentation=presentation,
            )
        )
    return tuple(specs)


class QAPIModel(BaseModel):
    """A QAPI struct that a client sends: command arguments and their nested structs.

    Field names are Python's (``buf_size``), aliases are QMP's (``buf-size``). Python code
    may construct a model with either; ``parse_arguments`` (input from the wire) takes QMP's
    only. Unknown members are refused, as QEMU does. ``to_qmp()`` leaves out
    every optional member the caller did not set, so each engine applies its own default.
    """

    model_config = ConfigDict(
        alias_generator=qmp_name,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    QAPI_UNION: ClassVar[TypeAdapter[Any] | None] = None
    """Set on the base class of a QAPI union: ``parse_arguments`` then picks the variant."""
    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset()
    """Fields ``to_qmp()`` writes even when left at their default (a union's discriminator)."""

    def model_post_init(self, context: Any, /) -> None:
        self.model_fields_set.update(self.ALWAYS_DUMPED)

    def to_qmp(self) -> dict[str, Any]:
        """The exact QMP JSON object: hyphenated keys, unset optional members omitted."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


class QAPIReply(QAPIModel):
    """A QAPI struct that a server sends: command returns and event data.

    Members a newer QEMU adds are kept (``model_extra``) so a reply still parses and dumps
    back unchanged. ``to_qmp()`` writes every member except optional ones that are None.
    """

    model_config = ConfigDict(extra="allow")

    def to_qmp(self) -> dict[str, Any]:
        """The exact QMP JSON object: hyphenated keys, absent optional members omitted."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def variant_tag(name: str) -> Tag:
    """The pydantic tag of a union variant; kept out of QEMU's member names in errors."""
    return Tag(f"{TAG_PREFIX}{name}>")


def union_discriminator(member: str, variants: Mapping[str, str]) -> Discriminator:
    """Picks a QAPI union's variant by the value of ``member`` (``variants``: value -> tag name).

    Use with ``union_check`` before it, which refuses a bad ``member`` with QEMU's texts.
    """

    def pick(value: Any) -> str:
        tag = (
            getattr(value, member.replace("-", "_"), None) if isinstance(value, BaseModel) else None
        )
        if tag is None and isinstance(value, Mapping):
            tag = value.get(member)
        return f"{TAG_PREFIX}{variants[str(tag)]}>"

    return Discriminator(pick)


def union_check(member: str, variants: Mapping[str, str]) -> BeforeValidator:
    """QEMU's checks of a union's discriminator member: an object, member present, a known value."""

    def check(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value
        if not isinstance(value, Mapping):
            raise PydanticCustomError(TYPE_ERROR, "expected object", {"expected": "object"})
        if member not in value:
            raise PydanticCustomError("missing", "member missing", {"member": member})
        tag = value[member]
        if not isinstance(tag, str):
            raise PydanticCustomError(
                TYPE_ERROR, "expected string", {"member": member, "expected": "string"}
            )
        if tag not in variants:
            raise PydanticCustomError("enum", "bad value", {"member": member, "value": tag})
        return value

    return BeforeValidator(check)


def parse_arguments(model_cls: type[ModelT], raw: Mapping[str, Any] | None) -> ModelT:
    """Validate a command's ``arguments`` object; QEMU's QAPI error text on failure.

    ``raw`` is the decoded JSON object (None when the command had no ``arguments``). For a
    union base class such as ``BlockdevOptions`` the result is an instance of the variant.
    """
    data: Any = {} if raw is None else raw
    try:
        # Only QMP's names on the wire: ``buf_size`` is as unexpected as it is to QEMU.
        if model_cls.QAPI_UNION is not None:
            union = model_cls.QAPI_UNION
            return cast(ModelT, union.validate_python(data, by_alias=True, by_name=False))
        return model_cls.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as error:
        raise qapi_error(error) from None


def qapi_error(error: ValidationError) -> QAPIError:
    """The QAPIError QEMU's input visitor would give for the first of these errors.

    An error about one top-level argument is an ArgumentError naming it.
    """
    detail = error.errors()[0]
    desc = describe(detail)
    members = _members(detail["loc"])
    ctx = detail.get("ctx") or {}
    if not members and "member" in ctx:
        members = [str(ctx["member"])]
    if members and isinstance(members[0], str):
        return ArgumentError(desc, members[0])
    return QAPIError(desc)


def describe(detail: ErrorDetails) -> str:
    """QEMU's text for one pydantic error (qapi/qobject-input-visitor.c, qapi-visit-core.c)."""
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    loc = _members(detail["loc"])
    if "member" in ctx:
        loc.append(str(ctx["member"]))
    name = full_name(loc)
    # QEMU names a list element "null" where it names only the member, not its full path.
    leaf = loc[-1] if loc and isinstance(loc[-1], str) else "null"
    value = ctx["value"] if "value" in ctx else detail.get("input")
    if kind == "missing":
        return f"Parameter '{name}' is missing"
    if kind == "extra_forbidden":
        return f"Parameter '{name}' is unexpected"
    if kind == TYPE_ERROR:
        return f"Invalid parameter type for '{name}', expected: {ctx['expected']}"
    if kind == VALUE_ERROR:
        return f"Parameter '{name}' expects {ctx['expected']}"
    if kind == LEAF_VALUE_ERROR:
        return f"Parameter '{leaf}' expects {ctx['expected']}"
    if kind in ("enum", "literal_error"):
        if not isinstance(value, str):
            return f"Invalid parameter type for '{name}', expected: string"
        return f"Parameter '{leaf}' does not accept value '{value}'"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"Invalid parameter type for '{name}', expected: object"
    if kind == "list_type":
        return f"Invalid parameter type for '{name}', expected: array"
    return f"Invalid parameter '{name}'"


def _members(loc: Sequence[str | int]) -> list[str | int]:
    return [part for part in loc if not (isinstance(part, str) and part.startswith(TAG_PREFIX))]


def full_name(loc: Sequence[str | int]) -> str:
    """QEMU's ``full_name()``: members joined by dots, list indexes in brackets."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "null"
