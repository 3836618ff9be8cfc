# SPDX-License-Identifier: GPL-2.0-or-later
"""A mirror from the keyboard alone: the example workspace through the File menu's mnemonic, a
job-id through its field's mnemonic, Start mirror and Complete through their shortcuts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu


def mnemonic(text: str) -> Qt.Key:
    letter = text[text.index("&") + 1].upper()
    return Qt.Key(ord(letter))


# A menu opened offscreen: the platform can neither raise it nor grab the keyboard for it.
@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_example_start_complete_and_dismiss_with_keys_only(
        window: Any, qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    window.nodes.data_dir = str(tmp_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is window.windowHandle(), timeout=5000)

    form = window.form
    label = form.row_labels["job-id"]
    QTest.keyClick(window, mnemonic(label.text()), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(form.job_id.hasFocus, timeout=5000)
    QTest.keyClick(form.job_id, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(form.job_id, "keys")

    file_menu = next(action.menu() for action in window.menuBar().actions()
                     if action.text() == "&File")
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is file_menu, timeout=5000)
    assert isinstance(file_menu, QMenu)
    QTest.keyClick(file_menu, mnemonic(window.example_action.text()))
    qtbot.waitUntil(lambda: not file_menu.isVisible(), timeout=5000)
    # The offscreen platform leaves the closed menu's window focused; a window system gives
    # the focus back to the main window.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is window.windowHandle(), timeout=5000)
    qtbot.waitUntil(lambda: (form.device.currentText(), form.target.currentText())
                    == ("example-src", "example-tgt"), timeout=20000)
    assert form.arguments()["job-id"] == "keys" and form.summary == "Ready to start"

    QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    key = ("built-in", "keys")
    jobs = window.jobs
    qtbot.waitUntil(lambda: jobs.job(key) is not None and jobs.job(key).ready, timeout=30000)
    QTest.keyClick(window, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: jobs.job(key).status == "completed", timeout=20000)
    link = window.endpoints.current_link()
    assert link.jobs == [], "auto-dismiss: the completed job is gone from the engine"
    assert any(entry.kind == "command" and '"job-complete"' in entry.text
               for entry in window.event_log.entries)
