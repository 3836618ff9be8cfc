# SPDX-License-Identifier: GPL-2.0-or-later
"""The blockdev-mirror form, built from the model: one row per argument of ``BlockdevMirror``.

Labels, groups, tooltips (QMP's documentation of the argument), units, defaults and allowed
values come from the model's field metadata (``guimirror.qapi.mirror.MIRROR_ARGUMENTS``);
validation is the model's (``parse_arguments``, ``check`` and ``graph_errors``), so the errors
read as QEMU's. The form turns what the user typed into the exact QMP ``arguments`` object and
leaves out every argument still at its default, so that each engine applies its own.

An argument the engine lacks is not offered, and the form says from which QEMU version on it
exists (the model's ``since``). Arguments the engine's schema has and guimirror does not know
(a newer QEMU's) appear in "Other arguments" as generic fields typed from the schema: a
checkbox for a bool (sent when ticked), a line edit for an int (parsed as one) or a str, a
combo of the schema's values for an enum (sent when one is chosen).

The fields scroll; the start bar under them (Start mirror, and a line that says what stops the
start or that the command is ready) stays in view. A field's error shows once the user changed
that field or asked to start, never for what the form filled in itself.
Everything here runs in the GUI thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent, QStandardItemModel
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
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from guimirror.qapi.base import (
    ArgumentError,
    ArgumentSpec,
    Presentation,
    Unit,
    parse_arguments,
)
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import (
    DEFAULT_GRANULARITY_MAX,
    DEFAULT_GRANULARITY_MIN,
    DOCUMENTED_BUF_SIZE,
    MIRROR_ARGUMENTS,
    MIRROR_GROUPS,
    BlockdevMirror,
    BlockdevMirrorWithOthers,
    default_granularity,
)
from guimirror.session.capabilities import ArgumentInfo, ArgumentKind
from guimirror.ui.colours import Meaning, paint
from guimirror.ui.target_path import TargetPath
from guimirror.ui.translated import core_text, error_text, qapi_text
from guimirror.units import (
    SYNTAX_HELP,
    format_duration,
    format_size,
    format_speed,
    parse_size,
    parse_speed,
)

_ERROR_STYLE: Meaning = "error"
_HINT_STYLE: Meaning = "hint"
READY_TEXT = QT_TRANSLATE_NOOP("MirrorForm", "Ready to start")
OTHER_ARGUMENTS = QT_TRANSLATE_NOOP("MirrorForm", "Other arguments")
OTHER_DESCRIPTION = QT_TRANSLATE_NOOP(
    "MirrorForm", "an argument of blockdev-mirror in this engine's schema that guimirror "
    "does not know; sent as given when set, and checked by the engine")
#: The argument kinds "Other arguments" offers a field for.
OTHER_KINDS = frozenset({ArgumentKind.BOOL, ArgumentKind.INT, ArgumentKind.STR,
                         ArgumentKind.ENUM})
JOB_ID_HINT = QT_TRANSLATE_NOOP(
    "MirrorForm", "QEMU's own default job ID is the device name, which a node added with "
    "blockdev-add does not have: give one")


def _tr(text: object) -> str:
    """A text marked with QT_TRANSLATE_NOOP("MirrorForm", ...) in the user's language."""
    return QCoreApplication.translate("MirrorForm", str(text))


@dataclass(frozen=True)
class NodeChoice:
    """What the form needs to know of a node: its name, size, cluster size and users."""

    node_name: str
    virtual_size: int | None
    cluster_size: int | None
    read_only: bool = False
    used_by: str = ""


def other_spec(info: ArgumentInfo) -> ArgumentSpec:
    """A generic form field for an argument guimirror does not model, typed from the schema."""
    return ArgumentSpec(
        name=info.name,
        attribute=f"other_{info.name.replace('-', '_')}",
        description=f"{_tr(OTHER_DESCRIPTION)} ({info.kind.value})",
        required=False,
        default=False if info.kind is ArgumentKind.BOOL else None,
        choices=("", *info.values) if info.kind is ArgumentKind.ENUM else (),
        presentation=Presentation(label=info.name, group=_tr(OTHER_ARGUMENTS),
                                  check_text=QCoreApplication.translate("MirrorForm", "set it")
                                  if info.kind is ArgumentKind.BOOL else ""),
    )


