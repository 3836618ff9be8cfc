# SPDX-License-Identifier: GPL-2.0-or-later
"""The colours of the window by meaning (error, warning, hint, muted, note, selection, the
status of a job, the curves of the plots), for the palette in use, light or dark.

Every colour is readable on the palette's Window and Base colours: at least WCAG's 4.5:1
contrast ratio. The tables give the intended hue for a light and a dark palette; a colour that
misses the ratio on some other palette is darkened or lightened until it reaches it.
``paint`` colours a label by meaning and keeps it so when the palette changes. GUI thread only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

#: The contrast ratio every colour keeps against the palette's Window and Base colours.
MINIMUM_CONTRAST = 4.5

Meaning = Literal["error", "warning", "hint", "muted", "note", "selection"]
MEANINGS: tuple[Meaning, ...] = get_args(Meaning)

_LIGHT: dict[str, str] = {
    "error": "#c62828", "warning": "#b53d00", "hint": "#5f6368", "muted": "#6b6b6b",
    "note": "#6d4c41", "selection": "#1565c0",
    "slate": "#455a64", "blue": "#1565c0", "orange": "#b53d00", "green": "#1b5e20",
    "purple": "#6a1b9a", "grey": "#6b6b6b",
}
_DARK: dict[str, str] = {
    "error": "#ef9a9a", "warning": "#ffb74d", "hint": "#bdc1c6", "muted": "#a8a8a8",
    "note": "#bcaaa4", "selection": "#64b5f6",
    "slate": "#b0bec5", "blue": "#90caf9", "orange": "#ffb74d", "green": "#a5d6a7",
    "purple": "#ce93d8", "grey": "#a8a8a8",
}
#: A job's status (query-block-jobs, or the outcome of a job that left it) -> its hue.
_STATUS_HUES = {
    "created": "slate", "running": "blue", "paused": "orange", "ready": "green",
    "standby": "orange", "waiting": "purple", "pending": "purple", "aborting": "error",
    "concluded": "slate", "null": "grey", "completed": "green", "cancelled": "grey",
    "failed": "error", "ended": "grey",
}
_CURVES_LIGHT = ("#1565c0", "#2e6b30", "#a24d00", "#7b1fa2", "#ad1457", "#00695c")
_CURVES_DARK = ("#64b5f6", "#81c784", "#ffb74d", "#ce93d8", "#f48fb1", "#4db6ac")


def luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of an sRGB colour (0 black .. 1 white)."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast(first: QColor, second: QColor) -> float:
    """WCAG 2's contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def backgrounds(palette: QPalette) -> tuple[QColor, QColor]:
    """The colours text is drawn on: the palette's Window and Base."""
    return palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base)


def readable(colour: str, behind: tuple[QColor, ...], dark: bool) -> str:
    """``colour``, or the nearest lighter (``dark``) or darker shade of it that has
    MINIMUM_CONTRAST against every colour in ``behind``."""
    shade = QColor(colour)
    hue, saturation, lightness = shade.hslHueF(), shade.hslSaturationF(), shade.lightnessF()
    step = 0.02 if dark else -0.02
    while (min(contrast(shade, back) for back in behind) < MINIMUM_CONTRAST
           and 0.0 < lightness < 1.0):
        lightness = min(1.0, max(0.0, lightness + step))
        shade = QColor.fromHslF(hue, saturation, lightness)
    return shade.name()


@dataclass(frozen=True)
class Colours:
    """The colours by meaning for one palette, each readable on its Window and Base."""

    error: str
    warning: str
    hint: str
    muted: str
    note: str
    selection: str
    status: Mapping[str, str]
    curves: tuple[str, ...]

    @classmethod
    def of(cls, palette: QPalette) -> Colours:
        """The colours for ``palette`` (worked out once per pair of Window and Base)."""
        window, base = backgrounds(palette)
        return _colours_on(window.rgba(), base.rgba())

    @classmethod
    def on(cls, window: QColor, base: QColor) -> Colours:
        dark = base.lightnessF() < 0.5
        table, curves = (_DARK, _CURVES_DARK) if dark else (_LIGHT, _CURVES_LIGHT)
        behind = (window, base)
        shades = {name: readable(colour, behind, dark) for name, colour in table.items()}
        return cls(
            **{meaning: shades[meaning] for meaning in MEANINGS},
            status={status: shades[hue] for status, hue in _STATUS_HUES.items()},
            curves=tuple(readable(colour, behind, dark) for colour in curves),
        )

    def of_status(self, status: str) -> str:
        """The colour of a job's status; an unknown status takes the muted colour."""
        return self.status.get(status, self.muted)


@functools.lru_cache(maxsize=16)
def _colours_on(window: int, base: int) -> Colours:
    return Colours.on(QColor.fromRgba(window), QColor.fromRgba(base))


class _Painter(QObject):
    """Re-applies a widget's colour by meaning whenever its palette changes."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.meaning: Meaning | None = None
        widget.installEventFilter(self)

    def apply(self, widget: QWidget) -> None:
        role = widget.foregroundRole()
        palette = widget.palette()
        if self.meaning is None:
            if palette.isBrushSet(QPalette.ColorGroup.Active, role):
                widget.setPalette(QPalette())  # nothing resolved: all the parent's colours
            return
        colour = QColor(getattr(Colours.of(palette), self.meaning))
        if palette.color(role) != colour or not palette.isBrushSet(
                QPalette.ColorGroup.Active, role):
            own = QPalette()  # nothing resolved: every other role still follows the parent
            own.setColor(role, colour)
            widget.setPalette(own)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange and isinstance(watched, QWidget):
            self.apply(watched)
        return False


def paint(widget: QWidget, meaning: Meaning | None) -> None:
    """Colour ``widget``'s text by ``meaning`` (None: the palette's text colour), now and
    after every change of its parent's palette. Sets the widget's own palette (no style
    sheet, which would stop the parent's palette from reaching the widget)."""
    painter = widget.findChild(_Painter, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if painter is None:
        painter = _Painter(widget)
    painter.meaning = meaning
    painter.apply(widget)


def colour_of(widget: QWidget) -> str:
    """The colour ``widget`` draws its text in."""
    return widget.palette().color(widget.foregroundRole()).name()
