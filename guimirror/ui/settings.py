# SPDX-License-Identifier: GPL-2.0-or-later
"""What the application remembers between runs (QSettings): endpoints, sampling, plots, units,
notifications.

Values are typed here once, so no widget parses QSettings' strings itself. GUI thread.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from guimirror.session.uri import DaemonURI, EndpointURIError, parse_endpoint_uri

log = logging.getLogger(__name__)

ORGANIZATION = "guimirror"
APPLICATION = "guimirror"


ENDPOINTS_KEY = "endpoints/uris"
OLD_ENDPOINTS_KEY = "endpoints/list"
"""The previous release's list of ``{"kind", "name", "address"}``, read once and migrated."""


@dataclass(frozen=True)
class SavedEndpoint:
    """An endpoint to bring back: its name and the URI that opens it again (a daemon's with
    ``?socket=`` while it ran, so that the next start takes it over)."""

    name: str
    uri: str


def migrate_old_endpoint(kind: str, name: str, address: str = "") -> SavedEndpoint | None:
    """The previous release's saved endpoint as a URI; None for one that names nothing."""
    if kind == "qemu-storage-daemon":
        return SavedEndpoint(name, str(DaemonURI(None, address or None)))
    if kind != "socket" or not address:
        return None
    text = address if address.startswith("/") else f"tcp:{address}"
    try:
        return SavedEndpoint(name, str(parse_endpoint_uri(text)))
    except EndpointURIError as error:
        log.warning("a saved endpoint is left out: %s", error.desc)
        return None


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
    def notifications(self) -> bool:
        """Desktop notifications of the jobs' READY, end and errors (on unless turned off)."""
        return str(self.qsettings.value("notifications/desktop", "true")) == "true"

    @notifications.setter
    def notifications(self, value: bool) -> None:
        self.qsettings.setValue("notifications/desktop", "true" if value else "false")

    @property
    def example_offered(self) -> bool:
        return str(self.qsettings.value("first-start/example-offered", "false")) == "true"

    @example_offered.setter
    def example_offered(self, value: bool) -> None:
        self.qsettings.setValue("first-start/example-offered", "true" if value else "false")

    @property
    def endpoints(self) -> list[SavedEndpoint]:
        """The endpoints to open at start; the previous release's list is migrated once."""
        if not self.qsettings.contains(ENDPOINTS_KEY) and self.qsettings.contains(
                OLD_ENDPOINTS_KEY):
            migrated = [saved for item in _json_list(self.qsettings.value(OLD_ENDPOINTS_KEY))
                        if (saved := _old_entry(item)) is not None]
            self.endpoints = migrated
            return migrated
        endpoints: list[SavedEndpoint] = []
        for item in _json_list(self.qsettings.value(ENDPOINTS_KEY)):
            try:
                endpoints.append(SavedEndpoint(str(item["name"]), str(item["uri"])))
            except (KeyError, TypeError):
                log.warning("a saved endpoint is left out: %r", item)
        return endpoints

    @endpoints.setter
    def endpoints(self, value: list[SavedEndpoint]) -> None:
        self.qsettings.setValue(ENDPOINTS_KEY, json.dumps([asdict(e) for e in value]))
        self.qsettings.remove(OLD_ENDPOINTS_KEY)

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


def _json_list(value: Any) -> list[Any]:
    try:
        items = json.loads(str(value if value is not None else "[]"))
    except ValueError:
        return []
    return items if isinstance(items, list) else []


def _old_entry(item: Any) -> SavedEndpoint | None:
    if not isinstance(item, dict):
        return None
    return migrate_old_endpoint(str(item.get("kind", "")), str(item.get("name", "")),
                                str(item.get("address", "") or ""))
