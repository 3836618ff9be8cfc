# SPDX-License-Identifier: GPL-2.0-or-later
"""The event log: every command sent, its reply, and every event received, with timestamps.

A filter (plain text, case-insensitive) narrows what is shown; Copy puts the shown lines on
the clipboard. The log keeps the most recent ``limit`` entries. Every entry also goes to the
``guimirror.events`` logger: notices at INFO, errors at WARNING, the rest at DEBUG (the
command line's ``--log`` shows them on stderr). GUI thread only.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

events_log = logging.getLogger("guimirror.events")
LEVELS = {"notice": logging.INFO, "error": logging.WARNING}


@dataclass(frozen=True)
class LogEntry:
    """One line: when, which endpoint, what kind (command, reply, error, event), the JSON."""

    time: float
    endpoint: str
    kind: str
    text: str

    def line(self) -> str:
        stamp = datetime.datetime.fromtimestamp(self.time).strftime("%H:%M:%S.%f")[:-3]
        return f"{stamp} [{self.endpoint}] {self.kind:<7} {self.text}"


def compact(value: Any) -> str:
    """JSON on one line, keys in the order given."""
    if isinstance(value, Mapping):
        return json.dumps(dict(value), separators=(", ", ": "), default=str)
    return json.dumps(value, default=str)


class EventLog(QWidget):
    """A filterable, copyable log of commands and events."""

    def __init__(self, parent: QWidget | None = None, limit: int = 5000) -> None:
        super().__init__(parent)
        self.entries: deque[LogEntry] = deque(maxlen=limit)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(
            self.tr("Filter (e.g. JOB_STATUS_CHANGE, job-pause, mirror0)"))
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName(self.tr("Log filter"))
        self.filter.setAccessibleDescription(
            self.tr("Show only the log lines that contain this text"))
        self.filter.textChanged.connect(self._refilter)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the shown log lines to the clipboard"))
        self.copy_button.clicked.connect(self.copy)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Empty the log"))
        self.clear_button.clicked.connect(self.clear)
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setAccessibleName(self.tr("Event log"))
        self.view.setAccessibleDescription(
            self.tr("The commands sent, the replies and the events received, newest last"))
        self.view.setMaximumBlockCount(limit)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.copy_button)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)

    def add(self, time: float, endpoint: str, kind: str, payload: Any) -> None:
        entry = LogEntry(time, endpoint, kind, payload if isinstance(payload, str) else
                         compact(payload))
        self.entries.append(entry)
        events_log.log(LEVELS.get(kind, logging.DEBUG), "[%s] %s %s", endpoint, kind, entry.text)
        if self._matches(entry):
            self.view.appendPlainText(entry.line())

    def shown_lines(self) -> list[str]:
        return [entry.line() for entry in self.entries if self._matches(entry)]

    def copy(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.shown_lines()))

    def clear(self) -> None:
        self.entries.clear()
        self.view.clear()

    def _matches(self, entry: LogEntry) -> bool:
        needle = self.filter.text().strip().lower()
        return not needle or needle in entry.line().lower()

    def _refilter(self) -> None:
        self.view.setPlainText("\n".join(self.shown_lines()))
