# SPDX-License-Identifier: GPL-2.0-or-later
"""What the end of a mirror did, in words: which node the users of the source write to now,
and what the target holds.

QEMU ends a mirror with BLOCK_JOB_COMPLETED both after job-complete (the pivot) and after
block-job-cancel without force once READY (no pivot), so the verb that ended the job tells
them apart; BLOCK_JOB_CANCELLED follows a cancel before READY or a forced one. Pure functions,
Qt-free.
"""

from __future__ import annotations

import time
from enum import StrEnum

from guimirror.units import format_size


class EndVerb(StrEnum):
    """What the user asked to end the job with."""

    COMPLETE = "complete"
    """job-complete: pivot to the target."""
    FINISH = "finish-without-pivot"
    """block-job-cancel without force after READY."""
    CANCEL = "cancel"
    """job-cancel (always forced)."""


def job_outcome(*, event: str, device: str, target: str, ready_seen: bool,
                verb: EndVerb | None, error: str | None = None, ended_at: float = 0.0,
                offset: int = 0, length: int = 0) -> str:
    """The job row's last words, from the event that ended the job (BLOCK_JOB_COMPLETED or
    BLOCK_JOB_CANCELLED), whether READY was seen, and the verb sent, if any."""
    if event == "BLOCK_JOB_CANCELLED":
        if ready_seen:
            return (f"aborted after READY: users still write to '{device}'; '{target}' is "
                    "not a consistent copy")
        copied = f" ({format_size(offset)} of {format_size(length)} copied)" if length else ""
        return f"cancelled: '{target}' holds a partial copy{copied}"
    if error:
        return f"failed: {error}; users still write to '{device}'"
    if verb is EndVerb.FINISH:
        when = time.strftime("%H:%M:%S", time.localtime(ended_at))
        return (f"finished without pivot: users still write to '{device}'; '{target}' holds "
                f"a copy as of {when}")
    if verb is EndVerb.COMPLETE:
        return f"pivoted: users of '{device}' now write to '{target}'"
    return (f"completed by another client: users of '{device}' write to '{target}' after a "
            f"pivot, or still to '{device}' after a finish without pivot")


def cancel_question(*, job_id: str, device: str, target: str, offset: int,
                    length: int) -> str:
    """What a cancel before READY leaves behind, asked before it is sent."""
    return (f"Cancel job '{job_id}' before it is in sync? It has copied {format_size(offset)} "
            f"of {format_size(length)} ({offset} of {length} bytes) to '{target}'. That part "
            f"stays on '{target}': its data is then a partial copy, not usable as a copy of "
            f"'{device}'. '{device}' is untouched.")
