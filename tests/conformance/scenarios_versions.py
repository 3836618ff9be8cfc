# SPDX-License-Identifier: GPL-2.0-or-later
"""What changed between QEMU 7.2 and 10.x: block-job-change (QEMU 8.2), ``actively-synced``
in query-block-jobs, ``target-is-zero`` (QEMU 10.1), and progress on a sparse source.

QEMU 10.0's replies and texts here were measured on qemu-storage-daemon 10.0.2; QEMU 7.2
has no block-job-change, and neither 7.2 nor 10.0 has target-is-zero.
"""

from __future__ import annotations

from typing import Any

from .steps import (
    ABSENT,
    Cmd,
    Compare,
    ExpectBytes,
    ExpectJob,
    Image,
    MiB,
    QemuIO,
    Scenario,
    Step,
    WaitEvent,
    WaitJob,
    job_cmd,
    mirror,
    mirror_error,
    raw_node,
)

SIZE = 8 * MiB
NODES = (raw_node("src"), raw_node("tgt"))
NBD_START: tuple[Step, ...] = (
    Cmd("nbd-server-start", {"addr": {"type": "unix", "data": {"path": "{dir}/nbd.sock"}}},
        ret={}, check_ret=True),
    Cmd("block-export-add", {"type": "nbd", "id": "exp-src", "node-name": "src", "name": "src",
                             "writable": True}, ret={}, check_ret=True),
)


def _change(copy_mode: Any, job: str = "j1", **expect: Any) -> Cmd:
    arguments = {"id": job, "type": "mirror", "copy-mode": copy_mode}
    if expect:
        return Cmd("block-job-change", arguments, **expect)
    return Cmd("block-job-change", arguments, ret={}, check_ret=True)


def _speed(speed: int) -> Cmd:
    return Cmd("block-job-set-speed", {"device": "j1", "speed": speed}, ret={}, check_ret=True)


def _completed(size: int = SIZE) -> WaitEvent:
    return WaitEvent("BLOCK_JOB_COMPLETED", "j1", {"error": ABSENT, "offset": size, "len": size})


_CHANGE_STEPS: tuple[Step, ...] = (
    *NBD_START,
    mirror(speed=1 * MiB, buf_size=256 * 1024),
    ExpectJob("j1", {"status": "running", "actively-synced": False}),
    # Background mode: a write where the job has not copied yet stays off the target.
    QemuIO("src", ("write -P 0x5a 7M 64k",)),
    ExpectBytes("tgt", 7 * MiB, 64 * 1024, 0),
    _change("fast", error="Parameter 'copy-mode' does not accept value 'fast'"),
    _change("write-blocking", job="nope", error="Block job 'nope' not found",
            error_class="DeviceNotActive"),
    Cmd("block-job-change", {"id": "j1", "type": "commit"}, ret={}, check_ret=True),
    _change("background"),
    _change("write-blocking"),
    _change("write-blocking"),
    _change("background", error="Change to copy mode 'background' is not implemented"),
    # Write-blocking from now on: the write is on the target when qemu-io returns, long
    # before the job's sweep gets there.
    QemuIO("src", ("write -P 0x6b 6M 64k",)),
    ExpectBytes("tgt", 6 * MiB, 64 * 1024, 0x6B),
    ExpectJob("j1", {"status": "running", "actively-synced": False}),
    _speed(0),
    WaitEvent("BLOCK_JOB_READY", "j1"),
    WaitJob("j1", {"actively-synced": True}),
    QemuIO("src", ("write -P 0x7c 1M 1M",)),
    ExpectBytes("tgt", 1 * MiB, 1 * MiB, 0x7C),
    job_cmd("job-complete"),
    WaitEvent("BLOCK_JOB_COMPLETED", "j1", {"error": ABSENT}),
    Compare("src", "tgt"),
)

