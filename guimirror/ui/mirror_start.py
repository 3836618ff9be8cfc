"""Starting a mirror: the pre-start checks (ask or refuse), then blockdev-mirror."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.session import target_checks
from guimirror.session.block_devices import list_block_devices, mounted_device_refusal
from guimirror.ui.ask import ask
from guimirror.ui.endpoint_link import EndpointLink
from guimirror.ui.node_table import NodeRow

if TYPE_CHECKING:
    from guimirror.ui.main_window import MainWindow


class MirrorStart:
    """The form's Start mirror (GUI thread; coroutines run in the caller's task)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def focus_form(self) -> None:
        self.window.form_dock.show()
        self.window.form_dock.raise_()
        self.window.form.device.setFocus()

    async def check_start(self, model: BlockdevMirror, link: EndpointLink) -> bool:
        """Size mismatch, mounted or busy target, data on the target: ask or refuse."""
        window = self.window
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
            target_users=window.nodes.node_users(link.name).get(model.target, []),
            target_mount_refusal=mount_refusal,
            target_data=data,
        )
        if not verdict.allowed:
            text = "\n".join(verdict.refusals)
            window.form.show_start_error(text)
            window.report(f"mirror refused: {text}")
            return False
        for warning in verdict.warnings:
            answer = await ask(window, "Size mismatch", warning,
                               [("Start anyway", "accept"), ("Cancel", "reject")],
                               QMessageBox.Icon.Warning)
            if answer != "Start anyway":
                return False
        if verdict.confirmation:
            answer = await ask(window, "The target holds data", verdict.confirmation,
                               [("Overwrite target", "destructive"), ("Cancel", "reject")],
                               QMessageBox.Icon.Warning)
            if answer != "Overwrite target":
                return False
        return True

    async def start_mirror(self, model: BlockdevMirror, confirm: bool = True) -> bool:
        """The checks, then blockdev-mirror on the current endpoint (caller's task)."""
        window = self.window
        jobs = window.jobs
        link = window.endpoints.current_link()
        if link is None:
            raise QAPIError("no endpoint is selected")
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
            await link.mirror(model)
        except QAPIError as err:
            jobs.job_meta.pop(key, None)
            window.form.show_start_error(err.desc)
            raise
        window.plots.set_speed_limit(jobs.plot_key(key), model.speed)
        window.form.reset_job_id()
        if key not in jobs.job_views:
            window.job_panel.update_job(jobs.view(key, {"device": job_id, "status": "created",
                                                        "speed": model.speed}))
        window.job_panel.select(key)
        window.form.set_job_ids(k[1] for k, _view in jobs.active_views(link.name))
        await link.refresh()
        return True
