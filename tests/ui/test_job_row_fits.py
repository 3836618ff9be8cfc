# SPDX-License-Identifier: GPL-2.0-or-later
"""At 1024x768 a running job's row fits its panel: no horizontal scroll bar, and its status,
progress and verb buttons are all within the panel's viewport, in the light and dark palette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from guimirror.qapi.job import JobVerb
from tests.ui.test_app import start_slow_mirror
from tests.ui.test_colours import PALETTES, palette


def inside(widget: QWidget, viewport: QWidget) -> bool:
    """``widget`` lies wholly within ``viewport``'s rectangle."""
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("dark", [False, True])
def test_a_running_jobs_row_fits_at_1024x768(window: Any, qtbot: Any, qloop: Any,
                                             tmp_path: Path, dark: bool) -> None:
    if dark:
        window.setPalette(palette(*PALETTES["screenshots-dark"]))
    window.resize(1024, 768)
    window.fit_screen(QRect(0, 0, 1024, 768))
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.size().width() == 1024)
    start_slow_mirror(window, window.endpoints.current_link(), qtbot, qloop, tmp_path)
    row = window.job_panel.rows[(window.endpoints.current_link().name, "mirror-src")]
    qtbot.waitUntil(lambda: row.view.status == "running" and row.isVisible())
    scroll = window.job_panel.findChild(QScrollArea)
    viewport = scroll.viewport()
    qtbot.waitUntil(lambda: not scroll.horizontalScrollBar().isVisible())
    shown = [row.status, row.progress] + [button for button in row.buttons.values()
                                          if not button.isHidden()]
    assert row.buttons[JobVerb.PAUSE] in shown and row.buttons[JobVerb.CANCEL] in shown
    for widget in shown:
        assert inside(widget, viewport), f"{widget.objectName() or widget} is out of view"
        assert widget.width() >= widget.minimumSizeHint().width() or widget is row.status
