# SPDX-License-Identifier: GPL-2.0-or-later
"""The main window: endpoints, nodes, the mirror form, jobs with live plots, the event log.

Everything runs in the GUI thread on the one qasync loop. User actions start asyncio tasks
(``tasks.spawn``); a task's GuimirrorError shows in the status bar and the log, never as a
crash. Data takes one road: form -> BlockdevMirror -> EndpointLink (QMP) -> engine, and back
through events and the sampler to the rows and plots.

The window builds the widgets, actions and menus, then composes the parts that do the work,
each given what it uses, and wires their signals: ``tasks`` (spawn and report),
``endpoints`` (the links and the sidebar), ``nodes`` (node actions, the example workspace),
``mirror_start`` (the pre-start checks and blockdev-mirror), ``jobs`` (rows, plots, verbs),
``preferences`` (the settings dialogs) and ``quit`` (the quit flow). No part knows the
window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from importlib import resources
from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from guimirror.qapi.job import JobVerb
from guimirror.runtime import freeze_long_lived_objects, shorten_gil_waits
from guimirror.session.uri import EndpointURI
from guimirror.ui.endpoint_link import EndpointLink
from guimirror.ui.endpoint_links import EndpointLinks
from guimirror.ui.event_log import EventLog
from guimirror.ui.job_panel import JobPanel, verb_command
from guimirror.ui.jobs_controller import JobsController
from guimirror.ui.mirror_form import MirrorForm
from guimirror.ui.mirror_start import MirrorStart
from guimirror.ui.node_actions import NodeActions, node_commands_refusal
from guimirror.ui.node_table import NodeTableModel
from guimirror.ui.notifications import DesktopNotifier, JobNotifications, progress_title
from guimirror.ui.plots import JobPlots
from guimirror.ui.preferences import Preferences
from guimirror.ui.quit_flow import QuitFlow
from guimirror.ui.remote_mirror import RemoteMirrors
from guimirror.ui.settings import AppSettings
from guimirror.ui.tasks import TaskRunner
from guimirror.ui.write_load_panel import WriteLoadPanel
from guimirror.units import DisplayUnits, format_size

APP_ID = "io.github.guimirror.GuiMirror"


def icon_path() -> str | None:
    """The SVG icon shipped as package data (guimirror/resources/guimirror.svg), if present."""
    icon = resources.files("guimirror") / "resources" / "guimirror.svg"
    return str(icon) if icon.is_file() else None


def app_icon() -> QIcon:
    """The package's icon, else the installed one (the icon theme, by application id)."""
    path = icon_path()
    return QIcon(path) if path else QIcon.fromTheme(APP_ID)


#: The height each plot keeps, so a curve reads even on a 1024x768 screen.
PLOT_MINIMUM_HEIGHT = 150
#: What the two plots take besides their own height: the time axis, the note, the margins.
PLOT_MARGINS = 48

