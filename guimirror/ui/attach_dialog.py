# SPDX-License-Identifier: GPL-2.0-or-later
"""The Attach dialog: an endpoint URI typed or a socket file browsed for, checked as it is typed.

It takes what the command line takes (``guimirror.session.uri``): ``unix:/path``, a bare
path, ``tcp:HOST:PORT``, ``qsd:`` and ``qsd:/path/to/qemu-storage-daemon``. GUI thread.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QDir, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guimirror.session.uri import (
    BuiltinURI,
    EndpointURI,
    EndpointURIError,
    UnixURI,
    parse_endpoint_uri,
    uri_types,
)
from guimirror.ui.colours import paint
from guimirror.ui.file_dialogs import system_file_dialog
from guimirror.ui.translated import core_text


def attach_forms() -> list[str]:
    """The URI forms an endpoint can be attached or started by (the built-in engine is
    always there)."""
    return [form for uri_type in uri_types() if uri_type is not BuiltinURI
            for form in uri_type.forms]


class AttachDialog(QDialog):
    """``uri`` is the parsed URI once the text is one (None while it is not)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Attach to an endpoint"))
        self.uri: EndpointURI | None = None
        self.edit = QLineEdit()
        self.edit.setObjectName("uri")
        self.edit.setPlaceholderText("unix:/run/vm1/qmp.sock")
        self.edit.setMinimumWidth(420)
        self.edit.setAccessibleName(self.tr("Endpoint URI"))
        self.edit.setAccessibleDescription(
            self.tr("The endpoint to attach to, in one of the forms listed"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.setToolTip(self.tr("Pick a QMP socket file"))
        self.browse_button.clicked.connect(self.browse)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        paint(self.error, "error")
        forms = QLabel("\n".join(f"  {form}" for form in attach_forms()))
        forms.setObjectName("forms")
        forms.setTextFormat(Qt.TextFormat.PlainText)
        forms.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Attach"))
        self.ok_button.setToolTip(self.tr("Open the endpoint"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            self.tr("Close without attaching"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Endpoint URI, or the path of a QMP socket:")))
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(QLabel(self.tr("Accepted forms:")))
        layout.addWidget(forms)
        layout.addWidget(self.buttons)
        self.edit.textChanged.connect(self.validate)
        self.validate()

    def validate(self) -> None:
        """Parse the text; the error shows under the field, Attach waits for a URI."""
        text = self.edit.text()
        try:
            self.uri = parse_endpoint_uri(text)
        except EndpointURIError as error:
            self.uri = None
            # Nothing typed yet is no error to show; the forms are listed below anyway.
            self.error.setText(core_text(error.problem) if text.strip() else "")
        else:
            self.error.setText("")
        self.error.setVisible(bool(self.error.text()))
        self.ok_button.setEnabled(self.uri is not None)

    def accept(self) -> None:
        if self.uri is not None:
            super().accept()

    def browse(self) -> QFileDialog:
        """A file dialog (window-modal, non-blocking) that lists sockets too; the chosen file
        becomes ``unix:PATH``."""
        dialog = system_file_dialog(self, self.tr("Choose a QMP socket"), "browse-socket",
                                    QFileDialog.FileMode.ExistingFile)
        current = self.uri
        path = getattr(current, "path", None)
        dialog.setDirectory(os.path.dirname(path) if isinstance(path, str)
                            else "/run" if os.path.isdir("/run") else QDir.homePath())
        dialog.fileSelected.connect(lambda chosen: self.edit.setText(str(UnixURI(chosen))))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog
