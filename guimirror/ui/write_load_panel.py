# SPDX-License-Identifier: GPL-2.0-or-later
"""The drill's write load: random data at a chosen rate into a node, through an NBD export.

On either engine: ``nbd-server-start`` on a unix socket in a private directory,
``block-export-add`` (writable) on the chosen node, then guimirror's own asyncio NBD client
(guimirror.nbd.client) writes random 64 KiB blocks at random offsets. Stop deletes the export,
stops the NBD server and removes its directory. Coroutines run in the caller's task, GUI
thread.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from guimirror.errors import GuimirrorError
from guimirror.nbd.client import NBDClient, WriteLoad
from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.events import BlockExportDeleted, QAPIEvent
from guimirror.session import target_checks
from guimirror.ui.ask import ask
from guimirror.ui.endpoint_link import EndpointLink
from guimirror.ui.translated import core_text, error_text
from guimirror.units import format_size, parse_speed

EXPORT_GONE_PATIENCE = 5.0
"""Seconds stopping a load waits for its export to be deleted."""


@dataclass
class RunningLoad:
    link: EndpointLink
    node: str
    export_id: str
    load: WriteLoad


class NBDServers:
    """The NBD server socket of each endpoint while a load uses it, in a private directory
    (mode 0700) that lives exactly as long as that server."""

    def __init__(self) -> None:
        self._paths: dict[str, str] = {}

    async def socket_for(self, link: EndpointLink) -> str:
        """Start the endpoint's NBD server on first use (caller's task); its socket path."""
        path = self._paths.get(link.name)
        if path is not None:
            return path
        directory = await asyncio.to_thread(tempfile.mkdtemp, prefix="guimirror-nbd-")
        path = os.path.join(directory, "nbd.sock")
        try:
            await link.execute(
                "nbd-server-start", {"addr": {"type": "unix", "data": {"path": path}}}
            )
        except BaseException:
            await asyncio.to_thread(shutil.rmtree, directory, ignore_errors=True)
            raise
        self._paths[link.name] = path
        return path

    async def release(self, link: EndpointLink) -> None:
        """Stop the endpoint's NBD server and remove its directory (caller's task)."""
        path = self._paths.pop(link.name, None)
        if path is None:
            return
        try:
            await link.execute("nbd-server-stop")
        except GuimirrorError:
            pass
        finally:
            await asyncio.to_thread(shutil.rmtree, os.path.dirname(path), ignore_errors=True)

    def forget(self, name: str) -> None:
        """The endpoint is gone: remove its server's directory, if one is left."""
        path = self._paths.pop(name, None)
        if path is not None:
            shutil.rmtree(os.path.dirname(path), ignore_errors=True)


