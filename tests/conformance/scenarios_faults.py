# SPDX-License-Identifier: GPL-2.0-or-later
"""The fault matrix with blkdebug: error policy x operation x errno (iotest 041's
TestReadErrors/TestWriteErrors, widened to every policy and to ENOSPC).

The error is injected once, at 1 MiB: on a read of the source (``on-source-error``) or on a
write to the target (``on-target-error``). QEMU's ``block_job_error_action`` decides:
report fails the job, ignore retries the area later, stop pauses the job with io-status
``failed`` until ``job-resume``, and enospc stops on ENOSPC and reports anything else.
"""

from __future__ import annotations

import errno
import os

from .steps import (
    ABSENT,
    Compare,
    ExpectJob,
    ExpectJobEvents,
    Image,
    MiB,
    Scenario,
    Step,
    WaitEvent,
    WaitJob,
    blkdebug_node,
    job_cmd,
    mirror,
    raw_node,
)

SIZE = 4 * MiB
IMAGES = (Image("src", SIZE, ((0, SIZE, None),)), Image("tgt", SIZE))
POLICIES = ("report", "ignore", "stop", "enospc")
OPERATIONS = {"read": ("src", "read_aio", "on-source-error"),
              "write": ("tgt", "write_aio", "on-target-error")}
ERRNOS = (errno.EIO, errno.ENOSPC)


#: From READY on, for a job that recovered from its error.
_TO_THE_END = ("ready", "BLOCK_JOB_READY", "waiting", "pending", "BLOCK_JOB_COMPLETED",
               "concluded", "null")


def action(policy: str, err: int) -> str:
    if policy == "enospc":
        return "stop" if err == errno.ENOSPC else "report"
    return policy


def fault_scenario(policy: str, operation: str, err: int) -> Scenario:
    node, event, option = OPERATIONS[operation]
    rule = {"event": event, "errno": err, "sector": 2048, "once": True}
    nodes = tuple(
        blkdebug_node(name, [rule]) if name == node else raw_node(name) for name in ("src", "tgt")
    )
    taken = action(policy, err)
    io_status = "nospace" if err == errno.ENOSPC else "failed"
    error_event = WaitEvent("BLOCK_JOB_ERROR", "j1", {"operation": operation, "action": taken})
    steps: tuple[Step, ...]
    if taken == "report":
        steps = (
            mirror(**{option: policy}), error_event,
            WaitEvent("BLOCK_JOB_COMPLETED", "j1", {"error": os.strerror(err)}),
            ExpectJob("j1", None),
            ExpectJobEvents("j1", ("created", "running", "BLOCK_JOB_ERROR", "aborting",
                                   "BLOCK_JOB_COMPLETED", "concluded", "null")),
        )
    elif taken == "ignore":
        steps = (
            mirror(**{option: policy}), error_event,
            WaitEvent("BLOCK_JOB_READY", "j1"), ExpectJob("j1", {"io-status": "ok"}),
            job_cmd("job-complete"),
            WaitEvent("BLOCK_JOB_COMPLETED", "j1", {"error": ABSENT}), Compare("src", "tgt"),
            ExpectJobEvents("j1", ("created", "running", "BLOCK_JOB_ERROR", *_TO_THE_END)),
        )
    else:
        steps = (
            mirror(**{option: policy}), error_event,
            WaitJob("j1", {"status": "paused", "paused": True, "io-status": io_status}),
            job_cmd("job-resume"),
            WaitEvent("BLOCK_JOB_READY", "j1"),
            ExpectJob("j1", {"status": "ready", "io-status": "ok"}),
            job_cmd("job-complete"),
            WaitEvent("BLOCK_JOB_COMPLETED", "j1", {"error": ABSENT}), Compare("src", "tgt"),
            ExpectJobEvents("j1", ("created", "running", "BLOCK_JOB_ERROR", "paused", "running",
                                   *_TO_THE_END)),
        )
    name = f"fault-{policy}-{operation}-{errno.errorcode[err]}"
    return Scenario(name, IMAGES, nodes, steps)


SCENARIOS: list[Scenario] = [
    fault_scenario(policy, operation, err)
    for policy in POLICIES
    for operation in OPERATIONS
    for err in ERRNOS
]
