# SPDX-License-Identifier: GPL-2.0-or-later
"""The job rows: one row per block job, with the verbs its status allows and a live speed.

Which buttons are enabled follows QEMU's verb table (``guimirror.qapi.job.check_verb``), so
the GUI never offers what the engine would refuse. A row emits what the user asked for; the
window sends the commands. Where the engine has ``block-job-change`` (QEMU 8.2 and later), a
background mirror offers "Switch to write-blocking" (JobVerb.CHANGE), in its buttons and in the
not-converging hint.

The status holds through short pauses: QEMU pauses the other jobs for a moment while it
changes the block graph (blockdev-add, an export), so a job goes paused and back (standby and
back when ready) within milliseconds. A row shows paused or standby only once it lasted
STATUS_HOLD seconds, unless the user pressed Pause or an I/O error paused it; the events still
reach the event log.
GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.job import JobStatus, JobVerb, check_verb
from guimirror.ui.colours import Colours, paint
from guimirror.ui.progress_strip import ProgressStrip
from guimirror.ui.translated import error_text
from guimirror.units import format_duration, format_size, format_speed, parse_speed

#: Rows redraw their numbers at most this often; a change of status shows at once.
ROW_REFRESH_HZ = 10.0
#: Seconds a job must stay paused or standby before its row shows it.
STATUS_HOLD = 0.5
#: The statuses a graph change passes a job through for a moment.
HELD = frozenset({"paused", "standby"})
SWITCH_TEXT = QT_TRANSLATE_NOOP("JobRow", "Switch to write-blocking")
SWITCH_TIP = QT_TRANSLATE_NOOP(
    "JobRow", "block-job-change copy-mode write-blocking: from now on every write to the "
    "source also reaches the target before it completes, so the mirror converges "
    "whatever the write load (writes become as slow as the target)")
#: Statuses in which a job copies (or follows writes), so a throughput and an ETA mean something.
MOVING = frozenset({"created", "running", "ready"})
#: What a row shows once its job has left query-block-jobs.
OUTCOMES = frozenset({"completed", "cancelled", "failed", "ended"})
#: Button label -> verb; Complete, Finalize and Dismiss show only when the verb is allowed.
BUTTONS = (
    (QT_TRANSLATE_NOOP("JobRow", "Pause"), JobVerb.PAUSE),
    (QT_TRANSLATE_NOOP("JobRow", "Resume"), JobVerb.RESUME),
    (QT_TRANSLATE_NOOP("JobRow", "Complete"), JobVerb.COMPLETE),
    (QT_TRANSLATE_NOOP("JobRow", "Cancel"), JobVerb.CANCEL),
    (QT_TRANSLATE_NOOP("JobRow", "Finalize"), JobVerb.FINALIZE),
    (QT_TRANSLATE_NOOP("JobRow", "Dismiss"), JobVerb.DISMISS),
)


def verb_command(verb: JobVerb) -> str:
    """The QMP command a verb's button sends."""
    return f"job-{verb.value}"


def verb_allowed(status: str, verb: JobVerb) -> bool:
    """Whether QEMU's verb table lets a job in ``status`` take ``verb``."""
    try:
        check_verb("job", JobStatus(status), verb)
    except (QAPIError, ValueError):
        return False
    return True


