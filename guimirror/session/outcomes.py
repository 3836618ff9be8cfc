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

from guimirror.texts import Text
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
                offset: int = 0, length: int = 0) -> Text:
    """The job row's last words, from the event that ended the job (BLOCK_JOB_COMPLETED or
    BLOCK_JOB_CANCELLED), whether READY was seen, and the verb sent, if any."""
    if event == "BLOCK_JOB_CANCELLED":
        if ready_seen:
            return Text("aborted after READY: users still write to '{device}'; '{target}' is "
                        "not a consistent copy", device=device, target=target)
        if length:
            return Text("cancelled: '{target}' holds a partial copy ({offset} of {length} "
                        "copied)", target=target, offset=format_size(offset),
                        length=format_size(length))
        return Text("cancelled: '{target}' holds a partial copy", target=target)
    if error:
        return Text("failed: {error}; users still write to '{device}'", error=error,
                    device=device)
    if verb is EndVerb.FINISH:
        when = time.strftime("%H:%M:%S", time.localtime(ended_at))
        return Text("finished without pivot: users still write to '{device}'; '{target}' "
                    "holds a copy as of {when}", device=device, target=target, when=when)
    if verb is EndVerb.COMPLETE:
        return Text("pivoted: users of '{device}' now write to '{target}'", device=device,
                    target=target)
    return Text("completed by another client: users of '{device}' write to '{target}' after "
                "a pivot, or still to '{device}' after a finish without pivot", device=device,
                target=target)


def cancel_question(*, job_id: str, device: str, target: str, offset: int,
                    length: int) -> Text:
    """What a cancel before READY leaves behind, asked before it is sent."""
    return Text("Cancel job '{job_id}' before it is in sync? It has copied {copied} of {size} "
                "({offset} of {length} bytes) to '{target}'. That part stays on '{target}': "
                "its data is then a partial copy, not usable as a copy of '{device}'. "
                "'{device}' is untouched.", job_id=job_id, copied=format_size(offset),
                size=format_size(length), offset=offset, length=length, target=target,
                device=device)
