# SPDX-License-Identifier: GPL-2.0-or-later
"""Mirror to another host: a node on one endpoint (the source host) to a node on another (the
target host), over NBD. The dialog picks the two nodes and the mirror's arguments; the steps
and their undo are guimirror.session.remote_mirror's. GUI thread; coroutines run in the
caller's task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.remote_mirror import (
    NbdTls,
    RemoteMirror,
    RemoteMirrorPlan,
    RemoteMirrorState,
    TcpRoute,
    route_for,
)
from guimirror.ui.endpoint_link import EndpointLink
from guimirror.ui.endpoint_links import EndpointLinks
from guimirror.ui.jobs_controller import JobsController
from guimirror.ui.tasks import TaskRunner
from guimirror.ui.translated import core_text, error_text
from guimirror.units import parse_speed

log = logging.getLogger(__name__)

SYNC_MODES = (MirrorSyncMode.FULL, MirrorSyncMode.TOP, MirrorSyncMode.NONE)


@dataclass(frozen=True)
class RemoteMirrorRequest:
    """What the dialog asks for: the two ends, the mirror's arguments, the route."""

    source: str
    """The source host's endpoint name."""
    target: str
    """The target host's endpoint name."""
    mirror: BlockdevMirror
    """On the source host; ``target`` is filled in with the nbd node."""
    target_node: str
    tcp: TcpRoute | None = None
    tls: NbdTls | None = None


