# SPDX-License-Identifier: GPL-2.0-or-later
"""A file dialog that lists sockets and block devices too. GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QDir
from PySide6.QtWidgets import QFileDialog, QWidget


def system_file_dialog(parent: QWidget, title: str, name: str,
                       mode: QFileDialog.FileMode) -> QFileDialog:
    """A window-modal file dialog named ``name`` that shows "system" files (sockets, block
    devices), which the native dialogs and QDir's default leave out."""
    dialog = QFileDialog(parent, title)
    dialog.setObjectName(name)
    dialog.setFileMode(mode)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setFilter(QDir.Filter.AllEntries | QDir.Filter.System | QDir.Filter.Hidden
                     | QDir.Filter.NoDotAndDotDot)
    return dialog
