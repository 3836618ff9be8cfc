# SPDX-License-Identifier: GPL-2.0-or-later
"""The one error class that crosses QMP: an error reply's ``class`` and ``desc``."""

from __future__ import annotations

from typing import Any

from guimirror.errors import GuimirrorError


class QAPIError(GuimirrorError):
    """An error that QMP reports as ``{"error": {"class": ..., "desc": ...}}``.

    ``desc`` is QEMU's exact text wherever QEMU has one. ``error_class`` is one of QEMU's
    ErrorClass names: GenericError, CommandNotFound, DeviceNotActive, DeviceNotFound,
    KVMMissingCap.
    """

    def __init__(self, desc: str, error_class: str = "GenericError") -> None:
        super().__init__(desc)
        self.error_class = error_class

    def to_qmp(self) -> dict[str, Any]:
        """The ``error`` member of a QMP reply."""
        return {"class": self.error_class, "desc": self.desc}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.desc!r}, error_class={self.error_class!r})"
