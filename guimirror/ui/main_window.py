"""The main window: endpoints, nodes, the mirror form, jobs with live plots, the event log.

Everything runs in the GUI thread on the one qasync loop. User actions start asyncio tasks
(``spawn``); a task's QAPIError shows in the status bar and the log, never as a crash. Data
takes one road: form -> BlockdevMirror -> EndpointLink (QMP) -> engine, and back through
events and the sampler to the rows and plots.

The window builds the widgets, actions and menus and wires them to the parts that do the
work: ``endpoints`` (the sidebar), ``nodes`` (node actions, the example workspace),
``mirror_start`` (the pre-start checks and blockdev-mirror), ``jobs`` (rows, plots, verbs),
``preferences`` (the settings dialogs) and ``quit`` (the quit flow).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from qemu.qmp import QMPError

from guimirror.qapi.errors import QAPIError
from guimirror.runtime import freeze_long_lived_objects, shorten_gil_waits
from guimirror.ui.endpoints import Endpoints
from guimirror.ui.event_log import EventLog
from guimirror.ui.job_panel import JobPanel
from guimirror.ui.jobs_controller import JobsController
from guimirror.ui.mirror_form import MirrorForm
from guimirror.ui.mirror_start import MirrorStart
from guimirror.ui.node_actions import NodeActions
from guimirror.ui.node_table import NodeTableModel
from guimirror.ui.plots import JobPlots
from guimirror.ui.preferences import Preferences
from guimirror.ui.quit_flow import QuitFlow
from guimirror.ui.settings import AppSettings
from guimirror.ui.units import DisplayUnits, format_size
from guimirror.ui.write_load_panel import WriteLoadPanel

log = logging.getLogger(__name__)

APP_ID = "io.github.guimirror.GuiMirror"


def icon_path() -> str | None:
    """The SVG icon of a source checkout (resources/guimirror.svg), if there is one."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(here, "resources", "guimirror.svg")
    return path if os.path.exists(path) else None


def app_icon() -> QIcon:
    """The checkout's icon, else the installed one (the icon theme, by application id)."""
    path = icon_path()
    return QIcon(path) if path else QIcon.fromTheme(APP_ID)


