"""blockdev-mirror's arguments: parsing, QEMU's error texts and order, defaults, dumping."""

from __future__ import annotations

from typing import Any

import pytest

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror

BASE: dict[str, Any] = {"job-id": "j1", "device": "e-src", "target": "e-tgt", "sync": "full"}


def _error(raw: dict[str, Any]) -> str:
    with pytest.raises(QAPIError) as caught:
        parse_arguments(BlockdevMirror, raw).check()
    return caught.value.desc


def test_minimal_arguments_dump_back_unchanged() -> None:
    args = parse_arguments(BlockdevMirror, BASE)
    assert args.to_qmp() == BASE


@pytest.mark.parametrize(
    ("change", "desc"),
    [
        ({"granularity": 3000}, "Parameter 'granularity' expects a power of 2"),
        ({"granularity": 256}, "Parameter 'granularity' expects a value in range [512B, 64MB]"),
        ({"buf-size": -1}, "Invalid parameter 'buf-size'"),
        ({"speed": -1}, "Parameter 'speed' expects a non-negative value"),
        ({"sync": "bogus"}, "Parameter 'sync' does not accept value 'bogus'"),
        ({"job-id": "#bad"}, "Invalid job ID '#bad'"),
    ],
)
def test_bad_input_gives_qemu_text(change: dict[str, Any], desc: str) -> None:
    assert _error(BASE | change) == desc