class RemoteMirrorDialog(QDialog):
    """Source endpoint and node, target endpoint and node, job-id, sync, speed, and the NBD
    route (automatic, or a TCP address on the target host with tls-creds ids). ``request``
    once accepted; ``error`` says what is missing meanwhile."""

    def __init__(self, links: dict[str, EndpointLink], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Mirror to another host"))
        self.links = links
        self.request: RemoteMirrorRequest | None = None
        self.source = self._combo("source-endpoint", list(links))
        self.device = self._combo("source-node", [])
        self.target = self._combo("target-endpoint", list(links))
        self.target_node = self._combo("target-node", [])
        if self.target.count() > 1:
            self.target.setCurrentIndex(1)
        self.job_id = self._line("job-id", self.tr("mirror job id (default: the source node)"))
        self.sync = self._combo("sync", [mode.value for mode in SYNC_MODES])
        self.speed = self._line("speed", self.tr("0 (no limit), e.g. 50M"))
        self.tcp_host = self._line("tcp-host",
                                   self.tr("automatic: ssh forward or a local socket"))
        self.tcp_port = QSpinBox()
        self.tcp_port.setObjectName("tcp-port")
        self.tcp_port.setRange(1, 65535)
        self.tcp_port.setValue(10809)
        self.server_creds = self._line("server-creds",
                                       self.tr("tls-creds-x509 id on the target host"))
        self.client_creds = self._line("client-creds",
                                       self.tr("tls-creds-x509 id on the source host"))
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Start mirror"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        for label, widget in ((self.tr("Source host"), self.source),
                              (self.tr("Source node"), self.device),
                              (self.tr("Target host"), self.target),
                              (self.tr("Target node"), self.target_node),
                              (self.tr("Job ID"), self.job_id), (self.tr("Sync"), self.sync),
                              (self.tr("Speed (bytes/s)"), self.speed),
                              (self.tr("NBD over TCP: host"), self.tcp_host),
                              (self.tr("port"), self.tcp_port),
                              (self.tr("TLS: server creds"), self.server_creds),
                              (self.tr("TLS: client creds"), self.client_creds)):
            form.addRow(label, widget)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.source.currentTextChanged.connect(lambda _: self._fill(self.source, self.device))
        self.target.currentTextChanged.connect(lambda _: self._fill(self.target,
                                                                    self.target_node))
        for edit in (self.job_id, self.speed, self.tcp_host, self.server_creds,
                     self.client_creds):
            edit.textChanged.connect(self.check)
        for combo in (self.device, self.target_node, self.sync):
            combo.currentTextChanged.connect(self.check)
        self.tcp_port.valueChanged.connect(self.check)
        self._fill(self.source, self.device)
        self._fill(self.target, self.target_node)

    def _combo(self, name: str, items: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItems(items)
        return combo

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _fill(self, endpoint: QComboBox, nodes: QComboBox) -> None:
        link = self.links.get(endpoint.currentText())
        nodes.clear()
        if link is not None:
            nodes.addItems([node.node_name for node in link.nodes
                            if node.node_name and node.drv != "mirror_top"])
        self.check()

    def check(self) -> None:
        """Build the request from the fields; the first reason it cannot be made shows."""
        try:
            self.request = self._build()
            self.error.setText("")
        except (GuimirrorError, ValueError) as error:
            self.request = None
            self.error.setText(error_text(error))
        self.ok.setEnabled(self.request is not None)

    def _build(self) -> RemoteMirrorRequest:
        source, target = self.source.currentText(), self.target.currentText()
        if not source or not target:
            raise ValueError(
                self.tr("two connected endpoints are needed: the source and target hosts"))
        if source == target:
            raise ValueError(self.tr("the target host is another endpoint than the source host"))
        device, node = self.device.currentText(), self.target_node.currentText()
        if not device or not node:
            raise ValueError(self.tr("choose a source node and a target node"))
        speed = parse_speed(self.speed.text()) if self.speed.text().strip() else 0
        mirror = BlockdevMirror.model_validate({
            "device": device, "target": node, "sync": self.sync.currentText(),
            **({"job-id": self.job_id.text().strip()} if self.job_id.text().strip() else {}),
            **({"speed": speed} if speed else {}),
        })
        host = self.tcp_host.text().strip()
        tcp = TcpRoute(host, self.tcp_port.value()) if host else None
        server, client = self.server_creds.text().strip(), self.client_creds.text().strip()
        if bool(server) != bool(client):
            raise ValueError(
                self.tr("TLS needs both tls-creds ids: the server's and the client's"))
        tls = NbdTls(server, client) if server else None
        if tls is not None and tcp is None:
            raise ValueError(self.tr("TLS is for NBD over TCP: give the target host's address"))
        return RemoteMirrorRequest(source, target, mirror, node, tcp, tls)

    def accept(self) -> None:
        self.check()
        if self.request is not None:
            super().accept()


class RemoteMirrors:
    """The mirrors to another host that the window started, by (source endpoint, job-id);
    each one's end is followed in a task of its own that keeps or removes what it added."""

    def __init__(self, links: EndpointLinks, jobs: JobsController, tasks: TaskRunner,
                 parent: Callable[[], QWidget]) -> None:
        self.links = links
        self.jobs = jobs
        self.tasks = tasks
        self.parent = parent
        self.mirrors: dict[tuple[str, str], RemoteMirror] = {}

    def open_dialog(self) -> RemoteMirrorDialog | None:
        """The dialog (window-modal, non-blocking); its request starts when accepted."""
        connected = {name: link for name, link in self.links.links.items() if link.connected}
        if len(connected) < 2:
            self.tasks.report(QCoreApplication.translate(
                "RemoteMirrors", "mirror to another host: connect a second endpoint first "
                "(Endpoint → Attach, e.g. ssh+guimirror://host)"))
            return None
        dialog = RemoteMirrorDialog(connected, self.parent())
        dialog.setObjectName("remote-mirror")
        dialog.accepted.connect(lambda: self.tasks.spawn(
            self.start(dialog.request),
            QCoreApplication.translate("RemoteMirrors", "mirror to another host"))
            if dialog.request is not None else None)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    async def start(self, request: RemoteMirrorRequest) -> RemoteMirror:
        """Export, nbd node, blockdev-mirror; then follow the job's end (caller's task)."""
        source, target = self.links.get(request.source), self.links.get(request.target)
        if source is None or target is None:
            raise StateError(QCoreApplication.translate(
                "RemoteMirrors", "an endpoint of this mirror is gone"))
        route = route_for(source.endpoint, target.endpoint, request.tcp)
        plan = RemoteMirrorPlan(request.mirror, request.target_node, route, request.tls)
        mirror = RemoteMirror(source, target, plan)
        key = (source.name, plan.job_id)
        self.jobs.prepare(key, {
            "device": request.mirror.device, "target": f"{target.name}:{request.target_node}",
            "auto-finalize": request.mirror.auto_finalize,
            "auto-dismiss": request.mirror.auto_dismiss, "error": "", "outcome": "",
        })
        try:
            await mirror.start()
        except GuimirrorError:
            self.jobs.start_failed(key)
            await self._refresh(source, target)
            raise
        self.mirrors[key] = mirror
        self.jobs.started(key, request.mirror.speed or 0)
        self.tasks.report(QCoreApplication.translate(
            "RemoteMirrors", "mirror {0}: {1}:{2} → {3}:{4} over NBD").format(
                plan.job_id, source.name, request.mirror.device, target.name,
                request.target_node))
        self.tasks.spawn(self._follow(key, mirror), QCoreApplication.translate(
            "RemoteMirrors", "mirror {0}").format(plan.job_id))
        await self._refresh(source, target)
        return mirror

    async def _follow(self, key: tuple[str, str], mirror: RemoteMirror) -> None:
        """Wait for the job's end, keep or remove the NBD parts, say which (own task)."""
        state = await mirror.wait()
        target = mirror.target
        if state is RemoteMirrorState.KEPT:
            text = QCoreApplication.translate(
                "RemoteMirrors", "mirror {0} pivoted: {1} writes to {2}:{3} through the nbd "
                "node {4}").format(key[1], key[0], target.name, mirror.plan.target_node,
                                   mirror.plan.nbd_node)
        else:
            text = QCoreApplication.translate(
                "RemoteMirrors", "mirror {0} ended: removed the nbd node, export and NBD "
                "server").format(key[1])
            self.mirrors.pop(key, None)
        if mirror.leftovers:
            text += QCoreApplication.translate("RemoteMirrors", "; could not remove {0}").format(
                "; ".join(core_text(leftover) for leftover in mirror.leftovers))
        self.tasks.report(text)
        await self._refresh(mirror.source, target)

    @staticmethod
    async def _refresh(*links: object) -> None:
        for link in links:
            if isinstance(link, EndpointLink) and link.connected:
                try:
                    await link.refresh()
                except GuimirrorError as error:
                    log.info("refresh of %s after a remote mirror: %s", link.name, error.desc)
