# SPDX-License-Identifier: GPL-2.0-or-later
"""The mirror form on its own: built from BlockdevMirror's metadata, one unit syntax, hints
that tell the effective values, and errors that follow the nodes and jobs they are about."""

from __future__ import annotations

from typing import Any

import pytest

from guimirror.qapi.mirror import (
    DOCUMENTED_BUF_SIZE,
    MIRROR_ARGUMENTS,
    QEMU_7_2_BUF_SIZE,
    BlockdevMirror,
)
from guimirror.ui.mirror_form import MirrorForm, NodeChoice

MiB = 1 << 20
SRC = NodeChoice("src", 512 * MiB, None)
TGT = NodeChoice("tgt", 512 * MiB, 65536)


@pytest.fixture
def form(qtbot: Any) -> MirrorForm:
    widget = MirrorForm()
    qtbot.addWidget(widget)
    widget.set_nodes([SRC, TGT])
    return widget


def test_every_argument_has_its_row_from_the_model(form: MirrorForm) -> None:
    assert list(form.inputs) != []
    assert set(form.inputs) == {spec.name for spec in MIRROR_ARGUMENTS}
    for spec in MIRROR_ARGUMENTS:
        assert spec.description and spec.description in form.inputs[spec.name].toolTip()
    assert [form.sync.itemText(i) for i in range(form.sync.count())] == ["full", "top", "none"]
    assert form.on_source_error.currentText() == "report"
    assert form.copy_mode.currentText() == "background"
    assert form.arguments() == {"job-id": "mirror-src", "device": "src", "target": "tgt",
                                "sync": "full"}
    assert isinstance(form.model, BlockdevMirror) and form.start_button.isEnabled()


def test_every_size_field_takes_the_same_units(form: MirrorForm) -> None:
    form.speed.setText("10 MB/s")
    form.buf_size.setText("10 MB")
    form.granularity.setText("64 KiB")
    assert form.errors == {}
    assert form.arguments()["speed"] == 10_000_000
    assert form.arguments()["buf-size"] == 10_000_000
    assert form.arguments()["granularity"] == 65536


def test_a_bare_speed_is_bytes_per_second_and_the_hint_says_how_long(form: MirrorForm) -> None:
    form.speed.setText("3000")
    assert form.speed_hint.text() == (
        "3000 bytes per second: 512 MiB at 2.9 KiB/s takes about 49 h 42 min")
    form.speed.setText("0")
    assert form.speed_hint.text() == "unlimited" and "speed" not in form.arguments()


def test_the_buffer_hint_tells_the_engines_default_and_the_rounding(form: MirrorForm) -> None:
    form.buf_size.setText("0")
    assert "buf-size" not in form.arguments()
    assert form.buf_size_hint.text() == "default: the engine's own (documented: 10 MiB)"
    form.set_default_buf_size(QEMU_7_2_BUF_SIZE)
    assert form.buf_size_hint.text() == (
        "default: 16 MiB in flight on this engine (documented: 10 MiB)")
    form.set_default_buf_size(DOCUMENTED_BUF_SIZE)
    assert form.buf_size_hint.text() == "default: 10 MiB in flight on this engine"
    form.buf_size.setText("3000")
    assert form.arguments()["buf-size"] == 3000
    assert form.buf_size_hint.text() == (
        "64 KiB in flight at most: 2.9 KiB rounded up to the granularity")
    form.granularity.setText("4K")
    assert form.buf_size_hint.text() == (
        "4 KiB in flight at most: 2.9 KiB rounded up to the granularity")


def test_a_read_only_target_says_so_next_to_start(form: MirrorForm) -> None:
    form.set_nodes([SRC, NodeChoice("tgt", 512 * MiB, 65536, read_only=True)])
    assert not form.start_button.isEnabled()
    assert not form.start_reason.isHidden()
    assert form.start_reason.text() == "Cannot start: Target: Block node is read-only"
    form.set_nodes([SRC, TGT])
    assert form.start_button.isEnabled() and form.start_reason.isHidden()


def test_node_users_and_start_errors_follow_set_nodes_and_set_job_ids(form: MirrorForm) -> None:
    form.set_nodes([SRC, NodeChoice("tgt", 512 * MiB, 65536, used_by="job mirror-x (target)")])
    assert form.target_hint.text() == "used by job mirror-x (target)"
    form.show_start_error("Node 'tgt' is busy: it is in use by job mirror-x (target)")
    assert not form.start_error.isHidden()
    form.set_nodes([SRC, NodeChoice("tgt", 512 * MiB, 65536, used_by="job mirror-x (target)")])
    assert not form.start_error.isHidden(), "nothing changed, the refusal still holds"
    form.set_nodes([SRC, NodeChoice("tgt", 512 * MiB, 65536,
                                    used_by="job mirror-x (target), export e1")])
    assert not form.start_error.isHidden(), "a new user makes the refusal truer"
    form.set_nodes([SRC, TGT])
    assert form.start_error.isHidden() and form.target_hint.isHidden()
    form.show_start_error("Job ID 'mirror-src' already in use")
    form.set_job_ids(["mirror-src"])
    assert form.start_error.isHidden()
    assert form.job_id.text() == "mirror-src-2"


def test_switching_endpoint_drops_the_old_node_names(form: MirrorForm) -> None:
    assert form.replaces.currentText() == ""
    form.set_nodes([NodeChoice("disk0", MiB, None), NodeChoice("disk1", MiB, None)])
    assert form.device.currentText() == "disk0"
    assert form.target.currentText() == "disk1"
    assert form.replaces.currentText() == ""
    assert form.job_id.text() == "mirror-disk0"
    assert "src" not in str(form.arguments())
    form.set_nodes([NodeChoice("disk0", MiB, None)])
    assert form.target.currentText() == ""
    assert form.errors["target"] == "Choose a node for target"


def test_arguments_an_engine_lacks_are_hidden_and_left_out(form: MirrorForm) -> None:
    form.copy_mode.setCurrentText("write-blocking")
    assert form.arguments()["copy-mode"] == "write-blocking"
    accepted = {spec.name for spec in MIRROR_ARGUMENTS} - {"copy-mode"}
    form.set_accepted_arguments(accepted)
    assert "copy-mode" not in form.arguments()
    assert form.inputs["copy-mode"].parentWidget().isHidden()
    form.speed.setText("1M")
    form.set_accepted_arguments({"speed"})
    assert set(form.arguments()) == {"device", "target", "sync", "speed"}
    assert not form.inputs["device"].parentWidget().isHidden()
    form.set_accepted_arguments(None)
    assert form.arguments()["copy-mode"] == "write-blocking"
