# SPDX-License-Identifier: GPL-2.0-or-later
"""The window on a real libvirtd (tests/libvirt/fixtures.py): attach qemu:///system, see a
running domain's disk, copy it from the form to a file, watch it reach READY and pivot; a
second copy slowed, sped up and cancelled before READY."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt

from guimirror.qapi.job import JobVerb
from guimirror.ui.node_table import LIBVIRT_COLUMNS
from tests.libvirt.fixtures import DISK_SIZE, URI, Domain, domain, libvirtd, make_domain
from tests.ui.conftest import run
from tests.ui.test_questions import answer, question

__all__ = ["domain", "libvirtd", "make_domain"]

NAME = f"libvirt {URI}"
SLOW = 256 * 1024
"""A speed at which the 4 MiB disk takes some 16 s: the job is there to act on."""


def attach_libvirt(window: Any, qtbot: Any) -> Any:
    """qemu:///system through the Attach dialog; the endpoint selected once it runs."""
    dialog = window.endpoints.ask_attach()
    dialog.edit.setText(URI)
    assert dialog.ok_button.isEnabled(), dialog.error.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: NAME in window.endpoints.links, timeout=10000)
    link = window.endpoints.links[NAME]
    qtbot.waitUntil(lambda: link.state == "running", timeout=20000)
    window.endpoints.select(NAME)
    return link


def disk_row(window: Any, device: str) -> Any:
    return window.node_model.by_name().get(device)


def cells(window: Any, device: str) -> dict[str, str]:
    row = disk_row(window, device)
    return {name: row.cell(column) for column, name in enumerate(row.columns)}


def start_copy(window: Any, qtbot: Any, device: str, target: str, speed: str = "") -> None:
    form = window.form
    form.device.setCurrentText(device)
    form.target_path.path.setText(target)
    form.target_path.format.setCurrentText("raw")
    form.speed.setText(speed)
    form.buf_size.setText("64K" if speed else "")
    assert form.start_button.isEnabled(), form.errors
    qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)


