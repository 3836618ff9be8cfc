"""The blockdev-mirror form: every argument, its documented default, QEMU's errors under the field.

The form turns what the user typed into the exact QMP ``arguments`` object, and leaves out
every argument that is still at its documented default so that each engine applies its own.
Validation runs the same model the server runs (``parse_arguments`` then ``check``), so the
errors read as QEMU's; a few checks need the node list (unknown node, duplicate node-name or
job-id) and use QEMU's texts too. Everything here runs in the GUI thread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import (
    DEFAULT_GRANULARITY_MAX,
    DEFAULT_GRANULARITY_MIN,
    DOCUMENTED_BUF_SIZE,
    BlockdevMirror,
    BlockdevOnError,
    MirrorCopyMode,
    default_granularity,
)
from guimirror.units import format_size, format_size_input, parse_size, parse_speed

AUTOMATIC = "automatic"
ERROR_POLICIES = tuple(policy.value for policy in BlockdevOnError)
#: incremental and bitmap are refused by mirror (``Sync mode '...' not supported``).
SYNC_MODES = ("full", "top", "none")
COPY_MODES = tuple(mode.value for mode in MirrorCopyMode)

_ERROR_STYLE = "color: #c62828;"
_HINT_STYLE = "color: palette(mid);"


@dataclass(frozen=True)
class NodeChoice:
    """What the form needs to know of a node: its name, size, cluster size and users."""

    node_name: str
    virtual_size: int | None
    cluster_size: int | None
    read_only: bool = False
    used_by: str = ""


def automatic_granularity_text(target: NodeChoice | None) -> str:
    """The sentence under the granularity field while it is left at automatic."""
    if target is None:
        low, high = format_size(DEFAULT_GRANULARITY_MIN), format_size(DEFAULT_GRANULARITY_MAX)
        return f"automatic: the target's cluster size clamped to {low}..{high}, else {high}"
    value = format_size(default_granularity(target.cluster_size))
    if not target.cluster_size:
        return f"automatic: {value}, the target has no cluster size"
    cluster = format_size(target.cluster_size)
    return f"automatic: {value}, from the target's cluster size of {cluster}"


_FIELD_OF_ERROR = (
    (re.compile(r"^Parameter '([\w-]+)'"), None),
    (re.compile(r"^Invalid parameter type for '([\w-]+)'"), None),
    (re.compile(r"^Invalid parameter '([\w-]+)'"), None),
    (re.compile(r"^Invalid job ID"), "job-id"),
    (re.compile(r"^Job ID '.*' already in use"), "job-id"),
    (re.compile(r"^Can't mirror node into itself"), "target"),
    (re.compile(r"^Sync mode"), "sync"),
    (re.compile(r"^(Invalid node-name|Node name too long|node-name=|Duplicate nodes)"),
     "filter-node-name"),
    (re.compile(r"^Failed to find node with node-name"), "replaces"),
    (re.compile(r"^Cannot replace"), "replaces"),
)


def field_of_error(desc: str) -> str | None:
    """The argument an error text is about (QMP name), or None for a form-wide error."""
    for pattern, name in _FIELD_OF_ERROR:
        match = pattern.match(desc)
        if match:
            return name if name is not None else match.group(1)
    return None


def field_description(qmp_name: str) -> str:
    """The model's documentation of an argument; it becomes the field's tooltip."""
    for name, info in BlockdevMirror.model_fields.items():
        if (info.alias or name.replace("_", "-")) == qmp_name or name == qmp_name:
            return info.description or ""
    return ""


class MirrorForm(QWidget):
    """Every blockdev-mirror argument, grouped, with errors under each field and a QMP preview.

    ``set_nodes`` gives the nodes the endpoint has; ``set_job_ids`` the job-ids in use.
    ``start_requested`` carries the validated model when the user presses Start.
    """

    start_requested = Signal(object)
    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._nodes: dict[str, NodeChoice] = {}
        self._job_ids: set[str] = set()
        self._job_id_edited = False
        self._model: BlockdevMirror | None = None
        self.errors: dict[str, str] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}

        self.device = self._node_combo()
        self.target = self._node_combo()
        self.sync = self._choice(SYNC_MODES, "full")
        self.speed = QLineEdit("0")
        self.speed.setPlaceholderText("0 = unlimited; e.g. 50M for 50 MiB/s")
        self.granularity = QComboBox()
        self.granularity.setEditable(True)
        self.granularity.addItems([AUTOMATIC, "4K", "64K", "1M", "16M"])
        self.granularity_hint = self._hint()
        self.buf_size = QLineEdit(format_size_input(DOCUMENTED_BUF_SIZE))
        self.buf_size_hint = self._hint(
            "documented default 10 MiB; QEMU 7.2 applies 16 MiB when left at the default"
        )
        self.speed_hint = self._hint("unlimited")
        self.on_source_error = self._choice(ERROR_POLICIES, "report")
        self.on_target_error = self._choice(ERROR_POLICIES, "report")
        self.replaces = self._node_combo(allow_empty=True)
        self.filter_node_name = QLineEdit()
        self.filter_node_name.setPlaceholderText("automatic (implicit filter)")
        self.copy_mode = self._choice(COPY_MODES, "background")
        self.auto_finalize = QCheckBox("finalize when done (pivot at once)")
        self.auto_finalize.setChecked(True)
        self.auto_dismiss = QCheckBox("dismiss when concluded")
        self.auto_dismiss.setChecked(True)
        self.job_id = QLineEdit()

        self.form_error = QLabel()
        self.form_error.setStyleSheet(_ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.start_error = QLabel()
        self.start_error.setObjectName("start-error")
        self.start_error.setStyleSheet(_ERROR_STYLE)
        self.start_error.setWordWrap(True)
        self.start_error.setVisible(False)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setObjectName("qmp-preview")
        self.preview.setMaximumHeight(180)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the QMP command to the clipboard")
        self.copy_button.clicked.connect(self.copy_preview)
        self.start_button = QPushButton("Start mirror")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start)

        layout = QVBoxLayout(self)
        layout.addWidget(self._group("Source and target", [
            ("device", "Source (device)", self.device, None),
            ("target", "Target", self.target, None),
            ("sync", "Sync", self.sync, None),
        ]))
        layout.addWidget(self._group("Speed and memory", [
            ("speed", "Speed limit", self.speed, self.speed_hint),
            ("granularity", "Granularity", self.granularity, self.granularity_hint),
            ("buf-size", "Buffer size", self.buf_size, self.buf_size_hint),
        ]))
        layout.addWidget(self._group("Errors", [
            ("on-source-error", "On source error", self.on_source_error, None),
            ("on-target-error", "On target error", self.on_target_error, None),
        ]))
        layout.addWidget(self._group("Advanced", [
            ("job-id", "Job ID", self.job_id, None),
            ("replaces", "Replaces", self.replaces, None),
            ("filter-node-name", "Filter node-name", self.filter_node_name, None),
            ("copy-mode", "Copy mode", self.copy_mode, None),
            ("auto-finalize", "Auto-finalize", self.auto_finalize, None),
            ("auto-dismiss", "Auto-dismiss", self.auto_dismiss, None),
        ]))
        layout.addWidget(self.form_error)
        preview_row = QHBoxLayout()
        preview_row.addWidget(QLabel("QMP command"))
        preview_row.addStretch(1)
        preview_row.addWidget(self.copy_button)
        layout.addLayout(preview_row)
        layout.addWidget(self.preview)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_error, 1)
        buttons.addWidget(self.start_button)
        layout.addLayout(buttons)
        layout.addStretch(1)

        for edit in (self.speed, self.buf_size, self.filter_node_name):
            edit.textChanged.connect(self.revalidate)
        self.job_id.textEdited.connect(self._job_id_typed)
        self.job_id.textChanged.connect(self.revalidate)
        for combo in (self.sync, self.on_source_error, self.on_target_error, self.copy_mode):
            combo.currentIndexChanged.connect(self.revalidate)
        for combo in (self.device, self.target, self.replaces, self.granularity):
            combo.currentTextChanged.connect(self.revalidate)
        self.device.currentTextChanged.connect(self._suggest_job_id)
        for combo in (self.device, self.target):
            combo.currentTextChanged.connect(lambda _text: self.show_start_error(""))
        for box in (self.auto_finalize, self.auto_dismiss):
            box.toggled.connect(self.revalidate)
        self.revalidate()

    # --- building -------------------------------------------------------------------------

    def _node_combo(self, allow_empty: bool = False) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setProperty("allow_empty", allow_empty)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        return combo

    @staticmethod
    def _choice(values: Sequence[str], default: str) -> QComboBox:
        combo = QComboBox()
        combo.addItems(list(values))
        combo.setCurrentText(default)
        return combo

    @staticmethod
    def _hint(text: str = "") -> QLabel:
        label = QLabel(text)
        label.setStyleSheet(_HINT_STYLE)
        label.setWordWrap(True)
        return label

    def _group(
        self, title: str, rows: list[tuple[str, str, QWidget, QLabel | None]]
    ) -> QGroupBox:
        group = QGroupBox(title)
        form = QFormLayout(group)
        for qmp_name, label, widget, hint in rows:
            tooltip = field_description(qmp_name)
            widget.setToolTip(f"<b>{qmp_name}</b>: {tooltip}" if tooltip else qmp_name)
            widget.setObjectName(qmp_name)
            self.inputs[qmp_name] = widget
            error = QLabel()
            error.setStyleSheet(_ERROR_STYLE)
            error.setWordWrap(True)
            error.setVisible(False)
            error.setObjectName(f"{qmp_name}-error")
            self.error_labels[qmp_name] = error
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(widget)
            if hint is not None:
                cell.addWidget(hint)
            cell.addWidget(error)
            form.addRow(label, cell)
        return group

    # --- inputs from the window -----------------------------------------------------------

    def set_nodes(self, nodes: Iterable[NodeChoice]) -> None:
        """Offer these nodes as device, target and replaces; keeps what the user chose."""
        offered = {node.node_name: node for node in nodes}
        if offered == self._nodes and self.device.count():
            return
        self._nodes = offered
        names = sorted(self._nodes)
        for combo in (self.device, self.target, self.replaces):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            if combo.property("allow_empty"):
                combo.addItem("")
            combo.addItems(names)
            combo.setCurrentText(current)
            combo.blockSignals(False)
        if not self.device.currentText() and names:
            self.device.setCurrentText(names[0])
        if not self.target.currentText() and len(names) > 1:
            self.target.setCurrentText(names[1])
        self._suggest_job_id()
        self.revalidate()

    def set_job_ids(self, job_ids: Iterable[str]) -> None:
        """The job-ids in use on the endpoint; the proposed job-id avoids them."""
        in_use = set(job_ids)
        if in_use == self._job_ids:
            return
        self._job_ids = in_use
        self._suggest_job_id()
        self.revalidate()

    def select(self, device: str | None = None, target: str | None = None) -> None:
        if device is not None:
            self.device.setCurrentText(device)
        if target is not None:
            self.target.setCurrentText(target)

    # --- results ---------------------------------------------------------------------------

    @property
    def model(self) -> BlockdevMirror | None:
        """The validated command, or None while an error is shown."""
        return self._model

    def arguments(self) -> dict[str, Any]:
        """The QMP ``arguments`` object as it would be sent (valid or not)."""
        raw, _ = self._collect()
        return raw

    def command_text(self) -> str:
        return self.preview.toPlainText()

    def copy_preview(self) -> None:
        QGuiApplication.clipboard().setText(self.command_text())

    # --- validation ------------------------------------------------------------------------

    def _collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Widgets to QMP arguments, defaults left out; plus the errors of unit parsing."""
        raw: dict[str, Any] = {}
        errors: dict[str, str] = {}
        job_id = self.job_id.text().strip()
        if job_id:
            raw["job-id"] = job_id
        raw["device"] = self.device.currentText().strip()
        raw["target"] = self.target.currentText().strip()
        if self.replaces.currentText().strip():
            raw["replaces"] = self.replaces.currentText().strip()
        raw["sync"] = self.sync.currentText()
        self._parse_into(raw, errors, "speed", self.speed.text(), parse_speed, 0)
        granularity_text = self.granularity.currentText().strip()
        if granularity_text.lower() not in (AUTOMATIC, "", "0"):
            self._parse_into(raw, errors, "granularity", granularity_text, parse_size, 0)
        self._parse_into(
            raw, errors, "buf-size", self.buf_size.text(), parse_size, DOCUMENTED_BUF_SIZE
        )
        for name, combo in (
            ("on-source-error", self.on_source_error),
            ("on-target-error", self.on_target_error),
        ):
            if combo.currentText() != "report":
                raw[name] = combo.currentText()
        if self.filter_node_name.text().strip():
            raw["filter-node-name"] = self.filter_node_name.text().strip()
        if self.copy_mode.currentText() != "background":
            raw["copy-mode"] = self.copy_mode.currentText()
        if not self.auto_finalize.isChecked():
            raw["auto-finalize"] = False
        if not self.auto_dismiss.isChecked():
            raw["auto-dismiss"] = False
        return raw, errors

    @staticmethod
    def _parse_into(
        raw: dict[str, Any],
        errors: dict[str, str],
        name: str,
        text: str,
        parse: Callable[[str, str], int],
        default: int,
    ) -> None:
        if not text.strip():
            return
        try:
            value = parse(text, name)
        except ValueError as err:
            errors[name] = str(err)
            return
        if value != default:
            raw[name] = value

    def _node_errors(self, raw: dict[str, Any]) -> dict[str, str]:
        """The checks that need the endpoint's nodes and jobs, in QEMU's words."""
        errors: dict[str, str] = {}
        for name in ("device", "target"):
            value = raw.get(name, "")
            if not value:
                errors[name] = f"Choose the {'source' if name == 'device' else 'target'} node"
            elif self._nodes and value not in self._nodes:
                errors[name] = f"Cannot find device='{value}' nor node-name='{value}'"
        if raw.get("device") and raw.get("device") == raw.get("target"):
            errors.setdefault("target", "Can't mirror node into itself")
        target = self._nodes.get(raw.get("target", ""))
        if target is not None and target.read_only and "target" not in errors:
            errors["target"] = "Block node is read-only"
        replaces = raw.get("replaces")
        if replaces and self._nodes and replaces not in self._nodes:
            errors["replaces"] = f"Failed to find node with node-name='{replaces}'"
        job_id = raw.get("job-id")
        if job_id and job_id in self._job_ids:
            errors["job-id"] = f"Job ID '{job_id}' already in use"
        filter_name = raw.get("filter-node-name")
        if filter_name and filter_name in self._nodes:
            errors["filter-node-name"] = f"Duplicate nodes with node-name='{filter_name}'"
        return errors

    def revalidate(self) -> None:
        """Re-check everything, show the errors, refresh the preview and Start's state."""
        raw, errors = self._collect()
        model: BlockdevMirror | None = None
        if not errors:
            try:
                model = parse_arguments(BlockdevMirror, raw)
                model.check()
            except QAPIError as err:
                model = None
                errors[field_of_error(err.desc) or ""] = err.desc
        for name, message in self._node_errors(raw).items():
            errors.setdefault(name, message)
        self._model = model if not errors else None
        self.errors = errors
        for name, label in self.error_labels.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
        self.form_error.setText(errors.get("", ""))
        self.form_error.setVisible("" in errors)
        self._update_hints(raw)
        command = {"execute": "blockdev-mirror", "arguments": raw}
        self.preview.setPlainText(json.dumps(command, indent=2))
        valid = self._model is not None
        if self.start_button.isEnabled() != valid:
            self.start_button.setEnabled(valid)
            self.validity_changed.emit(valid)

    def _update_hints(self, raw: dict[str, Any]) -> None:
        target = self._nodes.get(raw.get("target", ""))
        if "granularity" in raw:
            self.granularity_hint.setText(f"{format_size(raw['granularity'])} per dirty bit")
        else:
            self.granularity_hint.setText(automatic_granularity_text(target))
        speed = raw.get("speed", 0)
        self.speed_hint.setText("unlimited" if not speed else f"{format_size(speed)}/s")
        if "buf-size" in raw:
            self.buf_size_hint.setText(f"{format_size(raw['buf-size'])} in flight at most")
        else:
            self.buf_size_hint.setText(
                "documented default 10 MiB (left out of the command; "
                "QEMU 7.2 then applies 16 MiB)"
            )

    # --- job-id suggestion -------------------------------------------------------------------

    def _job_id_typed(self, _text: str) -> None:
        self._job_id_edited = True

    def _suggest_job_id(self) -> None:
        """Propose ``mirror-<device>`` (unique) until the user types a job-id of their own."""
        if self._job_id_edited:
            return
        device = self.device.currentText().strip()
        if not device:
            return
        base = f"mirror-{device}" if device[0].isalpha() else f"mirror-{device.lstrip('#')}"
        candidate, number = base, 2
        while candidate in self._job_ids:
            candidate, number = f"{base}-{number}", number + 1
        self.job_id.setText(candidate)

    def reset_job_id(self) -> None:
        """After a start: propose a fresh job-id for the next mirror."""
        self._job_id_edited = False
        self._suggest_job_id()

    def show_start_error(self, text: str) -> None:
        """Why the last start was refused (by the checks or the engine); empty clears it."""
        self.start_error.setText(text)
        self.start_error.setVisible(bool(text))

    def _start(self) -> None:
        self.show_start_error("")
        self.revalidate()
        if self._model is not None:
            self.start_requested.emit(self._model)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._model is not None:
            self._start()
            return
        super().keyPressEvent(event)
