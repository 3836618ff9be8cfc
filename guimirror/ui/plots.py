# SPDX-License-Identifier: GPL-2.0-or-later
"""Live plots of a job's samples: throughput in MiB/s and dirty clusters over time.

One curve per job; READY is a dashed vertical line, the speed limit a horizontal one, whose
label says that it paces data only (holes count as progress unpaced, in QEMU too). The
dirty clusters are the mirror's bitmap as read once a second: only those measured points are
drawn; a job whose engine shows no bitmap gets a dashed curve of the estimate (``len -
offset``), marked "≈". Where the engine reports progress in bursts (QEMU under a speed
limit), the throughput plot says that its points are averages over each burst. The
colours follow the widget's palette, light or dark (redone on a palette change): background
and text from it, the speed limit in a red that stands out on its background. The widget
redraws at most at ``redraw_hz`` (10 Hz by default), whatever the sampling rate, so a fast
sampler never costs more than ten cheap ``setData`` calls a second. GUI thread only.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from guimirror.session.samples import JobSample
from guimirror.session.series import JobSeries, write_csv
from guimirror.ui.colours import Colours
from guimirror.units import DisplayUnits, format_speed

DIRTY_NOTE = QT_TRANSLATE_NOOP("JobPlots", "the mirror's bitmap, measured once a second")
ESTIMATE_NOTE = QT_TRANSLATE_NOOP(
    "JobPlots", "dashed: ≈ estimated as len - offset (the engine shows no bitmap)")
BURSTS_NOTE = QT_TRANSLATE_NOOP(
    "JobPlots", "progress reported in bursts: averaged over each burst")
AXIS_LABEL_ROOM = (24, 72)
"""Pixels each plot needs besides its left axis label's length: the margins, and under the
dirty clusters also the time axis and the note above."""


@dataclass(frozen=True)
class PlotColours:
    """The plots' colours in one palette: background, text, the muted notes, the warning
    red (speed limit, bursts) and one colour per curve."""

    background: QColor
    foreground: QColor
    muted: QColor
    warning: str
    note: str
    curves: tuple[str, ...]

    @classmethod
    def of(cls, palette: QPalette) -> PlotColours:
        colours = Colours.of(palette)
        return cls(
            background=palette.color(QPalette.ColorRole.Base),
            foreground=palette.color(QPalette.ColorRole.Text),
            muted=QColor(colours.muted),
            warning=colours.error,
            note=colours.note,
            curves=colours.curves,
        )


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is at least ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for mantissa in (1, 2, 5, 10):
        candidate = mantissa * 10.0**exponent
        if candidate >= value:
            return candidate
    return 10.0 ** (exponent + 1)


class JobPlots(QWidget):
    """Two linked plots (pan and zoom with the mouse) over the samples of the shown jobs.

    While ``follow`` is on, the plots keep every point in view with ranges rounded up to
    1-2-5 steps, so the axes (costly to draw) change only now and then; panning or zooming
    with the mouse turns ``follow`` off until ``set_follow(True)``.
    """

    follow_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, redraw_hz: float = 10.0) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=False)
        self.colours = PlotColours.of(self.palette())
        self.series: dict[str, JobSeries] = {}
        self.window_seconds: float | None = 300.0
        self.shown: str | None = None  # None: all jobs
        self._dirty = False
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setAccessibleName(self.tr("Plots"))
        self.layout_widget.setAccessibleDescription(self.tr(
            "Throughput and dirty clusters over time; drag to pan, wheel to zoom"))
        self.throughput_plot = self.layout_widget.addPlot(row=0, col=0)
        self.throughput_plot.setLabel(
            "left", self.tr("throughput"), units=f"{DisplayUnits.mega()[1]}/s")
        self.throughput_plot.addLegend(offset=(-10, 10))
        self.dirty_plot = self.layout_widget.addPlot(row=1, col=0)
        self.dirty_plot.setLabel("left", self.tr("dirty clusters"))
        self.dirty_plot.setTitle(self.tr(str(DIRTY_NOTE)), size="8pt", color=self.colours.muted)
        self.burst_note = ""
        """Shown above the throughput plot while a shown job's progress comes in bursts."""
        self.estimated: set[str] = set()
        """The shown jobs whose dirty clusters are drawn as estimates."""
        self.dirty_plot.setLabel("bottom", self.tr("time"), units="s")
        self.dirty_plot.setXLink(self.throughput_plot)
        for plot in (self.throughput_plot, self.dirty_plot):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).enableAutoSIPrefix(False)
            plot.disableAutoRange()
            plot.getViewBox().sigRangeChangedManually.connect(self._moved_by_user)
        self.follow = True
        self._ranges: dict[str, tuple[float, float, float]] = {}
        self._curves: dict[str, tuple[Any, Any]] = {}
        self._marks: dict[str, tuple[Any, list[tuple[Any, Any]]]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layout_widget)
        self.fit_axis_labels()
        self.apply_palette()
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / redraw_hz))
        self._timer.timeout.connect(self._redraw)
        self._timer.start()

    def fit_axis_labels(self) -> None:
        """Keep the plots at least as tall as their vertical axis labels, so that a label
        (a translated one is often longer) is never cut off."""
        total = 0
        for plot, room in zip((self.throughput_plot, self.dirty_plot), AXIS_LABEL_ROOM,
                              strict=True):
            height = int(plot.getAxis("left").label.boundingRect().width()) + room
            plot.setMinimumHeight(height)
            total += height
        self.layout_widget.setMinimumHeight(total + 12)

    # --- colours ---------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
        super().changeEvent(event)

    def apply_palette(self) -> None:
        """Take background, text and curve colours from the widget's palette; the marks and
        curves are redrawn in them at the next redraw."""
        colours = self.colours = PlotColours.of(self.palette())
        self.layout_widget.setBackground(colours.background)
        for plot in (self.throughput_plot, self.dirty_plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(colours.foreground)
                axis.setTextPen(colours.foreground)
                axis.label.setDefaultTextColor(colours.foreground)
        legend = self.throughput_plot.legend
        if legend is not None:
            legend.setLabelTextColor(colours.foreground)
        self.throughput_plot.setTitle(self.burst_note or None, size="8pt", color=colours.note)
        self.dirty_plot.setTitle(self.tr(str(ESTIMATE_NOTE if self.estimated else DIRTY_NOTE)),
                                 size="8pt",
                                 color=colours.muted)
        for job_id in list(self._marks):
            self._set_marks(job_id, None)
        for job_id, (throughput_curve, dirty_curve) in list(self._curves.items()):
            self.throughput_plot.removeItem(throughput_curve)
            self.dirty_plot.removeItem(dirty_curve)
            del self._curves[job_id]
        self._dirty = True

    # --- data ------------------------------------------------------------------------------

    def add_sample(self, job_id: str, sample: JobSample) -> None:
        """Record one sample; drawn at the next redraw."""
        series = self.series.get(job_id)
        if series is None:
            series = self.series[job_id] = JobSeries(job_id)
        series.add(sample)
        self._dirty = True

    def set_speed_limit(self, job_id: str, speed: int) -> None:
        series = self.series.get(job_id)
        if series is None:
            series = self.series[job_id] = JobSeries(job_id)
        if series.speed != speed:
            series.speed = speed
            self._dirty = True

    def show_job(self, job_id: str | None) -> None:
        """Show one job's curves, or every job's with None, from the next redraw (which
        keeps a click that starts or selects a job from also paying for the plots)."""
        if self.shown != job_id:
            self.shown = job_id
            self._dirty = True

    def units_changed(self) -> None:
        """Redraw in the current display units (axis label, curves, limit lines)."""
        self.throughput_plot.setLabel(
            "left", self.tr("throughput"), units=f"{DisplayUnits.mega()[1]}/s")
        self.fit_axis_labels()
        for job_id in list(self._marks):
            self._set_marks(job_id, None)
        self._ranges.clear()
        self._dirty = True

    def set_window(self, seconds: float | None) -> None:
        self.window_seconds = seconds
        self._dirty = True

    def point_count(self, job_id: str) -> int:
        """How many points the throughput curve of a job holds now."""
        curves = self._curves.get(job_id)
        if curves is None:
            return 0
        x, _ = curves[0].getData()
        return 0 if x is None else len(x)

    # --- drawing ---------------------------------------------------------------------------

    def _visible(self) -> Iterable[JobSeries]:
        if self.shown is None:
            return list(self.series.values())
        series = self.series.get(self.shown)
        return [] if series is None else [series]

    def _redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        shown = list(self._visible())
        visible = {series.job_id for series in shown}
        for job_id in [job_id for job_id in self._curves if job_id not in visible]:
            throughput_curve, dirty_curve = self._curves.pop(job_id)
            self.throughput_plot.removeItem(throughput_curve)
            self.dirty_plot.removeItem(dirty_curve)
            self._set_marks(job_id, None)
        ends = [0.0, 0.0, 0.0]  # time, throughput (MiB/s), dirty clusters
        bursty = False
        estimated: set[str] = set()
        for number, series in enumerate(shown):
            colour = self.colours.curves[number % len(self.colours.curves)]
            curves = self._curves.get(series.job_id)
            if curves is None:
                pen = pg.mkPen(colour, width=2)
                curves = (
                    self.throughput_plot.plot(name=series.job_id, pen=pen),
                    self.dirty_plot.plot(pen=pen),
                )
                self._curves[series.job_id] = curves
            t, throughput, dirty, measured, burst = series.columns(self.window_seconds)
            bursty = bursty or burst
            throughput = throughput / DisplayUnits.mega()[0]
            curves[0].setData(t, throughput)
            if measured.any() or not len(t):
                curves[1].setData(t[measured], dirty[measured])
                curves[1].setPen(pg.mkPen(colour, width=2))
            else:
                estimated.add(series.job_id)
                curves[1].setData(t, dirty)
                curves[1].setPen(pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine))
            if len(t):
                ends[0] = max(ends[0], float(t[-1]))
                ends[1] = max(ends[1], float(throughput.max()),
                              series.speed / DisplayUnits.mega()[0])
                ends[2] = max(ends[2], float(dirty.max()))
            self._set_marks(series.job_id, (series.ready_at, series.speed, colour))
        self._set_notes(bursty, estimated)
        if self.follow:
            self._follow_ranges(*ends)

    def _set_notes(self, bursty: bool, estimated: set[str]) -> None:
        """The burst note above the throughput plot, the dirty axis' measured/estimated."""
        note = self.tr(str(BURSTS_NOTE)) if bursty else ""
        if note != self.burst_note:
            self.burst_note = note
            self.throughput_plot.setTitle(note or None, size="8pt", color=self.colours.note)
        if estimated != self.estimated:
            self.estimated = estimated
            self.dirty_plot.setTitle(self.tr(str(ESTIMATE_NOTE if estimated else DIRTY_NOTE)),
                                     size="8pt",
                                     color=self.colours.muted)

    def peak_throughput(self, job_id: str) -> float:
        """The highest throughput (bytes/s) the job's curve holds."""
        series = self.series.get(job_id)
        if series is None or not len(series):
            return 0.0
        return float(np.nanmax(series.columns(None).throughput))

    def _follow_ranges(self, end: float, throughput: float, dirty: float) -> None:
        """Keep everything in view; touch a range only when its rounded bound changes."""
        x_max = nice_ceiling(end * 1.05)
        x_min = 0.0
        if self.window_seconds is not None and end > self.window_seconds:
            x_min = end - self.window_seconds
            x_max = end
        wanted = {
            "x": (x_min, x_max, 0.0),
            "throughput": (0.0, nice_ceiling(throughput * 1.1), 0.0),
            "dirty": (0.0, nice_ceiling(dirty * 1.05), 0.0),
        }
        for name, bounds in wanted.items():
            if self._ranges.get(name) == bounds:
                continue
            self._ranges[name] = bounds
            if name == "x":
                self.throughput_plot.setXRange(bounds[0], bounds[1], padding=0)
            elif name == "throughput":
                self.throughput_plot.setYRange(bounds[0], bounds[1], padding=0)
            else:
                self.dirty_plot.setYRange(bounds[0], bounds[1], padding=0)

    def _moved_by_user(self, *_args: object) -> None:
        self.set_follow(False)

    def set_follow(self, follow: bool) -> None:
        """Follow the newest samples (on) or leave the ranges where the user put them."""
        if follow == self.follow:
            return
        self.follow = follow
        self._ranges.clear()
        self._dirty = True
        self.follow_changed.emit(follow)

    def _set_marks(self, job_id: str, key: tuple[float | None, int, str] | None) -> None:
        """Draw READY and the speed limit of a job; only redone when either changes."""
        old_key, items = self._marks.get(job_id, (None, []))
        if old_key == key:
            return
        for plot, item in items:
            plot.removeItem(item)
        self._marks.pop(job_id, None)
        if key is None:
            return
        ready_at, speed, colour = key
        items = []
        if ready_at is not None:
            for plot in (self.throughput_plot, self.dirty_plot):
                line = pg.InfiniteLine(
                    pos=ready_at,
                    angle=90,
                    pen=pg.mkPen(colour, style=Qt.PenStyle.DashLine),
                    label="READY",
                    labelOpts={"position": 0.9, "color": colour},
                )
                plot.addItem(line)
                items.append((plot, line))
        if speed:
            limit = pg.InfiniteLine(
                pos=speed / DisplayUnits.mega()[0],
                angle=0,
                pen=pg.mkPen(self.colours.warning, style=Qt.PenStyle.DotLine),
                # QEMU's limiter (and the engine's) paces the data copied; holes count as
                # progress without it, so a curve may run above this line.
                label=self.tr("limit {0} (data; holes unpaced)").format(format_speed(speed)),
                labelOpts={"position": 0.25, "color": self.colours.warning},
            )
            self.throughput_plot.addItem(limit)
            items.append((self.throughput_plot, limit))
        self._marks[job_id] = (key, items)

    def redraw_now(self) -> None:
        self._dirty = True
        self._redraw()

    # --- export ----------------------------------------------------------------------------

    def export_png(self, path: str) -> None:
        """Both plots as one PNG image."""
        self.redraw_now()
        exporter = ImageExporter(self.layout_widget.scene())
        exporter.parameters()["width"] = max(640, self.layout_widget.width())
        exporter.export(path)

    async def export_csv(self, path: str) -> int:
        """The shown jobs' samples as CSV (one row per sample), written in a worker thread;
        returns the rows written. Runs in the caller's task."""
        snapshots = [series.snapshot() for series in self._visible()]
        return await asyncio.to_thread(write_csv, path, snapshots)
