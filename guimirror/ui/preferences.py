"""The settings dialogs (sampling rate, plot window, units) and the About box."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QMessageBox

import guimirror
from guimirror.units import DisplayUnits

if TYPE_CHECKING:
    from guimirror.ui.main_window import MainWindow


class Preferences:
    """Changes the window's settings and applies them to its parts (GUI thread)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def ask_rate(self) -> None:
        window = self.window
        rate, ok = QInputDialog.getDouble(
            window, "Sampling rate", "Samples per second (0.5 to 50):",
            window.settings.sampling_rate, 0.5, 50.0, 1,
        )
        if ok:
            window.settings.sampling_rate = rate
            for link in window.endpoints.links.values():
                link.set_rate(rate)

    def toggle_units(self) -> None:
        self.set_units("decimal" if self.window.decimal_action.isChecked() else "binary")

    def set_units(self, family: str) -> None:
        """Show sizes and speeds in binary (MiB) or decimal (MB) units; remembered."""
        window = self.window
        DisplayUnits.set(family)
        window.settings.units = family
        window.decimal_action.setChecked(family == "decimal")
        window.plots.units_changed()
        window.job_panel.refresh_all()
        window.node_model.refresh_all()
        window.form.revalidate()

    def ask_plot_window(self) -> None:
        window = self.window
        seconds, ok = QInputDialog.getInt(
            window, "Plot window", "Seconds of samples to show (0: all of them):",
            int(window.settings.plot_window), 0, 86400, 10,
        )
        if ok:
            window.settings.plot_window = seconds
            window.plots.set_window(seconds or None)

    def show_about(self) -> None:
        QMessageBox.about(
            self.window, "About guimirror",
            f"<h3>guimirror {guimirror.__version__}</h3>"
            "<p>Mirror live block devices with QEMU's <code>blockdev-mirror</code>, on "
            "the built-in engine or on QEMU over QMP, and watch throughput and dirty "
            "clusters as it runs.</p><p>Licence: GPL-2.0-or-later.</p>",
        )
