# SPDX-License-Identifier: GPL-2.0-or-later
"""The endpoint links by name and the sidebar list that shows them: open endpoints by URI,
remove and remember them; which one is current."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMessageBox

from guimirror.errors import GuimirrorError
from guimirror.session.uri import BuiltinURI, DaemonURI, EndpointURI, parse_endpoint_uri
from guimirror.ui.ask import ask
from guimirror.ui.attach_dialog import AttachDialog
from guimirror.ui.endpoint_link import EndpointKind, EndpointLink, default_name, where
from guimirror.ui.settings import AppSettings, SavedEndpoint
from guimirror.ui.tasks import TaskRunner
from guimirror.ui.write_load_panel import WriteLoadPanel

log = logging.getLogger(__name__)

BUILTIN = EndpointKind.BUILTIN.value


class EndpointLinks(QObject):
    """The links by name, shown in ``endpoint_list`` (GUI thread; coroutines run in the
    caller's task). ``running_jobs(name)`` tells the job-ids an endpoint runs."""

    link_added = Signal(object)  # the EndpointLink, before it starts
    link_removed = Signal(str)  # endpoint name
    current_changed = Signal(str)  # endpoint name, "" for none
    current_state_changed = Signal()

    def __init__(
        self,
        settings: AppSettings,
        endpoint_list: QListWidget,
        tasks: TaskRunner,
        write_load: WriteLoadPanel,
        running_jobs: Callable[[str], list[str]],
    ) -> None:
        super().__init__()
        self.settings = settings
        self.endpoint_list = endpoint_list
        self.tasks = tasks
        self.write_load = write_load
        self.running_jobs = running_jobs
        self.links: dict[str, EndpointLink] = {}
        self.current: str | None = None
        self._saved_read = False
        endpoint_list.currentItemChanged.connect(self.endpoint_selected)

    def current_link(self) -> EndpointLink | None:
        return self.links.get(self.current or "")

    def get(self, name: str) -> EndpointLink | None:
        return self.links.get(name)

    async def start(self, restore_endpoints: bool = True, builtin: bool = True,
                    uris: Sequence[EndpointURI] = ()) -> None:
        """Connect the built-in engine, the saved endpoints, then ``uris`` (those of the
        command line) that are not open already (caller's task).

        The saved list is read before anything is added: adding an endpoint saves the list,
        and the built-in engine's would otherwise overwrite the daemons and sockets of the
        last session before they are taken over again."""
        saved = self.settings.endpoints if restore_endpoints else []
        self._saved_read = True
        rate = self.settings.sampling_rate
        links: list[EndpointLink] = []
        if builtin:
            links.append(EndpointLink(BuiltinURI(), rate=rate))
        for endpoint in saved:
            try:
                uri = parse_endpoint_uri(endpoint.uri)
            except GuimirrorError as error:
                log.warning("saved endpoint %s left out: %s", endpoint.name, error.desc)
                continue
            links.append(EndpointLink(uri, self._unique_name(endpoint.name, links), rate))
        for uri in uris:
            if all(str(link.uri) != str(uri) for link in links):
                links.append(EndpointLink(uri, self._unique_name_for(uri, links), rate))
        for link in links:
            self._add(link)
        if builtin:
            await self._start(links[0])
        for link in links[1 if builtin else 0:]:
            self.tasks.spawn(self._start(link), self.tr("endpoint {0}").format(link.name))

    def _unique_name_for(self, uri: EndpointURI,
                         pending: list[EndpointLink] | None = None) -> str:
        return self._unique_name(default_name(uri), pending)

    def _unique_name(self, base: str, pending: list[EndpointLink] | None = None) -> str:
        taken = set(self.links) | {link.name for link in pending or []}
        name, number = base, 2
        while name in taken:
            name, number = f"{base}-{number}", number + 1
        return name

    async def add_endpoint(self, link: EndpointLink) -> EndpointLink:
        """Show ``link`` in the sidebar and open it (caller's task)."""
        self._add(link)
        await self._start(link)
        return link

    def _add(self, link: EndpointLink) -> None:
        self.links[link.name] = link
        item = QListWidgetItem(link.name)
        item.setData(Qt.ItemDataRole.UserRole, link.name)
        self.endpoint_list.addItem(item)
        link.state_changed.connect(lambda _s, name=link.name: self.show_endpoint(name))
        self.link_added.emit(link)
        self.show_endpoint(link.name)
        if self.current is None:
            self.endpoint_list.setCurrentItem(item)

    async def _start(self, link: EndpointLink) -> None:
        try:
            await link.start()
        finally:
            self.show_endpoint(link.name)
            log.info("endpoint %s: %s, %s", link.name, link.uri, link.state)
        self.save()

    async def open_uri(self, uri: EndpointURI | str, name: str | None = None) -> EndpointLink:
        """Open the endpoint ``uri`` names and show it (caller's task); EndpointURIError for
        a text that is no URI. A socket attached already is only selected; ``qsd:`` always
        starts another daemon."""
        parsed = parse_endpoint_uri(uri) if isinstance(uri, str) else uri
        if not isinstance(parsed, DaemonURI) or parsed.socket is not None:
            for link in self.links.values():
                if str(link.uri) == str(parsed) and link.state in ("running", "opening"):
                    self.select(link.name)
                    self.tasks.report(
                        self.tr("{0} is open already, as {1}").format(parsed, link.name))
                    return link
        link = EndpointLink(parsed, name or self._unique_name_for(parsed),
                            rate=self.settings.sampling_rate)
        return await self.add_endpoint(link)

    async def add_daemon(self) -> EndpointLink:
        """Start a qemu-storage-daemon (``qsd:``)."""
        return await self.open_uri(DaemonURI())

    def ask_attach(self) -> AttachDialog:
        """The Attach dialog (window-modal, non-blocking); its URI opens when accepted."""
        dialog = AttachDialog(self.endpoint_list.window())
        dialog.setObjectName("attach")
        dialog.accepted.connect(lambda: self.tasks.spawn(
            self.open_uri(dialog.uri), self.tr("attach")) if dialog.uri is not None else None)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def select(self, name: str) -> None:
        """Make ``name`` the current endpoint."""
        for row in range(self.endpoint_list.count()):
            item = self.endpoint_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.endpoint_list.setCurrentItem(item)

    async def remove_endpoint(self, name: str) -> None:
        """Remove an endpoint from the sidebar: a socket disconnects (its jobs go on), a
        daemon guimirror started stops, or, when it runs jobs and the user says so, is left
        running with them."""
        link = self.links.get(name)
        if link is None:
            return
        if link.kind is EndpointKind.BUILTIN:
            self.tasks.report(self.tr("the built-in engine stays; it ends with the application"))
            return
        leave_running = False
        running = self.running_jobs(name)
        if link.kind is EndpointKind.DAEMON and link.connected and running:
            stop, leave = self.tr("Stop the daemon"), self.tr("Leave it running")
            answer = await ask(
                self.endpoint_list.window(), self.tr("Remove a daemon with running jobs?"),
                self.tr("The qemu-storage-daemon '{0}' runs {1}.").format(
                    name, ", ".join(running)),
                [(stop, "destructive"), (leave, "action"), (self.tr("Cancel"), "reject")],
                QMessageBox.Icon.Warning,
                informative=self.tr("Stopping it cancels its jobs (never a pivot). Left running, "
                                    "it goes on without guimirror; attach to its QMP socket "
                                    "{0} to see it again.").format(link.address),
            )
            if answer not in (stop, leave):
                return
            leave_running = answer == leave
        write_load = self.write_load
        if write_load.running is not None and write_load.running.link is link:
            await write_load.stop_load()
        if leave_running:
            await link.detach()
            self.tasks.report(
                self.tr("{0} runs on; its QMP socket is {1}").format(name, link.address))
        else:
            await link.close()
        write_load.servers.forget(name)
        del self.links[name]
        for row in range(self.endpoint_list.count()):
            item = self.endpoint_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.endpoint_list.takeItem(row)
                break
        self.link_removed.emit(name)
        self.save()

    def save(self) -> None:
        """Remember the attached sockets, the daemons, then the libvirtds, each by its URI; a
        daemon's names its socket while it runs (the next start takes a daemon left running
        over again). Nothing is saved before ``start`` has read what the last session saved."""
        if not self._saved_read:
            return
        self.settings.endpoints = [
            SavedEndpoint(link.name, str(link.uri))
            for kind in (EndpointKind.SOCKET, EndpointKind.DAEMON, EndpointKind.LIBVIRT)
            for link in self.links.values()
            if link.kind is kind
        ]
        self.settings.sync()

    def show_endpoint(self, name: str) -> None:
        link = self.links.get(name)
        if link is None:
            return
        for row in range(self.endpoint_list.count()):
            item = self.endpoint_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                # An attached endpoint shows where it is (two 'qmp.sock' differ there).
                detail = where(link.uri) or link.kind.value
                text = name + ("" if detail in name else f"\n  {detail}") + f"\n  {link.state}"
                if link.version:
                    text += f" · {link.version.split(' ')[0]}"
                item.setText(text)
                why = link.error or link.stderr
                item.setToolTip(str(link.uri) + (f"\n{why}" if why else ""))
        if name == self.current:
            self.current_state_changed.emit()

    def endpoint_selected(self, item: QListWidgetItem | None, _old: Any = None) -> None:
        self.current = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        self.current_changed.emit(self.current or "")
