# SPDX-License-Identifier: GPL-2.0-or-later
"""The words for a mirror's end, from its events and the verb that ended it."""

from __future__ import annotations

import time

from guimirror.session.outcomes import EndVerb, job_outcome

MiB = 1 << 20


def outcome(event: str, ready_seen: bool, verb: EndVerb | None, **extra: object) -> str:
    return job_outcome(event=event, device="src", target="tgt", ready_seen=ready_seen,
                       verb=verb, **extra)  # type: ignore[arg-type]


def test_completed_events_are_told_apart_by_the_verb_that_ended_the_job() -> None:
    assert outcome("BLOCK_JOB_COMPLETED", True, EndVerb.COMPLETE) == (
        "pivoted: users of 'src' now write to 'tgt'")
    ended = time.mktime((2024, 5, 1, 14, 3, 9, 0, 0, -1))
    assert outcome("BLOCK_JOB_COMPLETED", True, EndVerb.FINISH, ended_at=ended) == (
        "finished without pivot: users still write to 'src'; 'tgt' holds a copy as of 14:03:09")
    assert "after a pivot, or still to 'src'" in outcome("BLOCK_JOB_COMPLETED", True, None)
    assert outcome("BLOCK_JOB_COMPLETED", False, None, error="Input/output error") == (
        "failed: Input/output error; users still write to 'src'")


def test_a_cancel_says_what_the_target_holds() -> None:
    assert outcome("BLOCK_JOB_CANCELLED", False, EndVerb.CANCEL, offset=3 * MiB,
                   length=8 * MiB) == (
        "cancelled: 'tgt' holds a partial copy (3 MiB of 8 MiB copied)")
    assert outcome("BLOCK_JOB_CANCELLED", True, EndVerb.CANCEL).startswith(
        "aborted after READY: users still write to 'src'")
