# SPDX-License-Identifier: GPL-2.0-or-later
"""Sizes and speeds in human units: one parser and one formatter for every size field.

Input (``parse_size``, ``parse_speed``):

- a bare number is bytes: ``4096``;
- a bare suffix K, M, G, T, P, E keeps QEMU's meaning, a power of 1024: ``10M`` is 10 MiB,
  as in QEMU's own size syntax (``qemu_strtosz``) and blockdev-mirror's documentation;
- ``KiB``, ``MiB``, ... (and ``Ki``, ``Mi``) are powers of 1024: ``64 KiB`` is 65536;
- ``kB``, ``MB``, ``GB``, ... are powers of 1000: ``10 MB`` is 10,000,000;
- a fraction is allowed with a unit and rounds to the nearest byte (``1.5K`` is 1536); a
  bare number must be whole;
- a speed may end in ``/s``; an empty speed is 0 (unlimited).

Letters are read without regard to case (``10m`` is ``10M``, ``mb`` is ``MB``).

Output (``format_size``, ``format_speed``) uses the display family: ``binary`` (KiB, MiB, the
default) or ``decimal`` (kB, MB). Its unit names are the parser's, so a shown value parses
back to within its last shown digit. ``format_size_input`` writes an exact size in QEMU's
syntax (``10M``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Literal

from guimirror.texts import Text

Family = Literal["binary", "decimal"]

BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB")
_PREFIXES = "kmgtpe"

SYNTAX_HELP = Text(
    "Sizes: a bare number is bytes; K, M, G, T are powers of 1024 as in QEMU "
    "(10M = 10 MiB); KiB, MiB, GiB are powers of 1024; kB, MB, GB are powers of 1000 "
    "(10 MB = 10,000,000 bytes). A speed may end in /s."
)


class DisplayUnits:
    """How sizes and speeds are shown: ``binary`` (MiB, the default) or ``decimal`` (MB).

    Input does not depend on it: every unit name means the same in both families.
    """

    family: Family = "binary"

    @classmethod
    def set(cls, family: str) -> None:
        if family == "binary":
            cls.family = "binary"
        elif family == "decimal":
            cls.family = "decimal"
        else:
            raise ValueError(Text("units: '{family}' is neither binary nor decimal", family=family))

    @classmethod
    def mega(cls) -> tuple[int, str]:
        """The plots' throughput unit: (bytes per unit, its name)."""
        return (1 << 20, "MiB") if cls.family == "binary" else (1_000_000, "MB")


def unit_factor(unit: str) -> int | None:
    """Bytes per ``unit`` (``""``, ``B``, ``K``, ``KiB``, ``kB``, ...); None if unknown."""
    name = unit.lower()
    if name in ("", "b"):
        return 1
    prefix, rest = name[0], name[1:]
    if prefix not in _PREFIXES:
        return None
    power = _PREFIXES.index(prefix) + 1
    if rest in ("", "i", "ib"):
        return int(1024**power)
    if rest == "b":
        return int(1000**power)
    return None


_SIZE = re.compile(r"^\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*([A-Za-z]*)\s*$")


def parse_size(text: str, what: str = Text("size")) -> int:
    """``"10M"`` -> 10485760, ``"10 MB"`` -> 10000000. ValueError naming ``what`` otherwise
    (its argument a Text)."""
    shown = text.strip()
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(Text("{what}: '{text}' is not a number with a unit (e.g. 64K, 10 MB)",
                              what=what, text=shown))
    number, unit = match.groups()
    factor = unit_factor(unit)
    if factor is None:
        raise ValueError(Text("{what}: unknown unit '{unit}' (use B, K, M, G, KiB, MiB, kB, "
                              "MB...)", what=what, unit=unit))
    try:
        exact = Decimal(number) * factor
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        raise ValueError(Text("{what}: '{text}' is not a number", what=what,
                              text=shown)) from None
    if factor == 1 and exact != exact.to_integral_value():
        raise ValueError(Text("{what}: '{text}' is not a whole number of bytes", what=what,
                              text=shown))
    return int(exact.to_integral_value())


def parse_speed(text: str, what: str = Text("speed")) -> int:
    """``"50M"``, ``"50 MiB/s"``, ``"10 MB/s"`` -> bytes per second; ``""`` is 0 (unlimited)."""
    stripped = text.strip()
    if not stripped:
        return 0
    if stripped.lower().endswith("/s"):
        stripped = stripped[:-2]
    return parse_size(stripped, what)


def format_size(value: float, precision: int = 1, family: Family | None = None) -> str:
    """10485760 -> ``"10 MiB"``; 1536 -> ``"1.5 KiB"``; whole values print without decimals.

    In the decimal family: 10485760 -> ``"10.5 MB"``. ``family`` defaults to DisplayUnits'.
    """
    chosen = family or DisplayUnits.family
    base, units = (1024, BINARY_UNITS) if chosen == "binary" else (1000, DECIMAL_UNITS)
    number = float(value)
    for unit in units:
        shown = round(number, precision)
        if abs(shown) < base or unit == units[-1]:
            if number == int(number):
                return f"{int(number)} {unit}"
            return f"{shown:.{precision}f} {unit}"
        number /= base
    raise AssertionError("unreachable")


def format_speed(value: float, family: Family | None = None) -> str:
    """Bytes per second as ``"50 MiB/s"``; 0 as ``"unlimited"``."""
    if value == 0:
        return Text("unlimited")
    return f"{format_size(value, family=family)}/s"


def format_size_input(value: int) -> str:
    """A size as QEMU's syntax writes it, exact: 10485760 -> ``"10M"``, 1000 -> ``"1000"``."""
    for letter, factor in (("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if value and value % factor == 0:
            return f"{value // factor}{letter}"
    return str(value)


def format_duration(seconds: float | None) -> str:
    """An ETA: ``"1 h 02 min"``, ``"3 min 05 s"``, ``"12 s"``; None as an em dash."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
