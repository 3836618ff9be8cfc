"""Starting a mirror: the pre-start checks (ask or refuse), then blockdev-mirror.

On a libvirt endpoint the target is a path with a format (the form's path-target mode), and
the libvirt client's ``check_copy`` judges it; the questions and refusals are the same."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDockWidget, QMessageBox

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.session import target_checks
from guimirror.session.block_devices import list_block_devices, mounted_device_refusal
from guimirror.session.libvirt_client import LibvirtClient
from guimirror.session.target_checks import StartVerdict
from guimirror.ui.ask import ask
from guimirror.ui.endpoint_link import EndpointLink
from guimirror.ui.endpoint_links import EndpointLinks
from guimirror.ui.jobs_controller import JobsController
from guimirror.ui.mirror_form import MirrorForm
from guimirror.ui.node_table import NodeRow
from guimirror.ui.tasks import TaskRunner


class MirrorStart:
    """The form's Start mirror on the current endpoint; ``node_users(endpoint)`` tells what
    uses each node (GUI thread; coroutines run in the caller's task)."""

    def __init__(self, links: EndpointLinks, form: MirrorForm, form_dock: QDockWidget,
                 jobs: JobsController, node_users: Callable[[str], dict[str, list[str]]],
                 tasks: TaskRunner) -> None:
        self.links = links
        self.form = form
        self.form_dock = form_dock
        self.jobs = jobs
        self.node_users = node_users
        self.tasks = tasks

    def focus_form(self) -> None:
        self.form_dock.show()
        self.form_dock.raise_()
        self.form.device.setFocus()

    async def check_start(self, model: BlockdevMirror, link: EndpointLink) -> bool:
        """Size mismatch, mounted or busy target, data on the target: ask or refuse."""
        client = link.endpoint.client if link.connected else None
        if isinstance(client, LibvirtClient):
            verdict = await client.check_copy(model.device, model.target,
                                              self.form.target_format or "raw")
        else:
            verdict = await self._node_verdict(model, link)
        return await self._judged(verdict)

    async def _node_verdict(self, model: BlockdevMirror, link: EndpointLink) -> StartVerdict:
        """The checks of a target node: its size, users, mounts and data."""
        nodes = {node.node_name: NodeRow(node) for node in link.nodes}
        source, target = nodes.get(model.device), nodes.get(model.target)
        mount_refusal = None
        data = None
        local = target_checks.local_path_of(target.raw) if target is not None else None
        if local is not None:
            if local.startswith("/dev/"):
                devices = await list_block_devices()
                mount_refusal = mounted_device_refusal(local, devices)
            try:
                data = await target_checks.measure_target(local)
            except OSError:
                data = None
        return target_checks.judge_start(
            device=model.device,
            target=model.target,
            source_size=source.virtual_size if source else None,
            target_size=target.virtual_size if target else None,
            target_users=self.node_users(link.name).get(model.target, []),
            target_mount_refusal=mount_refusal,
            target_data=data,
        )

    async def _judged(self, verdict: StartVerdict) -> bool:
        """Refuse (the form says why), or ask each warning and the confirmation."""
        if not verdict.allowed:
            text = "\n".join(verdict.refusals)
            self.form.show_start_error(text)
            self.tasks.report(f"mirror refused: {text}")
            return False
        parent = self.form.window()
        for warning in verdict.warnings:
            answer = await ask(parent, "Size mismatch", warning,
                               [("Start anyway", "accept"), ("Cancel", "reject")],
                               QMessageBox.Icon.Warning)
            if answer != "Start anyway":
                return False
        if verdict.confirmation:
            answer = await ask(parent, "The target holds data", verdict.confirmation,
                               [("Overwrite target", "destructive"), ("Cancel", "reject")],
                               QMessageBox.Icon.Warning)
            if answer != "Overwrite target":
                return False
        return True

    async def start_mirror(self, model: BlockdevMirror, confirm: bool = True) -> bool:
        """The checks, then blockdev-mirror on the current endpoint (caller's task)."""
        jobs = self.jobs
        link = self.links.current_link()
        if link is None:
            raise StateError("no endpoint is selected")
        if confirm and not await self.check_start(model, link):
            return False
        job_id = model.job_id or model.device
        key = (link.name, job_id)
        jobs.prepare(key, {
            "device": model.device, "target": model.target,
            "auto-finalize": model.auto_finalize, "auto-dismiss": model.auto_dismiss,
            "error": "", "outcome": "",
        })
        try:
            await link.mirror(model, self.form.target_format or "raw")
        except GuimirrorError as err:
            jobs.start_failed(key)
            self.form.show_start_error(err.desc)
            raise
        jobs.started(key, model.speed)
        self.form.reset_job_id()
        self.form.set_job_ids(jobs.running_on(link.name))
        await link.refresh()
        return True
