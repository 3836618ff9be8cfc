# SPDX-License-Identifier: GPL-2.0-or-later
"""The add-node dialog: an image file or a block device, its options, or a new image.

The result is a ``blockdev-add`` argument object in QMP's names (a format node over an inline
protocol node), plus, when asked, the image to create first. Node-names are checked as QEMU
checks them; a mounted device is refused as a writable node. GUI thread only; the device list
comes from lsblk through an asyncio subprocess.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.names import check_node_name
from guimirror.session.block_devices import BlockDevice, list_block_devices
from guimirror.ui.colours import paint
from guimirror.ui.translated import core_text, error_text
from guimirror.units import format_size, parse_size


@dataclass(frozen=True)
class ImageToCreate:
    """A raw image file to create (sparse) before the node is added."""

    path: str
    size: int


@dataclass(frozen=True)
class AddNodeRequest:
    """What the dialog produced: the blockdev-add arguments and an optional image to create."""

    options: dict[str, Any]
    create: ImageToCreate | None = None


def blockdev_add_options(
    *,
    node_name: str,
    path: str,
    device: bool,
    fmt: str,
    read_only: bool,
    direct: bool,
    discard: str,
) -> dict[str, Any]:
    """``blockdev-add`` arguments: ``fmt`` over an inline file/host_device node.

    The cache and discard options are given at both levels, so both engines apply them to the
    protocol node whatever their inheritance rules.
    """
    protocol: dict[str, Any] = {
        "driver": "host_device" if device else "file",
        "filename": path,
    }
    common: dict[str, Any] = {}
    if read_only:
        common["read-only"] = True
    if direct:
        common["cache"] = {"direct": True}
    if discard != "ignore":
        common["discard"] = discard
    protocol.update(common)
    if fmt == "none":
        return {"node-name": node_name, **protocol}
    return {"driver": fmt, "node-name": node_name, **common, "file": protocol}


class AddNodeDialog(QDialog):
    """File or block device, format, node-name, read-only, cache.direct, discard, new image."""

    def __init__(
        self,
        existing: Mapping[str, int | None],
        formats: tuple[str, ...] = ("raw",),
        default_dir: str = "",
        parent: QWidget | None = None,
        device_users: Mapping[str, list[str]] | None = None,
    ) -> None:
        """``existing`` maps node-names already in use to their virtual sizes;
        ``device_users`` maps devices (real paths) to the nodes and jobs that use them."""
        super().__init__(parent)
        self.device_users = dict(device_users or {})
        self.setWindowTitle(self.tr("Add block node"))
        self.existing = dict(existing)
        self.default_dir = default_dir
        self.devices: list[BlockDevice] = []
        self.request: AddNodeRequest | None = None
        self.errors: dict[str, str] = {}
        self._device_task: asyncio.Task[None] | None = None

        self.kind_file = QRadioButton(self.tr("Image file"))
        self.kind_device = QRadioButton(self.tr("Block device"))
        self.kind_file.setChecked(True)
        self.kind_file.setToolTip(self.tr("Add a regular image file (driver file)"))
        self.kind_device.setToolTip(self.tr("Add a block device (driver host_device)"))
        kinds = QButtonGroup(self)
        kinds.addButton(self.kind_file)
        kinds.addButton(self.kind_device)
        self.path = QLineEdit()
        self.path.setPlaceholderText("/path/to/image.raw")
        self.path.setAccessibleName(self.tr("Image file"))
        self.path.setAccessibleDescription(self.tr("The path of the image file (filename)"))
        self.browse = QPushButton(self.tr("Browse…"))
        self.browse.setToolTip(self.tr("Choose the image file"))
        self.browse.clicked.connect(self._browse)
        self.device_combo = QComboBox()
        self.device_combo.setVisible(False)
        self.device_combo.setAccessibleName(self.tr("Block device"))
        self.device_combo.setAccessibleDescription(self.tr("The block device to add (filename)"))
        self.create_image = QCheckBox(self.tr("Create a new image"))
        self.create_image.setToolTip(self.tr("Create the image file before adding it"))
        self.size_mode = QComboBox()
        self.size_mode.setAccessibleName(self.tr("New image size"))
        self.size_mode.setAccessibleDescription(
            self.tr("A size of its own, or the size of an existing node"))
        self.size_mode.addItem(self.tr("of size"))
        for name, size in sorted(self.existing.items()):
            if size:
                self.size_mode.addItem(
                    self.tr("same size as {0} ({1})").format(name, format_size(size)), name)
        self.image_size = QLineEdit("64M")
        self.image_size.setAccessibleName(self.tr("Size"))
        self.image_size.setAccessibleDescription(
            self.tr("The new image's size in bytes, with a unit (64M)"))
        self.format = QComboBox()
        self.format.setAccessibleName(self.tr("Format"))
        self.format.addItems([*formats, "none"])
        self.format.setToolTip(
            self.tr("The format node on top; 'none' adds only the protocol node"))
        self.node_name = QLineEdit()
        self.node_name.setAccessibleName(self.tr("Node name"))
        self.node_name.setPlaceholderText(self.tr("e.g. src0"))
        self.node_name.setToolTip(
            self.tr("A letter first, then letters, digits, '-', '.', '_'; at most 31 characters")
        )
        self.read_only = QCheckBox("read-only")
        self.read_only.setToolTip(self.tr("Open the node read-only (read-only)"))
        self.direct = QCheckBox(self.tr("cache.direct (O_DIRECT, bypass the page cache)"))
        self.direct.setToolTip(self.tr("Open the file with O_DIRECT (cache.direct)"))
        self.discard = QComboBox()
        self.discard.setAccessibleName(self.tr("Discard"))
        self.discard.addItems(["ignore", "unmap"])
        self.discard.setToolTip(
            self.tr("unmap: zeroes and discards punch holes, so a target stays sparse"))
        self.error = QLabel()
        paint(self.error, "error")
        self.error.setWordWrap(True)
        self.error.setObjectName("add-node-error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Add"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(
            self.tr("Add the node (blockdev-add)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            self.tr("Close without adding a node"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.device_combo, 1)
        where.addWidget(self.browse)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_file)
        kind_row.addWidget(self.kind_device)
        kind_row.addStretch(1)
        create_row = QHBoxLayout()
        create_row.addWidget(self.create_image)
        create_row.addWidget(self.size_mode)
        create_row.addWidget(self.image_size)
        form = QFormLayout()
        form.addRow(self.tr("Kind"), kind_row)
        form.addRow(self.tr("Where"), where)
        form.addRow("", create_row)
        form.addRow(self.tr("Format"), self.format)
        form.addRow(self.tr("Node name"), self.node_name)
        form.addRow("", self.read_only)
        form.addRow("", self.direct)
        form.addRow(self.tr("Discard"), self.discard)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.kind_device.toggled.connect(self._kind_changed)
        for signal in (
            self.path.textChanged,
            self.node_name.textChanged,
            self.image_size.textChanged,
            self.create_image.toggled,
            self.read_only.toggled,
            self.size_mode.currentIndexChanged,
            self.device_combo.currentIndexChanged,
            self.format.currentIndexChanged,
        ):
            signal.connect(self.validate)
        self._kind_changed()

    # --- block devices ------------------------------------------------------------------------

    def load_devices(self) -> asyncio.Task[None]:
        """Fill the device picker from lsblk (a task on the running loop)."""
        self._device_task = asyncio.get_running_loop().create_task(self._load_devices())
        return self._device_task

    async def _load_devices(self) -> None:
        try:
            devices = await list_block_devices()
        except OSError as err:
            self.error.setText(error_text(err))
            return
        self.set_devices(devices)

    def set_devices(self, devices: list[BlockDevice]) -> None:
        self.devices = devices
        self.device_combo.clear()
        for device in devices:
            mounts = ", ".join(device.all_mountpoints)
            state = (self.tr("mounted at {0}").format(mounts) if device.mounted
                     else self.tr("not mounted"))
            used = self.device_users.get(os.path.realpath(device.path))
            if used:
                state += self.tr("; in use by {0}").format(", ".join(used))
            model = f" {device.model}" if device.model else ""
            self.device_combo.addItem(
                f"{device.path}  {format_size(device.size)}{model}  ({device.type}, {state})",
                device.path,
            )
        self.validate()

    def _selected_device(self) -> BlockDevice | None:
        path = self.device_combo.currentData()
        return next((d for d in self.devices if d.path == path), None)

    # --- interaction ----------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        device = self.kind_device.isChecked()
        self.path.setVisible(not device)
        self.browse.setVisible(not device)
        self.device_combo.setVisible(device)
        for widget in (self.create_image, self.size_mode, self.image_size):
            widget.setEnabled(not device)
        if device and not self.devices and self._device_task is None:
            with contextlib.suppress(RuntimeError):
                self.load_devices()
        self.validate()

    def _browse(self) -> None:
        if self.create_image.isChecked():
            path, _ = QFileDialog.getSaveFileName(self, self.tr("New image"), self.default_dir)
        else:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Image file"), self.default_dir)
        if path:
            self.path.setText(path)

    def _new_size(self) -> int:
        source = self.size_mode.currentData()
        if source is not None:
            size = self.existing.get(source)
            if not size:
                raise ValueError(self.tr("node '{0}' has no known size").format(source))
            return size
        size = parse_size(self.image_size.text(), "size")
        if size <= 0:
            raise ValueError(self.tr("size: a new image needs a size above 0"))
        return size

    def validate(self) -> bool:
        """Check every input; show the first problem and enable Add only when there is none."""
        self.request = None
        errors: dict[str, str] = {}
        name = self.node_name.text().strip()
        try:
            check_node_name(name)
        except QAPIError as err:
            errors["node-name"] = core_text(err.desc)
        if name in self.existing:
            errors["node-name"] = self.tr("Duplicate nodes with node-name='{0}'").format(name)
        create: ImageToCreate | None = None
        device = self.kind_device.isChecked()
        if device:
            selected = self._selected_device()
            path = selected.path if selected else ""
            if selected is None:
                errors["path"] = self.tr("Choose a block device")
            elif not self.read_only.isChecked() and selected.refusal():
                errors["path"] = self.tr("{0}; add it read-only or unmount it").format(
                    core_text(selected.refusal()))
        else:
            path = self.path.text().strip()
            if not path:
                errors["path"] = self.tr("Give the image file's path")
            elif not os.path.isabs(path):
                errors["path"] = self.tr("Give an absolute path")
            elif self.create_image.isChecked():
                if os.path.exists(path):
                    errors["path"] = self.tr(
                        "{0} exists already; untick 'Create' to use it").format(path)
                elif not os.path.isdir(os.path.dirname(path)):
                    errors["path"] = self.tr("the directory {0} does not exist").format(
                        os.path.dirname(path))
                else:
                    try:
                        create = ImageToCreate(path, self._new_size())
                    except ValueError as err:
                        errors["size"] = error_text(err)
            elif not os.path.exists(path):
                errors["path"] = self.tr(
                    "Could not open '{0}': No such file or directory").format(path)
        self.errors = errors
        self.error.setText(next(iter(errors.values()), ""))
        ok = not errors
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if ok:
            options = blockdev_add_options(
                node_name=name,
                path=path,
                device=device,
                fmt=self.format.currentText(),
                read_only=self.read_only.isChecked(),
                direct=self.direct.isChecked(),
                discard=self.discard.currentText(),
            )
            self.request = AddNodeRequest(options, create)
        return ok

    def _accept(self) -> None:
        if self.validate():
            self.accept()


def create_raw_image(image: ImageToCreate) -> None:
    """Create a sparse raw image (blocks: run it in a worker thread). Never overwrites."""
    fd = os.open(image.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        os.ftruncate(fd, image.size)
    finally:
        os.close(fd)
