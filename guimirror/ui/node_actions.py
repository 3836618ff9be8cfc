# SPDX-License-Identifier: GPL-2.0-or-later
"""Node actions: the node table and its details, add and remove nodes, the example workspace."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QCoreApplication, QItemSelection, QStandardPaths
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit, QTableView

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevDriver, BlockdevOptions
from guimirror.qapi.commands import BlockdevDel
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import DOCUMENTED_BUF_SIZE, MIRROR_ARGUMENTS, QEMU_7_2_BUF_SIZE
from guimirror.session.block_devices import device_users
from guimirror.session.capabilities import ArgumentInfo
from guimirror.session.client import SessionClient
from guimirror.session.endpoint import Endpoint
from guimirror.session.example_workspace import create_example_workspace
from guimirror.session.libvirt_client import LibvirtClient
from guimirror.session.libvirt_disks import LibvirtDiskInfo
from guimirror.session.root_daemon import root_daemon_command, root_daemon_socket
from guimirror.ui.add_node_dialog import AddNodeDialog, AddNodeRequest, create_raw_image
from guimirror.ui.ask import ask
from guimirror.ui.endpoint_link import EndpointKind, EndpointLink
from guimirror.ui.endpoint_links import BUILTIN, EndpointLinks
from guimirror.ui.job_panel import JobView
from guimirror.ui.mirror_form import MirrorForm
from guimirror.ui.node_table import NodeRow, NodeTableModel
from guimirror.ui.settings import AppSettings
from guimirror.ui.tasks import TaskRunner
from guimirror.ui.write_load_panel import WriteLoadPanel

ROOT_DAEMON_PATIENCE = 120.0
"""Seconds for authentication and the root daemon's start."""


class RootDaemonError(GuimirrorError):
    """The root daemon did not start (pkexec refused, or the daemon failed)."""


def default_buf_size(endpoint: Endpoint) -> int | None:
    """The buf-size the engine behind ``endpoint`` applies for 0, from what query-version
    says it is: guimirror's engine the documented 10 MiB, QEMU 7.x 16 MiB; None for any other
    engine or before it has answered."""
    version = endpoint.version
    if version is None:
        return None
    if version.package.startswith("guimirror"):
        return DOCUMENTED_BUF_SIZE
    if version.qemu.major == 7:
        return QEMU_7_2_BUF_SIZE
    return None


def needs_root(options: dict[str, Any], error: QAPIError) -> bool:
    """A host_device that this non-root user may not open."""
    return (options.get("driver") == "host_device" and os.geteuid() != 0
            and "Permission denied" in error.desc)


def _read_from_start(file: IO[bytes]) -> bytes:
    file.seek(0)
    return file.read()


async def _answers(path: Path) -> bool:
    """Something accepts connections on the unix socket ``path``."""
    try:
        _reader, writer = await asyncio.open_unix_connection(str(path))
    except OSError:
        return False
    writer.close()
    return True


def mirror_arguments(link: EndpointLink | None) -> Mapping[str, ArgumentInfo] | None:
    """The blockdev-mirror arguments ``link``'s engine accepts, with their types (None: not
    known yet)."""
    capabilities = link.capabilities if link is not None else None
    if capabilities is None or not capabilities.has("blockdev-mirror"):
        return None
    return capabilities.arguments("blockdev-mirror")


CHOICES = ("sync", "copy-mode")
"""The blockdev-mirror arguments whose values an engine may lack some of."""