class MainWindow(QMainWindow):
    """The application's one window. ``start()`` connects the built-in engine."""

    busy_changed = Signal()
    job_event = Signal(str, str, dict)  # endpoint, event name, data

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.setWindowTitle("guimirror")
        self.setWindowIcon(app_icon())
        self.tasks: set[asyncio.Task[Any]] = set()
        self.last_error = ""
        self.endpoints = Endpoints(self)
        self.nodes = NodeActions(self)
        self.mirror_start = MirrorStart(self)
        self.jobs = JobsController(self)
        self.preferences = Preferences(self)
        self.quit = QuitFlow(self)

        DisplayUnits.set(self.settings.units if self.settings.units == "decimal" else "binary")
        self._build_widgets()
        self._build_actions()
        self._restore()

    # --- layout ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.endpoint_list = QListWidget()
        self.endpoint_list.setObjectName("endpoints")
        self.endpoint_list.currentItemChanged.connect(self.endpoints.endpoint_selected)
        add_endpoint = QToolButton()
        add_endpoint.setText("+")
        add_endpoint.setToolTip("Add an endpoint")
        add_endpoint.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_endpoint_button = add_endpoint
        remove_endpoint = QPushButton("Remove")
        remove_endpoint.clicked.connect(lambda: self.spawn(
            self.endpoints.remove_endpoint(self.endpoints.current or ""), "remove endpoint"
        ))
        endpoint_buttons = QHBoxLayout()
        endpoint_buttons.addWidget(add_endpoint)
        endpoint_buttons.addWidget(remove_endpoint)
        endpoint_buttons.addStretch(1)
        sidebar = QWidget()
        sidebar_layout = QVBoxLayout(sidebar)
        sidebar_layout.addWidget(self.endpoint_list)
        sidebar_layout.addLayout(endpoint_buttons)
        sidebar.setMaximumWidth(240)
        self.endpoint_dock = self._dock("Endpoints", sidebar, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.node_model = NodeTableModel()
        self.node_view = QTableView()
        self.node_view.setObjectName("nodes")
        self.node_view.setModel(self.node_model)
        self.node_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.node_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.node_view.verticalHeader().setVisible(False)
        self.node_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.node_view.horizontalHeader().setStretchLastSection(True)
        self.node_view.selectionModel().selectionChanged.connect(self.nodes.node_selected)
        self.node_details = QPlainTextEdit()
        self.node_details.setReadOnly(True)
        self.node_details.setPlaceholderText("Select a node: its child chain and raw JSON")
        nodes_split = QSplitter(Qt.Orientation.Horizontal)
        nodes_split.addWidget(self.node_view)
        nodes_split.addWidget(self.node_details)
        nodes_split.setStretchFactor(0, 3)
        nodes_split.setStretchFactor(1, 1)

        self.job_panel = JobPanel()
        self.job_panel.verb_requested.connect(
            lambda key, verb: self.spawn(self.jobs.job_verb(key, verb.value), f"{verb.value}")
        )
        self.job_panel.speed_requested.connect(
            lambda key, speed: self.spawn(self.jobs.set_speed(key, speed), "set speed")
        )
        self.job_panel.selection_changed.connect(self.jobs.job_selected)
        self.plots = JobPlots()
        self.plots.set_window(self.settings.plot_window or None)
        self.show_all_jobs = QPushButton("All jobs")
        self.show_all_jobs.setCheckable(True)
        self.show_all_jobs.toggled.connect(
            lambda _on: self.jobs.job_selected(self.job_panel.selected)
        )
        self.follow_button = QPushButton("Follow")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip("Keep the newest samples in view (panning or zooming "
                                      "turns this off)")
        self.follow_button.toggled.connect(self.plots.set_follow)
        self.plots.follow_changed.connect(self.follow_button.setChecked)
        export_png = QPushButton("Export PNG…")
        export_png.clicked.connect(self.jobs.export_png)
        export_csv = QPushButton("Export CSV…")
        export_csv.clicked.connect(self.jobs.export_csv)
        plot_bar = QHBoxLayout()
        plot_bar.addWidget(QLabel("Plots:"))
        plot_bar.addWidget(self.show_all_jobs)
        plot_bar.addWidget(self.follow_button)
        plot_bar.addStretch(1)
        plot_bar.addWidget(export_png)
        plot_bar.addWidget(export_csv)
        plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.addLayout(plot_bar)
        plot_layout.addWidget(self.plots)
        jobs_split = QSplitter(Qt.Orientation.Horizontal)
        jobs_split.addWidget(self.job_panel)
        jobs_split.addWidget(plot_box)
        jobs_split.setStretchFactor(0, 1)
        jobs_split.setStretchFactor(1, 1)

        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(nodes_split)
        centre.addWidget(jobs_split)
        centre.setStretchFactor(0, 1)
        centre.setStretchFactor(1, 2)
        centre.setSizes([230, 520])
        jobs_split.setSizes([480, 520])
        self.setCentralWidget(centre)

        self.form = MirrorForm()
        self.form.start_requested.connect(
            lambda model: self.spawn(self.mirror_start.start_mirror(model), "start mirror")
        )
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setWidget(self.form)
        form_scroll.setMinimumWidth(400)
        self.form_dock = self._dock(
            "blockdev-mirror", form_scroll, Qt.DockWidgetArea.RightDockWidgetArea
        )

        self.event_log = EventLog()
        self.write_load = WriteLoadPanel(self.endpoints.current_link)
        self.write_load.failed.connect(lambda text: self.report(f"write load: {text}"))
        self.write_load.started.connect(lambda *_: self.nodes.refresh_users())
        self.write_load.stopped.connect(lambda *_: self.nodes.refresh_users())
        bottom = QTabWidget()
        bottom.addTab(self.event_log, "Event log")
        bottom.addTab(self.write_load, "Write load")
        self.bottom_tabs = bottom
        self.log_dock = self._dock("Log and drills", bottom, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.status_endpoint = QLabel()
        self.status_jobs = QLabel()
        self.statusBar().addPermanentWidget(self.status_endpoint)
        self.statusBar().addPermanentWidget(self.status_jobs)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self.update_status)
        self._status_timer.start()
        self.resize(1400, 900)
        self.resizeDocks([self.log_dock], [170], Qt.Orientation.Vertical)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.add_node_action = self._action(
            "&Add node…", self.nodes.open_add_node, "Ctrl+N", "Add a block node (blockdev-add)"
        )
        self.remove_node_action = self._action(
            "&Remove node", lambda: self.spawn(self.nodes.remove_node(), "remove node"),
            QKeySequence.StandardKey.Delete, "Remove the selected node (blockdev-del)",
        )
        self.mirror_action = self._action(
            "New &mirror", self.mirror_start.focus_form, "Ctrl+M",
            "Fill in the blockdev-mirror form",
        )
        self.refresh_action = self._action(
            "Re&fresh", lambda: self.spawn(self.nodes.refresh_current(), "refresh"), "F5"
        )
        self.spawn_daemon_action = self._action(
            "Start a qemu-storage-daemon",
            lambda: self.spawn(self.endpoints.add_daemon(), "start daemon"),
            "Ctrl+Shift+D",
        )
        self.attach_action = self._action(
            "Attach to a QMP socket…", self.endpoints.ask_attach, "Ctrl+Shift+A"
        )
        self.example_action = self._action(
            "Create the &example workspace",
            lambda: self.spawn(self.nodes.open_example_workspace(), "example workspace"),
        )
        self.export_png_action = self._action("Export plots as PNG…", self.jobs.export_png)
        self.export_csv_action = self._action("Export samples as CSV…", self.jobs.export_csv)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.about_action = self._action("&About guimirror", self.preferences.show_about)
        self.rate_action = self._action("Sampling rate…", self.preferences.ask_rate)
        self.window_action = self._action("Plot window…", self.preferences.ask_plot_window)
        self.decimal_action = self._action("Decimal units (MB/s)", self.preferences.toggle_units)
        self.decimal_action.setCheckable(True)
        self.decimal_action.setChecked(self.settings.units == "decimal")
        self.add_endpoint_button.addActions([self.spawn_daemon_action, self.attach_action])

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("toolbar")
        for action in (self.add_node_action, self.remove_node_action, self.mirror_action,
                       self.refresh_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.spawn_daemon_action)
        toolbar.addAction(self.attach_action)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.example_action)
        file_menu.addAction(self.export_png_action)
        file_menu.addAction(self.export_csv_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        endpoint_menu = menu.addMenu("&Endpoint")
        endpoint_menu.addAction(self.spawn_daemon_action)
        endpoint_menu.addAction(self.attach_action)
        endpoint_menu.addAction(self.refresh_action)
        endpoint_menu.addAction(self.rate_action)
        node_menu = menu.addMenu("&Node")
        node_menu.addAction(self.add_node_action)
        node_menu.addAction(self.remove_node_action)
        node_menu.addAction(self.mirror_action)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.window_action)
        view_menu.addAction(self.decimal_action)
        for dock in (self.endpoint_dock, self.form_dock, self.log_dock):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _restore(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # --- starting, tasks and reporting ------------------------------------------------------

    async def start(self, restore_endpoints: bool = True, builtin: bool = True) -> None:
        """Connect the built-in engine and the saved endpoints (caller's task)."""
        freeze_long_lived_objects()
        shorten_gil_waits()
        await self.endpoints.start(restore_endpoints, builtin)

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        """Run ``coro`` as a task of the window; its failure is reported, never raised."""
        task = asyncio.get_running_loop().create_task(self._guard(coro, what))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _guard(self, coro: Coroutine[Any, Any, Any], what: str) -> Any:
        try:
            return await coro
        except QAPIError as err:
            self.report(f"{what}: {err.desc}")
        except QMPError as err:  # e.g. the connection went away under a command
            self.report(f"{what}: {err}")
        except (OSError, RuntimeError, ValueError) as err:
            log.exception("%s failed", what)
            self.report(f"{what}: {err}")
        return None

    def report(self, text: str) -> None:
        self.last_error = text
        self.statusBar().showMessage(text, 15000)
        self.event_log.add(time.time(), "guimirror", "notice", text)

    def update_status(self) -> None:
        """The status bar's endpoint and jobs summary."""
        link = self.endpoints.current_link()
        if link is None:
            self.status_endpoint.setText("no endpoint")
        else:
            version = f" {link.version}" if link.version else ""
            self.status_endpoint.setText(
                f"{link.name}: {link.kind.value}{version}, {link.state}, "
                f"{len(link.nodes)} nodes, sampling {link.rate:g} Hz"
            )
        active = self.jobs.active_jobs()
        job_views = self.jobs.job_views
        total = sum(view.throughput for key, view in job_views.items() if key in active)
        self.status_jobs.setText(
            f"{len(active)} job{'s' if len(active) != 1 else ''} active"
            + (f", {format_size(total)}/s" if active else "")
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.quit.close_event(event)
