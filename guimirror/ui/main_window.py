"""The main window: endpoints, nodes, the mirror form, jobs with live plots, the event log.

Everything runs in the GUI thread on the one qasync loop. User actions start asyncio tasks
(``spawn``); a task's QAPIError shows in the status bar and the log, never as a crash. Data
takes one road: form -> BlockdevMirror -> EndpointLink (QMP) -> engine, and back through
events and the sampler to the rows and plots.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QItemSelection, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
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

import guimirror
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.ui import target_checks
from guimirror.ui.add_node_dialog import AddNodeDialog, AddNodeRequest, create_raw_image
from guimirror.ui.ask import ask
from guimirror.ui.block_devices import list_block_devices, mounted_device_refusal
from guimirror.ui.convergence import HINT, ConvergenceWatch
from guimirror.ui.endpoint_link import EndpointKind, EndpointLink
from guimirror.ui.event_log import EventLog
from guimirror.ui.example_workspace import create_example_workspace
from guimirror.ui.job_panel import JobPanel, JobView
from guimirror.ui.mirror_form import MirrorForm
from guimirror.ui.node_table import NodeRow, NodeTableModel
from guimirror.ui.plots import JobPlots
from guimirror.ui.settings import AppSettings, SavedEndpoint
from guimirror.ui.units import DisplayUnits, format_size
from guimirror.ui.write_load_panel import WriteLoadPanel

log = logging.getLogger(__name__)

BUILTIN = "built-in"
ACTIVE = {"created", "running", "paused", "ready", "standby", "waiting", "pending", "aborting"}
#: What a row shows once its job has left query-block-jobs.
OUTCOMES = {"completed", "cancelled", "failed", "ended"}
JobKey = tuple[str, str]


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
        self.links: dict[str, EndpointLink] = {}
        self.current: str | None = None
        self.job_meta: dict[JobKey, dict[str, Any]] = {}
        self.job_views: dict[JobKey, JobView] = {}
        self.watches: dict[JobKey, ConvergenceWatch] = {}
        #: Seconds of growing dirty clusters before the not-converging hint shows.
        self.convergence_window = 10.0
        self.tasks: set[asyncio.Task[Any]] = set()
        self.last_error = ""
        #: Where new images and the example workspace go; empty: the user's data directory.
        self.data_dir = ""
        self._quitting = False
        self._closed_ok = False
        self.closed = asyncio.Event()

        DisplayUnits.set(self.settings.units if self.settings.units == "decimal" else "binary")
        self._build_widgets()
        self._build_actions()
        self._restore()

    # --- layout ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.endpoint_list = QListWidget()
        self.endpoint_list.setObjectName("endpoints")
        self.endpoint_list.currentItemChanged.connect(self._endpoint_selected)
        add_endpoint = QToolButton()
        add_endpoint.setText("+")
        add_endpoint.setToolTip("Add an endpoint")
        add_endpoint.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_endpoint_button = add_endpoint
        remove_endpoint = QPushButton("Remove")
        remove_endpoint.clicked.connect(
            lambda: self.spawn(self.remove_endpoint(self.current or ""), "remove endpoint")
        )
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
        self.node_view.selectionModel().selectionChanged.connect(self._node_selected)
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
            lambda key, verb: self.spawn(self.job_verb(key, verb.value), f"{verb.value}")
        )
        self.job_panel.speed_requested.connect(
            lambda key, speed: self.spawn(self.set_speed(key, speed), "set speed")
        )
        self.job_panel.selection_changed.connect(self._job_selected)
        self.plots = JobPlots()
        self.plots.set_window(self.settings.plot_window or None)
        self.show_all_jobs = QPushButton("All jobs")
        self.show_all_jobs.setCheckable(True)
        self.show_all_jobs.toggled.connect(lambda _on: self._job_selected(self.job_panel.selected))
        self.follow_button = QPushButton("Follow")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip("Keep the newest samples in view (panning or zooming "
                                      "turns this off)")
        self.follow_button.toggled.connect(self.plots.set_follow)
        self.plots.follow_changed.connect(self.follow_button.setChecked)
        export_png = QPushButton("Export PNG…")
        export_png.clicked.connect(self._export_png)
        export_csv = QPushButton("Export CSV…")
        export_csv.clicked.connect(self._export_csv)
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
            lambda model: self.spawn(self.start_mirror(model), "start mirror")
        )
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setWidget(self.form)
        form_scroll.setMinimumWidth(400)
        self.form_dock = self._dock(
            "blockdev-mirror", form_scroll, Qt.DockWidgetArea.RightDockWidgetArea
        )

        self.event_log = EventLog()
        self.write_load = WriteLoadPanel(self.current_link)
        self.write_load.failed.connect(lambda text: self.report(f"write load: {text}"))
        self.write_load.started.connect(lambda *_: self._refresh_users())
        self.write_load.stopped.connect(lambda *_: self._refresh_users())
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
        self._status_timer.timeout.connect(self._update_status)
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
            "&Add node…", self.open_add_node, "Ctrl+N", "Add a block node (blockdev-add)"
        )
        self.remove_node_action = self._action(
            "&Remove node", lambda: self.spawn(self.remove_node(), "remove node"),
            QKeySequence.StandardKey.Delete, "Remove the selected node (blockdev-del)",
        )
        self.mirror_action = self._action(
            "New &mirror", self._focus_form, "Ctrl+M", "Fill in the blockdev-mirror form"
        )
        self.refresh_action = self._action(
            "Re&fresh", lambda: self.spawn(self._refresh_current(), "refresh"), "F5"
        )
        self.spawn_daemon_action = self._action(
            "Start a qemu-storage-daemon", lambda: self.spawn(self.add_daemon(), "start daemon"),
            "Ctrl+Shift+D",
        )
        self.attach_action = self._action(
            "Attach to a QMP socket…", self._ask_attach, "Ctrl+Shift+A"
        )
        self.example_action = self._action(
            "Create the &example workspace",
            lambda: self.spawn(self.open_example_workspace(), "example workspace"),
        )
        self.export_png_action = self._action("Export plots as PNG…", self._export_png)
        self.export_csv_action = self._action("Export samples as CSV…", self._export_csv)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.about_action = self._action("&About guimirror", self.show_about)
        self.rate_action = self._action("Sampling rate…", self._ask_rate)
        self.window_action = self._action("Plot window…", self._ask_plot_window)
        self.decimal_action = self._action("Decimal units (MB/s)", self._toggle_units)
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

    # --- tasks and reporting ----------------------------------------------------------------

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

    # --- endpoints ---------------------------------------------------------------------------

    def current_link(self) -> EndpointLink | None:
        return self.links.get(self.current or "")

    async def start(self, restore_endpoints: bool = True, builtin: bool = True) -> None:
        """Connect the built-in engine and the saved endpoints (caller's task)."""
        if builtin:
            await self.add_endpoint(EndpointLink(BUILTIN, EndpointKind.BUILTIN,
                                                 rate=self.settings.sampling_rate))
        if restore_endpoints:
            for saved in self.settings.endpoints:
                kind = EndpointKind(saved.kind)
                name = self._unique_name(saved.name)
                link = EndpointLink(name, kind, saved.address or None,
                                    rate=self.settings.sampling_rate)
                self.spawn(self.add_endpoint(link), f"endpoint {name}")

    def _unique_name(self, base: str) -> str:
        name, number = base, 2
        while name in self.links:
            name, number = f"{base}-{number}", number + 1
        return name

    async def add_endpoint(self, link: EndpointLink) -> EndpointLink:
        self.links[link.name] = link
        item = QListWidgetItem(link.name)
        item.setData(Qt.ItemDataRole.UserRole, link.name)
        self.endpoint_list.addItem(item)
        link.logged.connect(self.event_log.add)
        link.state_changed.connect(lambda _s, name=link.name: self._show_endpoint(name))
        link.nodes_changed.connect(lambda nodes, name=link.name: self._nodes_changed(name))
        link.jobs_changed.connect(lambda jobs, name=link.name: self._jobs_changed(name, jobs))
        link.sample.connect(lambda job_id, s, name=link.name: self._sample(name, job_id, s))
        link.event_received.connect(lambda event, name=link.name: self._event(name, event))
        self._show_endpoint(link.name)
        if self.current is None:
            self.endpoint_list.setCurrentItem(item)
        try:
            await link.start()
        except Exception:
            self._show_endpoint(link.name)
            raise
        self._show_endpoint(link.name)
        self._save_endpoints()
        return link

    async def add_daemon(self) -> EndpointLink:
        link = EndpointLink(self._unique_name("qsd"), EndpointKind.DAEMON,
                            rate=self.settings.sampling_rate)
        return await self.add_endpoint(link)

    async def attach_socket(self, address: str) -> EndpointLink:
        host_port: str | tuple[str, int] = address
        if not address.startswith("/") and ":" in address:
            host, port = address.rsplit(":", 1)
            host_port = (host, int(port))
        link = EndpointLink(self._unique_name(os.path.basename(address) or "socket"),
                            EndpointKind.SOCKET, host_port, rate=self.settings.sampling_rate)
        return await self.add_endpoint(link)

    def _ask_attach(self) -> None:
        text, ok = QInputDialog.getText(
            self, "Attach to a QMP socket", "Unix socket path, or host:port on loopback:"
        )
        if ok and text.strip():
            self.spawn(self.attach_socket(text.strip()), "attach")

    async def remove_endpoint(self, name: str) -> None:
        link = self.links.get(name)
        if link is None:
            return
        if link.kind is EndpointKind.BUILTIN:
            self.report("the built-in engine stays; it ends with the application")
            return
        if self.write_load.running is not None and self.write_load.running.link is link:
            await self.write_load.stop_load()
        await link.close()
        self.write_load.servers.forget(name)
        del self.links[name]
        for row in range(self.endpoint_list.count()):
            item = self.endpoint_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.endpoint_list.takeItem(row)
                break
        for key in [key for key in self.job_views if key[0] == name]:
            self.job_panel.remove_job(key)
            del self.job_views[key]
        self._save_endpoints()

    def _save_endpoints(self) -> None:
        self.settings.endpoints = [
            SavedEndpoint(link.kind.value, link.name,
                          link.address if isinstance(link.address, str) else
                          (f"{link.address[0]}:{link.address[1]}" if link.address else ""))
            for link in self.links.values()
            if link.kind is EndpointKind.SOCKET
        ] + [
            SavedEndpoint(link.kind.value, link.name)
            for link in self.links.values()
            if link.kind is EndpointKind.DAEMON
        ]
        self.settings.sync()

    def _show_endpoint(self, name: str) -> None:
        link = self.links.get(name)
        if link is None:
            return
        for row in range(self.endpoint_list.count()):
            item = self.endpoint_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                kind = "" if name == link.kind.value else f"\n  {link.kind.value}"
                text = f"{name}{kind}\n  {link.state}"
                if link.version:
                    text += f" · {link.version.split(' ')[0]}"
                item.setText(text)
                item.setToolTip(link.error or (link.stderr or str(link.address or "")))
        if name == self.current:
            self._update_status()

    def _endpoint_selected(self, item: QListWidgetItem | None, _old: Any = None) -> None:
        self.current = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        self._nodes_changed(self.current or "")
        self._update_status()

    # --- nodes --------------------------------------------------------------------------------

    def node_users(self, endpoint: str) -> dict[str, list[str]]:
        """node-name -> what uses it: jobs (as source or target) and the write load's export."""
        users: dict[str, list[str]] = {}
        for key, view in self.job_views.items():
            if key[0] != endpoint or view.status not in ACTIVE:
                continue
            users.setdefault(view.device, []).append(f"job {key[1]} (source)")
            users.setdefault(view.target, []).append(f"job {key[1]} (target)")
        link = self.links.get(endpoint)
        exports = [(str(e.get("node-name")), str(e.get("id")))
                   for e in (link.exports if link else [])]
        running = self.write_load.running
        if running is not None and running.link.name == endpoint:
            exports.append((running.node, running.export_id))
        for node, export_id in dict.fromkeys(exports):
            users.setdefault(node, []).append(f"export {export_id}")
        return users

    def _nodes_changed(self, endpoint: str) -> None:
        if endpoint != self.current:
            return
        link = self.links.get(endpoint)
        nodes = link.nodes if link is not None else []
        self.node_model.set_nodes(nodes, self.node_users(endpoint))
        named = [row for row in self.node_model.rows if not row.node_name.startswith("#")]
        self.form.set_nodes(row.choice() for row in named)
        self.form.set_job_ids(key[1] for key, view in self.job_views.items()
                              if key[0] == endpoint and view.status in ACTIVE)
        self.write_load.set_nodes([row.node_name for row in named])
        self._node_selected()

    def _refresh_users(self) -> None:
        self._nodes_changed(self.current or "")

    def selected_node(self) -> NodeRow | None:
        rows = self.node_view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.node_model.row(rows[0].row())

    def _node_selected(self, *_args: QItemSelection) -> None:
        row = self.selected_node()
        text = "" if row is None else row.details(self.node_model.by_name())
        if text != self.node_details.toPlainText():
            self.node_details.setPlainText(text)

    async def _refresh_current(self) -> None:
        link = self.current_link()
        if link is not None:
            await link.refresh()

    def open_add_node(self) -> AddNodeDialog | None:
        """Open the add-node dialog (window-modal, non-blocking); returns it."""
        link = self.current_link()
        if link is None or not link.connected:
            self.report("add node: choose a connected endpoint first")
            return None
        formats = ("raw",) if link.kind is EndpointKind.BUILTIN else ("raw", "qcow2")
        existing = {row.node_name: row.virtual_size for row in self.node_model.rows}
        dialog = AddNodeDialog(existing, formats, self._data_dir(), self)
        dialog.setObjectName("add-node")
        dialog.accepted.connect(
            lambda: self.spawn(self.add_node(dialog.request), "add node")
            if dialog.request is not None else None
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    async def add_node(self, request: AddNodeRequest, link: EndpointLink | None = None) -> None:
        """Create the image if asked (worker thread), then blockdev-add."""
        link = link or self.current_link()
        if link is None:
            raise QAPIError("no endpoint is selected")
        if request.create is not None:
            driver = request.options.get("driver", "raw")
            if driver == "qcow2":
                await self._qemu_img_create(request.create.path, request.create.size)
            else:
                await asyncio.to_thread(create_raw_image, request.create)
        await link.execute("blockdev-add", request.options)
        await link.refresh()

    @staticmethod
    async def _qemu_img_create(path: str, size: int) -> None:
        process = await asyncio.create_subprocess_exec(
            "qemu-img", "create", "-q", "-f", "qcow2", path, str(size),
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        if process.returncode:
            raise OSError(f"qemu-img create failed: {stderr.decode(errors='replace').strip()}")

    async def remove_node(self, node_name: str | None = None) -> None:
        link = self.current_link()
        row = self.selected_node()
        name = node_name or (row.node_name if row else "")
        if link is None or not name:
            self.report("remove node: select a node first")
            return
        await link.execute("blockdev-del", {"node-name": name})
        await link.refresh()

    # --- the example workspace ------------------------------------------------------------

    def _data_dir(self) -> str:
        if self.data_dir:
            return self.data_dir
        location = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation
        )
        return location or os.path.expanduser("~/.local/share/guimirror")

    async def offer_example_workspace(self) -> None:
        """On first start: offer the two example images (asks once)."""
        if self.settings.example_offered:
            return
        self.settings.example_offered = True
        answer = await ask(
            self, "Welcome to guimirror",
            "Create an example workspace to try a mirror right away?",
            [("Create example", "accept"), ("Not now", "reject")],
            informative="Two 64 MiB raw images in your data directory: a source holding "
            "data and an empty target of the same size, added to the built-in engine.",
        )
        if answer == "Create example":
            await self.open_example_workspace()

    async def open_example_workspace(self) -> None:
        link = self.links.get(BUILTIN)
        if link is None:
            raise QAPIError("the built-in engine is not running")
        workspace = await asyncio.to_thread(create_example_workspace, self._data_dir())
        present = {str(node.get("node-name")) for node in link.nodes}
        for options in workspace.blockdev_add_options():
            if options["node-name"] not in present:
                await link.execute("blockdev-add", options)
        await link.refresh()
        names = [str(o["node-name"]) for o in workspace.blockdev_add_options()]
        self.form.select(names[0], names[1])
        self.report(f"example workspace in {workspace.directory}: mirror "
                    f"{names[0]} to {names[1]} with Start mirror")

    # --- mirrors and jobs -----------------------------------------------------------------------

    def _focus_form(self) -> None:
        self.form_dock.show()
        self.form_dock.raise_()
        self.form.device.setFocus()

    async def check_start(self, model: BlockdevMirror, link: EndpointLink) -> bool:
        """Size mismatch, mounted or busy target, data on the target: ask or refuse."""
        nodes = {str(n.get("node-name")): NodeRow(dict(n)) for n in link.nodes}
        source, target = nodes.get(model.device), nodes.get(model.target)
        mount_refusal = None
        data = None
        local = target_checks.local_path_of(target.raw) if target is not None else None
        if local is not None:
            if local.startswith("/dev/"):
                devices = await list_block_devices()
                mount_refusal = mounted_device_refusal(local, devices)
            try:
                data = await asyncio.to_thread(target_checks.allocated_bytes, local)
            except OSError:
                data = None
        verdict = target_checks.judge_start(
            device=model.device,
            target=model.target,
            source_size=source.virtual_size if source else None,
            target_size=target.virtual_size if target else None,
            target_users=self.node_users(link.name).get(model.target, []),
            target_mount_refusal=mount_refusal,
            target_data=data,
        )
        if not verdict.allowed:
            text = "\n".join(verdict.refusals)
            self.form.show_start_error(text)
            self.report(f"mirror refused: {text}")
            return False
        for warning in verdict.warnings:
            answer = await ask(self, "Size mismatch", warning,
                               [("Start anyway", "accept"), ("Cancel", "reject")],
                               QMessageBox.Icon.Warning)
            if answer != "Start anyway":
                return False
        if verdict.confirmation:
            answer = await ask(self, "The target holds data", verdict.confirmation,
                               [("Overwrite target", "destructive"), ("Cancel", "reject")],
                               QMessageBox.Icon.Warning)
            if answer != "Overwrite target":
                return False
        return True

    async def start_mirror(self, model: BlockdevMirror, confirm: bool = True) -> bool:
        """The checks, then blockdev-mirror on the current endpoint (caller's task)."""
        link = self.current_link()
        if link is None:
            raise QAPIError("no endpoint is selected")
        if confirm and not await self.check_start(model, link):
            return False
        job_id = model.job_id or model.device
        key = (link.name, job_id)
        if key in self.job_views:  # an earlier job with this id has ended: a fresh row
            self.job_panel.remove_job(key)
            del self.job_views[key]
        # Before the command: its events (even a failure at once) may come before its reply.
        self.job_meta[key] = {
            "device": model.device, "target": model.target,
            "auto-finalize": model.auto_finalize, "auto-dismiss": model.auto_dismiss,
            "error": "", "outcome": "",
        }
        self.watches[key] = ConvergenceWatch(self.convergence_window)
        self.plots.series.pop(self._plot_key(key), None)
        try:
            await link.mirror(model)
        except QAPIError as err:
            self.job_meta.pop(key, None)
            self.form.show_start_error(err.desc)
            raise
        self.plots.set_speed_limit(self._plot_key(key), model.speed)
        self.form.reset_job_id()
        if key not in self.job_views:
            self.job_panel.update_job(self._view(key, {"device": job_id, "status": "created",
                                                        "speed": model.speed}))
        self.job_panel.select(key)
        self.form.set_job_ids(k[1] for k, v in self.job_views.items()
                              if k[0] == link.name and v.status in ACTIVE)
        await link.refresh()
        return True

    def _plot_key(self, key: JobKey) -> str:
        return key[1] if key[0] == BUILTIN else f"{key[1]} ({key[0]})"

    def _view(self, key: JobKey, job: dict[str, Any]) -> JobView:
        meta = self.job_meta.setdefault(key, {})
        view = self.job_views.get(key) or JobView(endpoint=key[0], job_id=key[1])
        view.device = str(meta.get("device") or view.device or "?")
        view.target = str(meta.get("target") or view.target or "?")
        view.status = str(job.get("status", view.status))
        view.ready = bool(job.get("ready", view.ready))
        view.paused = bool(job.get("paused", view.paused))
        view.offset = int(job.get("offset", view.offset))
        view.len = int(job.get("len", view.len))
        view.speed = int(job.get("speed", view.speed))
        view.io_status = str(job.get("io-status", view.io_status))
        view.auto_finalize = bool(job.get("auto-finalize", meta.get("auto-finalize", True)))
        view.auto_dismiss = bool(job.get("auto-dismiss", meta.get("auto-dismiss", True)))
        view.error = str(job.get("error") or meta.get("error") or "")
        self.job_views[key] = view
        return view

    def _jobs_changed(self, endpoint: str, jobs: list[dict[str, Any]]) -> None:
        present = set()
        for job in jobs:
            key = (endpoint, str(job.get("device")))
            present.add(key)
            self.job_panel.update_job(self._view(key, job))
        for key, view in list(self.job_views.items()):
            if key[0] == endpoint and key not in present and view.status not in OUTCOMES:
                outcome = self.job_meta.get(key, {}).get("outcome") or "ended"
                view.status = outcome
                view.paused = False
                self.job_panel.update_job(view)
                self._refresh_users()
        self._update_status()

    def _sample(self, endpoint: str, job_id: str, sample: dict[str, Any]) -> None:
        key = (endpoint, job_id)
        view = self.job_views.get(key)
        if view is None:
            return
        view.offset, view.len = int(sample["offset"]), int(sample["len"])
        view.throughput = float(sample["throughput"])
        view.throughput_avg = float(sample.get("throughput-average", 0.0))
        view.eta = sample.get("eta")
        view.dirty_clusters = float(sample["dirty-clusters"])
        view.estimate = bool(sample.get("estimate"))
        watch = self.watches.setdefault(key, ConvergenceWatch(self.convergence_window))
        view.hint = HINT if watch.add(float(sample["time"]), view.dirty_clusters) else ""
        self.job_panel.update_job(view)
        self.plots.add_sample(self._plot_key(key), sample)
        self.plots.set_speed_limit(self._plot_key(key), view.speed)

    def _event(self, endpoint: str, event: dict[str, Any]) -> None:
        name = str(event.get("event"))
        data = dict(event.get("data") or {})
        job_id = str(data.get("id", data.get("device", "")))
        key = (endpoint, job_id)
        meta = self.job_meta.setdefault(key, {})
        if name == "BLOCK_JOB_ERROR":
            meta["error"] = (f"{data.get('operation', '')} error, action "
                             f"{data.get('action', '')}")
        elif name == "BLOCK_JOB_COMPLETED":
            meta["outcome"] = "failed" if data.get("error") else "completed"
            if data.get("error"):
                meta["error"] = str(data["error"])
        elif name == "BLOCK_JOB_CANCELLED":
            meta["outcome"] = "cancelled"
        elif name == "JOB_STATUS_CHANGE" and data.get("status") == "running":
            meta["error"] = ""
        self.job_event.emit(endpoint, name, data)

    def _job_selected(self, key: JobKey | None) -> None:
        if self.show_all_jobs.isChecked() or key is None:
            self.plots.show_job(None)
        else:
            self.plots.show_job(self._plot_key(key))

    async def job_verb(self, key: JobKey, verb: str) -> None:
        """Send a job verb; Cancel after READY asks: finish without pivot, or abort."""
        link = self.links.get(key[0])
        if link is None:
            return
        view = self.job_views.get(key)
        job_id = key[1]
        if verb == "cancel" and view is not None and view.ready:
            answer = await ask(
                self, "Cancel a READY mirror",
                f"Job '{job_id}' is in sync. Finish it without pivot (the source stays in use "
                "and the target keeps a consistent copy), or abort it?",
                [("Finish without pivot", "accept"), ("Abort", "destructive"),
                 ("Keep running", "reject")],
            )
            if answer == "Finish without pivot":
                await link.execute("block-job-cancel", {"device": job_id, "force": False})
            elif answer == "Abort":
                await link.execute("job-cancel", {"id": job_id})
            return
        await link.execute(f"job-{verb}", {"id": job_id})

    async def set_speed(self, key: JobKey, speed: int) -> None:
        link = self.links.get(key[0])
        if link is None:
            return
        await link.execute("block-job-set-speed", {"device": key[1], "speed": speed})
        self.plots.set_speed_limit(self._plot_key(key), speed)

    # --- plots export, rate, about, status -----------------------------------------------------

    def _export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plots", "guimirror.png",
                                              "PNG images (*.png)")
        if path:
            self.plots.export_png(path)

    def _export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export samples", "guimirror.csv",
                                              "CSV (*.csv)")
        if path:
            rows = self.plots.export_csv(path)
            self.report(f"wrote {rows} samples to {path}")

    def _ask_rate(self) -> None:
        rate, ok = QInputDialog.getDouble(
            self, "Sampling rate", "Samples per second (0.5 to 50):",
            self.settings.sampling_rate, 0.5, 50.0, 1,
        )
        if ok:
            self.settings.sampling_rate = rate
            for link in self.links.values():
                link.set_rate(rate)

    def _toggle_units(self) -> None:
        self.set_units("decimal" if self.decimal_action.isChecked() else "binary")

    def set_units(self, family: str) -> None:
        """Show sizes and speeds in binary (MiB) or decimal (MB) units; remembered."""
        DisplayUnits.set(family)
        self.settings.units = family
        self.decimal_action.setChecked(family == "decimal")
        self.plots.units_changed()
        self.job_panel.refresh_all()
        self.node_model.refresh_all()
        self.form.revalidate()

    def _ask_plot_window(self) -> None:
        seconds, ok = QInputDialog.getInt(
            self, "Plot window", "Seconds of samples to show (0: all of them):",
            int(self.settings.plot_window), 0, 86400, 10,
        )
        if ok:
            self.settings.plot_window = seconds
            self.plots.set_window(seconds or None)

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About guimirror",
            f"<h3>guimirror {guimirror.__version__}</h3>"
            "<p>Mirror live block devices with QEMU's <code>blockdev-mirror</code>, on "
            "the built-in engine or on QEMU over QMP, and watch throughput and dirty "
            "clusters as it runs.</p><p>Licence: GPL-2.0-or-later.</p>",
        )

    def active_jobs(self) -> list[JobKey]:
        return [key for key, view in self.job_views.items() if view.status in ACTIVE]

    def _update_status(self) -> None:
        link = self.current_link()
        if link is None:
            self.status_endpoint.setText("no endpoint")
        else:
            version = f" {link.version}" if link.version else ""
            self.status_endpoint.setText(
                f"{link.name}: {link.kind.value}{version}, {link.state}, "
                f"{len(link.nodes)} nodes, sampling {link.rate:g} Hz"
            )
        active = self.active_jobs()
        total = sum(view.throughput for key, view in self.job_views.items() if key in active)
        self.status_jobs.setText(
            f"{len(active)} job{'s' if len(active) != 1 else ''} active"
            + (f", {format_size(total)}/s" if active else "")
        )

    # --- quitting ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed_ok:
            event.accept()
            return
        event.ignore()
        if not self._quitting:
            self._quitting = True
            self.spawn(self.quit_flow(), "quit")

    async def quit_flow(self, ask_user: bool = True) -> bool:
        """Ask about running jobs, then shut every endpoint down and close the window."""
        try:
            active = self.active_jobs()
            if active and ask_user:
                ours = [k[1] for k in active if self.links.get(k[0]) is not None
                        and self.links[k[0]].kind is not EndpointKind.SOCKET]
                qemu = [k[1] for k in active if k[1] not in ours]
                lines = []
                if ours:
                    lines.append(f"Jobs of the built-in engine and of the daemons guimirror "
                                 f"started stop with guimirror (cancelled, never pivoted): "
                                 f"{', '.join(ours)}.")
                if qemu:
                    lines.append(f"QEMU jobs go on without guimirror: {', '.join(qemu)}.")
                answer = await ask(self, "Quit with running jobs?", "\n".join(lines),
                                   [("Quit", "destructive"), ("Keep running", "reject")],
                                   QMessageBox.Icon.Warning)
                if answer != "Quit":
                    return False
            await self.shutdown()
        finally:
            self._quitting = False
        self._closed_ok = True
        self.close()
        self.closed.set()
        return True

    async def shutdown(self) -> None:
        """Stop the write load and close every endpoint: the built-in engine cancels its jobs
        (never a pivot), a daemon guimirror started quits, an attached QEMU keeps its jobs."""
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        current = asyncio.current_task()
        pending = [task for task in self.tasks if task is not current and not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        if self.write_load.running is not None:
            await self.write_load.stop_load()
        for link in list(self.links.values()):
            await link.close()