def absent_values(link: EndpointLink | None) -> dict[str, dict[str, str]]:
    """For each of ``CHOICES``: the values ``link``'s engine lacks, and why (libvirt says
    why; another engine's are all offered)."""
    capabilities = link.capabilities if link is not None else None
    arguments = (capabilities.arguments("blockdev-mirror")
                 if capabilities is not None and capabilities.has("blockdev-mirror") else {})
    found: dict[str, dict[str, str]] = {name: {} for name in CHOICES}
    if link is None or not link.libvirt:
        return found
    every = {spec.name: spec.choices or () for spec in MIRROR_ARGUMENTS}
    for name in CHOICES:
        offered = arguments[name].values if name in arguments else ()
        for value in every.get(name, ()):
            if offered and value not in offered:
                found[name][value] = (
                    link.why_not("blockdev-mirror", f"{name}.{value}")
                    or QCoreApplication.translate("NodeActions", "{0} has no {1} '{2}'").format(
                        link.name, name, value))
    return found


PATH_TARGET_FORMATS = ("raw", "qcow2")
"""The formats of a path target (libvirt's virDomainBlockCopy takes these)."""


def path_target_formats(link: EndpointLink | None) -> tuple[str, ...] | None:
    """The formats of ``link``'s mirror target when it is a path (libvirt), else None."""
    return PATH_TARGET_FORMATS if link is not None and link.libvirt else None


def node_commands_refusal(link: EndpointLink | None) -> str:
    """Why ``link``'s nodes cannot be added or removed here ('' when they can)."""
    if link is None or not link.libvirt:
        return ""
    return link.why_not("blockdev-add") or QCoreApplication.translate(
        "NodeActions", "libvirt owns the VM's block graph")


def write_load_refusal(link: EndpointLink | None) -> str:
    """Why the write load cannot run on ``link`` ('' when it can)."""
    if link is None or not link.libvirt:
        return ""
    return QCoreApplication.translate("NodeActions", "not on a libvirt endpoint: {0}").format(
        link.why_not("block-export-add")
        or QCoreApplication.translate("NodeActions", "libvirt owns the VM NBD server"))


async def blockdev_add(link: EndpointLink, options: dict[str, Any]) -> None:
    """blockdev-add through the typed client where guimirror models the driver (raw, file,
    ...); other formats (qcow2 on a qemu-storage-daemon) go as the dialog wrote them."""
    if str(options.get("driver")) in set(BlockdevDriver):
        await link.call(SessionClient.blockdev_add, parse_arguments(BlockdevOptions, options))
    else:
        await link.execute("blockdev-add", options)


