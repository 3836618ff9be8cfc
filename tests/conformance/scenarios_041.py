# SPDX-License-Identifier: GPL-2.0-or-later
"""iotest 041's scenarios (qemu-mirror.md section 6) that both engines can run.

Left out, because the built-in engine has no such thing: qcow2 and backing chains
(TestMirrorNoBacking, TestMirrorResized, large-cluster COW, TestFilters' COR case), quorum
(TestRepairQuorum), drives and CD-ROMs (medium/image not found), copy-on-read filters
(TestReplaces), block_resize (test_source/target_resize), and blkdebug permission parents.
test_implicit_node and TestFilters' mirror-filter cases look at query-named-block-nodes, as
qemu-storage-daemon has no query-block. The error cases of TestReadErrors/TestWriteErrors are
in scenarios_faults.py (the full matrix); replaces with an NBD export in scenarios_jobs.py.
"""

from __future__ import annotations

from typing import Any

from .steps import (
    ABSENT,
    COMPLETED_ORDER,
    Cmd,
    Compare,
    ExpectJob,
    ExpectJobEvents,
    ExpectNodes,
    ExpectOffsetFrozen,
    Image,
    MiB,
    Scenario,
    WaitEvent,
    WaitJob,
    job_cmd,
    mirror,
    mirror_error,
    raw_node,
)

SIZE = 4 * MiB
DENSE = Image("src", SIZE, ((0, SIZE, None),))
EMPTY = Image("tgt", SIZE)
NODES = (raw_node("src"), raw_node("tgt"))
NULL_NODES = (
    {"driver": "null-co", "node-name": "src", "size": SIZE},
    {"driver": "null-co", "node-name": "tgt", "size": SIZE},
)
#: Slow enough to pause and cancel before READY: 1 MiB/s with 256 KiB buffers.
SLOW: dict[str, Any] = {"speed": 1 * MiB, "buf_size": 256 * 1024}


def _done(job: str = "j1", size: int = SIZE) -> WaitEvent:
    return WaitEvent("BLOCK_JOB_COMPLETED", job, {"offset": size, "len": size, "error": ABSENT})


def _complete_and_wait(job: str = "j1", size: int = SIZE) -> tuple[Cmd | WaitEvent, ...]:
    return (
        WaitEvent("BLOCK_JOB_READY", job, {"len": size, "offset": size}),
        job_cmd("block-job-complete", job),
        _done(job, size),
    )


Areas = tuple[tuple[int, int, int | None], ...]


def _single_drive(suffix: str, size: int, data: Areas) -> list[Scenario]:
    images = (Image("src", size, data), Image("tgt", size))
    return [
        Scenario(
            f"041-complete{suffix}", images, NODES,
            (mirror(), *_complete_and_wait(size=size),
             ExpectJobEvents("j1", COMPLETED_ORDER), ExpectJob("j1", None), Compare("src", "tgt")),
        ),
        Scenario(
            f"041-cancel-after-ready{suffix}", images, NODES,
            (mirror(), WaitEvent("BLOCK_JOB_READY", "j1"),
             job_cmd("block-job-cancel", "j1"), _done(size=size),
             ExpectJobEvents("j1", COMPLETED_ORDER), Compare("src", "tgt")),
        ),
        Scenario(
            f"041-small-buffer{suffix}", images, NODES,
            (mirror(buf_size=4096), *_complete_and_wait(size=size), Compare("src", "tgt")),
        ),
    ]


