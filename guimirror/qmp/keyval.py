# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's dotted key=value option syntax (util/keyval.c), with QEMU's error texts.

``a=1,b.c=x,,y`` becomes ``{"a": "1", "b": {"c": "x,y"}}``: ``,,`` is a literal comma,
dots nest, numeric fragments make lists, the last repeat of a key wins, and the first
parameter may leave out its key when the option has an implied one (``--blockdev file,...``
means ``driver=file``). Values stay strings; ``typed()`` converts the members our options
know as QEMU's keyval visitor does.
"""

from __future__ import annotations

import re
from typing import Any

from guimirror.qapi.errors import QAPIError
from guimirror.qmp.json_stream import JSONMessageStream

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_INDEX = re.compile(r"0|[1-9][0-9]*")
MAX_KEY_FRAGMENT = 127

# Members of the options we accept whose QAPI type is not a string.
BOOL_MEMBERS = frozenset({
    "read-only", "auto-read-only", "force-share", "direct", "no-flush", "read-zeroes",
    "writable", "once", "immediately", "server", "wait", "pretty", "numeric", "abstract",
    "allow-other", "growable", "flat",
})
INT_MEMBERS = frozenset({
    "size", "latency-ns", "max-connections", "errno", "sector", "state", "new_state",
    "align", "max-transfer", "opt-write-zero", "max-write-zero", "opt-discard",
    "max-discard",
})


def parse(params: str, implied_key: str | None = None) -> dict[str, Any]:
    """Parse ``params`` into nested dicts and lists of strings."""
    root: dict[str, Any] = {}
    s = params
    first = True
    while s:
        s = _parse_one(root, s, implied_key if first else None)
        first = False
    tree = _listify(root, "")
    if not isinstance(tree, dict):
        raise QAPIError("Parameter '0' is unexpected")
    return tree


def _parse_one(root: dict[str, Any], params: str, implied_key: str | None) -> str:
    length = len(re.split("[=,]", params, maxsplit=1)[0])
    if implied_key and length and (length == len(params) or params[length] != "="):
        value, rest = _value(params)
        _put(root, [implied_key], value, implied_key)
        return rest
    key_end = length
    key = params[:key_end]
    fragments: list[str] = []
    pos = 0
    while True:
        match = _INDEX.match(key, pos) if fragments else None
        if match is None:
            match = _NAME.match(key, pos)
        end = match.end() if match else pos
        if end == pos or (end < key_end and key[end] != "."):
            raise QAPIError(f"Invalid parameter '{key}'")
        if end - pos > MAX_KEY_FRAGMENT:
            fragment = "Parameter fragment" if pos or end != key_end else "Parameter"
            raise QAPIError(f"{fragment} '{key[pos:end]}' is too long")
        fragments.append(key[pos:end])
        if end == key_end:
            break
        pos = end + 1
    if key_end == len(params) or params[key_end] != "=":
        raise QAPIError(f"Expected '=' after parameter '{key}'")
    value, rest = _value(params[key_end + 1:])
    _put(root, fragments, value, key)
    return rest


def _value(text: str) -> tuple[str, str]:
    """A value up to the next single comma (``,,`` is a comma), and what follows."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos] == ",":
            if text[pos + 1:pos + 2] != ",":
                return "".join(out), text[pos + 1:]
            pos += 1
        out.append(text[pos])
        pos += 1
    return "".join(out), ""


def _put(root: dict[str, Any], fragments: list[str], value: str, key: str) -> None:
    cur = root
    for depth, fragment in enumerate(fragments[:-1]):
        old = cur.get(fragment)
        if old is None:
            cur[fragment] = old = {}
        elif not isinstance(old, dict):
            prefix = ".".join(fragments[:depth + 1])
            raise QAPIError(f"Parameters '{prefix}.*' used inconsistently")
        cur = old
    last = fragments[-1]
    if isinstance(cur.get(last), dict):
        raise QAPIError(f"Parameters '{key}.*' used inconsistently")
    cur[last] = value


def _listify(tree: dict[str, Any], prefix: str) -> Any:
    converted = {key: _listify(value, f"{prefix}{key}.") if isinstance(value, dict) else value
                 for key, value in tree.items()}
    if not converted or not all(_INDEX.fullmatch(key) for key in converted):
        return converted
    items = []
    for index in range(len(converted)):
        if str(index) not in converted:
            raise QAPIError(f"Parameter '{prefix}{index}' missing")
        items.append(converted[str(index)])
    return items


def typed(tree: Any, path: str = "") -> Any:
    """Strings converted to booleans and integers where our options expect them."""
    if isinstance(tree, list):
        return [typed(item, f"{path}.{index}" if path else str(index))
                for index, item in enumerate(tree)]
    if not isinstance(tree, dict):
        return tree
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{path}.{key}" if path else key
        if isinstance(value, str) and key in BOOL_MEMBERS:
            out[key] = _bool(value, name)
        elif isinstance(value, str) and key in INT_MEMBERS:
            out[key] = _int(value, name)
        else:
            out[key] = typed(value, name)
    return out


def _bool(value: str, name: str) -> bool:
    if value in ("on", "yes", "true", "y"):
        return True
    if value in ("off", "no", "false", "n"):
        return False
    raise QAPIError(f"Parameter '{name}' expects 'on' or 'off'")


def _int(value: str, name: str) -> int:
    text = value.strip()
    try:
        if re.fullmatch(r"[-+]?0[0-7]+", text):
            return int(text, 8)
        return int(text, 0)
    except ValueError:
        raise QAPIError(f"Parameter '{name}' expects integer") from None


def parse_option(argument: str, implied_key: str | None = None) -> dict[str, Any]:
    """An option's argument: JSON when it starts with ``{``, else typed key=value pairs."""
    if argument.lstrip().startswith("{"):
        messages = JSONMessageStream().feed(argument.encode() + b"\n")
        if not messages:
            raise QAPIError("JSON parse error, premature EOI")
        value = messages[0]
        if isinstance(value, QAPIError):
            raise value
        if not isinstance(value, dict):
            raise QAPIError("JSON parse error, expecting an object")
        return value
    result = typed(parse(argument, implied_key))
    assert isinstance(result, dict)
    return result