class NodeActions:
    """The current endpoint's nodes in ``node_model`` (shown by ``node_view``, the selected
    one's details in ``node_details``) and in the form's and the write load's choices;
    ``active_jobs(endpoint)`` gives the jobs that use nodes (GUI thread; coroutines run in
    the caller's task)."""

    def __init__(
        self,
        links: EndpointLinks,
        node_model: NodeTableModel,
        node_view: QTableView,
        node_details: QPlainTextEdit,
        form: MirrorForm,
        write_load: WriteLoadPanel,
        active_jobs: Callable[[str], list[JobView]],
        settings: AppSettings,
        tasks: TaskRunner,
    ) -> None:
        self.links = links
        self.node_model = node_model
        self.node_view = node_view
        self.node_details = node_details
        self.form = form
        self.write_load = write_load
        self.active_jobs = active_jobs
        self.settings = settings
        self.tasks = tasks
        node_view.selectionModel().selectionChanged.connect(self.node_selected)
        #: Where new images and the example workspace go; empty: the user's data directory.
        self.data_dir = ""
        self._root_daemon: subprocess.Popen[bytes] | None = None

    def node_users(self, endpoint: str) -> dict[str, list[str]]:
        """node-name -> what uses it: jobs (as source or target, also those someone else
        started: their ends come from the graph) and the exports."""
        users: dict[str, list[str]] = {}
        for job in self.active_jobs(endpoint):
            users.setdefault(job.device, []).append(f"job {job.job_id} (source)")
            users.setdefault(job.target, []).append(f"job {job.job_id} (target)")
        link = self.links.get(endpoint)
        exports = [(export.node_name, export.id) for export in (link.exports if link else [])]
        running = self.write_load.running
        if running is not None and running.link.name == endpoint:
            exports.append((running.node, running.export_id))
        for node, export_id in dict.fromkeys(exports):
            users.setdefault(node, []).append(f"export {export_id}")
        return users

    def nodes_changed(self, endpoint: str) -> None:
        if endpoint != (self.links.current or ""):
            return
        link = self.links.get(endpoint)
        nodes = link.nodes if link is not None else []
        users = self.node_users(endpoint)
        self.node_model.set_nodes(nodes, users)
        named = [row for row in self.node_model.rows if not row.node_name.startswith("#")]
        self.form.set_default_buf_size(default_buf_size(link.endpoint) if link else None)
        # libvirt says why it lacks an argument: shown disabled; another engine's are hidden.
        absent = ((lambda name: link.why_not("blockdev-mirror", name))
                  if link is not None and link.libvirt else None)
        self.form.set_accepted_arguments(mirror_arguments(link), absent)
        self.form.set_path_target(path_target_formats(link))
        for name, reasons in absent_values(link).items():
            self.form.set_absent_values(name, reasons)
        self.write_load.set_refusal(write_load_refusal(link))
        self.form.set_nodes(row.choice() for row in named)
        self.form.set_job_ids(job.job_id for job in self.active_jobs(endpoint))
        self.write_load.set_nodes([row.info for row in named],
                                  self.job_targets(endpoint))
        self.node_selected()

    def job_targets(self, endpoint: str) -> dict[str, str]:
        """The target node of each active job of ``endpoint`` -> the job-id."""
        return {job.target: job.job_id for job in self.active_jobs(endpoint)}

    def jobs_changed(self) -> None:
        """Jobs started or ended: the write load no longer or again offers their targets."""
        self.write_load.set_job_targets(self.job_targets(self.links.current or ""))

    def refresh_users(self) -> None:
        self.nodes_changed(self.links.current or "")

    def selected_node(self) -> NodeRow | None:
        rows = self.node_view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.node_model.row(rows[0].row())

    def node_selected(self, *_args: QItemSelection) -> None:
        row = self.selected_node()
        text = "" if row is None else row.details(self.node_model.by_name())
        if text != self.node_details.toPlainText():
            self.node_details.setPlainText(text)

    async def refresh_current(self) -> None:
        link = self.links.current_link()
        if link is not None:
            await link.refresh()

    def open_add_node(self) -> AddNodeDialog | None:
        """Open the add-node dialog (window-modal, non-blocking); returns it."""
        link = self.links.current_link()
        if link is None or not link.connected:
            self.tasks.report(QCoreApplication.translate(
                "NodeActions", "add node: choose a connected endpoint first"))
            return None
        if refusal := node_commands_refusal(link):
            self.tasks.report(QCoreApplication.translate(
                "NodeActions", "add node: not on {0}: {1}").format(link.name, refusal))
            return None
        formats = ("raw",) if link.kind is EndpointKind.BUILTIN else ("raw", "qcow2")
        existing = {row.node_name: row.virtual_size for row in self.node_model.rows}
        in_use = device_users(
            (link.name, node.node_name or "", node.file,
             self.node_users(link.name).get(node.node_name or "", []))
            for link in self.links.links.values() for node in link.nodes)
        dialog = AddNodeDialog(existing, formats, self.resolved_data_dir(),
                               self.node_view.window(), in_use)
        dialog.setObjectName("add-node")
        dialog.accepted.connect(
            lambda: self.tasks.spawn(self.add_node(dialog.request),
                                     QCoreApplication.translate("NodeActions", "add node"))
            if dialog.request is not None else None
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    async def add_node(self, request: AddNodeRequest, link: EndpointLink | None = None) -> None:
        """Create the image if asked (worker thread), then blockdev-add."""
        link = link or self.links.current_link()
        if link is None:
            raise StateError(QCoreApplication.translate("NodeActions", "no endpoint is selected"))
        if request.create is not None:
            driver = request.options.get("driver", "raw")
            if driver == "qcow2":
                await self._qemu_img_create(request.create.path, request.create.size)
            else:
                await asyncio.to_thread(create_raw_image, request.create)
        try:
            await blockdev_add(link, request.options)
        except QAPIError as error:
            if not needs_root(request.options, error):
                raise
            await self.offer_root_daemon(error.desc)
            return
        await link.refresh()

    # --- the root daemon ------------------------------------------------------------------

    async def offer_root_daemon(self, reason: str) -> None:
        """A block device needs root: offer the root daemon (caller's task)."""
        start = QCoreApplication.translate("NodeActions", "Start the root daemon")
        answer = await ask(
            self.node_view.window(),
            QCoreApplication.translate("NodeActions", "This block device needs root"), reason,
            [(start, "accept"), (QCoreApplication.translate("NodeActions", "Cancel"), "reject")],
            informative=QCoreApplication.translate(
                "NodeActions", "guimirror-daemon can run as root for you, through polkit: it "
                "asks for authentication, and its QMP socket is yours alone. Add the node "
                "there."),
        )
        if answer == start:
            await self.start_root_daemon()

    async def start_root_daemon(self) -> EndpointLink:
        """Attach the root daemon's socket; start the daemon through pkexec first when none
        answers there (caller's task; pkexec runs as a process of its own)."""
        path = root_daemon_socket()
        if not await _answers(path):
            self.tasks.report(QCoreApplication.translate(
                "NodeActions", "starting the root daemon (polkit asks for authentication)"))
            # A process of its own, not an asyncio subprocess: the daemon outlives this
            # window, and an asyncio transport left open would close (and kill it) at
            # garbage collection, after the event loop is gone. Its stderr goes to an
            # unlinked file, never to a pipe that closes when the window does.
            errors = await asyncio.to_thread(tempfile.TemporaryFile)
            try:
                process = await asyncio.to_thread(
                    subprocess.Popen, root_daemon_command(), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
                self._root_daemon = process
                loop = asyncio.get_running_loop()
                deadline = loop.time() + ROOT_DAEMON_PATIENCE
                while not await _answers(path):
                    if process.poll() is not None or loop.time() > deadline:
                        stderr = b""
                        if process.returncode is not None:
                            stderr = await asyncio.to_thread(_read_from_start, errors)
                        why = stderr.decode(errors="replace").strip() or (
                            f"exit status {process.returncode}" if process.returncode is not None
                            else f"no answer on {path} within {ROOT_DAEMON_PATIENCE:g} s")
                        raise RootDaemonError(QCoreApplication.translate(
                            "NodeActions", "the root daemon did not start: {0}").format(why))
                    await asyncio.sleep(0.1)
            finally:
                errors.close()
        return await self.links.open_uri(f"unix:{path}", name="root daemon")

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
        link = self.links.current_link()
        row = self.selected_node()
        name = node_name or (row.node_name if row else "")
        if link is None or not name:
            self.tasks.report(QCoreApplication.translate(
                "NodeActions", "remove node: select a node first"))
            return
        if refusal := node_commands_refusal(link):
            self.tasks.report(QCoreApplication.translate(
                "NodeActions", "remove node: not on {0}: {1}").format(link.name, refusal))
            return
        await link.call(SessionClient.blockdev_del, BlockdevDel(node_name=name))
        await link.refresh()

    # --- libvirt's QMP pass-through ---------------------------------------------------------

    def selected_domain(self) -> tuple[EndpointLink, LibvirtClient, str] | None:
        """The current libvirt endpoint, its client and the domain of the selected disk."""
        link = self.links.current_link()
        row = self.selected_node()
        if link is None or not link.connected or row is None:
            return None
        client = link.endpoint.client
        if not isinstance(client, LibvirtClient) or not isinstance(row.info, LibvirtDiskInfo):
            return None
        return link, client, row.info.domain

    async def enable_passthrough(self, confirm: bool = True) -> bool:
        """Turn QMP pass-through on for the selected disk's domain, after asking (unless
        ``confirm`` is False): its dirty clusters and QEMU node names show then."""
        chosen = self.selected_domain()
        if chosen is None:
            self.tasks.report(QCoreApplication.translate(
                "NodeActions", "QMP pass-through: select a disk of a libvirt domain first"))
            return False
        link, client, domain = chosen
        if domain in client.passthrough:
            self.tasks.report(QCoreApplication.translate(
                "NodeActions", "QMP pass-through is on for {0} already").format(domain))
            return False
        if confirm:
            enable = QCoreApplication.translate("NodeActions", "Enable and taint")
            answer = await ask(
                self.node_view.window(),
                QCoreApplication.translate("NodeActions", "Enable QMP pass-through?"),
                QCoreApplication.translate(
                    "NodeActions", "Let guimirror send QMP queries to the QEMU of domain '{0}' "
                    "through libvirt?").format(domain),
                [(enable, "destructive"),
                 (QCoreApplication.translate("NodeActions", "Cancel"), "reject")],
                QMessageBox.Icon.Warning,
                informative=QCoreApplication.translate(
                    "NodeActions", "libvirt then marks the domain tainted (custom-monitor) in "
                    "its log for as long as it runs: libvirt no longer vouches for the domain's "
                    "state, and a support case about it may be declined. guimirror only reads "
                    "through it (query-named-block-nodes): the disks' QEMU node names and the "
                    "mirror's dirty clusters. It lasts until the domain stops."),
            )
            if answer != enable:
                return False
        client.enable_qmp_passthrough(domain)
        self.tasks.report(QCoreApplication.translate(
            "NodeActions", "QMP pass-through on for {0} (libvirt marks it tainted)").format(domain))
        await link.refresh()
        return True

    # --- the example workspace ------------------------------------------------------------

    def resolved_data_dir(self) -> str:
        if self.data_dir:
            return self.data_dir
        # Not AppDataLocation: with organisation and application both "guimirror" it is
        # ~/.local/share/guimirror/guimirror.
        shared = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.GenericDataLocation
        ) or os.path.expanduser("~/.local/share")
        return os.path.join(shared, "guimirror")

    async def offer_example_workspace(self) -> None:
        """On first start: offer the two example images (asks once)."""
        settings = self.settings
        if settings.example_offered:
            return
        settings.example_offered = True
        create = QCoreApplication.translate("NodeActions", "Create example")
        answer = await ask(
            self.node_view.window(),
            QCoreApplication.translate("NodeActions", "Welcome to guimirror"),
            QCoreApplication.translate(
                "NodeActions", "Create an example workspace to try a mirror right away?"),
            [(create, "accept"), (QCoreApplication.translate("NodeActions", "Not now"), "reject")],
            informative=QCoreApplication.translate(
                "NodeActions", "Two 64 MiB raw images in your data directory: a source holding "
                "data and an empty target of the same size, added to the built-in engine."),
        )
        if answer == create:
            await self.open_example_workspace()

    async def open_example_workspace(self) -> None:
        link = self.links.get(BUILTIN)
        if link is None:
            raise StateError(QCoreApplication.translate(
                "NodeActions", "the built-in engine is not running"))
        workspace = await asyncio.to_thread(create_example_workspace, self.resolved_data_dir())
        present = {node.node_name for node in link.nodes}
        for options in workspace.blockdev_add_options():
            if options["node-name"] not in present:
                await blockdev_add(link, options)
        await link.refresh()
        names = [str(o["node-name"]) for o in workspace.blockdev_add_options()]
        self.form.select(names[0], names[1])
        self.tasks.report(QCoreApplication.translate(
            "NodeActions", "example workspace in {0}: mirror {1} to {2} with Start mirror").format(
                workspace.directory, names[0], names[1]))
