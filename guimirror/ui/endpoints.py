"""The endpoints sidebar: connect, attach, remove and remember endpoints; which one is current."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QListWidgetItem, QMessageBox

from guimirror.ui.ask import ask
from guimirror.ui.endpoint_link import EndpointKind, EndpointLink
from guimirror.ui.settings import SavedEndpoint

if TYPE_CHECKING:
    from guimirror.ui.main_window import MainWindow

BUILTIN = "built-in"


class Endpoints:
    """The window's endpoint links by name and its sidebar list (GUI thread, window tasks)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.links: dict[str, EndpointLink] = {}
        self.current: str | None = None

    def current_link(self) -> EndpointLink | None:
        return self.links.get(self.current or "")

    async def start(self, restore_endpoints: bool = True, builtin: bool = True) -> None:
        """Connect the built-in engine and the saved endpoints (caller's task)."""
        settings = self.window.settings
        if builtin:
            await self.add_endpoint(EndpointLink(BUILTIN, EndpointKind.BUILTIN,
                                                 rate=settings.sampling_rate))
        if restore_endpoints:
            for saved in settings.endpoints:
                kind = EndpointKind(saved.kind)
                name = self._unique_name(saved.name)
                link = EndpointLink(name, kind, saved.address or None,
                                    rate=settings.sampling_rate)
                self.window.spawn(self.add_endpoint(link), f"endpoint {name}")

    def _unique_name(self, base: str) -> str:
        name, number = base, 2
        while name in self.links:
            name, number = f"{base}-{number}", number + 1
        return name

    async def add_endpoint(self, link: EndpointLink) -> EndpointLink:
        window = self.window
        self.links[link.name] = link
        item = QListWidgetItem(link.name)
        item.setData(Qt.ItemDataRole.UserRole, link.name)
        window.endpoint_list.addItem(item)
        jobs = window.jobs
        link.logged.connect(window.event_log.add)
        link.state_changed.connect(lambda _s, name=link.name: self.show_endpoint(name))
        link.nodes_changed.connect(lambda nodes, name=link.name: window.nodes.nodes_changed(name))
        link.jobs_changed.connect(lambda jobs_, name=link.name: jobs.jobs_changed(name, jobs_))
        link.sample.connect(lambda job_id, s, name=link.name: jobs.sample(name, job_id, s))
        link.event_received.connect(lambda event, name=link.name: jobs.event(name, event))
        self.show_endpoint(link.name)
        if self.current is None:
            window.endpoint_list.setCurrentItem(item)
        try:
            await link.start()
        except Exception:
            self.show_endpoint(link.name)
            raise
        self.show_endpoint(link.name)
        self.save()
        return link

    async def add_daemon(self) -> EndpointLink:
        link = EndpointLink(self._unique_name("qsd"), EndpointKind.DAEMON,
                            rate=self.window.settings.sampling_rate)
        return await self.add_endpoint(link)

    async def attach_socket(self, address: str) -> EndpointLink:
        host_port: str | tuple[str, int] = address
        if not address.startswith("/") and ":" in address:
            host, port = address.rsplit(":", 1)
            host_port = (host, int(port))
        link = EndpointLink(self._unique_name(os.path.basename(address) or "socket"),
                            EndpointKind.SOCKET, host_port,
                            rate=self.window.settings.sampling_rate)
        return await self.add_endpoint(link)

    def ask_attach(self) -> None:
        text, ok = QInputDialog.getText(
            self.window, "Attach to a QMP socket", "Unix socket path, or host:port on loopback:"
        )
        if ok and text.strip():
            self.window.spawn(self.attach_socket(text.strip()), "attach")

    async def remove_endpoint(self, name: str) -> None:
        """Remove an endpoint from the sidebar: a socket disconnects (its jobs go on), a
        daemon guimirror started stops, or, when it runs jobs and the user says so, is left
        running with them."""
        window = self.window
        link = self.links.get(name)
        if link is None:
            return
        if link.kind is EndpointKind.BUILTIN:
            window.report("the built-in engine stays; it ends with the application")
            return
        leave_running = False
        running = [job for endpoint, job in window.jobs.active_jobs() if endpoint == name]
        if link.kind is EndpointKind.DAEMON and link.connected and running:
            answer = await ask(
                window, "Remove a daemon with running jobs?",
                f"The qemu-storage-daemon '{name}' runs {', '.join(running)}.",
                [("Stop the daemon", "destructive"), ("Leave it running", "action"),
                 ("Cancel", "reject")],
                QMessageBox.Icon.Warning,
                informative=f"Stopping it cancels its jobs (never a pivot). Left running, it "
                            f"goes on without guimirror; attach to its QMP socket "
                            f"{link.address} to see it again.",
            )
            if answer not in ("Stop the daemon", "Leave it running"):
                return
            leave_running = answer == "Leave it running"
        write_load = window.write_load
        if write_load.running is not None and write_load.running.link is link:
            await write_load.stop_load()
        if leave_running:
            await link.detach()
            window.report(f"{name} runs on; its QMP socket is {link.address}")
        else:
            await link.close()
        write_load.servers.forget(name)
        del self.links[name]
        for row in range(window.endpoint_list.count()):
            item = window.endpoint_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                window.endpoint_list.takeItem(row)
                break
        window.jobs.forget_endpoint(name)
        self.save()

    def save(self) -> None:
        """Remember the attached sockets, then the daemons; a daemon's socket while it runs
        (the next start takes a daemon left running over again)."""
        settings = self.window.settings
        settings.endpoints = [
            SavedEndpoint(link.kind.value, link.name,
                          link.address if isinstance(link.address, str) else
                          (f"{link.address[0]}:{link.address[1]}" if link.address else ""))
            for kind in (EndpointKind.SOCKET, EndpointKind.DAEMON)
            for link in self.links.values()
            if link.kind is kind
        ]
        settings.sync()

    def show_endpoint(self, name: str) -> None:
        link = self.links.get(name)
        if link is None:
            return
        endpoint_list = self.window.endpoint_list
        for row in range(endpoint_list.count()):
            item = endpoint_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                kind = "" if name == link.kind.value else f"\n  {link.kind.value}"
                text = f"{name}{kind}\n  {link.state}"
                if link.version:
                    text += f" · {link.version.split(' ')[0]}"
                item.setText(text)
                item.setToolTip(link.error or (link.stderr or str(link.address or "")))
        if name == self.current:
            self.window.update_status()

    def endpoint_selected(self, item: QListWidgetItem | None, _old: Any = None) -> None:
        self.current = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        self.window.nodes.nodes_changed(self.current or "")
        self.window.update_status()
