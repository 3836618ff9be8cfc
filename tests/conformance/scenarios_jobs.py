# SPDX-License-Identifier: GPL-2.0-or-later
"""Job control: cancel (force and soft), pause to paused and to standby, manual finalize and
dismiss, replaces with an NBD export, write-blocking and background mode under an NBD writer
(iotest 151's active-mirror cases), writes through a node added over the source during the
mirror, and speed changes while running.

iotest 151's testIntersectingActiveIO needs blkdebug breakpoints, which the built-in engine
does not have; testUnderLoad and testActiveOnCreation run here without throttle filters.

Event orders are those qemu-measured.md section 7 records for qemu-storage-daemon 7.2; QEMU 10.0
gives the same orders for these scenarios.
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
    ExpectOffsetFrozen,
    ExpectOffsetMoves,
    ExpectSpeedBelow,
    Image,
    JoinBackground,
    MiB,
    QemuIO,
    Same,
    Scenario,
    Step,
    WaitEvent,
    WaitJob,
    add,
    job_cmd,
    mirror,
    raw_node,
)

SIZE = 8 * MiB
IMAGES = (Image("src", SIZE, ((0, SIZE, None),)), Image("tgt", SIZE))
NODES = (raw_node("src"), raw_node("tgt"))
SLOW: dict[str, Any] = {"speed": 1 * MiB, "buf_size": 256 * 1024}
CANCELLED_ORDER = ("created", "running", "ready", "BLOCK_JOB_READY", "aborting",
                   "BLOCK_JOB_CANCELLED", "concluded", "null")

NBD_START: tuple[Step, ...] = (
    Cmd("nbd-server-start", {"addr": {"type": "unix", "data": {"path": "{dir}/nbd.sock"}}},
        ret={}, check_ret=True),
    Cmd("block-export-add", {"type": "nbd", "id": "exp-src", "node-name": "src", "name": "src",
                             "writable": True}, ret={}, check_ret=True),
)


def export_on(node: str) -> Cmd:
    """query-block-exports shows export exp-src on ``node``."""
    return Cmd("query-block-exports", ret=[
        {"id": "exp-src", "type": "nbd", "node-name": node, "shutting-down": False}
    ], check_ret=True)


def _ready(job: str = "j1") -> WaitEvent:
    return WaitEvent("BLOCK_JOB_READY", job)


def _completed(job: str = "j1") -> WaitEvent:
    return WaitEvent("BLOCK_JOB_COMPLETED", job, {"error": ABSENT, "offset": SIZE, "len": SIZE})


def _caught_up(job: str = "j1") -> WaitEvent:
    """Completed without error, everything copied (how much ``len`` grew under writes is
    each engine's own accounting)."""
    return WaitEvent("BLOCK_JOB_COMPLETED", job, {"error": ABSENT, "offset": Same("len")})


def _speed(speed: int, job: str = "j1") -> Cmd:
    return Cmd("block-job-set-speed", {"device": job, "speed": speed}, ret={}, check_ret=True)


def _writer_scenario(mode: str) -> Scenario:
    """A mirror at 2 MiB/s while qemu-io writes through the source's NBD export, before and
    after READY; at completion target and source are identical."""
    return Scenario(
        f"writer-{mode}", IMAGES, NODES,
        (*NBD_START,
         mirror(copy_mode=mode, speed=2 * MiB, buf_size=256 * 1024),
         QemuIO("src", ("write -P 0x5a 0 1M", "write -P 0x6b 6M 1M", "write -z 3M 64k")),
         ExpectJob("j1", {"status": "running"}),
         _speed(0), _ready(),
         QemuIO("src", ("write -P 0x7c 1M 2M", "write -P 0x01 42 1", "write -z 7M 512k")),
         job_cmd("job-complete"),
         _caught_up(),
         export_on("tgt"), Compare("src", "tgt")),
    )


def _late_node_scenario(mode: str) -> Scenario:
    """A node added during the mirror with ``file: "src"`` (a reference, not the filter) and
    exported: its writes, some where the job has copied already, are copied like the
    source's own; at the pivot it moves to the target with the source's other parents."""
    start: tuple[Step, ...] = (
        NBD_START[0],
        mirror(copy_mode=mode, speed=1 * MiB, buf_size=256 * 1024),
        add({"driver": "raw", "node-name": "late", "file": "src"}),
        Cmd("block-export-add", {"type": "nbd", "id": "exp-late", "node-name": "late",
                                 "name": "late", "writable": True}, ret={}, check_ret=True),
        QemuIO("late", ("write -P 0x5a 0 64k", "write -P 0x6b 6M 1M", "write -z 3M 64k")),
        ExpectJob("j1", {"status": "running"}),
        _speed(0), _ready(),
        QemuIO("late", ("write -P 0x7c 1M 2M",)),
        job_cmd("job-complete"), _caught_up(),
    )
    pivoted: tuple[Step, ...] = (
        QemuIO("late", ("write -P 0x33 5M 64k",)), Compare("src", "tgt", identical=False),
    )
    if mode == "background":
        return Scenario(
            f"late-node-{mode}", IMAGES, NODES,
            (*start, Compare("src", "tgt"), *pivoted),
            steps_for={"qemu-10.0": (*start, Compare("src", "tgt", identical=False))},
            deviation="QEMU 10.0 keeps the mirror's dirty bitmap on its filter node and loses "
                      "the writes of a parent that bypasses the filter; QEMU 7.2 and the "
                      "built-in engine mirror them",
        )
    return Scenario(
        f"late-node-{mode}", IMAGES, NODES,
        (*start, Compare("src", "tgt"), *pivoted),
        steps_for={"qemu": (*start, Compare("src", "tgt", identical=False))},
        deviation="QEMU (7.2 and 10.0) disables its bitmap in write-blocking mode and loses "
                  "the writes of a parent that bypasses the filter; the built-in engine "
                  "mirrors them",
    )


_SPEED_AFTER_READY_START: tuple[Step, ...] = (
    *NBD_START, mirror(), _ready(), _speed(1 * MiB),
    QemuIO("src", ("write -P 0x21 0 4M",)),
)
_SPEED_AFTER_READY_END: tuple[Step, ...] = (
    job_cmd("job-complete"),
    _caught_up(), Compare("src", "tgt"),
)

#: 4 KiB writes all over the second half of the image, as iotest 151's testUnderLoad does.
_SMALL_WRITES = tuple(
    f"write -P {index % 250 + 1} {SIZE // 2 + index * 16 * 1024} 4k" for index in range(256)
)

SCENARIOS: list[Scenario] = [
    Scenario(
        "active-under-load", IMAGES, NODES,
        (*NBD_START,
         # 1 MiB/s: the job stays running for 9 s, longer than the writes take on a busy
         # machine.
         mirror(copy_mode="write-blocking", speed=1 * MiB, buf_size=64 * 1024),
         QemuIO("src", _SMALL_WRITES, background=True),
         ExpectOffsetMoves("j1"), JoinBackground(),
         ExpectJob("j1", {"status": "running"}),
         _speed(0), _ready(), job_cmd("job-complete"),
         _caught_up(), Compare("src", "tgt")),
    ),
    Scenario(
        "active-on-creation", IMAGES, NODES,
        (*NBD_START,
         QemuIO("src", _SMALL_WRITES, background=True),
         mirror(copy_mode="write-blocking"), JoinBackground(),
         _ready(), job_cmd("job-complete"),
         _caught_up(), Compare("src", "tgt")),
    ),
    Scenario(
        "speed-after-ready", IMAGES, NODES,
        (*_SPEED_AFTER_READY_START,
         # QEMU 7.2 copies new writes at full speed once READY: 4 MiB at 1 MiB/s would
         # take 4 s, it catches up at once.
         WaitJob("j1", {"offset": SIZE + 4 * MiB, "len": SIZE + 4 * MiB}, within=2.0),
         *_SPEED_AFTER_READY_END),
        steps_for={"builtin": (
            *_SPEED_AFTER_READY_START,
            ExpectSpeedBelow("j1", 1 * MiB, 1.0),
            _speed(0),
            WaitJob("j1", {"offset": SIZE + 4 * MiB, "len": SIZE + 4 * MiB}, within=5.0),
            *_SPEED_AFTER_READY_END,
        )},
        deviation="the built-in engine keeps enforcing speed after READY; QEMU 7.2 does not",
    ),
    Scenario(
        "cancel-force-ready", IMAGES, NODES,
        (*NBD_START, mirror(), _ready(), job_cmd("block-job-cancel", force=True),
         WaitEvent("BLOCK_JOB_CANCELLED", "j1"), ExpectJobEvents("j1", CANCELLED_ORDER),
         export_on("src")),
    ),
    Scenario(
        "cancel-soft-ready", IMAGES, NODES,
        (*NBD_START, mirror(), _ready(), job_cmd("block-job-cancel"), _completed(),
         ExpectJobEvents("j1", COMPLETED_ORDER), export_on("src"), Compare("src", "tgt")),
    ),
    Scenario(
        "job-cancel-ready", IMAGES, NODES,
        (mirror(), _ready(), job_cmd("job-cancel"), WaitEvent("BLOCK_JOB_CANCELLED", "j1"),
         ExpectJobEvents("j1", CANCELLED_ORDER)),
    ),
    Scenario(
        "job-cancel-running", IMAGES, NODES,
        (mirror(**SLOW), job_cmd("job-cancel"), WaitEvent("BLOCK_JOB_CANCELLED", "j1"),
         ExpectJob("j1", None),
         ExpectJobEvents("j1", ("created", "running", "aborting", "BLOCK_JOB_CANCELLED",
                                "concluded", "null"))),
    ),
    Scenario(
        "pause-running-to-paused", IMAGES, NODES,
        (mirror(**SLOW), job_cmd("job-pause"),
         WaitJob("j1", {"status": "paused", "paused": True, "busy": False, "ready": False}),
         ExpectOffsetFrozen("j1", 0.5),
         Cmd("job-pause", {"id": "j1"}, error="Job is already paused"),
         job_cmd("job-resume"), WaitJob("j1", {"status": "running", "paused": False}),
         Cmd("job-resume", {"id": "j1"}, error="Can't resume a job that was not paused"),
         ExpectOffsetMoves("j1"), _speed(0), _ready(), job_cmd("job-complete"), _completed(),
         Compare("src", "tgt")),
    ),
    Scenario(
        "pause-ready-to-standby", IMAGES, NODES,
        (mirror(), _ready(), job_cmd("job-pause"),
         WaitJob("j1", {"status": "standby", "paused": True, "ready": True}),
         job_cmd("job-complete"), ExpectJob("j1", {"status": "standby"}),
         job_cmd("job-resume"), _completed(),
         ExpectJobEvents("j1", ("created", "running", "ready", "BLOCK_JOB_READY", "standby",
                                "ready", "waiting", "pending", "BLOCK_JOB_COMPLETED",
                                "concluded", "null")),
         Compare("src", "tgt")),
    ),
    Scenario(
        "manual-finalize-dismiss", IMAGES, NODES,
        (mirror(auto_finalize=False, auto_dismiss=False), _ready(), job_cmd("job-complete"),
         WaitEvent("BLOCK_JOB_PENDING", "j1"),
         ExpectJob("j1", {"status": "pending", "paused": True, "ready": False}),
         job_cmd("job-finalize"), _completed(),
         WaitJob("j1", {"status": "concluded"}),
         job_cmd("job-dismiss"), ExpectJob("j1", None),
         ExpectJobEvents("j1", ("created", "running", "ready", "BLOCK_JOB_READY", "waiting",
                                "pending", "BLOCK_JOB_PENDING", "BLOCK_JOB_COMPLETED",
                                "concluded", "null")),
         Compare("src", "tgt")),
    ),
    Scenario(
        "replaces-source-pivots-export", IMAGES, NODES,
        (*NBD_START, export_on("src"), mirror(replaces="src"), _ready(),
         job_cmd("job-complete"), _completed(), export_on("tgt"), Compare("src", "tgt"),
         QemuIO("src", ("write -P 0x33 2M 1M",)), Compare("src", "tgt", identical=False)),
    ),
    _writer_scenario("background"),
    _writer_scenario("write-blocking"),
    _late_node_scenario("background"),
    _late_node_scenario("write-blocking"),
    Scenario(
        "active-unaligned-write", (Image("src", SIZE, ((0, 2 * MiB, None),)), IMAGES[1]), NODES,
        (*NBD_START, mirror(copy_mode="write-blocking", buf_size=256 * 1024, speed=1),
         QemuIO("src", ("write -P 0x42 1048618 1",)),
         _speed(0), _ready(), job_cmd("job-complete"), _caught_up(), Compare("src", "tgt")),
    ),
    Scenario(
        "speed-change-while-running", IMAGES, NODES,
        (mirror(**SLOW), ExpectJob("j1", {"speed": 1 * MiB}),
         ExpectSpeedBelow("j1", 1 * MiB, 1.0),
         _speed(2 * MiB), ExpectJob("j1", {"speed": 2 * MiB, "status": "running"}),
         ExpectSpeedBelow("j1", 2 * MiB, 1.0),
         _speed(0), ExpectJob("j1", {"speed": 0}), WaitEvent("BLOCK_JOB_READY", "j1", within=10),
         job_cmd("job-complete"), _completed(), Compare("src", "tgt")),
    ),
]
