# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole GUI flow, written once and run on the built-in engine and on qemu-storage-daemon:
add nodes through the dialog, see each default of the form, provoke each validation error,
start, watch samples and plots, pause and resume, change the speed live, READY, complete,
and find the target identical to the source."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.conftest import run, write_source

MiB = 1 << 20
SIZE = 8 * MiB


def node_names(window: Any) -> set[str]:
    return {row.node_name for row in window.node_model.rows}


def add_node_with_dialog(window: Any, qtbot: Any, path: Path, name: str,
                         same_size_as: str | None = None) -> None:
    dialog = window.nodes.open_add_node()
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.path.setText(str(path))
    dialog.node_name.setText("0bad")
    assert dialog.errors["node-name"] == "Invalid node-name: '0bad'"
    assert not ok.isEnabled()
    dialog.node_name.setText(name)
    if same_size_as is not None:
        dialog.create_image.setChecked(True)
        dialog.size_mode.setCurrentIndex(dialog.size_mode.findData(same_size_as))
    assert dialog.errors == {}, dialog.errors
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: name in node_names(window), timeout=10000)


def check_defaults(form: Any) -> None:
    assert form.device.currentText() == "src"
    assert form.target.currentText() == "tgt"
    assert form.sync.currentText() == "full"
    assert form.speed.text() == ""
    assert form.speed_hint.text() == "unlimited"
    assert form.granularity.text() == ""
    assert form.granularity_hint.text() == "automatic: 64 KiB, the target has no cluster size"
    assert form.buf_size.text() == ""
    assert form.on_source_error.currentText() == "report"
    assert form.on_target_error.currentText() == "report"
    assert form.replaces.currentText() == ""
    assert form.filter_node_name.text() == ""
    assert form.copy_mode.currentText() == "background"
    assert form.auto_finalize.isChecked()
    assert form.auto_dismiss.isChecked()
    assert form.job_id.text() == "mirror-src"
    for name, widget in form.inputs.items():
        assert name in widget.toolTip() and len(widget.toolTip()) > len(name) + 20, name
    # Left at their defaults, the optional arguments stay out of the command.
    assert form.arguments() == {"job-id": "mirror-src", "device": "src", "target": "tgt",
                                "sync": "full"}
    assert '"execute": "blockdev-mirror"' in form.command_text()
    assert form.start_button.isEnabled()


def provoke_each_error(form: Any) -> None:
    cases = [
        (form.granularity.setText, "3000", "", "granularity",
         "Parameter 'granularity' expects a power of 2"),
        (form.granularity.setText, "256", "", "granularity",
         "Parameter 'granularity' expects a value in range [512B, 64MB]"),
        (form.granularity.setText, "12 parsecs", "", "granularity",
         "granularity: unknown unit 'parsecs' (use B, K, M, G, KiB, MiB, kB, MB...)"),
        (form.buf_size.setText, "-1", "", "buf-size", "Invalid parameter 'buf-size'"),
        (form.speed.setText, "-1", "", "speed",
         "Parameter 'speed' expects a non-negative value"),
        (form.speed.setText, "fast", "", "speed",
         "speed: 'fast' is not a number with a unit (e.g. 64K, 10 MB)"),
        (form.job_id.setText, "#bad", "mirror-src", "job-id", "Invalid job ID '#bad'"),
        (form.job_id.setText, "", "mirror-src", "job-id", "Invalid job ID ''"),
        (form.filter_node_name.setText, "1filter", "", "filter-node-name",
         "Invalid node-name: '1filter'"),
        (form.filter_node_name.setText, "src", "", "filter-node-name",
         "Duplicate nodes with node-name='src'"),
        (form.target.setCurrentText, "src", "tgt", "target", "Can't mirror node into itself"),
        (form.target.setCurrentText, "nope", "tgt", "target",
         "Cannot find device='nope' nor node-name='nope'"),
        (form.device.setCurrentText, "nope", "src", "device",
         "Cannot find device='nope' nor node-name='nope'"),
        (form.replaces.setCurrentText, "nope", "", "replaces",
         "Failed to find node with node-name='nope'"),
    ]
    for setter, bad, good, field, text in cases:
        setter(bad)
        label = form.error_labels[field]
        assert form.errors.get(field) == text, (field, form.errors)
        assert label.text() == text and not label.isHidden()
        assert not form.start_button.isEnabled()
        setter(good)
        assert form.errors == {}, form.errors
        assert form.start_button.isEnabled()
        assert label.isHidden()


def job_view(window: Any, endpoint: str, job_id: str = "mirror-src") -> Any:
    return window.jobs.job((endpoint, job_id))


def whole_flow(window: Any, qtbot: Any, loop: asyncio.AbstractEventLoop, tmp_path: Path,
               endpoint: str) -> None:
    source_bytes = write_source(tmp_path / "src.img", SIZE)
    add_node_with_dialog(window, qtbot, tmp_path / "src.img", "src")
    add_node_with_dialog(window, qtbot, tmp_path / "tgt.img", "tgt", same_size_as="src")
    assert (tmp_path / "tgt.img").stat().st_size == SIZE
    form = window.form
    check_defaults(form)
    provoke_each_error(form)

    form.speed.setText("1M")
    form.buf_size.setText("64K")
    assert form.arguments()["speed"] == MiB
    assert form.arguments()["buf-size"] == 64 * 1024
    qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    key = (endpoint, "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=10000)
    row = window.job_panel.rows[key]
    qtbot.waitUntil(lambda: job_view(window, endpoint).status == "running", timeout=10000)
    plot_key = window.jobs.plot_key(key)
    qtbot.waitUntil(lambda: window.plots.point_count(plot_key) >= 3, timeout=10000)
    assert job_view(window, endpoint).device == "src"
    assert job_view(window, endpoint).target == "tgt"
    assert window.node_model.by_name()["tgt"].used_by == ["job mirror-src (target)"]

    pause = row.buttons[_verb("pause")]
    resume = row.buttons[_verb("resume")]
    complete = row.buttons[_verb("complete")]
    assert pause.isEnabled() and not resume.isEnabled() and not complete.isEnabled()
    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: job_view(window, endpoint).status == "paused", timeout=10000)
    assert resume.isEnabled() and not pause.isEnabled()
    frozen = job_view(window, endpoint).offset
    assert frozen < SIZE
    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: job_view(window, endpoint).status == "running", timeout=10000)

    row.speed.setText("0")
    qtbot.keyClick(row.speed, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: job_view(window, endpoint).ready, timeout=20000)
    qtbot.waitUntil(lambda: job_view(window, endpoint).status == "ready", timeout=10000)
    assert job_view(window, endpoint).speed == 0
    qtbot.waitUntil(lambda: window.plots.series[plot_key].ready_at is not None, timeout=5000)
    assert complete.isEnabled()
    qtbot.mouseClick(complete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: job_view(window, endpoint).status == "completed", timeout=20000)
    assert not any(button.isEnabled() for button in row.buttons.values())
    assert (tmp_path / "tgt.img").read_bytes() == source_bytes


def _verb(name: str) -> Any:
    from guimirror.qapi.job import JobVerb

    return JobVerb(name)


__all__ = ["add_node_with_dialog", "job_view", "run", "whole_flow"]
