# SPDX-License-Identifier: GPL-2.0-or-later
"""The settings dialogs (sampling rate, plot window, units, notifications) and the About box."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QInputDialog, QMessageBox, QPushButton, QWidget

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

    def ask_rate(self) -> QInputDialog:
        """The sampling rate dialog (window-modal, non-blocking); applied when accepted."""
        dialog = self._input_dialog("sampling-rate", self.tr("Sampling rate"),
                                    self.tr("Samples per second (0.5 to 50):"),
                                    self.tr("How often each endpoint is asked for its "
                                            "jobs' progress"))
        dialog.setInputMode(QInputDialog.InputMode.DoubleInput)
        dialog.setDoubleRange(0.5, 50.0)
        dialog.setDoubleDecimals(1)
        dialog.setDoubleValue(self.settings.sampling_rate)
        dialog.doubleValueSelected.connect(self._rate_chosen)
        self._open(dialog)
        return dialog

    def _rate_chosen(self, rate: float) -> None:
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

    def ask_plot_window(self) -> QInputDialog:
        """The plot time span dialog (window-modal, non-blocking); applied when accepted."""
        dialog = self._input_dialog("plot-window", self.tr("Plot window"),
                                    self.tr("Seconds of samples to show (0: all of them):"),
                                    self.tr("How many seconds of samples the plots keep in view"))
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(0, 86400)
        dialog.setIntStep(10)
        dialog.setIntValue(int(self.settings.plot_window))
        dialog.intValueSelected.connect(self._plot_window_chosen)
        self._open(dialog)
        return dialog

    def _plot_window_chosen(self, seconds: int) -> None:
        self.settings.plot_window = seconds
        self.plot_window_changed.emit(float(seconds))

    def _input_dialog(self, name: str, title: str, label: str, purpose: str) -> QInputDialog:
        """A one-value dialog whose value field and buttons say what they are for."""
        dialog = QInputDialog(self.parent_widget)
        dialog.setObjectName(name)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setOkButtonText(self.tr("OK"))
        dialog.setCancelButtonText(self.tr("Cancel"))
        dialog.finished.connect(dialog.deleteLater)
        dialog.setProperty("purpose", purpose)
        return dialog

    def _open(self, dialog: QInputDialog) -> None:
        """Name the value field and the buttons (they exist once the input mode is set) and
        open the dialog."""
        purpose = str(dialog.property("purpose"))
        for field in dialog.findChildren(QAbstractSpinBox):
            field.setAccessibleName(dialog.windowTitle())
            field.setAccessibleDescription(purpose)
        for button in dialog.findChildren(QPushButton):
            accepts = button.text().replace("&", "") == dialog.okButtonText().replace("&", "")
            button.setToolTip(self.tr("Apply: {0}").format(dialog.windowTitle()) if accepts
                              else self.tr("Close without a change"))
        dialog.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self.parent_widget, self.tr("About guimirror"),
            f"<h3>guimirror {guimirror.__version__}</h3>"
            + self.tr("<p>Mirror live block devices with QEMU's <code>blockdev-mirror</code>, "
                      "on the built-in engine or on QEMU over QMP, and watch throughput and "
                      "dirty clusters as it runs.</p><p>Licence: GPL-2.0-or-later.</p>"),
        )