@dataclass
class JobView:
    """What a row shows of a job: query-block-jobs, the latest sample, what the GUI knows."""

    endpoint: str
    job_id: str
    device: str = ""
    target: str = "?"
    status: str = "created"
    ready: bool = False
    paused: bool = False
    offset: int = 0
    len: int = 0
    speed: int = 0
    io_status: str = "ok"
    error: str = ""
    auto_finalize: bool = True
    auto_dismiss: bool = True
    throughput: float = 0.0
    throughput_avg: float = 0.0
    """The sampler's average of this job instance, up to READY."""
    bursty: bool = False
    instance: int = 0
    eta: float | None = None
    dirty_clusters: float = 0.0
    estimate: bool = False
    hint: str = ""
    outcome: str = ""
    """Once the job has ended: what it did (``guimirror.session.outcomes``)."""
    copy_mode: str = ""
    """background or write-blocking, as sent (empty: not known, a job started elsewhere)."""
    actively_synced: bool | None = None
    """query-block-jobs' actively-synced (QEMU 8.2 and later; None where not reported)."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.endpoint, self.job_id)


class JobRow(QFrame):
    """One job. Signals carry the job's (endpoint, job-id) key."""

    verb_requested = Signal(object, object)  # key, JobVerb
    speed_requested = Signal(object, int)  # key, bytes per second
    selected = Signal(object)
    status_shown = Signal(str)  # the status label's new text

    def __init__(self, view: JobView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.is_selected = False
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"job-{view.job_id}")
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.progress = ProgressStrip(1000)
        self.throughput = QLabel()
        self.eta = QLabel()
        self.dirty = QLabel()
        self.io_status = QLabel()
        self.io_status.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        paint(self.hint, "warning")
        self.hint.setVisible(False)
        self.hint_switch = QPushButton(self.tr(str(SWITCH_TEXT)))
        self.hint_switch.setObjectName("hint-switch-write-blocking")
        self.hint_switch.setToolTip(self.tr(str(SWITCH_TIP)))
        self.hint_switch.setVisible(False)
        self.hint_switch.clicked.connect(
            lambda: self.verb_requested.emit(self.key, JobVerb.CHANGE))
        self.copy_mode = QLabel()
        self.copy_mode.setObjectName("copy-mode")
        self.status_hold = QTimer(self)
        self.status_hold.setSingleShot(True)
        self.status_hold.setInterval(int(STATUS_HOLD * 1000))
        self.status_hold.timeout.connect(lambda: self.update_view(self.view))
        self.shown_status: tuple[str, bool] | None = None
        """The (status, paused) the row shows, which lags a held status by STATUS_HOLD."""
        self._hold_for: tuple[str, bool] | None = None
        self.user_paused = False
        """The user pressed Pause (and not Resume since): the pause shows at once."""
        self.speed = QLineEdit()
        self.speed.setPlaceholderText(self.tr("unlimited"))
        self.speed.setToolTip(self.tr(
            "Speed limit in bytes per second, with units (50M = 50 MiB/s; 0 = unlimited). "
            "Press Enter to apply it now (block-job-set-speed)."
        ))
        self.speed.setMaximumWidth(110)
        self.speed.setAccessibleName(self.tr("Speed limit"))
        self.speed.returnPressed.connect(self._apply_speed)
        self.speed_error = QLabel()
        paint(self.speed_error, "error")
        self.speed_error.setVisible(False)
        self.buttons: dict[JobVerb, QPushButton] = {}
        self.commands: frozenset[str] | None = None
        """The commands the job's endpoint serves (None: not known, every verb offered)."""
        # What an administrator acts on comes first and fits ~450 px: the title and the
        # status, then the progress beside the verbs; the numbers and details follow.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(self.fontMetrics().horizontalAdvance(view.job_id) + 12)
        self.progress.setMinimumWidth(self.fontMetrics().horizontalAdvance("100.0 %") + 16)
        actions = QHBoxLayout()
        actions.addWidget(self.progress, 1)
        for label, verb in BUTTONS:
            button = QPushButton(self.tr(str(label)))
            button.setObjectName(verb.value)
            button.setToolTip(self.tr("{0} this job ({1})").format(self.tr(str(label)),
                                                                   verb_command(verb)))
            button.clicked.connect(lambda _=False, v=verb: self._request(v))
            # Narrower than the style's minimum when the row is narrow, never below the text.
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(button.text()) + 16)
            self.buttons[verb] = button
            actions.addWidget(button)
        self.switch_button = QPushButton(self.tr(str(SWITCH_TEXT)))
        self.switch_button.setObjectName("switch-write-blocking")
        self.switch_button.setToolTip(self.tr(str(SWITCH_TIP)))
        self.switch_button.clicked.connect(
            lambda: self.verb_requested.emit(self.key, JobVerb.CHANGE))
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel(self.tr("Speed limit")))
        speed_row.addWidget(self.speed)
        speed_row.addStretch(1)
        speed_row.addWidget(self.dirty)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.io_status, 1)
        mode_row.addWidget(self.copy_mode)

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.status, 0, 1, alignment=Qt.AlignmentFlag.AlignRight)
        grid.addLayout(actions, 1, 0, 1, 2)
        grid.addWidget(self.throughput, 2, 0)
        grid.addWidget(self.eta, 2, 1, alignment=Qt.AlignmentFlag.AlignRight)
        grid.addLayout(speed_row, 3, 0, 1, 2)
        grid.addLayout(mode_row, 4, 0, 1, 2)
        grid.addWidget(self.switch_button, 7, 0, 1, 2, alignment=Qt.AlignmentFlag.AlignLeft)
        hint_row = QHBoxLayout()
        hint_row.addWidget(self.hint, 1)
        hint_row.addWidget(self.hint_switch, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(hint_row, 5, 0, 1, 2)
        grid.addWidget(self.speed_error, 6, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self._speed_shown: int | None = None
        self.update_view(view)

    @property
    def key(self) -> tuple[str, str]:
        return self.view.key

    def _request(self, verb: JobVerb) -> None:
        if verb in (JobVerb.PAUSE, JobVerb.RESUME):
            self.user_paused = verb is JobVerb.PAUSE
        self.verb_requested.emit(self.key, verb)

    def _set(self, label: QLabel, text: str) -> None:
        """Set a label's text only when it changed (a change costs a relayout)."""
        if label.text() != text:
            label.setText(text)

    def mousePressEvent(self, event: object) -> None:
        self.selected.emit(self.key)
        super().mousePressEvent(event)  # type: ignore[arg-type]

    def set_selected(self, selected: bool) -> None:
        if self.is_selected != selected:
            self.is_selected = selected
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.is_selected:  # a border in the palette's selection colour
            painter = QPainter(self)
            painter.setPen(QPen(QColor(Colours.of(self.palette()).selection), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.update_view(self.view)  # the progress text that fits the new width

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.update_view(self.view)
        super().changeEvent(event)

    @staticmethod
    def state_of(view: JobView) -> tuple[object, ...]:
        """What, when it changes, the row shows at once (numbers alone can wait)."""
        return (view.status, view.paused, view.ready, view.io_status, view.error, view.speed,
                view.hint, view.target, view.auto_finalize, view.auto_dismiss, view.outcome,
                view.copy_mode, view.actively_synced)

    def _status_to_show(self, view: JobView) -> tuple[str, bool]:
        """(status, paused) to show: paused or standby only once it lasted STATUS_HOLD."""
        now = (view.status, view.paused)
        held = (not self.user_paused and view.io_status == "ok" and not view.error
                and (view.status in HELD or (view.paused and view.status in MOVING)))
        if self.shown_status is None or not held or self.shown_status == now:
            self.status_hold.stop()
            self._hold_for = None
            return now
        if self._hold_for is None:  # a pause begins: wait before showing it
            self._hold_for = now
            self.status_hold.start()
        elif not self.status_hold.isActive():  # it lasted
            return now
        self._hold_for = now
        return self.shown_status

    def change_offered(self, view: JobView) -> bool:
        """Whether the row offers Switch to write-blocking: the engine has
        block-job-change, the job is not write-blocking already, QEMU's verb table allows it."""
        return (self.commands is not None and "block-job-change" in self.commands
                and view.copy_mode != "write-blocking" and view.status not in OUTCOMES
                and verb_allowed(view.status, JobVerb.CHANGE))

    def update_view(self, view: JobView) -> None:
        self.view = view
        self.shown_state = self.state_of(view)
        status, paused = self.shown_status = self._status_to_show(view)
        colours = Colours.of(self.palette())
        self._set(self.title, f"<b>{view.job_id}</b>  {view.device} → {view.target}"
                           f"  <span style='color:{colours.muted}'>({view.endpoint})</span>")
        self.title.setToolTip(f"{view.job_id}  {view.device} → {view.target}  ({view.endpoint})")
        colour = colours.of_status(status)
        label = view.outcome or (
            status + (" (ready)" if view.ready and status != "ready" else ""))
        status_text = f"<b style='color:{colour}'>{label}</b>"
        if self.status.text() != status_text:
            self.status.setText(status_text)
            self.status_shown.emit(label)
        fraction = view.offset / view.len if view.len else (1.0 if view.ready else 0.0)
        self.progress.setValue(int(fraction * 1000))
        detail = self.tr("{0:.1f} %  ({1} of {2})").format(
            fraction * 100, format_size(view.offset), format_size(view.len))
        self.progress.setToolTip(detail)
        fits = self.progress.fontMetrics().horizontalAdvance(detail) + 8 <= self.progress.width()
        self.progress.setFormat(detail if fits else f"{fraction * 100:.1f} %")
        moving = status in MOVING and not paused
        now = format_speed(view.throughput) if view.throughput and moving else "0 B/s"
        average = format_speed(view.throughput_avg) if view.throughput_avg else "0 B/s"
        self._set(self.throughput, self.tr("now {0}, average to READY {1}").format(now, average))
        self._set(self.eta, self.eta_text(replace(view, status=status, paused=paused)))
        approx = "≈" if view.estimate else ""
        self._set(self.dirty, self.tr("dirty clusters {0}{1:,.0f}").format(approx,
                                                                     view.dirty_clusters))
        io_text = f"io-status {view.io_status}"
        if view.error:
            io_text += f" — {view.error}"
        self._set(self.io_status, io_text)
        paint(self.io_status, None if view.io_status == "ok" and not view.error else "error")
        self._set(self.hint, view.hint)
        if self.hint.isHidden() == bool(view.hint):
            self.hint.setVisible(bool(view.hint))
        mode = f"copy-mode {view.copy_mode}" if view.copy_mode else ""
        if view.actively_synced is not None:
            mode += (", " if mode else "") + (
                f"actively-synced {'yes' if view.actively_synced else 'no'}")
        self._set(self.copy_mode, mode)
        switch = self.change_offered(view)
        if self.switch_button.isHidden() == switch:
            self.switch_button.setVisible(switch)
        if self.hint_switch.isHidden() == (switch and bool(view.hint)):
            self.hint_switch.setVisible(switch and bool(view.hint))
        for verb, button in self.buttons.items():
            allowed = verb_allowed(status, verb)
            if verb is JobVerb.PAUSE:
                allowed = allowed and not paused
            elif verb is JobVerb.RESUME:
                allowed = allowed and paused
            if button.isEnabled() != allowed:
                button.setEnabled(allowed)
            offered = self.commands is None or verb_command(verb) in self.commands
            if verb in (JobVerb.FINALIZE, JobVerb.DISMISS):
                offered = offered and not (view.auto_finalize if verb is JobVerb.FINALIZE
                                           else view.auto_dismiss)
            if button.isHidden() == offered:
                button.setVisible(offered)
        self.speed.setEnabled(verb_allowed(view.status, JobVerb.SET_SPEED))
        if self._speed_shown != view.speed and not self.speed.hasFocus():
            self._speed_shown = view.speed
            self.speed.setText(format_speed(view.speed) if view.speed else "")

    @staticmethod
    def eta_text(view: JobView) -> str:
        """"in sync" once ready; no ETA while paused or after the job ended."""
        if view.status not in MOVING or view.paused:
            return (QCoreApplication.translate("JobRow", "no ETA")
                    if view.status not in OUTCOMES else "")
        if view.ready:
            return QCoreApplication.translate("JobRow", "in sync")
        return QCoreApplication.translate("JobRow", "ETA {0}").format(format_duration(view.eta))

    def _apply_speed(self) -> None:
        try:
            speed = parse_speed(self.speed.text())
        except ValueError as err:
            self.speed_error.setText(error_text(err))
            self.speed_error.setVisible(True)
            return
        self.speed_error.setVisible(False)
        self._speed_shown = None
        self.speed_requested.emit(self.key, speed)


class JobPanel(QWidget):
    """The rows of all jobs on all endpoints; the selected row's plots are shown elsewhere."""

    verb_requested = Signal(object, object)
    speed_requested = Signal(object, int)
    selection_changed = Signal(object)  # key or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[tuple[str, str], JobRow] = {}
        self.commands: dict[str, frozenset[str] | None] = {}
        self.selected: tuple[str, str] | None = None
        self._pending: dict[tuple[str, str], JobView] = {}
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(int(1000 / ROW_REFRESH_HZ))
        self._flush_timer.timeout.connect(self.flush)
        self._inner = QWidget()
        self._list = QVBoxLayout(self._inner)
        self._list.setContentsMargins(0, 0, 0, 0)
        self._empty = QLabel(
            self.tr("No jobs. Choose a source and a target and press Start mirror."))
        paint(self._empty, "muted")
        self._list.addWidget(self._empty)
        self._list.addStretch(1)
        scroll = QScrollArea()
        scroll.setAccessibleName(self.tr("Jobs"))
        scroll.setAccessibleDescription(self.tr(
            "One row per block job: its progress, throughput and the verbs it takes now"))
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._inner)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setMinimumWidth(470)

    def set_commands(self, endpoint: str, commands: frozenset[str] | None) -> None:
        """The commands ``endpoint`` serves: its rows offer only the verbs it has."""
        self.commands[endpoint] = commands
        for key, row in self.rows.items():
            if key[0] == endpoint:
                row.commands = commands
                row.update_view(row.view)

    def update_job(self, view: JobView) -> JobRow:
        row = self.rows.get(view.key)
        if row is None:
            row = JobRow(view)
            row.commands = self.commands.get(view.endpoint)
            row.update_view(view)
            row.verb_requested.connect(self.verb_requested)
            row.speed_requested.connect(self.speed_requested)
            row.selected.connect(self.select)
            self.rows[view.key] = row
            self._list.insertWidget(self._list.count() - 1, row)
            self._empty.setVisible(False)
            if self.selected is None:
                self.select(view.key)
        elif JobRow.state_of(view) != row.shown_state:
            self._pending.pop(view.key, None)
            row.update_view(view)
        else:
            self._pending[view.key] = view
            if not self._flush_timer.isActive():
                self._flush_timer.start()
        return row

    def refresh_all(self) -> None:
        """Redraw every row in full (e.g. the display units changed)."""
        self.flush()
        for row in self.rows.values():
            row._speed_shown = None
            row.update_view(row.view)

    def flush(self) -> None:
        """Show the numbers that changed since the last refresh (at most ROW_REFRESH_HZ)."""
        pending, self._pending = self._pending, {}
        for key, view in pending.items():
            row = self.rows.get(key)
            if row is not None:
                row.update_view(view)

    def remove_job(self, key: tuple[str, str]) -> None:
        row = self.rows.pop(key, None)
        if row is None:
            return
        self._list.removeWidget(row)
        row.deleteLater()
        self._empty.setVisible(not self.rows)
        if self.selected == key:
            self.select(next(iter(self.rows), None))

    def select(self, key: tuple[str, str] | None) -> None:
        self.selected = key
        for row_key, row in self.rows.items():
            row.set_selected(row_key == key)
        self.selection_changed.emit(key)
