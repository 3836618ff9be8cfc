# SPDX-License-Identifier: GPL-2.0-or-later
"""Questions to the user that do not block the event loop.

``ask`` opens a window-modal QMessageBox with ``open()`` (no nested event loop, so asyncio
tasks and the sampler keep running) and returns the text of the button pressed, or None when
the box was closed. Runs in the caller's task, GUI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

ROLES = {
    "accept": QMessageBox.ButtonRole.AcceptRole,
    "destructive": QMessageBox.ButtonRole.DestructiveRole,
    "reject": QMessageBox.ButtonRole.RejectRole,
    "action": QMessageBox.ButtonRole.ActionRole,
}


async def ask(
    parent: QWidget,
    title: str,
    text: str,
    buttons: Sequence[tuple[str, str]],
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    informative: str = "",
) -> str | None:
    """Show ``text`` with ``buttons`` (label, role) and wait for the answer (a label)."""
    box = QMessageBox(parent)
    box.setObjectName("question")
    box.setWindowTitle(title)
    box.setIcon(icon)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    made = {}
    for label, role in buttons:
        button = box.addButton(label, ROLES[role])
        made[button] = label
        if role == "reject":  # the safe answer: Enter and Escape both choose it
            box.setDefaultButton(button)
            box.setEscapeButton(button)
    answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    def finished(_result: int) -> None:
        if not answer.done():
            answer.set_result(made.get(box.clickedButton()))  # type: ignore[call-overload]

    box.finished.connect(finished)
    box.open()
    try:
        return await answer
    finally:
        box.deleteLater()
