# SPDX-License-Identifier: GPL-2.0-or-later
"""A light progress bar for the job rows.

QProgressBar repaints synchronously on every visible change of its value, which costs a
full styled paint on the GUI thread each time; this strip only schedules a repaint
(``update()``), so Qt coalesces it with the rest of the frame. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class ProgressStrip(QWidget):
    """A bar filled to ``value / maximum`` with a centred text."""

    def __init__(self, maximum: int = 1000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._maximum = maximum
        self._value = 0
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(200, self.fontMetrics().height() + 8)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        value = max(0, min(self._maximum, value))
        if value != self._value:
            self._value = value
            self.update()

    def text(self) -> str:
        return self._text

    def setFormat(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        palette = self.palette()
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 3, 3)
        if self._value:
            filled = QRectF(rect)
            filled.setWidth(rect.width() * self._value / self._maximum)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(filled, 3, 3)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text)
        painter.end()
