# SPDX-License-Identifier: GPL-2.0-or-later
"""The root of every error guimirror raises on purpose.

``GuimirrorError`` is what the window catches: anything else reaching it is a bug. Its
``desc`` is the text shown to the user. Errors in QMP's terms (a reply's ``class`` and
``desc``) are :class:`guimirror.qapi.errors.QAPIError`; errors that arise on this side
(a state that does not allow a request, a daemon that would not start) derive from
``GuimirrorError`` directly.
"""

from __future__ import annotations


class GuimirrorError(Exception):
    """An error guimirror reports to its user; ``desc`` says what went wrong."""

    def __init__(self, desc: str) -> None:
        super().__init__(desc)
        self.desc = desc


class StateError(GuimirrorError):
    """A request that the current run state of an object does not allow."""