class WriteLoadPanel(QWidget):
    """Node, rate, Start/Stop and what has been written. Only nodes the load may write are
    offered (``set_nodes``); before writing into one that holds data, Start asks."""

    started = Signal(str, str)  # endpoint, node
    stopped = Signal(str, str)
    failed = Signal(str)

    def __init__(self, current_link: Callable[[], EndpointLink | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current_link = current_link
        self.servers = NBDServers()
        self.running: RunningLoad | None = None
        self.node = QComboBox()
        self.node.setAccessibleName(self.tr("Node"))
        self.node.setAccessibleDescription(self.tr("The node the write load writes into"))
        self.nodes: dict[str, BlockDeviceInfo] = {}
        #: node-name -> why the load may not write into it (not offered).
        self.refused: dict[str, str] = {}
        self._job_targets: dict[str, str] = {}
        self.refusal = ""
        """Why the current endpoint takes no write load ('' when it does)."""
        self.rate = QLineEdit("8M")
        self.rate.setToolTip(self.tr("Bytes per second with a unit: 8M = 8 MiB/s"))
        self.rate.setAccessibleName(self.tr("Rate (per second)"))
        self.start_button = QPushButton(self.tr("Start write load"))
        self.start_button.setToolTip(
            self.tr("Write random blocks into the node at the rate, through an NBD export"))
        self.start_button.clicked.connect(self._start_clicked)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop write load"))
        self.stop_button.setToolTip(self.tr("Stop writing into the node"))
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self._stop_clicked)
        self.state = QLabel(self.tr("idle"))
        self.state.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout = QFormLayout(self)
        layout.addRow(self.tr("Node"), self.node)
        layout.addRow(self.tr("Rate (per second)"), self.rate)
        layout.addRow("", buttons)
        layout.addRow("", self.state)
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._show_stats)
        self._tasks: set[object] = set()

    def set_nodes(self, nodes: Sequence[BlockDeviceInfo],
                  job_targets: Mapping[str, str]) -> None:
        """The current endpoint's named nodes; ``job_targets`` maps each active job's target
        node to the job. Offers the nodes the load may write, and says why the others not."""
        self.nodes = {node.node_name: node for node in nodes if node.node_name}
        self._job_targets = dict(job_targets)
        self._offer()

    def set_refusal(self, reason: str) -> None:
        """Why the current endpoint takes no write load ('' when it does): Start is disabled
        and the reason shown."""
        if reason == self.refusal:
            return
        self.refusal = reason
        self.start_button.setEnabled(not reason and self.running is None)
        self.start_button.setToolTip(reason)
        self.node.setEnabled(not reason)
        if self.running is None:
            self.state.setText(reason or "idle")

    def set_job_targets(self, job_targets: Mapping[str, str]) -> None:
        """The active jobs' targets changed (a job started or ended)."""
        if dict(job_targets) != self._job_targets:
            self._job_targets = dict(job_targets)
            self._offer()

    def _offer(self) -> None:
        self.refused = {}
        for name, node in self.nodes.items():
            refusal = target_checks.load_refusal(node, self._job_targets)
            if refusal:
                self.refused[name] = core_text(refusal)
        names = [name for name in self.nodes if name not in self.refused]
        self.node.setToolTip(self.tr("Not offered: {0}").format("; ".join(self.refused.values()))
                             if self.refused else "")
        if [self.node.itemText(i) for i in range(self.node.count())] == names:
            return
        current = self.node.currentText()
        self.node.clear()
        self.node.addItems(names)
        if current in names:
            self.node.setCurrentText(current)

    def _start_clicked(self) -> None:
        task = asyncio.get_running_loop().create_task(self.start_load())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _stop_clicked(self) -> None:
        task = asyncio.get_running_loop().create_task(self.stop_load())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start_load(self, confirm: bool = True) -> bool:
        """Ask before writing into a node that holds data (unless ``confirm`` is False),
        export the node and start writing (caller's task); False with the reason shown."""
        link = self._current_link()
        node = self.node.currentText().strip()
        try:
            rate = parse_speed(self.rate.text(), self.tr("rate"))
        except ValueError as err:
            return self._fail(error_text(err))
        if self.refusal:
            return self._fail(self.refusal)
        if link is None or not node:
            return self._fail(self.tr("choose an endpoint and a node"))
        if rate <= 0:
            return self._fail(self.tr("rate: give a rate above 0, e.g. 8M"))
        if self.running is not None:
            return self._fail(self.tr("a write load is already running; stop it first"))
        if node in self.refused or node not in self.nodes:
            return self._fail(self.refused.get(node)
                              or self.tr("no node '{0}' on {1}").format(node, link.name))
        if confirm and not await self._confirm(self.nodes[node]):
            return self._fail(self.tr("not started: '{0}' holds data").format(node))
        export_id = f"load-{node}"
        try:
            path = await self.servers.socket_for(link)
            await link.execute("block-export-add", {
                "type": "nbd", "id": export_id, "node-name": node,
                "name": export_id, "writable": True,
            })
        except GuimirrorError as err:
            await self.servers.release(link)
            return self._fail(core_text(err.desc))
        client = NBDClient()
        try:
            await client.connect(export_id, path=path)
        except (OSError, Exception) as err:  # any failure: undo the export
            await self._delete_export(link, export_id)
            await self.servers.release(link)
            return self._fail(self.tr("NBD connection failed: {0}").format(err))
        load = WriteLoad(client, rate)
        load.start()
        self.running = RunningLoad(link, node, export_id, load)
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.state.setText(
            self.tr("writing {0}/s into {1} via NBD").format(format_size(rate), node))
        self._timer.start()
        self.started.emit(link.name, node)
        return True

    async def stop_load(self) -> None:
        running, self.running = self.running, None
        self._timer.stop()
        self.start_button.setEnabled(not self.refusal)
        self.stop_button.setEnabled(False)
        if running is None:
            return
        await running.load.stop()
        await self._delete_export(running.link, running.export_id)
        await self.servers.release(running.link)
        stats = running.load.stats
        self.state.setText(self.tr("stopped; wrote {0} in {1} writes").format(
            format_size(stats.written), stats.writes))
        self.stopped.emit(running.link.name, running.node)

    async def _confirm(self, node: BlockDeviceInfo) -> bool:
        """Measure what the node's file or device holds; ask when it is not empty."""
        path = target_checks.local_path(node)
        measure = None
        if path is not None:
            self.state.setText(self.tr("measuring what {0} holds…").format(path))
            try:
                measure = await target_checks.measure_target(path)
            except OSError:
                measure = None
        question = target_checks.load_question(node, measure)
        if question is None:
            return True
        write = self.tr("Write into '{0}'").format(node.node_name)
        answer = await ask(self.window(), self.tr("The node holds data"), core_text(question),
                           [(write, "destructive"), (self.tr("Cancel"), "reject")],
                           QMessageBox.Icon.Warning)
        return answer == write

    @staticmethod
    async def _delete_export(link: EndpointLink, export_id: str) -> None:
        """Delete the load's export and wait for BLOCK_EXPORT_DELETED, so the node is free
        and the id can be used again at once.

        ``mode=hard``: QEMU refuses a safe delete while a client is connected, and it may not
        have seen our own writer leave yet (or someone else may have attached to the drill's
        export); the export is ours, so its connections are dropped.
        """
        deleted = asyncio.get_running_loop().create_future()

        def on_event(event: QAPIEvent) -> None:
            if (isinstance(event, BlockExportDeleted) and event.id == export_id
                    and not deleted.done()):
                deleted.set_result(None)

        link.event_received.connect(on_event)
        try:
            await link.execute("block-export-del", {"id": export_id, "mode": "hard"})
            async with asyncio.timeout(EXPORT_GONE_PATIENCE):
                await deleted
        except (GuimirrorError, TimeoutError):
            pass
        finally:
            link.event_received.disconnect(on_event)

    def _fail(self, message: str) -> bool:
        self.state.setText(message)
        self.failed.emit(message)
        return False

    def _show_stats(self) -> None:
        if self.running is None:
            return
        stats = self.running.load.stats
        text = self.tr("writing into {0}: {1} in {2} writes, {3}/s").format(
            self.running.node, format_size(stats.written), stats.writes,
            format_size(stats.rate))
        if stats.error:
            text += self.tr(" — stopped: {0}").format(stats.error)
        self.state.setText(text)