def automatic_granularity_text(target: NodeChoice | None) -> str:
    """The sentence under the granularity field while it is left at automatic."""
    if target is None:
        low, high = format_size(DEFAULT_GRANULARITY_MIN), format_size(DEFAULT_GRANULARITY_MAX)
        return QCoreApplication.translate(
            "MirrorForm", "automatic: the target's cluster size clamped to {0}..{1}, else {1}"
        ).format(low, high)
    value = format_size(default_granularity(target.cluster_size))
    if not target.cluster_size:
        return QCoreApplication.translate(
            "MirrorForm", "automatic: {0}, the target has no cluster size").format(value)
    cluster = format_size(target.cluster_size)
    return QCoreApplication.translate(
        "MirrorForm", "automatic: {0}, from the target's cluster size of {1}").format(
            value, cluster)


def _letters(text: str) -> list[int]:
    """Where the letters of ``text`` are, the first letters of its words first."""
    letters = [i for i, char in enumerate(text) if char.isalpha()]
    initials = [i for i in letters if i == 0 or not text[i - 1].isalpha()]
    return [*initials, *(i for i in letters if i not in initials)]


def mnemonic_labels(texts: list[str], taken: Collection[str]) -> list[str]:
    """Each text with an ``&`` before a letter of its own, none in ``taken``, word initials
    preferred; a text left without one when the letters run out.

    A matching, not first come first served: a later label may move an earlier one to its
    next letter when it has no other.
    """
    owner: dict[str, int] = {}

    def place(index: int, visited: set[str]) -> bool:
        for i in _letters(texts[index]):
            letter = texts[index][i].lower()
            if letter in taken or letter in visited:
                continue
            visited.add(letter)
            if letter not in owner or place(owner[letter], visited):
                owner[letter] = index
                return True
        return False

    for index in range(len(texts)):
        place(index, set())
    chosen = {index: letter for letter, index in owner.items()}
    labels = []
    for index, text in enumerate(texts):
        letter = chosen.get(index)
        at = next((i for i in _letters(text) if text[i].lower() == letter), None)
        labels.append(text if at is None else f"{text[:at]}&{text[at:]}")
    return labels


def transfer_text(size: int, speed: int) -> str:
    """``"512 MiB at 2.9 KiB/s takes about 49 h 42 min"``."""
    return QCoreApplication.translate("MirrorForm", "{0} at {1} takes about {2}").format(
        format_size(size), format_speed(speed), format_duration(size / speed))



NODE_NAME_CHARACTERS = 12
"""A combo box of the form is as wide as this many characters at least, never as its longest
item: a long node-name must not widen the form."""


def narrow_combo() -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(NODE_NAME_CHARACTERS)
    return combo


