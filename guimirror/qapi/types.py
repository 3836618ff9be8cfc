# SPDX-License-Identifier: GPL-2.0-or-later
"""QAPI's built-in scalar types, validated the way QEMU's QObject input visitor does.

A value of the wrong JSON type fails with the visitor's own error kind, so that
``parse_arguments`` can give QEMU's text (``Invalid parameter type for 'speed', expected:
integer``, ``Parameter 'granularity' expects uint32_t``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
UINT32_MAX = 2**32 - 1

# Error kinds raised here and translated by guimirror.qapi.base.
TYPE_ERROR = "qapi_type"
"""``Invalid parameter type for '<full name>', expected: <ctx expected>``."""
VALUE_ERROR = "qapi_value"
"""``Parameter '<full name>' expects <ctx expected>``."""
LEAF_VALUE_ERROR = "qapi_leaf_value"
"""``Parameter '<member name>' expects <ctx expected>`` (QEMU names only the member here)."""


def _type_error(expected: str) -> PydanticCustomError:
    return PydanticCustomError(TYPE_ERROR, "expected {expected}", {"expected": expected})


def _is_json_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int64(value: Any) -> int:
    if not _is_json_int(value) or not INT64_MIN <= value <= INT64_MAX:
        raise _type_error("integer")
    return int(value)


def _uint64(value: Any) -> int:
    # QEMU accepts negative numbers for uint64 (backward compatibility) as two's complement.
    if not _is_json_int(value) or not INT64_MIN <= value <= UINT64_MAX:
        raise PydanticCustomError(VALUE_ERROR, "expects {expected}", {"expected": "uint64"})
    return int(value) % 2**64


def _uint32(value: Any) -> int:
    number = _uint64(value)
    if number > UINT32_MAX:
        raise PydanticCustomError(LEAF_VALUE_ERROR, "expects {expected}", {"expected": "uint32_t"})
    return number


def _int32(value: Any) -> int:
    number = _int64(value)
    if not -(2**31) <= number <= 2**31 - 1:
        raise PydanticCustomError(LEAF_VALUE_ERROR, "expects {expected}", {"expected": "int32_t"})
    return number


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _type_error("boolean")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _type_error("string")
    return value


Int = Annotated[int, BeforeValidator(_int64)]
"""QAPI ``int`` (int64)."""
Int32 = Annotated[int, BeforeValidator(_int32)]
"""QAPI ``int32``."""
Uint32 = Annotated[int, BeforeValidator(_uint32)]
"""QAPI ``uint32`` (negative input wraps around as in QEMU, then fails the range)."""
Uint64 = Annotated[int, BeforeValidator(_uint64)]
"""QAPI ``uint64``."""
Size = Uint64
"""QAPI ``size``."""
Bool = Annotated[bool, BeforeValidator(_bool)]
"""QAPI ``bool``."""
Str = Annotated[str, BeforeValidator(_str)]
"""QAPI ``str``."""


def _not_null(kind: str, expected: str) -> BeforeValidator:
    """An optional member given as JSON null: QEMU has no null there, so it is a type error."""

    def check(value: Any) -> Any:
        if value is None:
            raise PydanticCustomError(kind, "expected {expected}", {"expected": expected})
        return value

    return BeforeValidator(check)


NOT_NULL_STRING = _not_null(TYPE_ERROR, "string")
"""For an optional enum member (QEMU reads an enum as a string first)."""
NOT_NULL_OBJECT = _not_null(TYPE_ERROR, "object")
"""For an optional struct member."""
NOT_NULL_ARRAY = _not_null(TYPE_ERROR, "array")
"""For an optional list member."""

OptInt = Annotated[Int | None, _not_null(TYPE_ERROR, "integer")]
"""An optional QAPI ``int``: absent is None, JSON null is refused."""
OptInt32 = Annotated[Int32 | None, _not_null(TYPE_ERROR, "integer")]
"""An optional QAPI ``int32``."""
OptUint32 = Annotated[Uint32 | None, _not_null(VALUE_ERROR, "uint64")]
"""An optional QAPI ``uint32``."""
OptUint64 = Annotated[Uint64 | None, _not_null(VALUE_ERROR, "uint64")]
"""An optional QAPI ``uint64``."""
OptBool = Annotated[Bool | None, _not_null(TYPE_ERROR, "boolean")]
"""An optional QAPI ``bool``."""
OptStr = Annotated[Str | None, _not_null(TYPE_ERROR, "string")]
"""An optional QAPI ``str``."""
