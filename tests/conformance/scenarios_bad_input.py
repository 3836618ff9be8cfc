# SPDX-License-Identifier: GPL-2.0-or-later
"""The bad-input table of qemu-measured.md section 6: every row, as its own scenario.

Each row runs on the same set of nodes: ``e-src`` and ``e-tgt`` (the pair the table mirrors),
``e-small``/``e-large`` (size mismatches), ``e-ro`` (read-only), ``e-other``, ``e-tgt2``,
``e-tgt3`` (for the rows that need a second job). Rows marked "busy" first start job ``busy``
(e-src to e-tgt at 1 byte/s, so it stays running), and force-cancel it at the end.
"""

from __future__ import annotations

from typing import Any

from .steps import (
    ABSENT,
    Cmd,
    ExpectJob,
    ExpectJobEvents,
    Image,
    MiB,
    Scenario,
    Step,
    WaitEvent,
    WaitJob,
    job_cmd,
    raw_node,
)

SIZE = 4 * MiB
IMAGES = (
    Image("e-src", SIZE, ((0, SIZE, None),)),
    Image("e-tgt", SIZE),
    Image("e-small", SIZE // 2),
    Image("e-large", SIZE * 2),
    Image("e-ro", SIZE),
    Image("e-other", SIZE, ((0, MiB, 0x11),)),
    Image("e-tgt2", SIZE),
    Image("e-tgt3", SIZE),
)
NODES = (
    raw_node("e-src"), raw_node("e-tgt"), raw_node("e-small"), raw_node("e-large"),
    {**raw_node("e-ro"), "read-only": True},
    raw_node("e-other"), raw_node("e-tgt2"), raw_node("e-tgt3"),
)
BASE = {"device": "e-src", "target": "e-tgt", "sync": "full", "job-id": "j1"}
SIZES_DIFFER = "Source and target image have different sizes"


def _arguments(changes: dict[str, Any]) -> dict[str, Any]:
    arguments = dict(BASE)
    for key, value in changes.items():
        if value is ABSENT:
            arguments.pop(key, None)
        else:
            arguments[key] = value
    return arguments


def refused(
    name: str, changes: dict[str, Any], desc: str, events: tuple[str, ...] = ()
) -> Scenario:
    """blockdev-mirror with ``changes`` fails with ``desc`` and leaves no job behind.

    ``events``: the job's events before the reply; none unless the job was already created
    when the check failed (QEMU then emits created and null).
    """
    job = changes.get("job-id", "j1")
    return Scenario(
        f"bad-input-{name}", IMAGES, NODES,
        (Cmd("blockdev-mirror", _arguments(changes), error=desc), ExpectJob("j1", None),
         Cmd("query-block-jobs", ret=[], check_ret=True),
         *((ExpectJobEvents(job, events),) if isinstance(job, str) else ())),
    )


def accepted(name: str, changes: dict[str, Any]) -> Scenario:
    """blockdev-mirror with ``changes`` returns ``{}`` and the job reaches READY."""
    job = changes.get("job-id", "j1")
    return Scenario(
        f"bad-input-{name}", IMAGES, NODES,
        (Cmd("blockdev-mirror", _arguments(changes), ret={}, check_ret=True),
         WaitEvent("BLOCK_JOB_READY", job),
         job_cmd("job-cancel", job), WaitEvent("BLOCK_JOB_CANCELLED", job)),
    )


def late_size_failure(name: str, target: str) -> Scenario:
    return Scenario(
        f"bad-input-{name}", IMAGES, NODES,
        (Cmd("blockdev-mirror", _arguments({"target": target}), ret={}, check_ret=True),
         WaitEvent("BLOCK_JOB_COMPLETED", "j1", {"error": SIZES_DIFFER, "len": 0, "offset": 0}),
         ExpectJob("j1", None)),
        steps_for={"builtin": (
            Cmd("blockdev-mirror", _arguments({"target": target}), error=SIZES_DIFFER),
            ExpectJob("j1", None),
        )},
        deviation="QEMU accepts a size mismatch and fails the job at once; the built-in "
                  "engine refuses the command with the same text",
    )


BUSY_START: tuple[Step, ...] = (
    Cmd("blockdev-mirror", {**BASE, "job-id": "busy", "speed": 1, "buf-size": 65536},
        ret={}, check_ret=True),
    WaitJob("busy", {"status": "running"}),
)
BUSY_END: tuple[Step, ...] = (
    ExpectJob("busy", {"status": "running"}),
    Cmd("job-cancel", {"id": "busy"}, ret={}, check_ret=True),
    WaitEvent("BLOCK_JOB_CANCELLED", "busy"),
)


def busy(
    name: str,
    steps: tuple[Step, ...],
    *,
    keep_running: bool = True,
    builtin_steps: tuple[Step, ...] | None = None,
    deviation: str = "",
) -> Scenario:
    """A row that needs job ``busy`` (e-src to e-tgt, stalled at 1 byte/s) to be running."""
    end = BUSY_END if keep_running else BUSY_END[1:]
    steps_for = {} if builtin_steps is None else {"builtin": (*BUSY_START, *builtin_steps, *end)}
    return Scenario(f"bad-input-{name}", IMAGES, NODES, (*BUSY_START, *steps, *end),
                    steps_for=steps_for, deviation=deviation)


def busy_mirror(changes: dict[str, Any], desc: str) -> Cmd:
    return Cmd("blockdev-mirror", _arguments(changes), error=desc)


_PAUSE = Cmd("job-pause", {"id": "busy"}, ret={}, check_ret=True)
_PAUSED = WaitJob("busy", {"status": "paused", "paused": True})

SCENARIOS: list[Scenario] = [
    refused("granularity-3000", {"granularity": 3000},
            "Parameter 'granularity' expects a power of 2"),
    refused("granularity-256", {"granularity": 256},
            "Parameter 'granularity' expects a value in range [512B, 64MB]"),
    refused("granularity-128MiB", {"granularity": 128 * MiB},
            "Parameter 'granularity' expects a value in range [512B, 64MB]"),
    accepted("granularity-64MiB", {"granularity": 64 * MiB}),
    accepted("granularity-512", {"granularity": 512}),
    accepted("granularity-0", {"granularity": 0}),
    refused("buf-size--1", {"buf-size": -1}, "Invalid parameter 'buf-size'"),
    accepted("buf-size-0", {"buf-size": 0}),
    accepted("buf-size-1", {"buf-size": 1}),
    accepted("buf-size-below-granularity", {"buf-size": 4096, "granularity": 65536}),
    refused("speed--1", {"speed": -1}, "Parameter 'speed' expects a non-negative value",
            events=("created", "null")),
    refused("device-eq-target", {"target": "e-src"}, "Can't mirror node into itself"),
    refused("unknown-device", {"device": "nope"}, "Cannot find device='nope' nor node-name='nope'"),
    refused("unknown-target", {"target": "nope"}, "Cannot find device='nope' nor node-name='nope'"),
    late_size_failure("target-smaller", "e-small"),
    late_size_failure("target-larger", "e-large"),
    refused("target-read-only", {"target": "e-ro"}, "Block node is read-only",
            events=("created", "null")),
    accepted("sync-top-no-backing", {"sync": "top"}),
    accepted("sync-none", {"sync": "none"}),
    refused("replaces-unknown", {"replaces": "nope"}, "Failed to find node with node-name='nope'"),
    refused("replaces-not-in-chain", {"replaces": "e-other"},
            "Cannot replace 'e-other' by a node mirrored from 'e-src', because it cannot be "
            "guaranteed that doing so would not lead to an abrupt change of visible data"),
    accepted("replaces-self-device", {"replaces": "e-src"}),
    refused("replaces-file-child", {"replaces": "e-src-file"},
            "Cannot replace 'e-src-file' by a node mirrored from 'e-src', because it cannot be "
            "guaranteed that doing so would not lead to an abrupt change of visible data"),
    accepted("on-target-error-auto", {"on-target-error": "auto"}),
    accepted("on-source-error-enospc", {"on-source-error": "enospc"}),
    accepted("on-source-error-stop", {"on-source-error": "stop"}),
    accepted("on-target-error-stop", {"on-target-error": "stop"}),
    refused("on-source-error-bogus", {"on-source-error": "bogus"},
            "Parameter 'on-source-error' does not accept value 'bogus'"),
    refused("sync-bogus", {"sync": "bogus"}, "Parameter 'sync' does not accept value 'bogus'"),
    refused("missing-sync", {"sync": ABSENT}, "Parameter 'sync' is missing"),
    refused("job-id-invalid-chars", {"job-id": "#bad"}, "Invalid job ID '#bad'"),
    refused("no-job-id", {"job-id": ABSENT}, "Invalid job ID ''"),
    busy("second-mirror-busy-source",
         (busy_mirror({"job-id": "busy2", "target": "e-tgt2"}, "Need a root block node"),),
         builtin_steps=(busy_mirror({"job-id": "busy2", "target": "e-tgt2"},
                                    "Need a root block node: 'e-src' is used by job 'busy'"),),
         deviation="the built-in engine's busy-source error names the job that holds the node"),
    busy("target-busy-as-target-of-other-job",
         (busy_mirror({"device": "e-other", "job-id": "busy3"},
                      "Node 'e-tgt' is busy: block device is in use by block job: mirror"),)),
    busy("duplicate-job-id",
         (busy_mirror({"device": "e-other", "job-id": "busy", "target": "e-tgt3"},
                      "Job ID 'busy' already in use"),)),
    busy("job-complete-before-ready",
         (Cmd("job-complete", {"id": "busy"},
              error="Job 'busy' in state 'running' cannot accept command verb 'complete'"),)),
    busy("block-job-complete-before-ready",
         (Cmd("block-job-complete", {"device": "busy"},
              error="Job 'busy' in state 'running' cannot accept command verb 'complete'"),)),
    busy("block-job-set-speed-negative",
         (Cmd("block-job-set-speed", {"device": "busy", "speed": -1},
              error="Parameter 'speed' expects a non-negative value"),
          ExpectJob("busy", {"speed": 1}))),
    busy("block-job-set-speed-unknown-job",
         (Cmd("block-job-set-speed", {"device": "nojob", "speed": 1},
              error="Block job 'nojob' not found", error_class="DeviceNotActive"),)),
    busy("job-complete-unknown-job",
         (Cmd("job-complete", {"id": "nojob"}, error="Job not found"),)),
    busy("job-dismiss-running",
         (Cmd("job-dismiss", {"id": "busy"},
              error="Job 'busy' in state 'running' cannot accept command verb 'dismiss'"),)),
    busy("job-finalize-running",
         (Cmd("job-finalize", {"id": "busy"},
              error="Job 'busy' in state 'running' cannot accept command verb 'finalize'"),)),
    busy("blockdev-del-busy-source",
         (Cmd("blockdev-del", {"node-name": "e-src"},
              error="Node 'e-src' is busy: block device is in use by block job: mirror"),)),
    busy("job-resume-not-paused",
         (Cmd("job-resume", {"id": "busy"}, error="Can't resume a job that was not paused"),)),
    busy("job-pause-twice",
         (_PAUSE, _PAUSED, Cmd("job-pause", {"id": "busy"}, error="Job is already paused")),
         keep_running=False),
    busy("job-complete-while-paused",
         (_PAUSE, _PAUSED,
          Cmd("job-complete", {"id": "busy"},
              error="Job 'busy' in state 'paused' cannot accept command verb 'complete'")),
         keep_running=False),
    Scenario(
        "bad-input-job-complete-while-paused-ready", IMAGES, NODES,
        (Cmd("blockdev-mirror", {**BASE, "job-id": "busy"}, ret={}, check_ret=True),
         WaitEvent("BLOCK_JOB_READY", "busy"), _PAUSE,
         WaitJob("busy", {"status": "standby", "paused": True, "ready": True}),
         Cmd("job-complete", {"id": "busy"}, ret={}, check_ret=True),
         ExpectJob("busy", {"status": "standby"}),
         Cmd("job-resume", {"id": "busy"}, ret={}, check_ret=True),
         WaitEvent("BLOCK_JOB_COMPLETED", "busy", {"error": ABSENT})),
    ),
]
