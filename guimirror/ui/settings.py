"""What the application remembers between runs (QSettings): endpoints, sampling, plots, units.

Values are typed here once, so no widget parses QSettings' strings itself. GUI thread.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "guimirror"
APPLICATION = "guimirror"


@dataclass(frozen=True)
class SavedEndpoint:
    """An endpoint to bring back: a qemu-storage-daemon to spawn, or a socket to attach."""

    kind: str
    name: str
    address: str = ""


class AppSettings:
    """Typed access to the application's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings or QSettings(ORGANIZATION, APPLICATION)

    def _get(self, key: str, default: Any, kind: type) -> Any:
        value = self.qsettings.value(key, default)
        try:
            return kind(value)
        except (TypeError, ValueError):
            return default

    @property
    def sampling_rate(self) -> float:
        return float(self._get("sampling/rate", 5.0, float))

    @sampling_rate.setter
    def sampling_rate(self, value: float) -> None:
        self.qsettings.setValue("sampling/rate", float(value))

    @property
    def plot_window(self) -> float:
        """Seconds of samples the plots show (0: everything)."""
        return float(self._get("plots/window", 300.0, float))

    @plot_window.setter
    def plot_window(self, value: float) -> None:
        self.qsettings.setValue("plots/window", float(value))

    @property
    def units(self) -> str:
        """How speeds are entered by default: ``MiB/s`` (binary) is the only unit family."""
        return str(self._get("display/units", "binary", str))

    @units.setter
    def units(self, value: str) -> None:
        self.qsettings.setValue("display/units", value)

    @property
    def example_offered(self) -> bool:
        return str(self.qsettings.value("first-start/example-offered", "false")) == "true"

    @example_offered.setter
    def example_offered(self, value: bool) -> None:
        self.qsettings.setValue("first-start/example-offered", "true" if value else "false")

    @property
    def endpoints(self) -> list[SavedEndpoint]:
        text = str(self.qsettings.value("endpoints/list", "[]"))
        try:
            items = json.loads(text)
            return [SavedEndpoint(**item) for item in items]
        except (ValueError, TypeError):
            return []

    @endpoints.setter
    def endpoints(self, value: list[SavedEndpoint]) -> None:
        self.qsettings.setValue("endpoints/list", json.dumps([asdict(e) for e in value]))

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self.qsettings.value("window/geometry")
        state = self.qsettings.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def sync(self) -> None:
        self.qsettings.sync()
