# SPDX-License-Identifier: GPL-2.0-or-later
"""blockdev-mirror's arguments: members, documented defaults, QEMU's error texts in QEMU's
order, effective values, and the QMP object a model dumps."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import (
    DOCUMENTED_BUF_SIZE,
    QEMU_7_2_BUF_SIZE,
    BlockdevMirror,
    BlockdevOnError,
    MirrorCopyMode,
    MirrorSyncMode,
    default_granularity,
)

BASE: dict[str, Any] = {"job-id": "j1", "device": "e-src", "target": "e-tgt", "sync": "full"}
MiB = 1024 * 1024

EVERY_ARGUMENT: dict[str, Any] = {
    "job-id": "j1",
    "device": "e-src",
    "target": "e-tgt",
    "replaces": "e-src",
    "sync": "top",
    "speed": 52428800,
    "granularity": 1048576,
    "buf-size": 67108864,
    "on-source-error": "stop",
    "on-target-error": "enospc",
    "filter-node-name": "mirror-top",
    "copy-mode": "write-blocking",
    "auto-finalize": False,
    "auto-dismiss": False,
    "target-is-zero": True,
}


def _first_error(raw: dict[str, Any]) -> str:
    """The text QEMU gives for a command that fails before it needs the block graph."""
    with pytest.raises(QAPIError) as caught:
        parse_arguments(BlockdevMirror, raw).check()
    assert caught.value.error_class == "GenericError"
    return caught.value.desc


def test_every_argument_parses_and_dumps_back_unchanged() -> None:
    args = parse_arguments(BlockdevMirror, EVERY_ARGUMENT)
    assert args.to_qmp() == EVERY_ARGUMENT
    assert list(args.to_qmp()) == list(EVERY_ARGUMENT)
    assert args.job_id == "j1"
    assert args.replaces == "e-src"
    assert args.sync is MirrorSyncMode.TOP
    assert args.speed == 52428800
    assert args.granularity == 1048576
    assert args.buf_size == 67108864
    assert args.on_source_error is BlockdevOnError.STOP
    assert args.on_target_error is BlockdevOnError.ENOSPC
    assert args.filter_node_name == "mirror-top"
    assert args.copy_mode is MirrorCopyMode.WRITE_BLOCKING
    assert args.auto_finalize is False
    assert args.auto_dismiss is False
    args.check()


def test_python_names_are_accepted_too() -> None:
    args = BlockdevMirror(device="a", target="b", sync=MirrorSyncMode.FULL, buf_size=4096)
    assert args.to_qmp() == {"device": "a", "target": "b", "sync": "full", "buf-size": 4096}


def test_unset_optionals_are_left_out_but_explicit_defaults_are_kept() -> None:
    args = parse_arguments(BlockdevMirror, BASE | {"speed": 0, "copy-mode": "background"})
    assert args.to_qmp() == BASE | {"speed": 0, "copy-mode": "background"}
    assert BlockdevMirror(device="a", target="b", sync=MirrorSyncMode.NONE).to_qmp() == {
        "device": "a",
        "target": "b",
        "sync": "none",
    }


def test_documented_defaults() -> None:
    args = parse_arguments(BlockdevMirror, {"device": "a", "target": "b", "sync": "full"})
    assert args.job_id is None
    assert args.replaces is None
    assert args.filter_node_name is None
    assert args.speed == 0
    assert args.granularity == 0
    assert args.buf_size == 0
    assert args.on_source_error is BlockdevOnError.REPORT
    assert args.on_target_error is BlockdevOnError.REPORT
    assert args.copy_mode is MirrorCopyMode.BACKGROUND
    assert args.auto_finalize is True
    assert args.auto_dismiss is True
    assert 10 * MiB == DOCUMENTED_BUF_SIZE
    assert 16 * MiB == QEMU_7_2_BUF_SIZE


def test_every_member_is_documented_for_the_form() -> None:
    fields = BlockdevMirror.model_fields
    assert [field.alias for field in fields.values()] == list(EVERY_ARGUMENT)
    for name, field in fields.items():
        assert field.description and len(field.description) > 20, name
    assert "unlimited" in (fields["speed"].description or "")
    assert "65536" in (fields["granularity"].description or "")
    assert "10M" in (fields["buf_size"].description or "")
    assert "16M" in (fields["buf_size"].description or "")
    assert "'report'" in (fields["on_source_error"].description or "")
    assert "'background'" in (fields["copy_mode"].description or "")


@pytest.mark.parametrize(
    ("cluster_size", "granularity"),
    [
        (None, 65536),  # raw, file: no cluster size
        (0, 65536),
        (512, 4096),
        (4096, 4096),
        (65536, 65536),
        (2 * MiB, 65536),
        (8192, 8192),
    ],
)
def test_automatic_granularity_follows_the_target_cluster_size(
    cluster_size: int | None, granularity: int
) -> None:
    assert default_granularity(cluster_size) == granularity
    args = BlockdevMirror(device="a", target="b", sync=MirrorSyncMode.FULL)
    assert args.effective_granularity(cluster_size) == granularity


def test_explicit_granularity_wins_over_the_cluster_size() -> None:
    args = BlockdevMirror(device="a", target="b", sync=MirrorSyncMode.FULL, granularity=MiB)
    assert args.resolve(None).granularity == MiB
    assert args.resolve(512).granularity == MiB


@pytest.mark.parametrize(
    ("buf_size", "granularity", "cluster_size", "effective"),
    [
        (0, 0, None, 10 * MiB),  # documented default
        (1, 0, None, 65536),  # rounded up to the granularity (041 test_small_buffer)
        (4096, 65536, None, 65536),
        (65537, 0, None, 131072),
        (100000, 0, 4096, 102400),
        (0, 4 * MiB, None, 12 * MiB),  # 10 MiB rounded up to 4 MiB granules
    ],
)
def test_buf_size_is_rounded_up_to_the_granularity(
    buf_size: int, granularity: int, cluster_size: int | None, effective: int
) -> None:
    args = BlockdevMirror(
        device="a",
        target="b",
        sync=MirrorSyncMode.FULL,
        buf_size=buf_size,
        granularity=granularity,
    )
    assert args.effective_buf_size(cluster_size) == effective
    assert args.resolve(cluster_size).buf_size == effective


def test_qemu_7_2_buffer_default_on_request() -> None:
    args = BlockdevMirror(device="a", target="b", sync=MirrorSyncMode.FULL, speed=7)
    settings_ = args.resolve(None, default_buf_size=QEMU_7_2_BUF_SIZE)
    assert (settings_.granularity, settings_.buf_size, settings_.speed) == (65536, 16 * MiB, 7)


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    # qemu-measured.md section 6, and qemu-mirror.md section 1
    ({"granularity": 3000}, "Parameter 'granularity' expects a power of 2"),
    ({"granularity": 256}, "Parameter 'granularity' expects a value in range [512B, 64MB]"),
    ({"granularity": 128 * MiB}, "Parameter 'granularity' expects a value in range [512B, 64MB]"),
    ({"granularity": 2**32}, "Parameter 'granularity' expects uint32_t"),
    ({"granularity": -1}, "Parameter 'granularity' expects uint32_t"),
    ({"granularity": "64k"}, "Parameter 'granularity' expects uint64"),
    ({"granularity": 1.5}, "Parameter 'granularity' expects uint64"),
    ({"granularity": 2**64}, "Parameter 'granularity' expects uint64"),
    ({"buf-size": -1}, "Invalid parameter 'buf-size'"),
    ({"buf-size": "1M"}, "Invalid parameter type for 'buf-size', expected: integer"),
    ({"speed": -1}, "Parameter 'speed' expects a non-negative value"),
    ({"speed": "fast"}, "Invalid parameter type for 'speed', expected: integer"),
    ({"speed": 1.0}, "Invalid parameter type for 'speed', expected: integer"),
    ({"speed": True}, "Invalid parameter type for 'speed', expected: integer"),
    ({"speed": 2**63}, "Invalid parameter type for 'speed', expected: integer"),
    ({"auto-finalize": "yes"}, "Invalid parameter type for 'auto-finalize', expected: boolean"),
    ({"auto-dismiss": 1}, "Invalid parameter type for 'auto-dismiss', expected: boolean"),
    ({"device": 5}, "Invalid parameter type for 'device', expected: string"),
    ({"job-id": None}, "Invalid parameter type for 'job-id', expected: string"),
    ({"sync": "bogus"}, "Parameter 'sync' does not accept value 'bogus'"),
    ({"sync": 1}, "Invalid parameter type for 'sync', expected: string"),
    ({"sync": "incremental"}, "Sync mode 'incremental' not supported"),
    ({"sync": "bitmap"}, "Sync mode 'bitmap' not supported"),
    ({"on-source-error": "bogus"}, "Parameter 'on-source-error' does not accept value 'bogus'"),
    ({"copy-mode": "sync"}, "Parameter 'copy-mode' does not accept value 'sync'"),
    ({"foo": 1}, "Parameter 'foo' is unexpected"),
    ({"buf_size": 4096}, "Parameter 'buf_size' is unexpected"),
    ({"job-id": "#bad"}, "Invalid job ID '#bad'"),
    ({"job-id": ""}, "Invalid job ID ''"),
    ({"filter-node-name": "#top"}, "Invalid node-name: '#top'"),
    ({"filter-node-name": "t" * 32}, "Node name too long"),
]


@pytest.mark.parametrize(("change", "desc"), BAD_INPUT)
def test_bad_input_gives_qemu_text(change: dict[str, Any], desc: str) -> None:
    assert _first_error(BASE | change) == desc


@pytest.mark.parametrize("missing", ["device", "target", "sync"])
def test_missing_mandatory_argument(missing: str) -> None:
    raw = {key: value for key, value in BASE.items() if key != missing}
    assert _first_error(raw) == f"Parameter '{missing}' is missing"


def test_missing_job_id_is_the_empty_device_name() -> None:
    raw = {key: value for key, value in BASE.items() if key != "job-id"}
    assert _first_error(raw) == "Invalid job ID ''"


ORDER: list[tuple[dict[str, Any], str]] = [
    # QAPI members in schema order, unknown members last
    ({"foo": 1, "sync": "bogus"}, "Parameter 'sync' does not accept value 'bogus'"),
    ({"sync": "bogus", "speed": "x"}, "Parameter 'sync' does not accept value 'bogus'"),
    ({"speed": "x", "granularity": "x"}, "Invalid parameter type for 'speed', expected: integer"),
    ({"auto-dismiss": 1, "copy-mode": "x"}, "Parameter 'copy-mode' does not accept value 'x'"),
    # QAPI checks before the handler's
    ({"speed": -1, "buf-size": "x"}, "Invalid parameter type for 'buf-size', expected: integer"),
    ({"granularity": 3000, "foo": 1}, "Parameter 'foo' is unexpected"),
    # granularity (step 5) before sync mode (9), buf-size (10), filter (12), job-id, speed (13)
    (
        {"granularity": 3000, "sync": "bitmap", "buf-size": -1, "job-id": "#", "speed": -1},
        "Parameter 'granularity' expects a power of 2",
    ),
    ({"granularity": 256 + 1}, "Parameter 'granularity' expects a value in range [512B, 64MB]"),
    ({"sync": "incremental", "buf-size": -1}, "Sync mode 'incremental' not supported"),
    ({"buf-size": -1, "filter-node-name": "#"}, "Invalid parameter 'buf-size'"),
    ({"filter-node-name": "#", "job-id": "#"}, "Invalid node-name: '#'"),
    ({"job-id": "#bad", "speed": -1}, "Invalid job ID '#bad'"),
]


@pytest.mark.parametrize(("change", "desc"), ORDER)
def test_first_error_in_qemu_order(change: dict[str, Any], desc: str) -> None:
    assert _first_error(BASE | change) == desc


def test_accepted_values_from_qemu() -> None:
    for change in (
        {"granularity": 512},
        {"granularity": 64 * MiB},
        {"granularity": 0},
        {"buf-size": 0},
        {"buf-size": 1},
        {"buf-size": 4096, "granularity": 65536},
        {"sync": "top"},
        {"sync": "none"},
        {"on-target-error": "auto"},
        {"on-source-error": "enospc"},
        {"on-source-error": "stop"},
        {"job-id": "a.b-c_9"},
        {"filter-node-name": "t" * 31},
    ):
        parse_arguments(BlockdevMirror, BASE | change).check()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=2**32 - 1))
def test_granularity_accepted_exactly_for_powers_of_two_in_range(granularity: int) -> None:
    args = parse_arguments(BlockdevMirror, BASE | {"granularity": granularity})
    valid = 512 <= granularity <= 64 * MiB and granularity & (granularity - 1) == 0
    if valid:
        args.check_granularity()
    else:
        with pytest.raises(QAPIError):
            args.check_granularity()


@settings(max_examples=100, deadline=None)
@given(
    st.fixed_dictionaries(
        {"device": st.just("a"), "target": st.just("b"), "sync": st.sampled_from(["top", "full"])},
        optional={
            "speed": st.integers(0, 2**40),
            "granularity": st.sampled_from([0, 512, 4096, 65536, MiB]),
            "buf-size": st.integers(0, 2**30),
            "on-source-error": st.sampled_from([e.value for e in BlockdevOnError]),
            "copy-mode": st.sampled_from([m.value for m in MirrorCopyMode]),
            "auto-dismiss": st.booleans(),
        },
    ),
    st.one_of(st.none(), st.sampled_from([2**shift for shift in range(9, 22)])),
)
def test_round_trip_and_effective_values(raw: dict[str, Any], cluster_size: int | None) -> None:
    args = parse_arguments(BlockdevMirror, raw)
    assert args.to_qmp() == raw
    settings_ = args.resolve(cluster_size)
    assert settings_.granularity & (settings_.granularity - 1) == 0
    assert settings_.buf_size % settings_.granularity == 0
    assert settings_.buf_size >= max(raw.get("buf-size", 0), settings_.granularity)
    assert settings_.buf_size - (raw.get("buf-size") or DOCUMENTED_BUF_SIZE) < settings_.granularity


def test_every_argument_carries_its_presentation() -> None:
    from guimirror.qapi.base import Unit
    from guimirror.qapi.mirror import MIRROR_ARGUMENTS, MIRROR_GROUPS

    specs = {spec.name: spec for spec in MIRROR_ARGUMENTS}
    assert list(specs) == list(EVERY_ARGUMENT)
    for spec in MIRROR_ARGUMENTS:
        assert spec.presentation.group in MIRROR_GROUPS, spec.name
        assert spec.description and spec.label != spec.name, spec.name
    assert [specs[name].required for name in ("device", "target", "sync")] == [True] * 3
    assert specs["sync"].choices == ("full", "top", "none")
    assert specs["on-target-error"].default == "report"
    assert specs["speed"].presentation.unit is Unit.BYTES_PER_SECOND
    assert specs["buf-size"].presentation.unit is Unit.BYTES
    assert specs["auto-dismiss"].default is True


@pytest.mark.parametrize(("raw", "argument"), [
    (BASE | {"granularity": 3000}, "granularity"),
    (BASE | {"speed": -1}, "speed"),
    (BASE | {"buf-size": -1}, "buf-size"),
    (BASE | {"filter-node-name": "1x"}, "filter-node-name"),
    (BASE | {"job-id": "#x"}, "job-id"),
    (BASE | {"sync": "bitmap"}, "sync"),
    (BASE | {"speed": "fast"}, "speed"),
    (BASE | {"bogus": 1}, "bogus"),
    ({"job-id": "j1", "target": "t", "sync": "full"}, "device"),
])
def test_an_error_names_the_argument_it_is_about(raw: dict[str, Any], argument: str) -> None:
    from guimirror.qapi.base import ArgumentError

    with pytest.raises(ArgumentError) as caught:
        parse_arguments(BlockdevMirror, raw).check()
    assert caught.value.argument == argument


def test_graph_errors_use_qemus_texts_once_per_argument() -> None:
    args = parse_arguments(BlockdevMirror, BASE | {
        "target": "e-src", "replaces": "gone", "filter-node-name": "e-src"})
    errors = {err.argument: err.desc for err in args.graph_errors(
        {"e-src"}, read_only={"e-src"}, job_ids={"j1"})}
    assert errors == {
        "target": "Can't mirror node into itself",
        "replaces": "Failed to find node with node-name='gone'",
        "job-id": "Job ID 'j1' already in use",
        "filter-node-name": "Duplicate nodes with node-name='e-src'",
    }
    ok = parse_arguments(BlockdevMirror, BASE)
    assert ok.graph_errors({"e-src", "e-tgt"}, read_only={"e-tgt"})[0].desc == (
        "Block node is read-only")
    assert ok.graph_errors({"e-src"})[0].desc == "Cannot find device='e-tgt' nor node-name='e-tgt'"