SCENARIOS: list[Scenario] = [
    *_single_drive("", SIZE, ((0, SIZE, None),)),
    *_single_drive("-zero-length", 0, ()),
    *_single_drive("-unaligned-length", 1025 * 1024, ((0, 1025 * 1024, None),)),
    Scenario(
        "041-cancel", (DENSE, EMPTY), NODES,
        (mirror(**SLOW), job_cmd("block-job-cancel", "j1", force=True),
         WaitEvent("BLOCK_JOB_CANCELLED", "j1"), ExpectJob("j1", None),
         ExpectJobEvents("j1", ("created", "running", "aborting", "BLOCK_JOB_CANCELLED",
                                "concluded", "null"))),
    ),
    Scenario(
        "041-pause", (DENSE, EMPTY), NODES,
        (mirror(**SLOW), job_cmd("block-job-pause", "j1"),
         WaitJob("j1", {"paused": True, "busy": False, "status": "paused"}),
         ExpectOffsetFrozen("j1", 0.5), job_cmd("block-job-resume", "j1"),
         Cmd("block-job-set-speed", {"device": "j1", "speed": 0}, ret={}, check_ret=True),
         *_complete_and_wait(), Compare("src", "tgt")),
    ),
    Scenario(
        "041-implicit-node", (DENSE, EMPTY), NODES,
        (mirror(**SLOW),
         # The source keeps its name; the filter above it is implicit (a generated name).
         ExpectNodes({"src": "raw", "src-file": "file", "tgt": "raw"}, drivers=("mirror_top",)),
         job_cmd("block-job-cancel", "j1", force=True), WaitEvent("BLOCK_JOB_CANCELLED", "j1"),
         ExpectNodes({"src": "raw", "tgt": "raw"}, absent_drivers=("mirror_top",))),
    ),
    Scenario(
        "041-explicit-mirror-filter", (DENSE, EMPTY), NODES,
        (mirror(**SLOW, filter_node_name="mirror-filter"),
         ExpectNodes({"mirror-filter": "mirror_top", "src": "raw"}),
         job_cmd("block-job-cancel", "j1", force=True), WaitEvent("BLOCK_JOB_CANCELLED", "j1"),
         ExpectNodes({"src": "raw"}, absent_drivers=("mirror_top",))),
    ),
    Scenario(
        "041-device-not-found", (DENSE, EMPTY), NODES,
        (mirror_error("Cannot find device='nonexistent' nor node-name='nonexistent'",
                              device="nonexistent"),),
    ),
    Scenario(
        "041-mirror-to-self", (DENSE, EMPTY), NODES,
        (mirror_error("Can't mirror node into itself", target="src"),
         ExpectJob("j1", None)),
    ),
    *[
        Scenario(
            f"041-{which}-target", (DENSE, Image("tgt", size)), NODES,
            (mirror(),
             WaitEvent("BLOCK_JOB_COMPLETED", "j1",
                       {"error": "Source and target image have different sizes"}),
             ExpectJob("j1", None)),
            steps_for={"builtin": (
                mirror_error("Source and target image have different sizes"),
                ExpectJob("j1", None),
            )},
            deviation="QEMU accepts a size mismatch and fails the job; the built-in engine "
                      "refuses the command with the same text",
        )
        for which, size in (("small", SIZE // 2), ("large", SIZE * 2))
    ],
    Scenario(
        "041-set-speed", (DENSE, EMPTY), NODES,
        (mirror(**{**SLOW, "speed": 0}), ExpectJob("j1", {"speed": 0}),
         Cmd("block-job-set-speed", {"device": "j1", "speed": 8 * MiB}, ret={}, check_ret=True),
         ExpectJob("j1", {"speed": 8 * MiB}),
         WaitEvent("BLOCK_JOB_READY", "j1"), job_cmd("block-job-cancel", "j1"), _done(),
         mirror("j2", speed=4 * MiB), ExpectJob("j2", {"speed": 4 * MiB}),
         job_cmd("block-job-cancel", "j2", force=True), WaitEvent("BLOCK_JOB_CANCELLED", "j2")),
    ),
    Scenario(
        "041-set-speed-invalid", (DENSE, EMPTY), NODES,
        (mirror_error("Parameter 'speed' expects a non-negative value", speed=-1),
         ExpectJob("j1", None),
         mirror(**SLOW),
         Cmd("block-job-set-speed", {"device": "j1", "speed": -1},
             error="Parameter 'speed' expects a non-negative value"),
         ExpectJob("j1", {"status": "running", "speed": 1 * MiB}),
         job_cmd("block-job-cancel", "j1", force=True), WaitEvent("BLOCK_JOB_CANCELLED", "j1")),
    ),
    Scenario(
        "041-existing-full", (DENSE, Image("tgt", SIZE, ((0, SIZE, 0x42),))), NODES,
        (Compare("src", "tgt", identical=False), mirror(), *_complete_and_wait(),
         Compare("src", "tgt")),
    ),
    Scenario(
        "041-granularity", (Image("src", 10 * MiB, ((0, 10 * MiB, None),)), Image("tgt", 10 * MiB)),
        NODES,
        (mirror(granularity=8192), *_complete_and_wait(size=10 * MiB),
         Compare("src", "tgt")),
    ),
    Scenario(
        "041-orphaned-source-no-job-id", (), NULL_NODES,
        (mirror_error("Invalid job ID ''", job_id=ABSENT),),
    ),
    Scenario(
        "041-orphaned-source-success", (), NULL_NODES,
        (mirror(), *_complete_and_wait()),
    ),
    Scenario(
        "041-orphaned-source-failing-permissions", (),
        (NULL_NODES[0], {**NULL_NODES[1], "read-only": True}),
        (mirror_error("Block node is read-only"), ExpectJob("j1", None)),
    ),
]
