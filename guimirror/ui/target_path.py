# SPDX-License-Identifier: GPL-2.0-or-later
"""A mirror target given as a path: a line edit, Browse… and the image's format.

For endpoints whose mirror target is a file or a block device rather than a node (libvirt's
virDomainBlockCopy). GUI thread.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from PySide6.QtCore import QDir, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from guimirror.ui.file_dialogs import system_file_dialog


class TargetPath(QWidget):
    """``path`` (an absolute path), ``format`` (raw, qcow2...); ``changed`` on either."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLineEdit()
        self.path.setObjectName("target-path")
        self.path.setPlaceholderText(self.tr("/var/lib/libvirt/images/copy.raw or /dev/..."))
        self.path.setToolTip(self.tr("The file or block device the copy goes to; it exists "
                                     "already and has the disk's size"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.setObjectName("target-browse")
        self.browse_button.setToolTip(self.tr("Pick the target file or block device"))
        self.format = QComboBox()
        self.format.setObjectName("target-format")
        self.format.setToolTip(self.tr("The format of the target image"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.format)
        self.path.textChanged.connect(lambda _text: self.changed.emit())
        self.format.currentTextChanged.connect(lambda _text: self.changed.emit())
        self.browse_button.clicked.connect(self.browse)

    def set_formats(self, formats: Sequence[str]) -> None:
        """The formats offered; the current one stays when it still is."""
        if [self.format.itemText(i) for i in range(self.format.count())] == list(formats):
            return
        current = self.format.currentText()
        self.format.blockSignals(True)
        self.format.clear()
        self.format.addItems(list(formats))
        if current in formats:
            self.format.setCurrentText(current)
        self.format.blockSignals(False)
        self.changed.emit()

    def text(self) -> str:
        return self.path.text().strip()

    def image_format(self) -> str:
        return self.format.currentText()

    def browse(self) -> QFileDialog:
        """A file dialog (window-modal, non-blocking) that lists block devices too; the
        chosen file becomes the path, a ``.qcow2`` name chooses qcow2."""
        dialog = system_file_dialog(self, self.tr("Choose the mirror's target"),
                                    "browse-target", QFileDialog.FileMode.AnyFile)
        current = self.text()
        dialog.setDirectory(os.path.dirname(current) if current.startswith("/")
                            else QDir.homePath())
        dialog.fileSelected.connect(self.choose)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def choose(self, path: str) -> None:
        self.path.setText(path)
        if path.endswith(".qcow2") and self.format.findText("qcow2") >= 0:
            self.format.setCurrentText("qcow2")
