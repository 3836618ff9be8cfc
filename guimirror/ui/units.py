"""Sizes and speeds in human units: ``10M``, ``64 KiB``, ``50 MiB/s`` and back.

Binary units throughout, as QEMU's documentation means them (``10M`` is 10 MiB). A bare number
is bytes. Parsing raises ValueError with a sentence the form shows under the field.
"""

from __future__ import annotations

import re

UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB")


class DisplayUnits:
    """How sizes and speeds are shown: ``binary`` (MiB, the default) or ``decimal`` (MB).

    Input is always read as QEMU reads it: ``10M`` is 10 MiB.
    """

    family = "binary"

    @classmethod
    def set(cls, family: str) -> None:
        if family not in ("binary", "decimal"):
            raise ValueError(f"units: '{family}' is neither binary nor decimal")
        cls.family = family

    @classmethod
    def mega(cls) -> tuple[int, str]:
        """The plots' throughput unit: (bytes per unit, its name)."""
        return (1 << 20, "MiB") if cls.family == "binary" else (1_000_000, "MB")
_FACTORS = {
    "": 1,
    "b": 1,
    "k": 1 << 10,
    "ki": 1 << 10,
    "kib": 1 << 10,
    "kb": 1 << 10,
    "m": 1 << 20,
    "mi": 1 << 20,
    "mib": 1 << 20,
    "mb": 1 << 20,
    "g": 1 << 30,
    "gi": 1 << 30,
    "gib": 1 << 30,
    "gb": 1 << 30,
    "t": 1 << 40,
    "ti": 1 << 40,
    "tib": 1 << 40,
    "tb": 1 << 40,
    "p": 1 << 50,
    "pib": 1 << 50,
    "pb": 1 << 50,
}
_SIZE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str, what: str = "size") -> int:
    """``"10M"`` -> 10485760. Raises ValueError naming ``what`` on anything else."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{what}: '{text.strip()}' is not a number with a unit (e.g. 64K, 10M)")
    number, unit = match.groups()
    factor = _FACTORS.get(unit.lower())
    if factor is None:
        raise ValueError(f"{what}: unknown unit '{unit}' (use B, K, M, G or T)")
    value = float(number) * factor
    if value != int(value):
        raise ValueError(f"{what}: '{text.strip()}' is not a whole number of bytes")
    return int(value)


def parse_speed(text: str, what: str = "speed") -> int:
    """``"50M"``, ``"50 MiB/s"`` -> bytes per second; ``""`` and ``"0"`` mean unlimited (0)."""
    stripped = text.strip()
    if not stripped:
        return 0
    if stripped.lower().endswith("/s"):
        stripped = stripped[:-2]
    return parse_size(stripped, what)


def format_size(value: int | float, precision: int = 1) -> str:
    """10485760 -> ``"10 MiB"``; 1536 -> ``"1.5 KiB"``; exact values print without decimals.

    In decimal display units: 10485760 -> ``"10.5 MB"``.
    """
    number = float(value)
    base, units = (1024, UNITS) if DisplayUnits.family == "binary" else (1000, DECIMAL_UNITS)
    for unit in units:
        if abs(number) < base or unit == units[-1]:
            if number == int(number):
                return f"{int(number)} {unit}"
            return f"{number:.{precision}f} {unit}"
        number /= base
    raise AssertionError("unreachable")


def format_speed(value: int | float) -> str:
    """Bytes per second as ``"50 MiB/s"``; 0 as ``"unlimited"``."""
    if value == 0:
        return "unlimited"
    return f"{format_size(value)}/s"


def format_size_input(value: int) -> str:
    """A size as the user would type it, exact: 10485760 -> ``"10M"``, 1000 -> ``"1000"``."""
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