class MainWindow(QMainWindow):
    """The application's one window. ``start()`` connects the built-in engine."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.setWindowTitle("guimirror")
        self.setWindowIcon(app_icon())
        self.tasks = TaskRunner()
        DisplayUnits.set(self.settings.units if self.settings.units == "decimal" else "binary")
        self._build_widgets()
        self._build_parts()
        self._build_actions()
        self._wire()
        self._restore()

    # --- layout ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.endpoint_list = QListWidget()
        self.endpoint_list.setObjectName("endpoints")
        self.endpoint_list.setAccessibleName(self.tr("Endpoints"))
        self.endpoint_list.setAccessibleDescription(
            self.tr("The storage engines guimirror is attached to; the selected one's nodes "
                    "are listed"))
        add_endpoint = QToolButton()
        add_endpoint.setText("+")
        add_endpoint.setToolTip(self.tr("Add an endpoint"))
        add_endpoint.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_endpoint_button = add_endpoint
        remove_endpoint = QPushButton(self.tr("Remove"))
        remove_endpoint.setAccessibleName(self.tr("Remove endpoint"))
        remove_endpoint.setToolTip(self.tr("Detach the selected endpoint"))
        self.remove_endpoint_button = remove_endpoint
        endpoint_buttons = QHBoxLayout()
        endpoint_buttons.addWidget(add_endpoint)
        endpoint_buttons.addWidget(remove_endpoint)
        endpoint_buttons.addStretch(1)
        sidebar = QWidget()
        sidebar_layout = QVBoxLayout(sidebar)
        sidebar_layout.addWidget(self.endpoint_list)
        sidebar_layout.addLayout(endpoint_buttons)
        sidebar.setMinimumWidth(170)
        sidebar.setMaximumWidth(240)
        self.endpoint_dock = self._dock("Endpoints", self.tr("Endpoints"), sidebar,
                                        Qt.DockWidgetArea.LeftDockWidgetArea)

        self.node_model = NodeTableModel()
        self.node_view = QTableView()
        self.node_view.setObjectName("nodes")
        self.node_view.setAccessibleName(self.tr("Block nodes"))
        self.node_view.setAccessibleDescription(
            self.tr("The named block nodes of the selected endpoint (query-named-block-nodes)"))
        self.node_view.setModel(self.node_model)
        self.node_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.node_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.node_view.verticalHeader().setVisible(False)
        self.node_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.node_view.horizontalHeader().setStretchLastSection(True)
        self.node_details = QPlainTextEdit()
        self.node_details.setReadOnly(True)
        self.node_details.setAccessibleName(self.tr("Node details"))
        self.node_details.setAccessibleDescription(
            self.tr("The selected node's child chain and its raw JSON"))
        self.node_details.setPlaceholderText(self.tr("Select a node: its child chain and raw JSON"))
        nodes_split = QSplitter(Qt.Orientation.Horizontal)
        nodes_split.addWidget(self.node_view)
        nodes_split.addWidget(self.node_details)
        nodes_split.setStretchFactor(0, 3)
        nodes_split.setStretchFactor(1, 1)

        self.job_panel = JobPanel()
        self.plots = JobPlots()
        self.plots.set_window(self.settings.plot_window or None)
        self.show_all_jobs = QPushButton(self.tr("All jobs"))
        self.show_all_jobs.setCheckable(True)
        self.show_all_jobs.setToolTip(self.tr("Plot every job, not only the selected one"))
        self.follow_button = QPushButton(self.tr("Follow"))
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip(self.tr("Keep the newest samples in view (panning or "
                                              "zooming turns this off)"))
        self.follow_button.toggled.connect(self.plots.set_follow)
        self.plots.follow_changed.connect(self.follow_button.setChecked)
        export_png = QPushButton(self.tr("Export PNG…"))
        export_png.setToolTip(self.tr("Save the plots as a PNG image"))
        export_csv = QPushButton(self.tr("Export CSV…"))
        export_csv.setToolTip(self.tr("Save the plotted samples as CSV"))
        self.export_png_button, self.export_csv_button = export_png, export_csv
        plot_bar = QHBoxLayout()
        plot_bar.addWidget(QLabel(self.tr("Plots:")))
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
        jobs_split.setObjectName("jobs-split")
        self.jobs_split = jobs_split
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
        self.form.setMinimumWidth(360)
        self.form_dock = self._dock(
            "blockdev-mirror", "blockdev-mirror", self.form, Qt.DockWidgetArea.RightDockWidgetArea
        )

        self.event_log = EventLog()
        self.write_load = WriteLoadPanel(lambda: self.endpoints.current_link())
        bottom = QTabWidget()
        bottom.addTab(self.event_log, self.tr("Event log"))
        bottom.addTab(self.write_load, self.tr("Write load"))
        self.bottom_tabs = bottom
        self.log_dock = self._dock("Log and drills", self.tr("Log and drills"), bottom,
                                   Qt.DockWidgetArea.BottomDockWidgetArea)

        self.status_endpoint = QLabel()
        self.status_jobs = QLabel()
        self.statusBar().addPermanentWidget(self.status_endpoint)
        self.statusBar().addPermanentWidget(self.status_jobs)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self.update_status)
        self.resize(1400, 900)
        self.resizeDocks([self.log_dock], [170], Qt.Orientation.Vertical)
        self.resizeDocks([self.endpoint_dock], [190], Qt.Orientation.Horizontal)

    def _build_parts(self) -> None:
        """The parts that do the work, each given the widgets and parts it uses."""
        tasks = self.tasks
        self.endpoints = EndpointLinks(
            self.settings, self.endpoint_list, tasks, self.write_load,
            running_jobs=lambda name: self.jobs.running_on(name),
        )
        self.jobs = JobsController(self.endpoints, self.job_panel, self.plots,
                                   self.show_all_jobs, tasks)
        self.nodes = NodeActions(
            self.endpoints, self.node_model, self.node_view, self.node_details, self.form,
            self.write_load, self.jobs.active_on, self.settings, tasks,
        )
        self.mirror_start = MirrorStart(self.endpoints, self.form, self.form_dock, self.jobs,
                                        self.nodes.node_users, tasks)
        self.remote_mirrors = RemoteMirrors(self.endpoints, self.jobs, tasks, lambda: self)
        self.preferences = Preferences(self.settings, self.endpoints, self)
        self.notifications = JobNotifications(self.jobs, DesktopNotifier(icon=app_icon()),
                                              self.settings, tasks)
        self.quit = QuitFlow(self, self.endpoints, self.write_load, self.jobs.active_jobs,
                             self.save_layout, tasks)

    def _wire(self) -> None:
        """The parts' signals to the widgets and to each other."""
        spawn, endpoints, jobs, nodes = self.tasks.spawn, self.endpoints, self.jobs, self.nodes
        self.tasks.reported.connect(self._show_report)
        endpoints.link_added.connect(self._link_added)
        endpoints.link_removed.connect(jobs.forget_endpoint)
        endpoints.current_changed.connect(nodes.nodes_changed)
        endpoints.current_changed.connect(lambda _name: self.update_status())
        endpoints.current_changed.connect(lambda _name: self.update_node_actions())
        endpoints.current_state_changed.connect(self.update_node_actions)
        endpoints.current_state_changed.connect(self.update_status)
        # Opened, the current endpoint tells its version and capabilities to the form.
        endpoints.current_state_changed.connect(
            lambda: nodes.nodes_changed(endpoints.current or ""))
        self.remove_endpoint_button.clicked.connect(lambda: spawn(
            endpoints.remove_endpoint(endpoints.current or ""), self.tr("remove endpoint")
        ))
        jobs.job_ended.connect(lambda _endpoint: nodes.refresh_users())
        jobs.changed.connect(self.update_status)
        jobs.changed.connect(nodes.jobs_changed)
        self.job_panel.verb_requested.connect(
            lambda key, verb: spawn(jobs.job_verb(key, verb.value), f"{verb.value}")
        )
        self.job_panel.speed_requested.connect(
            lambda key, speed: spawn(jobs.set_speed(key, speed), self.tr("set speed"))
        )
        self.job_panel.selection_changed.connect(jobs.job_selected)
        self.show_all_jobs.toggled.connect(lambda _on: jobs.job_selected(self.job_panel.selected))
        self.export_png_button.clicked.connect(jobs.export_png)
        self.export_csv_button.clicked.connect(jobs.export_csv)
        self.form.start_requested.connect(
            lambda model: spawn(self.mirror_start.start_mirror(model), self.tr("start mirror"))
        )
        self.write_load.failed.connect(
            lambda text: self.tasks.report(self.tr("write load: {0}").format(text)))
        self.write_load.started.connect(lambda *_: nodes.refresh_users())
        self.write_load.stopped.connect(lambda *_: nodes.refresh_users())
        self.preferences.units_changed.connect(self._units_changed)
        self.preferences.plot_window_changed.connect(
            lambda seconds: self.plots.set_window(seconds or None)
        )
        self._status_timer.start()

    def _link_added(self, link: EndpointLink) -> None:
        name, jobs = link.name, self.jobs
        link.logged.connect(self.event_log.add)
        link.nodes_changed.connect(lambda _nodes: self.nodes.nodes_changed(name))
        link.jobs_changed.connect(lambda jobs_: jobs.jobs_changed(name, jobs_))
        link.sample.connect(lambda sample: jobs.sample(name, sample))
        link.event_received.connect(lambda event: jobs.event_received(name, event))
        link.state_changed.connect(lambda _state: self.job_panel.set_commands(
            name, link.capabilities.commands if link.capabilities is not None else None))

    def _units_changed(self, family: str) -> None:
        self.decimal_action.setChecked(family == "decimal")
        self.plots.units_changed()
        self.job_panel.refresh_all()
        self.node_model.refresh_all()
        self.form.revalidate()

    def _dock(self, name: str, title: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        """A dock titled ``title``; its object name (saved layouts) is ``name``, untranslated."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
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
            self.tr("&Add node…"), self.nodes.open_add_node, "Ctrl+N",
            self.tr("Add a block node (blockdev-add)"),
        )
        self.remove_node_action = self._action(
            self.tr("&Remove node"),
            lambda: self.tasks.spawn(self.nodes.remove_node(), self.tr("remove node")),
            QKeySequence.StandardKey.Delete, self.tr("Remove the selected node (blockdev-del)"),
        )
        self.mirror_action = self._action(
            self.tr("New &mirror"), self.mirror_start.focus_form, "Ctrl+M",
            self.tr("Fill in the blockdev-mirror form"),
        )
        self.refresh_action = self._action(
            self.tr("Re&fresh"),
            lambda: self.tasks.spawn(self.nodes.refresh_current(), self.tr("refresh")), "F5"
        )
        self.spawn_daemon_action = self._action(
            self.tr("Start a qemu-storage-&daemon"),
            lambda: self.tasks.spawn(self.endpoints.add_daemon(), self.tr("start daemon")),
            "Ctrl+Shift+D", self.tr("Start a qemu-storage-daemon and open it as an endpoint"),
        )
        self.attach_action = self._action(
            self.tr("&Attach to an endpoint…"), self.endpoints.ask_attach, "Ctrl+Shift+A",
            self.tr("Attach by URI: a QMP socket (unix:PATH, tcp:HOST:PORT), a new "
                    "qemu-storage-daemon (qsd:) or a libvirtd's VMs (qemu:///system)"),
        )
        self.passthrough_action = self._action(
            self.tr("Enable QMP &pass-through (taints the domain)…"),
            lambda: self.tasks.spawn(self.nodes.enable_passthrough(), "QMP pass-through"),
            tip=self.tr("Let guimirror query the selected disk's QEMU through libvirt (dirty "
                        "clusters, node names); libvirt marks the domain tainted"),
        )
        self.root_daemon_action = self._action(
            self.tr("Start the &root daemon (asks for authentication)…"),
            lambda: self.tasks.spawn(self.nodes.start_root_daemon(), self.tr("root daemon")),
            tip=self.tr("Start guimirror-daemon as root through polkit, for block devices"),
        )
        self.remote_mirror_action = self._action(
            self.tr("Mirror to another &host…"), self.remote_mirrors.open_dialog,
            tip=self.tr("Mirror a node to a node on another endpoint over NBD"),
        )
        self.example_action = self._action(
            self.tr("Create the &example workspace"),
            lambda: self.tasks.spawn(self.nodes.open_example_workspace(),
                                     self.tr("example workspace")),
        )
        self.export_png_action = self._action(self.tr("Export plots as &PNG…"),
                                              self.jobs.export_png)
        self.export_csv_action = self._action(self.tr("Export samples as &CSV…"),
                                              self.jobs.export_csv)
        self.quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.about_action = self._action(self.tr("&About guimirror"), self.preferences.show_about)
        self.rate_action = self._action(self.tr("&Sampling rate…"), self.preferences.ask_rate)
        self.window_action = self._action(self.tr("Plot &time span…"),
                                          self.preferences.ask_plot_window)
        self.decimal_action = self._action(
            self.tr("&Decimal units (MB/s)"),
            lambda on: self.preferences.set_units("decimal" if on else "binary"),
        )
        self.decimal_action.setCheckable(True)
        self.decimal_action.setChecked(self.settings.units == "decimal")
        self.notifications_action = self._action(
            self.tr("Desktop &notifications"), self.preferences.set_notifications,
            tip=self.tr("Notify when a job is ready, ends, or stops on an error"),
        )
        self.notifications_action.setCheckable(True)
        self.notifications_action.setChecked(self.settings.notifications)
        self.add_endpoint_button.addActions([self.spawn_daemon_action, self.attach_action])
        self.start_mirror_action = self._action(
            self.tr("&Start mirror"), self.start_mirror, "Ctrl+Return",
            self.tr("Start the mirror the blockdev-mirror form describes"),
        )
        self.verb_actions = {
            verb: self._action(text, lambda _on=False, v=verb: self.selected_job_verb(v),
                               shortcut,
                               self.tr("{0} the selected job").format(text.replace("&", "")))
            for text, verb, shortcut in (
                (self.tr("&Pause"), JobVerb.PAUSE, "Ctrl+Shift+P"),
                (self.tr("&Resume"), JobVerb.RESUME, "Ctrl+Shift+R"),
                (self.tr("&Complete"), JobVerb.COMPLETE, "Ctrl+Shift+C"),
                (self.tr("C&ancel"), JobVerb.CANCEL, "Ctrl+Shift+X"),
            )
        }
        self.shortcuts_action = self._action(self.tr("&Keyboard shortcuts"), self.show_shortcuts)

        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("toolbar")
        for action in (self.add_node_action, self.remove_node_action, self.mirror_action,
                       self.refresh_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.spawn_daemon_action)
        toolbar.addAction(self.attach_action)

        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&File"))
        file_menu.addAction(self.example_action)
        file_menu.addAction(self.export_png_action)
        file_menu.addAction(self.export_csv_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        endpoint_menu = menu.addMenu(self.tr("&Endpoint"))
        endpoint_menu.addAction(self.spawn_daemon_action)
        endpoint_menu.addAction(self.attach_action)
        endpoint_menu.addAction(self.root_daemon_action)
        endpoint_menu.addAction(self.refresh_action)
        endpoint_menu.addAction(self.rate_action)
        node_menu = menu.addMenu(self.tr("&Node"))
        node_menu.addAction(self.add_node_action)
        node_menu.addAction(self.remove_node_action)
        node_menu.addAction(self.mirror_action)
        node_menu.addSeparator()
        node_menu.addAction(self.passthrough_action)
        job_menu = menu.addMenu(self.tr("&Job"))
        job_menu.addAction(self.start_mirror_action)
        job_menu.addAction(self.remote_mirror_action)
        job_menu.addSeparator()
        job_menu.addActions(list(self.verb_actions.values()))
        view_menu = menu.addMenu(self.tr("&View"))
        view_menu.addAction(self.window_action)
        view_menu.addAction(self.decimal_action)
        view_menu.addAction(self.notifications_action)
        for dock, text in ((self.endpoint_dock, self.tr("&Endpoints")),
                           (self.form_dock, self.tr("blockdev-&mirror form")),
                           (self.log_dock, self.tr("&Log and drills"))):
            dock.toggleViewAction().setText(text)
            view_menu.addAction(dock.toggleViewAction())
        help_menu = menu.addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _restore(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        self.fit_screen()

    def _orient_jobs(self, orientation: Qt.Orientation) -> None:
        """The job rows beside the plots or above them, with the window's size hints
        worked out again for it."""
        self.jobs_split.setOrientation(orientation)
        self.jobs_split.updateGeometry()
        centre, layout = self.centralWidget(), self.layout()
        if centre is not None and layout is not None:
            centre.updateGeometry()
            layout.invalidate()
            layout.activate()

    def _make_room_for_plots(self, height: int) -> None:
        """Keep PLOT_MINIMUM_HEIGHT for each plot, or as much of it as a window ``height``
        pixels high leaves, whatever the splitters give the node table and the job rows."""
        self.plots.setMinimumHeight(0)
        self._orient_jobs(self.jobs_split.orientation())
        spare = max(height - self.minimumSizeHint().height(), 0)
        own = self.plots.minimumSizeHint().height()
        self.plots.setMinimumHeight(min(own + spare, 2 * PLOT_MINIMUM_HEIGHT + PLOT_MARGINS))
        self._orient_jobs(self.jobs_split.orientation())

    def fit_screen(self, available: QRect | None = None) -> None:
        """Fit the window in ``available`` (default: its screen's available geometry), with
        the form's dock shown.

        On a screen narrower than the side-by-side layout needs, the job rows go above the
        plots instead of beside them; a floating form dock off the screen docks again.
        """
        if available is None:
            screen = self.screen() or QGuiApplication.primaryScreen()
            if screen is None:
                return
            available = screen.availableGeometry()
        self._orient_jobs(Qt.Orientation.Horizontal)
        if self.minimumSizeHint().width() > available.width():
            self._orient_jobs(Qt.Orientation.Vertical)
        self._make_room_for_plots(available.height())
        width = min(self.width(), available.width())
        height = min(self.height(), available.height())
        self.resize(width, height)
        left = min(max(self.x(), available.left()), available.right() + 1 - width)
        top = min(max(self.y(), available.top()), available.bottom() + 1 - height)
        self.move(max(left, available.left()), max(top, available.top()))
        dock = self.form_dock
        if dock.isFloating() and not available.intersects(dock.geometry()):
            dock.setFloating(False)
        dock.show()

    # --- starting, tasks and reporting ------------------------------------------------------

    async def start(self, restore_endpoints: bool = True, builtin: bool = True,
                    uris: Sequence[EndpointURI] = ()) -> None:
        """Connect the built-in engine, the saved endpoints and ``uris`` (caller's task)."""
        freeze_long_lived_objects()
        shorten_gil_waits()
        await self.endpoints.start(restore_endpoints, builtin, uris)

    # --- keyboard -----------------------------------------------------------------------------

    def start_mirror(self) -> None:
        """What the form's Start mirror button does; the reason when it cannot start."""
        if self.form.start_button.isEnabled():
            self.form.start_button.click()
        else:
            self.form.reveal_errors()
            reasons = list(self.form.errors.values())
            self.tasks.report(self.tr("start mirror: {0}").format(
                reasons[0] if reasons else self.tr("the form is not complete")))

    def selected_job_verb(self, verb: JobVerb) -> None:
        """What the selected job's button for ``verb`` does, if the job offers it now."""
        key = self.job_panel.selected
        row = self.job_panel.rows.get(key) if key is not None else None
        button = row.buttons.get(verb) if row is not None else None
        if button is None:
            self.tasks.report(self.tr("{0}: select a job first").format(verb.value))
        elif button.isHidden():
            self.tasks.report(self.tr("{0}: {1} does not serve {2}").format(
                verb.value, key[0] if key else "", verb_command(verb)))
        elif not button.isEnabled():
            self.tasks.report(self.tr("{0}: job {1} is {2}").format(
                verb.value, row.view.job_id if row else "", row.view.status if row else ""))
        else:
            button.click()

    def shortcut_actions(self) -> list[QAction]:
        """The window's actions that have a keyboard shortcut, in menu order."""
        seen: list[QAction] = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            for action in menu.actions() if isinstance(menu, QMenu) else ():
                if not action.shortcut().isEmpty() and action not in seen:
                    seen.append(action)
        return seen

    def show_shortcuts(self) -> QDialog:
        """Help → Keyboard shortcuts: every action that has one (non-blocking dialog)."""
        dialog = QDialog(self)
        dialog.setObjectName("shortcuts")
        dialog.setWindowTitle(self.tr("Keyboard shortcuts"))
        actions = self.shortcut_actions()
        table = QTableWidget(len(actions), 2, dialog)
        table.setObjectName("shortcut-table")
        table.setAccessibleName(self.tr("Keyboard shortcuts"))
        table.setAccessibleDescription(self.tr("Every action that has a shortcut, and its keys"))
        table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Shortcut")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, action in enumerate(actions):
            text = action.text().replace("&", "").removesuffix("…")
            table.setItem(row, 0, QTableWidgetItem(text))
            table.setItem(row, 1, QTableWidgetItem(
                action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip(
            self.tr("Close the list of shortcuts"))
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        layout.addWidget(buttons)
        dialog.resize(420, 420)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _show_report(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        self.event_log.add(time.time(), "guimirror", "notice", text)

    def save_layout(self) -> None:
        """Remember the window's geometry and its docks."""
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()

    def update_status(self) -> None:
        """The status bar's endpoint and jobs summary; the title's progress."""
        self.setWindowTitle(progress_title(self.jobs))
        link = self.endpoints.current_link()
        if link is None:
            self.status_endpoint.setText(self.tr("no endpoint"))
        else:
            version = f" {link.version}" if link.version else ""
            self.status_endpoint.setText(
                self.tr("{0}: {1}{2}, {3}, {4} nodes, sampling {5} Hz").format(
                    link.name, link.kind.value, version, link.state, len(link.nodes),
                    f"{link.rate:g}")
            )
        active = self.jobs.active_jobs()
        total = sum(view.throughput for view in map(self.jobs.job, active) if view is not None)
        self.status_jobs.setText(
            (self.tr("1 job active") if len(active) == 1
             else self.tr("{0} jobs active").format(len(active)))
            + (self.tr(", {0}/s").format(format_size(total)) if active else "")
        )

    def update_node_actions(self) -> None:
        """Add and Remove node where the current endpoint has them, else disabled with
        why; QMP pass-through only on a libvirt endpoint."""
        link = self.endpoints.current_link()
        refusal = node_commands_refusal(link)
        for action, tip in ((self.add_node_action, "Add a block node (blockdev-add)"),
                            (self.remove_node_action,
                             "Remove the selected node (blockdev-del)")):
            action.setEnabled(not refusal)
            text = f"{tip}: not on {link.name}: {refusal}" if refusal and link else tip
            action.setStatusTip(text)
            action.setToolTip(text)
        libvirt = link is not None and link.libvirt and link.connected
        self.passthrough_action.setEnabled(libvirt)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.quit.close_event(event)
