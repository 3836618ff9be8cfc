# SPDX-License-Identifier: GPL-2.0-or-later
"""One parser and one formatter for sizes and speeds: QEMU's K/M/G, decimal kB/MB, binary
KiB/MiB, ``/s`` for speeds; what is shown parses back to within its last shown digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guimirror import units
from guimirror.units import (
    format_duration,
    format_size,
    format_size_input,
    format_speed,
    parse_size,
    parse_speed,
)

MiB = 1 << 20


@pytest.mark.parametrize(("text", "value"), [
    ("4096", 4096),
    ("10M", 10 * MiB),           # QEMU's syntax: a bare suffix is binary
    ("10m", 10 * MiB),
    ("64K", 65536),
    ("64 KiB", 65536),
    ("64Ki", 65536),
    ("1.5K", 1536),
    ("10 MB", 10_000_000),       # decimal
    ("10 mb", 10_000_000),
    ("3 kB", 3000),
    ("2G", 2 << 30),
    ("2 GB", 2_000_000_000),
    ("1.3 KiB", 1331),           # a fraction with a unit rounds to the nearest byte
    ("12 B", 12),
])
def test_one_syntax_for_every_size(text: str, value: int) -> None:
    assert parse_size(text) == value


def test_speeds_take_the_same_units_and_a_per_second() -> None:
    assert parse_speed("10 MB/s") == 10_000_000
    assert parse_speed("10 MiB/s") == 10 * MiB
    assert parse_speed("10M") == 10 * MiB
    assert parse_speed("3000") == 3000
    assert parse_speed("") == 0


@pytest.mark.parametrize(("text", "message"), [
    ("3Q", "size: unknown unit 'Q'"),
    ("0.3", "size: '0.3' is not a whole number of bytes"),
    ("ten", "size: 'ten' is not a number with a unit"),
    ("10 MBit", "size: unknown unit 'MBit'"),
])
def test_bad_sizes_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        parse_size(text)


def test_formats_in_either_family() -> None:
    assert format_size(10 * MiB) == "10 MiB"
    assert format_size(1536) == "1.5 KiB"
    assert format_size(10 * MiB, family="decimal") == "10.5 MB"
    assert format_size(1023.97 * 1024) == "1.0 MiB"
    assert format_speed(3000) == "2.9 KiB/s"
    assert format_speed(3000, family="decimal") == "3 kB/s"
    assert format_speed(0) == "unlimited"
    assert format_size_input(10 * MiB) == "10M"
    assert format_size_input(1000) == "1000"
    assert format_duration(125) == "2 min 05 s"
    assert format_duration(512 * MiB / 3000) == "49 h 42 min"
    assert format_duration(None) == "—"


def test_the_display_family_is_a_setting() -> None:
    try:
        units.DisplayUnits.set("decimal")
        assert format_size(10 * MiB) == "10.5 MB"
        assert units.DisplayUnits.mega() == (1_000_000, "MB")
    finally:
        units.DisplayUnits.set("binary")
    with pytest.raises(ValueError):
        units.DisplayUnits.set("metric")


def _step(text: str) -> float:
    """Half of the last shown digit of a formatted size, in bytes."""
    number, unit = text.split()[0], text.split()[1].removesuffix("/s")
    factor = units.unit_factor(unit)
    assert factor is not None
    decimals = len(number.partition(".")[2])
    return factor * 10.0**-decimals / 2


@given(st.integers(min_value=0, max_value=2**62), st.sampled_from(["binary", "decimal"]))
def test_format_then_parse_round_trips(value: int, family: units.Family) -> None:
    shown = format_size(value, family=family)
    assert abs(parse_size(shown) - value) <= _step(shown) + 0.5
    speed = format_speed(value, family=family)
    if value:
        assert abs(parse_speed(speed) - value) <= _step(speed) + 0.5


@given(st.integers(min_value=0, max_value=2**62))
def test_the_input_form_is_exact(value: int) -> None:
    assert parse_size(format_size_input(value)) == value