#: A source of 1 GiB holding 4 MiB of data, over a target with data where the source has holes.
SPARSE = 1024 * MiB
_SPARSE_DATA = tuple((index * 256 * MiB + 3 * MiB, 1 * MiB, None) for index in range(4))
_SPARSE_IMAGES = (Image("src", SPARSE, _SPARSE_DATA), Image("tgt", SPARSE, ((8 * MiB, MiB, 0x99),)))

_TARGET_IS_ZERO_IMAGES = (
    Image("src", SIZE, ((0, 1 * MiB, None), (4 * MiB, 1 * MiB, None))),
    Image("tgt", SIZE, ((2 * MiB, 1 * MiB, 0x99),)),
)
_REFUSED = mirror_error("Parameter 'target-is-zero' is unexpected", target_is_zero=True)

SCENARIOS: list[Scenario] = [
    Scenario(
        "change-to-write-blocking", (Image("src", SIZE, ((0, SIZE, None),)), Image("tgt", SIZE)),
        NODES, _CHANGE_STEPS,
        steps_for={"qemu-7.2": (
            mirror(speed=1 * MiB),
            _change("write-blocking", error="The command block-job-change has not been found",
                    error_class="CommandNotFound"),
            job_cmd("job-cancel"), WaitEvent("BLOCK_JOB_CANCELLED", "j1"),
        )},
        deviation="QEMU 7.2 has no block-job-change (QEMU 8.2 brought it)",
    ),
    Scenario(
        "change-paused-and-concluded",
        (Image("src", SIZE, ((0, SIZE, None),)), Image("tgt", SIZE)), NODES,
        (mirror(speed=1 * MiB, buf_size=256 * 1024, auto_dismiss=False),
         job_cmd("job-pause"), WaitJob("j1", {"status": "paused"}),
         _change("write-blocking"), ExpectJob("j1", {"status": "paused"}),
         job_cmd("job-cancel"), WaitJob("j1", {"status": "concluded"}),
         _change("write-blocking",
                 error="Job 'j1' in state 'concluded' cannot accept command verb 'change'"),
         job_cmd("job-dismiss"), ExpectJob("j1", None)),
        steps_for={"qemu-7.2": (
            mirror(speed=1 * MiB),
            _change("write-blocking", error="The command block-job-change has not been found",
                    error_class="CommandNotFound"),
            job_cmd("job-cancel"), WaitEvent("BLOCK_JOB_CANCELLED", "j1"),
        )},
        deviation="QEMU 7.2 has no block-job-change",
    ),
    Scenario(
        "progress-sparse-source", _SPARSE_IMAGES, NODES,
        (mirror(speed=1 * MiB),
         # len is the whole device from the start; the holes count as they are zeroed.
         WaitJob("j1", {"len": SPARSE, "status": "running"}),
         _speed(0),
         WaitEvent("BLOCK_JOB_READY", "j1", {"len": SPARSE, "offset": SPARSE}, within=60),
         job_cmd("job-complete"), _completed(SPARSE), Compare("src", "tgt")),
    ),
    Scenario(
        "target-is-zero-skips-holes", _TARGET_IS_ZERO_IMAGES, NODES,
        (mirror(target_is_zero=True), WaitEvent("BLOCK_JOB_READY", "j1"),
         job_cmd("job-complete"), _completed(),
         # What the target held where the source has holes is still there: the target was
         # not zeroed, as target-is-zero asks (and warns).
         ExpectBytes("tgt", 2 * MiB, 1 * MiB, 0x99), Compare("src", "tgt", identical=False)),
        steps_for={"qemu": (_REFUSED,)},
        deviation="target-is-zero arrives in QEMU 10.1; QEMU 7.2 and 10.0 refuse it",
    ),
    Scenario(
        "holes-zeroed-without-target-is-zero", _TARGET_IS_ZERO_IMAGES, NODES,
        (mirror(), WaitEvent("BLOCK_JOB_READY", "j1"), job_cmd("job-complete"), _completed(),
         ExpectBytes("tgt", 2 * MiB, 1 * MiB, 0), Compare("src", "tgt")),
    ),
]
