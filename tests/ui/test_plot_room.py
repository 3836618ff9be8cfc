# SPDX-License-Identifier: GPL-2.0-or-later
"""At 1024x768 and 1440x900 (the window fitted to a screen of that size), with a job running,
both plots keep a usable height while Start mirror and the job's row stay in view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect

from guimirror.ui.main_window import PLOT_MINIMUM_HEIGHT
from tests.ui.test_app import start_slow_mirror


@pytest.mark.parametrize("size", [(1024, 768), (1440, 900)])
def test_the_plots_have_room_at_small_sizes(window: Any, qtbot: Any, qloop: Any,
                                            tmp_path: Path, size: tuple[int, int]) -> None:
    window.resize(*size)
    window.fit_screen(QRect(0, 0, *size))
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    start_slow_mirror(window, window.endpoints.current_link(), qtbot, qloop, tmp_path)
    row = window.job_panel.rows[(window.endpoints.current_link().name, "mirror-src")]
    qtbot.waitUntil(lambda: not row.visibleRegion().isEmpty())
    plots = window.plots
    for plot in (plots.throughput_plot, plots.dirty_plot):
        height = plot.sceneBoundingRect().height()
        assert height >= PLOT_MINIMUM_HEIGHT, f"{height:.0f} px at {size}"
        assert plots.layout_widget.viewport().visibleRegion().boundingRect().height() >= height
    assert window.height() <= size[1], "the room for the plots must not outgrow the screen"
    assert not window.form.start_button.visibleRegion().isEmpty()
    assert not row.status.visibleRegion().isEmpty(), "the job's row stays in view"
