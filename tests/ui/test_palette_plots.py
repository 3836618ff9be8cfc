# SPDX-License-Identifier: GPL-2.0-or-later
"""The plots follow the palette: a dark palette gives a dark exported image, with the speed
limit and READY still drawn in colours that stand out from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QImage, QPalette

from guimirror.qapi.job import JobStatus
from guimirror.session.samples import JobSample

MiB = 1 << 20


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202124"),
                         (QPalette.ColorRole.Base, "#18191b"),
                         (QPalette.ColorRole.Text, "#e8eaed"),
                         (QPalette.ColorRole.WindowText, "#e8eaed"),
                         (QPalette.ColorRole.PlaceholderText, "#9aa0a6")):
        palette.setColor(role, QColor(colour))
    return palette


def sample(t: float, ready: bool) -> JobSample:
    return JobSample(
        job_id="m", time=t, offset=int(t * 4 * MiB), len=64 * MiB, throughput=4 * MiB,
        dirty_bytes=0, dirty_clusters=int(100 - t), granularity=65536, dirty_estimated=False,
        status=JobStatus.READY if ready else JobStatus.RUNNING, ready=ready, paused=False,
        busy=True, speed=8 * MiB, io_status="ok", eta=None)


def colours_in(path: Path) -> tuple[QColor, set[str]]:
    """The corner pixel, and the set of every colour in the image."""
    image = QImage(str(path))
    seen = {image.pixelColor(x, y).name()
            for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    return image.pixelColor(2, 2), seen


def test_plots_follow_a_dark_palette_and_back(qtbot: Any, tmp_path: Path) -> None:
    from guimirror.ui.plots import JobPlots

    plots = JobPlots()
    qtbot.addWidget(plots)
    plots.resize(700, 500)
    for t in range(10):
        plots.add_sample("m", sample(float(t), ready=t >= 6))
    plots.series["m"].ready_at = 6.0
    plots.set_speed_limit("m", 8 * MiB)

    light = tmp_path / "light.png"
    plots.export_png(str(light))
    corner, _ = colours_in(light)
    assert corner.lightnessF() > 0.8

    plots.setPalette(dark_palette())  # a PaletteChange event
    dark = tmp_path / "dark.png"
    plots.export_png(str(dark))
    corner, seen = colours_in(dark)
    assert corner.name() == "#18191b"
    assert plots.colours.warning in seen  # the speed limit, in the dark palette's red
    assert plots.colours.curves[0] in seen  # the curve and READY in the job's colour
    assert plots.layout_widget.backgroundBrush().color().name() == "#18191b"
    axis = plots.dirty_plot.getAxis("bottom")
    assert axis.textPen().color().name() == "#e8eaed"

    plots.setPalette(QPalette())
    plots.export_png(str(light))
    corner, _ = colours_in(light)
    assert corner.lightnessF() > 0.8
