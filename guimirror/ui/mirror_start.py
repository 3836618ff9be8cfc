# SPDX-License-Identifier: GPL-2.0-or-later
"""Starting a mirror: the pre-start checks (ask or refuse), then blockdev-mirror.

With target-is-zero set, the start asks first, naming the risk in QEMU's words and saying
whether the target (a local file or device) actually reads as zero.

On a libvirt endpoint the target is a path with a format (the form's path-target mode), and
the libvirt client's ``check_copy`` judges it; the questions and refusals are the same."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
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
from guimirror.ui.translated import core_text

TARGET_IS_ZERO_RISK = QT_TRANSLATE_NOOP(
    "MirrorStart", "Setting this to true when the destination is not actually all zero "
    "can corrupt the destination.")
TARGET_IS_ZERO_START = QT_TRANSLATE_NOOP("MirrorStart", "Start with target-is-zero")


def _tr(text: object) -> str:
    return QCoreApplication.translate("MirrorStart", str(text))


def target_is_zero_question(target: str, data: target_checks.DataMeasure | None) -> str:
    """The question before a start with target-is-zero: QEMU's warning, then what the target
    was found to hold (``data``: its measure, None when it could not be read)."""
    if data is None:
        found = QCoreApplication.translate(
            "MirrorStart", "guimirror cannot read the target '{0}' (not a local file or "
            "device): whether it reads as zero is not known.").format(target)
    elif data.empty:
        found = QCoreApplication.translate(
            "MirrorStart", "The target '{0}' reads as zero: {1} on it.").format(
                target, core_text(data.describe()))
    else:
        found = QCoreApplication.translate(
            "MirrorStart", "The target '{0}' does not read as zero: it holds {1}. "
            "The mirror would leave that data where the source has zeroes.").format(
                target, core_text(data.describe()))
    return QCoreApplication.translate(
        "MirrorStart", "target-is-zero: {0}\n\n{1}\n\nStart with target-is-zero?").format(
            _tr(TARGET_IS_ZERO_RISK), found)


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
        data: target_checks.DataMeasure | None = None
        if isinstance(client, LibvirtClient):
            verdict = await client.check_copy(model.device, model.target,
                                              self.form.target_format or "raw")
        else:
            verdict, data = await self._node_verdict(model, link)
        return await self._judged(model, verdict, data)

    async def _node_verdict(
        self, model: BlockdevMirror, link: EndpointLink
    ) -> tuple[StartVerdict, target_checks.DataMeasure | None]:
        """The checks of a target node: its size, users, mounts and data (and that data)."""
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
        verdict = target_checks.judge_start(
            device=model.device,
            target=model.target,
            source_size=source.virtual_size if source else None,
            target_size=target.virtual_size if target else None,
            target_users=self.node_users(link.name).get(model.target, []),
            target_mount_refusal=mount_refusal,
            target_data=data,
        )
        return verdict, data

    async def _judged(self, model: BlockdevMirror, verdict: StartVerdict,
                      data: target_checks.DataMeasure | None) -> bool:
        """Refuse (the form says why), or ask about target-is-zero, each warning and the
        confirmation."""
        if not verdict.allowed:
            text = "\n".join(core_text(refusal) for refusal in verdict.refusals)
            self.form.show_start_error(text)
            self.tasks.report(QCoreApplication.translate(
                "MirrorStart", "mirror refused: {0}").format(text))
            return False
        parent = self.form.window()
        if model.target_is_zero:
            answer = await ask(parent, QCoreApplication.translate("MirrorStart", "Target is zero"),
                               target_is_zero_question(model.target, data),
                               [(_tr(TARGET_IS_ZERO_START), "destructive"),
                                (QCoreApplication.translate("MirrorStart", "Cancel"), "reject")],
                               QMessageBox.Icon.Warning)
            if answer != _tr(TARGET_IS_ZERO_START):
                return False
            verdict.confirmation = None  # what the target holds was asked about just now
        for warning in verdict.warnings:
            start_anyway = QCoreApplication.translate("MirrorStart", "Start anyway")
            answer = await ask(parent, QCoreApplication.translate("MirrorStart", "Size mismatch"),
                               core_text(warning),
                               [(start_anyway, "accept"),
                                (QCoreApplication.translate("MirrorStart", "Cancel"), "reject")],
                               QMessageBox.Icon.Warning)
            if answer != start_anyway:
                return False
        if verdict.confirmation:
            overwrite = QCoreApplication.translate("MirrorStart", "Overwrite target")
            answer = await ask(parent,
                               QCoreApplication.translate("MirrorStart", "The target holds data"),
                               core_text(verdict.confirmation),
                               [(overwrite, "destructive"),
                                (QCoreApplication.translate("MirrorStart", "Cancel"), "reject")],
                               QMessageBox.Icon.Warning)
            if answer != overwrite:
                return False
        return True

    async def start_mirror(self, model: BlockdevMirror, confirm: bool = True) -> bool:
        """The checks, then blockdev-mirror on the current endpoint (caller's task)."""
        jobs = self.jobs
        link = self.links.current_link()
        if link is None:
            raise StateError(QCoreApplication.translate("MirrorStart", "no endpoint is selected"))
        if confirm and not await self.check_start(model, link):
            return False
        job_id = model.job_id or model.device
        key = (link.name, job_id)
        jobs.prepare(key, {
            "device": model.device, "target": model.target,
            "auto-finalize": model.auto_finalize, "auto-dismiss": model.auto_dismiss,
            "copy-mode": model.copy_mode.value, "error": "", "outcome": "",
        })
        try:
            await link.mirror(model, self.form.target_format or "raw")
        except GuimirrorError as err:
            jobs.start_failed(key)
            self.form.show_start_error(core_text(err.desc))
            raise
        jobs.started(key, model.speed)
        self.form.reset_job_id()
        self.form.set_job_ids(jobs.running_on(link.name))
        await link.refresh()
        return True
