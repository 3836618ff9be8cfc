"""The settings dialogs (sampling rate, plot window, units, notifications) and the About box."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

import guimirror
from guimirror.ui.endpoint_links import EndpointLinks
from guimirror.ui.settings import AppSettings
from guimirror.units import DisplayUnits


class Preferences(QObject):
    """Changes the settings and applies the sampling rate to the links; the views follow
    ``units_changed`` and ``plot_window_changed`` (GUI thread). Dialogs open over
    ``parent``."""

    units_changed = Signal(str)  # "binary" or "decimal"
    plot_window_changed = Signal(float)  # seconds, 0: all samples

    def __init__(self, settings: AppSettings, links: EndpointLinks, parent: QWidget) -> None:
        super().__init__()
        self.settings = settings
        self.links = links
        self.parent_widget = parent

    def ask_rate(self) -> None:
        rate, ok = QInputDialog.getDouble(
            self.parent_widget, "Sampling rate", "Samples per second (0.5 to 50):",
            self.settings.sampling_rate, 0.5, 50.0, 1,
        )
        if ok:
            self.settings.sampling_rate = rate
            for link in self.links.links.values():
                link.set_rate(rate)

    def set_units(self, family: str) -> None:
        """Show sizes and speeds in binary (MiB) or decimal (MB) units; remembered."""
        DisplayUnits.set(family)
        self.settings.units = family
        self.units_changed.emit(family)

    def set_notifications(self, on: bool) -> None:
        """Desktop notifications of the jobs' events on or off; remembered."""
        self.settings.notifications = on

    def ask_plot_window(self) -> None:
        seconds, ok = QInputDialog.getInt(
            self.parent_widget, "Plot window", "Seconds of samples to show (0: all of them):",
            int(self.settings.plot_window), 0, 86400, 10,
        )
        if ok:
            self.settings.plot_window = seconds
            self.plot_window_changed.emit(float(seconds))

    def show_about(self) -> None:
        QMessageBox.about(
            self.parent_widget, "About guimirror",
            f"<h3>guimirror {guimirror.__version__}</h3>"
            "<p>Mirror live block devices with QEMU's <code>blockdev-mirror</code>, on "
            "the built-in engine or on QEMU over QMP, and watch throughput and dirty "
            "clusters as it runs.</p><p>Licence: GPL-2.0-or-later.</p>",
        )
