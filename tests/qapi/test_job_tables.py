# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's job status transitions and verb table (job.c JobSTT, JobVerbTable)."""

from __future__ import annotations

import itertools

import pytest

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.job import (
    JOB_TRANSITIONS,
    JOB_VERBS,
    JobStatus,
    JobVerb,
    can_transition,
    check_verb,
    verb_error,
)

# job.c's JobSTT, row by row as QEMU writes it (columns: U C R P Y S W D X E N)
STT = {
    "undefined": "0 1 0 0 0 0 0 0 0 0 0",
    "created":   "0 0 1 0 0 0 0 0 1 0 1",
    "running":   "0 0 0 1 1 0 1 0 1 0 0",
    "paused":    "0 0 1 0 0 0 0 0 0 0 0",
    "ready":     "0 0 0 0 0 1 1 0 1 0 0",
    "standby":   "0 0 0 0 1 0 0 0 0 0 0",
    "waiting":   "0 0 0 0 0 0 0 1 1 0 0",
    "pending":   "0 0 0 0 0 0 0 0 1 1 0",
    "aborting":  "0 0 0 0 0 0 0 0 1 1 0",
    "concluded": "0 0 0 0 0 0 0 0 0 0 1",
    "null":      "0 0 0 0 0 0 0 0 0 0 0",
}  # fmt: skip

# job.c's JobVerbTable (7.2, and QEMU 8.2's 'change' row)
VERBS = {
    "cancel":    "0 1 1 1 1 1 1 1 0 0 0",
    "pause":     "0 1 1 1 1 1 0 0 0 0 0",
    "resume":    "0 1 1 1 1 1 0 0 0 0 0",
    "set-speed": "0 1 1 1 1 1 0 0 0 0 0",
    "complete":  "0 0 0 0 1 1 0 0 0 0 0",
    "finalize":  "0 0 0 0 0 0 0 1 0 0 0",
    "dismiss":   "0 0 0 0 0 0 0 0 0 1 0",
    "change":    "0 1 1 1 1 1 0 0 0 0 0",
}  # fmt: skip


def test_status_and_verb_values_are_qemus() -> None:
    assert [status.value for status in JobStatus] == list(STT)
    assert [verb.value for verb in JobVerb] == list(VERBS)


@pytest.mark.parametrize("old", list(JobStatus))
def test_transition_table(old: JobStatus) -> None:
    row = STT[old.value].split()
    for new, allowed in zip(JobStatus, row, strict=True):
        assert can_transition(old, new) == (allowed == "1"), (old, new)
    assert JOB_TRANSITIONS[old] == {new for new, a in zip(JobStatus, row, strict=True) if a == "1"}


@pytest.mark.parametrize("verb", list(JobVerb))
def test_verb_table(verb: JobVerb) -> None:
    row = VERBS[verb.value].split()
    for status, allowed in zip(JobStatus, row, strict=True):
        if allowed == "1":
            check_verb("j", status, verb)
        else:
            with pytest.raises(QAPIError) as caught:
                check_verb("j", status, verb)
            assert caught.value.desc == (
                f"Job 'j' in state '{status.value}' cannot accept command verb '{verb.value}'"
            )
    assert {s for s, a in zip(JobStatus, row, strict=True) if a == "1"} == JOB_VERBS[verb]


def test_verb_error_texts_measured_on_qemu() -> None:
    assert verb_error("busy", JobStatus.RUNNING, JobVerb.COMPLETE).desc == (
        "Job 'busy' in state 'running' cannot accept command verb 'complete'"
    )
    assert verb_error("busy", JobStatus.PAUSED, JobVerb.COMPLETE).desc == (
        "Job 'busy' in state 'paused' cannot accept command verb 'complete'"
    )
    assert verb_error("busy", JobStatus.RUNNING, JobVerb.DISMISS).desc == (
        "Job 'busy' in state 'running' cannot accept command verb 'dismiss'"
    )
    assert verb_error("busy", JobStatus.RUNNING, JobVerb.FINALIZE).error_class == "GenericError"
    check_verb("busy", JobStatus.STANDBY, JobVerb.COMPLETE)  # accepted, takes effect on resume


def test_measured_event_sequences_follow_the_table() -> None:
    sequences = [
        "created running ready waiting pending concluded null",
        "created running ready aborting concluded null",
        "created running aborting concluded null",
        "created null",
        "created running paused running ready standby ready waiting pending concluded null",
    ]
    for sequence in sequences:
        statuses = [JobStatus.UNDEFINED, *(JobStatus(s) for s in sequence.split())]
        for old, new in itertools.pairwise(statuses):
            assert can_transition(old, new), (old, new)