class CheckText(QLabel):
    """A check box's text that wraps (a QCheckBox's own never does, and a long one would widen
    the form); a click on it toggles the box, as on the box's own text."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self.box = box
        self.setWordWrap(True)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() is Qt.MouseButton.LeftButton and self.box.isEnabled():
            self.box.click()
        super().mouseReleaseEvent(event)


def check_row(box: QCheckBox, text: str) -> QWidget:
    """``box`` with ``text`` beside it in a CheckText."""
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
    line.addWidget(CheckText(text, box), 1)
    return row

class MirrorForm(QWidget):
    """Every blockdev-mirror argument, grouped, with errors under each field and a QMP preview.

    ``set_nodes`` gives the nodes the endpoint has; ``set_job_ids`` the job-ids in use;
    ``set_default_buf_size`` the buf-size the engine applies for 0; ``set_accepted_arguments``
    the arguments the engine accepts (and why the others are absent); ``set_path_target``
    the path-target mode, for endpoints whose target is a file or block device with a format
    (``target_path``) rather than a node. ``start_requested`` carries the validated model when the
    user presses Start. The argument's widget is an attribute named after the model's field
    (``form.speed``, ``form.buf_size``), its hint ``<field>_hint``. The fields are in
    ``scroll_area``; ``start_bar`` (outside it) holds ``start_button`` and the summary.
    """

    start_requested = Signal(object)
    validity_changed = Signal(bool)

    # Set from the model's fields by _add_row; declared for the type checker.
    job_id: QLineEdit
    device: QComboBox
    target: QComboBox
    replaces: QComboBox
    sync: QComboBox
    speed: QLineEdit
    granularity: QLineEdit
    buf_size: QLineEdit
    on_source_error: QComboBox
    on_target_error: QComboBox
    filter_node_name: QLineEdit
    copy_mode: QComboBox
    auto_finalize: QCheckBox
    auto_dismiss: QCheckBox
    device_hint: QLabel
    target_hint: QLabel
    speed_hint: QLabel
    granularity_hint: QLabel
    buf_size_hint: QLabel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs: dict[str, ArgumentSpec] = {spec.name: spec for spec in MIRROR_ARGUMENTS}
        self._nodes: dict[str, NodeChoice] = {}
        self._job_ids: set[str] = set()
        self._job_id_edited = False
        self._model: BlockdevMirror | None = None
        self._default_buf_size: int | None = None
        self._accepted: frozenset[str] | None = None
        self._absent: dict[str, str] = {}
        self._path_formats: tuple[str, ...] | None = None
        self._start_error_context: tuple[str, str, str, frozenset[str]] | None = None
        self.errors: dict[str, str] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        self.hints: dict[str, QLabel] = {}
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self._touched: set[str] = set()
        self.row_labels: dict[str, QLabel] = {}
        self._show_all_errors = False
        self._filling = 0

        self.fields = QWidget()
        self.fields.setObjectName("mirror-fields")
        layout = QVBoxLayout(self.fields)
        for group in MIRROR_GROUPS:
            box = QGroupBox(qapi_text(group))
            rows = QFormLayout(box)
            layout.addWidget(box)
            for spec in MIRROR_ARGUMENTS:
                if spec.presentation.group == group:
                    self._add_row(rows, spec)

        self.others: dict[str, ArgumentInfo] = {}
        """The arguments shown under OTHER_ARGUMENTS (the engine's, unknown to guimirror)."""
        self.other_arguments = QGroupBox(_tr(OTHER_ARGUMENTS))
        self.other_arguments.setObjectName("other-arguments")
        self._other_rows = QFormLayout(self.other_arguments)
        self.other_arguments.setVisible(False)
        layout.addWidget(self.other_arguments)
        labels = list(self.row_labels.values())
        # The translation gives the letters the translated menus and Start mirror take.
        reserved = frozenset(self.tr(
            "fenjvhs", "the mnemonic letters of the window's menus (&File, &Endpoint, &Node, "
            "&Job, &View, &Help) and of &Start mirror"))
        for label, text in zip(labels, mnemonic_labels([label.text() for label in labels],
                                                        reserved), strict=True):
            label.setText(text)

        self.not_accepted = self._label(_HINT_STYLE, "not-accepted")
        layout.insertWidget(0, self.not_accepted)
        self.form_error = self._label(_ERROR_STYLE)
        self.start_reason = self._label(_ERROR_STYLE, "start-reason")
        self.start_ready = self._label(_HINT_STYLE, "start-ready")
        self.start_ready.setText(_tr(READY_TEXT))
        self.start_error = self._label(_ERROR_STYLE, "start-error")
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setObjectName("qmp-preview")
        self.preview.setMaximumHeight(180)
        self.preview.setAccessibleName(self.tr("QMP command"))
        self.preview.setAccessibleDescription(
            self.tr("The blockdev-mirror command Start mirror sends"))
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the QMP command to the clipboard"))
        self.copy_button.clicked.connect(self.copy_preview)
        self.start_button = QPushButton(self.tr("&Start mirror"))
        self.start_button.setObjectName("start-mirror")
        self.start_button.setDefault(True)
        self.start_button.setToolTip(self.tr("Send the blockdev-mirror command (Ctrl+Return)"))
        self.start_button.clicked.connect(self._start)

        layout.addWidget(self.form_error)
        preview_row = QHBoxLayout()
        preview_row.addWidget(QLabel(self.tr("QMP command")))
        preview_row.addStretch(1)
        preview_row.addWidget(self.copy_button)
        layout.addLayout(preview_row)
        layout.addWidget(self.preview)
        layout.addStretch(1)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("mirror-form-scroll")
        self.scroll_area.setWidgetResizable(True)
        # The fields wrap (labels, hints, check texts) rather than widen the form.
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setAccessibleName(self.tr("blockdev-mirror arguments"))
        self.scroll_area.setAccessibleDescription(
            self.tr("Every argument of blockdev-mirror with its documented default"))
        self.scroll_area.setWidget(self.fields)
        self.start_bar = QWidget()
        self.start_bar.setObjectName("start-bar")
        bar = QHBoxLayout(self.start_bar)
        reasons = QVBoxLayout()
        reasons.addWidget(self.start_reason)
        reasons.addWidget(self.start_ready)
        reasons.addWidget(self.start_error)
        bar.addLayout(reasons, 1)
        bar.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignTop)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll_area, 1)
        outer.addWidget(self.start_bar)

        self.target_path = TargetPath()
        self.target_path.setVisible(False)
        target_cell = self._rows["target"][1].layout()
        assert isinstance(target_cell, QVBoxLayout)
        target_cell.insertWidget(1, self.target_path)
        self.target_path.changed.connect(lambda: self._touch("target"))
        self.target_path.changed.connect(self.revalidate)
        self.target_path.changed.connect(lambda: self.show_start_error(""))

        self.job_id.textEdited.connect(self._job_id_typed)
        self.device.currentTextChanged.connect(self._suggest_job_id)
        for combo in (self.device, self.target):
            combo.currentTextChanged.connect(lambda _text: self.show_start_error(""))
        self.revalidate()

    # --- building -------------------------------------------------------------------------

    @staticmethod
    def _label(meaning: Meaning, name: str = "") -> QLabel:
        label = QLabel()
        paint(label, meaning)
        label.setWordWrap(True)
        label.setVisible(False)
        if name:
            label.setObjectName(name)
        return label

    def _widget(self, spec: ArgumentSpec) -> QWidget:
        """The input for one argument, set to its default, wired to ``revalidate``."""
        shown = spec.presentation
        if shown.node:
            combo = narrow_combo()
            combo.setEditable(True)
            combo.setProperty("allow_empty", not spec.required)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.currentTextChanged.connect(lambda _text: self._touch(spec.name))
            combo.currentTextChanged.connect(self.revalidate)
            return combo
        if spec.choices:
            combo = narrow_combo()
            combo.addItems(list(spec.choices))
            combo.setCurrentText(str(spec.default) if spec.default is not None else "")
            combo.currentIndexChanged.connect(lambda _index: self._touch(spec.name))
            combo.currentIndexChanged.connect(self.revalidate)
            return combo
        if isinstance(spec.default, bool):
            box = QCheckBox()
            box.setChecked(spec.default)
            box.toggled.connect(lambda _on: self._touch(spec.name))
            box.toggled.connect(self.revalidate)
            return box
        edit = QLineEdit()
        examples = (self.tr("; e.g. {0}").format(", ".join(shown.suggestions))
                    if shown.suggestions else "")
        if shown.zero_means:
            edit.setPlaceholderText(f"{qapi_text(shown.zero_means)}{examples}")
        edit.textChanged.connect(lambda _text: self._touch(spec.name))
        edit.textChanged.connect(self.revalidate)
        return edit

    def _since_text(self, spec: ArgumentSpec) -> str:
        """``"QEMU 10.1 and later"`` for an argument a newer QEMU added, else empty."""
        since = spec.presentation.since
        return self.tr("QEMU {0} and later").format(since) if since else ""

    def _add_row(self, form: QFormLayout, spec: ArgumentSpec) -> None:
        widget = self._widget(spec)
        tooltip = f"<b>{spec.name}</b>: {qapi_text(spec.description)}"
        if spec.since_text:
            tooltip += f"<br><br>{self._since_text(spec)}"
        if spec.presentation.unit is not None:
            tooltip += f"<br><br>{core_text(SYNTAX_HELP)}"
        widget.setToolTip(tooltip)
        widget.setAccessibleName(qapi_text(spec.label))
        widget.setAccessibleDescription(qapi_text(spec.description))
        widget.setObjectName(spec.name)
        self.inputs[spec.name] = widget
        setattr(self, spec.attribute, widget)
        hint = self._label(_HINT_STYLE, f"{spec.name}-hint")
        self.hints[spec.name] = hint
        setattr(self, f"{spec.attribute}_hint", hint)
        error = self._label(_ERROR_STYLE, f"{spec.name}-error")
        self.error_labels[spec.name] = error
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        if isinstance(widget, QCheckBox):
            column.addWidget(check_row(widget, qapi_text(spec.presentation.check_text)))
        else:
            column.addWidget(widget)
        for part in (hint, error):
            column.addWidget(part)
        label = QLabel(qapi_text(spec.label))
        label.setBuddy(widget)
        form.addRow(label, cell)
        self.row_labels[spec.name] = label
        self._rows[spec.name] = (form, cell)

    # --- inputs from the window -----------------------------------------------------------

    def set_nodes(self, nodes: Iterable[NodeChoice]) -> None:
        """Offer these nodes as device, target and replaces.

        A chosen node that is no longer offered is dropped, never kept as typed text; an
        empty device or target is filled with the first node offered (the target with
        another than the device); an empty ``replaces`` stays empty.
        """
        offered = {node.node_name: node for node in nodes}
        if offered == self._nodes and self.device.count():
            return
        self._filling += 1
        try:
            self._offer_nodes(offered)
        finally:
            self._filling -= 1
        self._clear_stale_start_error()
        self.revalidate()

    def _offer_nodes(self, offered: dict[str, NodeChoice]) -> None:
        self._nodes = offered
        names = sorted(offered)
        for spec in MIRROR_ARGUMENTS:
            if not spec.presentation.node:
                continue
            combo = self.inputs[spec.name]
            assert isinstance(combo, QComboBox)
            current = combo.currentText().strip()
            kept = current if current in offered else ""
            combo.blockSignals(True)
            combo.clear()
            if combo.property("allow_empty"):
                combo.addItem("")
            combo.addItems(names)
            combo.setCurrentIndex(combo.findText(kept) if kept else -1)
            combo.setEditText(kept)
            combo.blockSignals(False)
        if not self.device.currentText() and names:
            self.device.setCurrentText(names[0])
        others = [name for name in names if name != self.device.currentText()]
        if not self.target.currentText() and others:
            self.target.setCurrentText(others[0])
        self._suggest_job_id()

    def set_job_ids(self, job_ids: Iterable[str]) -> None:
        """The job-ids in use on the endpoint; the proposed job-id avoids them."""
        in_use = set(job_ids)
        if in_use == self._job_ids:
            return
        self._job_ids = in_use
        self._suggest_job_id()
        self._clear_stale_start_error()
        self.revalidate()

    def set_default_buf_size(self, value: int | None) -> None:
        """The buf-size the engine applies for 0 (None: not known); the hint shows it."""
        self._default_buf_size = value
        self.revalidate()

    def set_accepted_arguments(
        self, names: Mapping[str, ArgumentInfo] | Collection[str] | None,
        why_absent: Callable[[str], str | None] | None = None,
    ) -> None:
        """Show only the arguments the engine accepts (QMP names; None: all of them).

        Required arguments stay. An argument not accepted is left out of the command: hidden,
        or, where ``why_absent(name)`` says why the engine lacks it, shown disabled with why.
        Given the engine's arguments with their types (``Capabilities.arguments``), those
        guimirror does not know get a generic field under OTHER_ARGUMENTS.
        """
        self._accepted = None if names is None else frozenset(names)
        self._set_others(
            [info for name, info in names.items() if name not in self.specs
             and isinstance(info, ArgumentInfo) and info.kind in OTHER_KINDS]
            if isinstance(names, Mapping) else [])
        self._absent = {}
        for name in self._rows:
            reason = None if self._offered(name) or why_absent is None else why_absent(name)
            if reason:
                self._absent[name] = reason
        for name, (form, cell) in self._rows.items():
            form.setRowVisible(cell, self._offered(name) or name in self._absent)
            cell.setEnabled(name not in self._absent)
            self.row_labels[name].setEnabled(name not in self._absent)
            cell.setToolTip(self.tr("Not offered: {0}").format(self._absent[name])
                            if name in self._absent else "")
        hidden = [name for name in self._rows
                  if not self._offered(name) and name not in self._absent]
        described = [f"{name} ({self._since_text(self.specs[name])})"
                     if self.specs[name].since_text else name for name in hidden]
        self.not_accepted.setText(
            self.tr("Not offered: this engine does not accept {0}.").format(", ".join(described))
            if hidden else "")
        self.not_accepted.setToolTip(
            self.tr("blockdev-mirror's schema on this endpoint has no argument {0}").format(
                ", ".join(hidden)) if hidden else "")
        self.not_accepted.setVisible(bool(hidden))
        self.revalidate()

    def _set_others(self, infos: list[ArgumentInfo]) -> None:
        """Rebuild the OTHER_ARGUMENTS group for these arguments (kept when unchanged)."""
        wanted = {info.name: info for info in infos}
        if wanted == self.others:
            return
        for name in self.others:
            self._other_rows.removeRow(self._rows.pop(name)[1])
            for table in (self.specs, self.inputs, self.hints, self.error_labels,
                          self.row_labels):
                table.pop(name, None)
            self._touched.discard(name)
        self.others = wanted
        for info in infos:
            spec = other_spec(info)
            self.specs[spec.name] = spec
            self._add_row(self._other_rows, spec)
        self.other_arguments.setVisible(bool(wanted))

    def _offered(self, name: str) -> bool:
        return self._accepted is None or self.specs[name].required or name in self._accepted

    def set_absent_values(self, name: str, reasons: Mapping[str, str]) -> None:
        """The choices of argument ``name`` the engine lacks, each disabled with why (the
        others enabled); a chosen one that is absent falls back to the default."""
        combo = self.inputs[name]
        assert isinstance(combo, QComboBox)
        model = combo.model()
        assert isinstance(model, QStandardItemModel)
        for row in range(combo.count()):
            item = model.item(row)
            reason = reasons.get(combo.itemText(row))
            item.setEnabled(reason is None)
            item.setToolTip(self.tr("Not offered: {0}").format(reason) if reason else "")
        if combo.currentText() in reasons:
            combo.setCurrentText(str(self.specs[name].default))

    def set_path_target(self, formats: Sequence[str] | None) -> None:
        """The target is a path (a file or block device) in one of ``formats``, typed or
        browsed for, rather than a node; None: a node again."""
        self._path_formats = None if formats is None else tuple(formats)
        path = self._path_formats is not None
        self.target.setVisible(not path)
        self.target_path.setVisible(path)
        self.row_labels["target"].setBuddy(self.target_path.path if path else self.target)
        self._filling += 1
        try:
            if path:
                self.target_path.set_formats(self._path_formats or ())
            self._suggest_job_id()
        finally:
            self._filling -= 1
        self.revalidate()

    @property
    def path_target(self) -> bool:
        """Whether the target is a path (``set_path_target``)."""
        return self._path_formats is not None

    @property
    def target_format(self) -> str | None:
        """The path target's format; None while the target is a node."""
        return self.target_path.image_format() if self.path_target else None

    def _target_text(self) -> str:
        return self.target_path.text() if self.path_target else self.target.currentText().strip()

    def select(self, device: str | None = None, target: str | None = None) -> None:
        if device is not None:
            self.device.setCurrentText(device)
        if target is not None and self.path_target:
            self.target_path.path.setText(target)
        elif target is not None:
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

    def _value(self, spec: ArgumentSpec) -> tuple[Any, str | None]:
        """The value of one argument's widget (None: left empty), or a parse error."""
        widget = self.inputs[spec.name]
        if spec.name == "target" and self.path_target:
            return (self.target_path.text() or None), None
        if isinstance(widget, QCheckBox):
            return widget.isChecked(), None
        if isinstance(widget, QComboBox):
            text = widget.currentText().strip()
            return (text or None), None
        assert isinstance(widget, QLineEdit)
        text = widget.text().strip()
        if not text:
            return None, None
        other = self.others.get(spec.name)
        if other is not None and other.kind is ArgumentKind.INT:
            try:
                return int(text), None
            except ValueError:
                return None, f"Invalid parameter type for '{spec.name}', expected: integer"
        unit = spec.presentation.unit
        if unit is None:
            return text, None
        parse = parse_speed if unit is Unit.BYTES_PER_SECOND else parse_size
        try:
            return parse(text, spec.name), None
        except ValueError as err:
            return None, error_text(err)

    def _collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Widgets to QMP arguments, defaults left out; plus the errors of unit parsing."""
        raw: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for spec in [*MIRROR_ARGUMENTS, *(self.specs[name] for name in self.others)]:
            if not self._offered(spec.name):
                continue
            value, error = self._value(spec)
            if error is not None:
                errors[spec.name] = error
            elif spec.required:
                raw[spec.name] = "" if value is None else value
            elif value is not None and value != spec.default:
                raw[spec.name] = value
        return raw, errors

    def _graph_errors(self, raw: dict[str, Any]) -> dict[str, str]:
        """The checks that need the endpoint's nodes and jobs (the model's, in QEMU's words)."""
        errors: dict[str, str] = {}
        for name in ("device", "target"):
            if not raw.get(name):
                errors[name] = self.tr("Choose a node for {0}").format(
                    qapi_text(self.specs[name].label).lower())
        node_names: Collection[str] = self._nodes
        if self.path_target:
            path = str(raw.get("target") or "")
            if not path:
                errors["target"] = self.tr("Give the target's path: a file or a block device")
            elif not path.startswith("/"):
                errors["target"] = self.tr("The target is an absolute path, not '{0}'").format(
                    path)
            node_names = {*self._nodes, path}
        names = {spec.name: spec.attribute for spec in MIRROR_ARGUMENTS}
        strings: dict[str, Any] = {
            names[key]: value for key, value in raw.items()
            if isinstance(value, str) and key in names
        }
        draft = BlockdevMirror.model_construct(**strings)
        read_only = [node.node_name for node in self._nodes.values() if node.read_only]
        for err in draft.graph_errors(node_names, read_only=read_only, job_ids=self._job_ids):
            errors.setdefault(err.argument, err.desc)
        return errors

    def revalidate(self) -> None:
        """Re-check everything, show the errors, refresh the preview and Start's state."""
        raw, errors = self._collect()
        model: BlockdevMirror | None = None
        known = {name: value for name, value in raw.items() if name not in self.others}
        others = {name: value for name, value in raw.items() if name in self.others}
        if not errors:
            try:
                model = parse_arguments(BlockdevMirror, known)
                self._check(model)
                if others:
                    model = BlockdevMirrorWithOthers.model_validate(
                        {**model.to_qmp(), **others}, by_alias=True, by_name=False)
            except ArgumentError as err:
                model = None
                errors[err.argument] = err.desc
            except QAPIError as err:
                model = None
                errors[""] = err.desc
        for name, message in self._graph_errors(raw).items():
            errors.setdefault(name, message)
        self._model = model if not errors else None
        self.errors = errors
        for name, label in self.error_labels.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors and self._error_shown(name))
        self.form_error.setText(errors.get("", ""))
        self.form_error.setVisible("" in errors and (self._show_all_errors or bool(self._touched)))
        self._show_start_reason()
        self._update_hints(raw)
        command = {"execute": "blockdev-mirror", "arguments": raw}
        self.preview.setPlainText(json.dumps(command, indent=2))
        valid = self._model is not None
        if self.start_button.isEnabled() != valid:
            self.start_button.setEnabled(valid)
            self.validity_changed.emit(valid)

    def _check(self, model: BlockdevMirror) -> None:
        """The model's graph-free checks; an engine that names jobs itself (no job-id
        argument) has no job-id to check, only the speed after it."""
        try:
            model.check()
        except ArgumentError as err:
            if err.argument != "job-id" or self._offered("job-id"):
                raise
            model.check_speed()

    def _show_start_reason(self) -> None:
        """Why Start is disabled, next to it: the first error in the form's order."""
        reason, shown = "", False
        for name in [*self._rows, ""]:
            if name in self.errors:
                label = qapi_text(self.specs[name].label) if name else self.tr("Command")
                reason = self.tr("Cannot start: {0}: {1}").format(label, self.errors[name])
                shown = self._show_all_errors or (name in self._touched if name
                                                  else bool(self._touched))
                break
        # In red once the user met the error; a quiet line until then.
        paint(self.start_reason, _ERROR_STYLE if shown else _HINT_STYLE)
        self.start_reason.setText(reason)
        self.start_reason.setVisible(bool(reason))
        self.start_ready.setVisible(not reason)

    @property
    def summary(self) -> str:
        """The start bar's line: the first error, or that the command is ready."""
        return self.start_reason.text() or _tr(READY_TEXT)

    def _error_shown(self, name: str) -> bool:
        return self._show_all_errors or name in self._touched

    def _touch(self, name: str) -> None:
        """The user (or the window for them) changed this field: its errors may show."""
        if not self._filling:
            self._touched.add(name)

    def reveal_errors(self) -> None:
        """Start was asked for: show every field's error, changed or not."""
        self._show_all_errors = True
        self.revalidate()

    def _forget_touches(self) -> None:
        self._touched.clear()
        self._show_all_errors = False

    def _set_hint(self, name: str, text: str) -> None:
        self.hints[name].setText(text)
        self.hints[name].setVisible(bool(text))

    def _update_hints(self, raw: dict[str, Any]) -> None:
        source = self._nodes.get(raw.get("device", ""))
        target = self._nodes.get(raw.get("target", ""))
        for name, node in (("device", source), ("target", target)):
            self._set_hint(name, self.tr("used by {0}").format(node.used_by)
                           if node and node.used_by else "")
        self._set_hint("job-id", _tr(JOB_ID_HINT) if "job-id" not in raw and source else "")
        granularity = raw.get("granularity")
        if isinstance(granularity, int) and granularity > 0:
            self._set_hint("granularity",
                           self.tr("{0} per dirty bit").format(format_size(granularity)))
        else:
            self._set_hint("granularity", automatic_granularity_text(target))
        self._set_hint("speed", self._speed_hint(raw.get("speed"), source))
        self._set_hint("buf-size", self._buf_size_hint(raw, target))
        for name, reason in self._absent.items():
            self._set_hint(name, self.tr("Not offered: {0}").format(reason))

    def _speed_hint(self, speed: Any, source: NodeChoice | None) -> str:
        if not isinstance(speed, int) or speed <= 0:
            return qapi_text(self.specs["speed"].presentation.zero_means)
        if source is not None and source.virtual_size:
            text = transfer_text(source.virtual_size, speed)
        else:
            text = format_speed(speed)
        if self.speed.text().strip().isdigit():
            text = self.tr("{0} bytes per second: {1}").format(speed, text)
        return text

    def _buf_size_hint(self, raw: dict[str, Any], target: NodeChoice | None) -> str:
        buf_size = raw.get("buf-size")
        if not isinstance(buf_size, int) or buf_size < 0:
            buf_size = 0
        granularity = raw.get("granularity")
        if not isinstance(granularity, int) or granularity < 0:
            granularity = 0
        cluster = target.cluster_size if target is not None else None
        documented = format_size(DOCUMENTED_BUF_SIZE)
        if buf_size == 0 and self._default_buf_size is None:
            return self.tr("default: the engine's own (documented: {0})").format(documented)
        sizes: dict[str, Any] = {"buf_size": buf_size, "granularity": granularity}
        draft = BlockdevMirror.model_construct(**sizes)
        effective = draft.effective_buf_size(cluster, self._default_buf_size or 0)
        if buf_size == 0:
            text = self.tr("default: {0} in flight on this engine").format(
                format_size(effective))
            if effective != DOCUMENTED_BUF_SIZE:
                text += self.tr(" (documented: {0})").format(documented)
            return text
        if effective != buf_size:
            return self.tr("{0} in flight at most: {1} rounded up to the granularity").format(
                format_size(effective), format_size(buf_size))
        return self.tr("{0} in flight at most").format(format_size(effective))

    # --- stale start errors -------------------------------------------------------------------

    def _start_context(self) -> tuple[str, str, str, frozenset[str]]:
        """What a refusal of Start depended on: the chosen nodes and job-id, the nodes' users
        and the jobs."""
        device, target = self.device.currentText().strip(), self._target_text()
        users: set[str] = set()
        for name in (device, target):
            choice = self._nodes.get(name)
            if choice is not None and choice.used_by:
                users.update(f"{name}: {user}" for user in choice.used_by.split(", "))
        users.update(f"job {job_id}" for job_id in self._job_ids)
        return device, target, self.job_id.text().strip(), frozenset(users)

    def _clear_stale_start_error(self) -> None:
        """Clear a refusal once what it stood on is gone: another node chosen, or a user of
        a chosen node or a job that ended (new users only make a refusal truer)."""
        before = self._start_error_context
        if before is None:
            return
        now = self._start_context()
        if before[:3] != now[:3] or not before[3] <= now[3]:
            self.show_start_error("")

    # --- job-id suggestion -------------------------------------------------------------------

    def _job_id_typed(self, _text: str) -> None:
        self._job_id_edited = True

    def proposed_job_id(self) -> str:
        """``mirror-<device>``, unique among the jobs in use; empty without a device."""
        device = self.device.currentText().strip()
        if not device:
            return ""
        base = f"mirror-{device}" if device[0].isalpha() else f"mirror-{device.lstrip('#')}"
        candidate, number = base, 2
        while candidate in self._job_ids:
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    def _suggest_job_id(self) -> None:
        """Propose a job-id until the user types one of their own; the proposal is the
        placeholder of an emptied field.

        QEMU would name the job after the device name, and a node added with blockdev-add
        has none: omitted, job-id fails with ``Invalid job ID ''``, so the form proposes one.
        """
        proposal = self.proposed_job_id()
        self.job_id.setPlaceholderText(self.tr("e.g. {0}").format(proposal) if proposal else "")
        if "job-id" in self._absent:
            # The engine names the job itself: after the device, which the field shows.
            proposal = self.device.currentText().strip()
            self.job_id.setPlaceholderText(proposal)
            self._job_id_edited = False
        if self._job_id_edited:
            return
        self._filling += 1
        try:
            self.job_id.setText(proposal)
        finally:
            self._filling -= 1

    def reset_job_id(self) -> None:
        """After a start: propose a fresh job-id for the next mirror; the next mirror's
        errors show as its fields are changed."""
        self._job_id_edited = False
        self._forget_touches()
        self._suggest_job_id()
        self.revalidate()

    def show_start_error(self, text: str) -> None:
        """Why the last start was refused (by the checks or the engine); empty clears it.

        The error is cleared too when the chosen nodes' users or the endpoint's jobs change.
        """
        self.start_error.setText(text)
        self.start_error.setVisible(bool(text))
        self._start_error_context = self._start_context() if text else None

    def _start(self) -> None:
        self.show_start_error("")
        self.reveal_errors()
        if self._model is not None:
            self.start_requested.emit(self._model)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._model is not None:
            self._start()
            return
        super().keyPressEvent(event)
