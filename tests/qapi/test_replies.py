# SPDX-License-Identifier: GPL-2.0-or-later
"""Every reply and event shown in qemu-measured.md, and replies recorded from a real
qemu-storage-daemon 7.2, parse into the models and dump back to the same JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from guimirror.qapi.base import QAPIReply
from guimirror.qapi.block_info import BlockDeviceInfo, BlockDirtyInfo
from guimirror.qapi.commands import BlockExportInfo, CommandInfo, VersionInfo
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import (
    BlockJobCancelled,
    BlockJobCompleted,
    BlockJobError,
    BlockJobPending,
    BlockJobReady,
    JobStatusChange,
    parse_event,
)
from guimirror.qapi.job import BlockDeviceIoStatus, BlockJobInfo, JobInfo, JobStatus, JobType

RECORDED = json.loads((Path(__file__).parent / "data" / "qsd-7.2-replies.json").read_text())

# qemu-measured.md section 7
RUNNING_JOB = {
    "auto-dismiss": True, "auto-finalize": True, "busy": False, "device": "busy",
    "io-status": "ok", "len": 67108864, "offset": 16777216, "paused": False, "ready": False,
    "speed": 1048576, "status": "running", "type": "mirror",
}  # fmt: skip
PAUSED_JOB = RUNNING_JOB | {"paused": True, "status": "paused"}
STANDBY_JOB = RUNNING_JOB | {
    "offset": 67108864, "paused": True, "ready": True, "speed": 0, "status": "standby",
}  # fmt: skip
PENDING_JOB = RUNNING_JOB | {"status": "pending", "paused": True, "offset": 67108864}
FAILED_JOB = RUNNING_JOB | {
    "status": "concluded", "len": 0, "offset": 0,
    "error": "Source and target image have different sizes",
}  # fmt: skip
QUERY_JOBS = {
    "current-progress": 16777216, "id": "busy", "status": "running",
    "total-progress": 67108864, "type": "mirror",
}  # fmt: skip
ANONYMOUS_BITMAP = {
    "recording": True, "persistent": False, "busy": False, "granularity": 65536,
    "count": 2113929216,
}  # fmt: skip
EXPORTS = [
    {"id": "exp-src", "type": "nbd", "node-name": "src", "shutting-down": False},
    {"id": "exp-src", "type": "nbd", "node-name": "tgt", "shutting-down": False},
]
EVENTS: list[tuple[str, dict[str, Any]]] = [
    *(("JOB_STATUS_CHANGE", {"id": "j1", "status": status.value}) for status in JobStatus),
    ("BLOCK_JOB_READY", {"device": "j", "len": 67108864, "offset": 67108864, "speed": 0,
                         "type": "mirror"}),
    ("BLOCK_JOB_COMPLETED", {"device": "j", "len": 67108864, "offset": 67108864, "speed": 0,
                             "type": "mirror"}),
    ("BLOCK_JOB_COMPLETED", {"device": "j1", "len": 0, "offset": 0, "speed": 0,
                             "type": "mirror",
                             "error": "Source and target image have different sizes"}),
    ("BLOCK_JOB_COMPLETED", {"device": "j1", "len": 1048576, "offset": 0, "speed": 0,
                             "type": "mirror", "error": "Input/output error"}),
    ("BLOCK_JOB_CANCELLED", {"device": "busy", "len": 67108864, "offset": 16777216,
                             "speed": 1048576, "type": "mirror"}),
    ("BLOCK_JOB_ERROR", {"device": "j1", "operation": "read", "action": "report"}),
    ("BLOCK_JOB_ERROR", {"device": "j1", "operation": "write", "action": "stop"}),
    ("BLOCK_JOB_ERROR", {"device": "j1", "operation": "write", "action": "ignore"}),
    ("BLOCK_JOB_PENDING", {"type": "mirror", "id": "j"}),
    ("BLOCK_EXPORT_DELETED", {"id": "exp-src"}),
]  # fmt: skip


def _round_trip(cls: type[QAPIReply], raw: dict[str, Any]) -> QAPIReply:
    model = cls.model_validate(raw)
    assert model.to_qmp() == raw
    assert not model.model_extra, f"members not modelled: {model.model_extra}"
    return model


@pytest.mark.parametrize(
    "raw",
    [RUNNING_JOB, PAUSED_JOB, STANDBY_JOB, PENDING_JOB, FAILED_JOB, *RECORDED["query-block-jobs"]],
)
def test_query_block_jobs_entries(raw: dict[str, Any]) -> None:
    job = _round_trip(BlockJobInfo, raw)
    assert isinstance(job, BlockJobInfo)
    assert job.io_status is BlockDeviceIoStatus.OK
    assert job.status is JobStatus(raw["status"])
    assert (job.len, job.offset, job.speed) == (raw["len"], raw["offset"], raw["speed"])


@pytest.mark.parametrize("raw", [QUERY_JOBS, *RECORDED["query-jobs"]])
def test_query_jobs_entries(raw: dict[str, Any]) -> None:
    job = _round_trip(JobInfo, raw)
    assert isinstance(job, JobInfo)
    assert job.type is JobType.MIRROR
    assert job.current_progress == raw["current-progress"]


def test_block_job_info_built_by_an_engine_dumps_every_mandatory_member() -> None:
    job = BlockJobInfo(
        type="mirror", device="j", len=4, offset=2, busy=True, paused=False, speed=0,
        io_status=BlockDeviceIoStatus.OK, ready=False, status=JobStatus.RUNNING,
        auto_finalize=True, auto_dismiss=True,
    )  # fmt: skip
    assert job.to_qmp() == {
        "type": "mirror", "device": "j", "len": 4, "offset": 2, "busy": True, "paused": False,
        "speed": 0, "io-status": "ok", "ready": False, "status": "running",
        "auto-finalize": True, "auto-dismiss": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    "raw", [*RECORDED["query-named-block-nodes"], *RECORDED["query-named-block-nodes flat"]]
)
def test_recorded_block_nodes(raw: dict[str, Any]) -> None:
    node = _round_trip(BlockDeviceInfo, raw)
    assert isinstance(node, BlockDeviceInfo)
    assert node.drv == raw["drv"]
    assert node.image.virtual_size == raw["image"]["virtual-size"]


def test_the_mirror_bitmap_on_the_source_node() -> None:
    nodes = [BlockDeviceInfo.model_validate(raw) for raw in RECORDED["query-named-block-nodes"]]
    source = next(node for node in nodes if node.node_name == "src")
    assert source.dirty_bitmaps is not None
    (bitmap,) = source.dirty_bitmaps
    assert bitmap.name is None
    assert bitmap.granularity == 65536
    assert 0 < bitmap.count <= source.image.virtual_size
    top = next(node for node in nodes if node.drv == "mirror_top")
    assert top.dirty_bitmaps is None
    assert top.image.backing_image is not None
    assert top.image.backing_image.format == "raw"
    _round_trip(BlockDirtyInfo, ANONYMOUS_BITMAP)


def test_block_node_built_by_an_engine() -> None:
    from guimirror.qapi.block_info import BlockdevCacheInfo, ImageInfo

    node = BlockDeviceInfo(
        file="/img/a.raw", node_name="a", ro=False, drv="raw",
        image=ImageInfo(filename="/img/a.raw", format="raw", virtual_size=1048576),
        cache=BlockdevCacheInfo(writeback=True, direct=False, no_flush=False),
        dirty_bitmaps=[BlockDirtyInfo(count=0, granularity=65536, recording=True, busy=False,
                                      persistent=False)],
    )  # fmt: skip
    dumped = node.to_qmp()
    assert dumped == BlockDeviceInfo.model_validate(dumped).to_qmp()
    assert dumped["backing_file_depth"] == 0
    assert dumped["detect_zeroes"] == "off"
    assert dumped["write_threshold"] == 0
    assert dumped["cache"] == {"writeback": True, "direct": False, "no-flush": False}
    assert dumped["image"] == {"filename": "/img/a.raw", "format": "raw", "virtual-size": 1048576}
    assert "cluster-size" not in dumped["image"]
    assert "bps_max" not in dumped
    assert dumped["dirty-bitmaps"] == [
        {"count": 0, "granularity": 65536, "recording": True, "busy": False, "persistent": False}
    ]


def test_newer_members_are_kept_not_refused() -> None:
    newer = RUNNING_JOB | {"actively-synced": False, "a-later-member": [1]}
    job = BlockJobInfo.model_validate(newer)
    assert job.actively_synced is False
    assert job.model_extra == {"a-later-member": [1]}
    assert job.to_qmp() == newer


@pytest.mark.parametrize(
    ("name", "data"), EVENTS + [(e["event"], e["data"]) for e in RECORDED["events"]]
)
def test_events_parse_and_dump_back(name: str, data: dict[str, Any]) -> None:
    event = parse_event(name, data)
    assert event is not None
    assert name == type(event).EVENT
    assert event.to_qmp() == data
    assert not event.model_extra


def test_event_classes() -> None:
    parsed = [parse_event(name, data) for name, data in EVENTS]
    ready = next(event for event in parsed if isinstance(event, BlockJobReady))
    assert ready.type is JobType.MIRROR
    failed = [e for e in parsed if isinstance(e, BlockJobCompleted) and e.error is not None]
    assert failed[0].error == "Source and target image have different sizes"
    assert any(isinstance(event, BlockJobCancelled) for event in parsed)
    assert any(isinstance(event, BlockJobPending) for event in parsed)
    errors = [event for event in parsed if isinstance(event, BlockJobError)]
    assert [(e.operation.value, e.action.value) for e in errors] == [
        ("read", "report"),
        ("write", "stop"),
        ("write", "ignore"),
    ]
    change = parse_event("JOB_STATUS_CHANGE", {"id": "j", "status": "standby"})
    assert isinstance(change, JobStatusChange) and change.status is JobStatus.STANDBY
    assert parse_event("SHUTDOWN", {"guest": False, "reason": "host-qmp-quit"}) is None
    with pytest.raises(ValidationError):
        parse_event("BLOCK_JOB_ERROR", {"device": "j", "operation": "seek", "action": "report"})


def test_event_built_by_an_engine_omits_absent_error() -> None:
    event = BlockJobCompleted(type=JobType.MIRROR, device="j", len=1, offset=1, speed=0)
    assert event.to_qmp() == {"type": "mirror", "device": "j", "len": 1, "offset": 1, "speed": 0}


@pytest.mark.parametrize("raw", EXPORTS)
def test_block_exports(raw: dict[str, Any]) -> None:
    _round_trip(BlockExportInfo, raw)


def test_version_and_commands() -> None:
    version = _round_trip(VersionInfo, RECORDED["query-version"])
    assert isinstance(version, VersionInfo)
    assert (version.qemu.major, version.qemu.minor) == (7, 2)
    _round_trip(CommandInfo, {"name": "blockdev-mirror"})


def test_error_replies() -> None:
    assert QAPIError("Block job 'nojob' not found", "DeviceNotActive").to_qmp() == {
        "class": "DeviceNotActive",
        "desc": "Block job 'nojob' not found",
    }
    assert QAPIError("Job not found").to_qmp() == {"class": "GenericError", "desc": "Job not found"}