def test_a_libvirt_domain_copied_pivoted_and_cancelled_from_the_window(
    qemu_window, qtbot, qloop, domain: Domain
) -> None:
    window = qemu_window
    link = attach_libvirt(window, qtbot)
    assert link.kind.value == "libvirt" and link.version.endswith(")")
    item = window.endpoint_list.currentItem()
    assert item.text().startswith(NAME) and "running" in item.text()

    # The node view: the domain's disk as libvirt names it.
    qtbot.waitUntil(lambda: disk_row(window, domain.device) is not None, timeout=10000)
    assert window.node_model.columns == LIBVIRT_COLUMNS
    shown = cells(window, domain.device)
    assert (shown["domain"], shown["target"], shown["source"]) == (
        domain.name, "vda", str(domain.disk))
    assert (shown["type"], shown["format"], shown["virtual size"]) == ("file", "raw", "4 MiB")
    assert shown["QEMU node names"] == "—"

    # The form: disks as devices, a path with a format as target, the rest disabled with why.
    form = window.form
    assert domain.device in [form.device.itemText(i) for i in range(form.device.count())]
    form.device.setCurrentText(domain.device)
    assert form.path_target and form.target_path.isVisible() and not form.target.isVisible()
    for name, reason in (("replaces", "replaces"), ("job-id", "by the disk"),
                         ("on-target-error", "error policy")):
        cell = form.inputs[name].parentWidget()
        assert cell.isVisible() and not cell.isEnabled(), name
        assert reason in form.hints[name].text(), (name, form.hints[name].text())
    assert "job-id" not in form.arguments() and "replaces" not in form.arguments()
    none = form.sync.model().item(form.sync.findText("none"))
    assert not none.isEnabled() and "whole disk or its top image" in none.toolTip()
    assert form.sync.model().item(form.sync.findText("top")).isEnabled()
    # Nothing typed yet: why Start waits is said quietly, not as an error of the field.
    assert form.job_id.text() == domain.device and "Give the target's path" in form.summary
    assert not form.error_labels["target"].isVisible()
    form.target_path.path.setText("copy.raw")
    assert "absolute path" in form.errors["target"]

    # What a libvirt endpoint does not offer says why.
    assert not window.add_node_action.isEnabled()
    assert "libvirt owns" in window.add_node_action.statusTip()
    assert not window.write_load.start_button.isEnabled()
    assert "libvirt" in window.write_load.state.text()

    # A target of another size is refused; one that holds data asks first.
    small = domain.image("small.raw", DISK_SIZE // 2)
    start_copy(window, qtbot, domain.device, str(small))
    qtbot.waitUntil(lambda: "different sizes" in form.start_error.text(), timeout=10000)
    assert window.jobs.job((NAME, domain.device)) is None
    copy = domain.image("copy.raw")
    with open(copy, "r+b") as image:
        image.write(os.urandom(65536))
    start_copy(window, qtbot, domain.device, str(copy))
    box = question(window, qtbot)
    assert "holds" in box.text()
    answer(qtbot, box, "Overwrite target")

    # Progress to READY, then Complete pivots: the domain reads the copy.
    key = (NAME, domain.device)
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=10000)
    row = window.job_panel.rows[key]
    for verb in (JobVerb.PAUSE, JobVerb.RESUME, JobVerb.FINALIZE, JobVerb.DISMISS):
        assert row.buttons[verb].isHidden(), verb
    qtbot.waitUntil(lambda: window.jobs.job(key).ready, timeout=30000)
    view = window.jobs.job(key)
    assert (view.offset, view.len, view.target) == (DISK_SIZE, DISK_SIZE, str(copy))
    plot_key = window.jobs.plot_key(key)
    qtbot.waitUntil(lambda: window.plots.point_count(plot_key) >= 3, timeout=10000)
    assert window.plots.series[plot_key].ready_at is not None
    complete = row.buttons[JobVerb.COMPLETE]
    qtbot.waitUntil(complete.isEnabled, timeout=10000)
    qtbot.mouseClick(complete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "completed", timeout=30000)
    assert domain.source() == str(copy)
    assert str(copy) in domain_blocks(domain)
    qtbot.waitUntil(lambda: cells(window, domain.device)["source"] == str(copy), timeout=10000)

    # A second copy, slow: set-speed through the row, then Cancel asks before READY.
    second = domain.image("second.raw")
    start_copy(window, qtbot, domain.device, str(second), speed="256K")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None
                    and window.jobs.job(key).status == "running", timeout=10000)
    row = window.job_panel.rows[key]
    assert window.jobs.job(key).speed == SLOW
    client = link.endpoint.client
    qtbot.waitUntil(lambda: client.copy_targets.get(domain.device) == str(second),
                    timeout=5000)
    row.speed.setText("512K")
    qtbot.keyClick(row.speed, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.jobs.job(key).speed == 2 * SLOW, timeout=10000)
    assert not window.jobs.job(key).ready
    cancel = row.buttons[JobVerb.CANCEL]
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    box = question(window, qtbot)
    answer(qtbot, box, "Cancel job")
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "cancelled", timeout=30000)
    assert domain.source() == str(copy)


def test_qmp_passthrough_asks_and_shows_qemu_node_names(qemu_window, qtbot, qloop,
                                                        domain: Domain) -> None:
    window = qemu_window
    link = attach_libvirt(window, qtbot)
    qtbot.waitUntil(lambda: disk_row(window, domain.device) is not None, timeout=10000)
    row = [r.node_name for r in window.node_model.rows].index(domain.device)
    window.node_view.selectRow(row)
    assert window.passthrough_action.isEnabled()
    task = qloop.create_task(window.nodes.enable_passthrough())
    box = question(window, qtbot)
    assert "tainted" in box.informativeText()
    answer(qtbot, box, "Cancel")
    qtbot.waitUntil(task.done, timeout=5000)
    assert not task.result() and domain.name not in link.endpoint.client.passthrough
    task = qloop.create_task(window.nodes.enable_passthrough())
    answer(qtbot, question(window, qtbot), "Enable and taint")
    qtbot.waitUntil(task.done, timeout=10000)
    assert task.result()
    qtbot.waitUntil(lambda: cells(window, domain.device)["QEMU node names"] != "—",
                    timeout=10000)
    assert "custom-monitor" in domain.log() or "taint" in domain.log()
    run(qtbot, qloop, link.refresh())


def domain_blocks(domain: Domain) -> str:
    from tests.libvirt.fixtures import virsh

    return virsh("domblklist", domain.name)
