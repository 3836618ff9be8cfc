# SPDX-License-Identifier: GPL-2.0-or-later
"""Arguments of newer QEMUs in the form: target-is-zero asks before a start, naming QEMU's
warning and whether the target reads as zero; a missing argument says from which version on
it exists; arguments guimirror does not know come from the engine's schema as generic fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import require_tools
from tests.ui.conftest import run, write_source
from tests.ui.test_questions import add_raw, answer, commands_sent, question, sparse

MiB = 1 << 20


def start_with_target_is_zero(window: Any, qtbot: Any, qloop: Any, target: Path) -> None:
    write_source(target.with_name("src.img"), 4 * MiB)
    add_raw(window, qtbot, qloop, "src", target.with_name("src.img"))
    add_raw(window, qtbot, qloop, "tgt", target)
    form = window.form
    form.select("src", "tgt")
    assert form.target_is_zero.isVisibleTo(form)  # the built-in engine takes it
    form.target_is_zero.setChecked(True)
    assert form.arguments()["target-is-zero"] is True
    form.start_button.click()


def test_target_is_zero_asks_and_says_what_the_target_holds(
        window, qtbot, qloop, tmp_path) -> None:
    from guimirror.ui.mirror_start import TARGET_IS_ZERO_RISK, TARGET_IS_ZERO_START

    tooltip = window.form.target_is_zero.toolTip()
    assert "can corrupt the destination" in tooltip and "QEMU 10.1 and later" in tooltip
    holding = tmp_path / "full.img"
    write_source(holding, 4 * MiB)
    start_with_target_is_zero(window, qtbot, qloop, holding)
    box = question(window, qtbot)
    assert TARGET_IS_ZERO_RISK in box.text()
    assert "The target 'tgt' does not read as zero: it holds 4 MiB of data" in box.text()
    answer(qtbot, box, "Cancel")
    assert commands_sent(window, "blockdev-mirror") == 0

    link = window.endpoints.current_link()
    run(qtbot, qloop, link.execute("blockdev-del", {"node-name": "tgt"}))
    run(qtbot, qloop, link.execute("blockdev-del", {"node-name": "src"}))
    qtbot.waitUntil(lambda: "tgt" not in window.node_model.by_name(), timeout=5000)
    zero = sparse(tmp_path / "zero.img", 4 * MiB)
    start_with_target_is_zero(window, qtbot, qloop, zero)
    box = question(window, qtbot)
    assert "The target 'tgt' reads as zero: 0 B of data on it." in box.text()
    answer(qtbot, box, TARGET_IS_ZERO_START)  # no second question about the target's data
    qtbot.waitUntil(lambda: commands_sent(window, "blockdev-mirror") == 1, timeout=5000)
    sent = next(entry.text for entry in window.event_log.entries
                if entry.kind == "command" and '"blockdev-mirror"' in entry.text)
    assert '"target-is-zero": true' in sent
    key = ("built-in", "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None and window.jobs.job(key).ready,
                    timeout=10000)
    assert zero.read_bytes() == (tmp_path / "src.img").read_bytes()
    run(qtbot, qloop, link.execute("job-cancel", {"id": key[1]}))


@pytest.mark.qemu
def test_unknown_schema_arguments_become_generic_fields(
        window, qtbot, qloop, tmp_path) -> None:
    from guimirror.qapi.mirror import BlockdevMirror
    from guimirror.session.capabilities import Capabilities

    require_tools("qemu-storage-daemon")
    form = window.form
    link = run(qtbot, qloop, window.endpoints.add_daemon())
    schema = run(qtbot, qloop, link.execute("query-qmp-schema", log_it=False))
    arg_type = next(e["arg-type"] for e in schema if e["name"] == "blockdev-mirror")
    members = next(e for e in schema if e["name"] == arg_type)["members"]
    copy_mode_type = next(m["type"] for m in members if m["name"] == "copy-mode")
    # A newer QEMU's blockdev-mirror: four arguments guimirror does not know, one not shown.
    members += [{"name": "x-flag", "type": "bool", "default": None},
                {"name": "x-count", "type": "int", "default": None},
                {"name": "x-label", "type": "str", "default": None},
                {"name": "x-mode", "type": copy_mode_type, "default": None},
                {"name": "x-tree", "type": arg_type, "default": None}]
    newer = Capabilities.from_schema(schema)
    window.endpoints.select(link.name)
    qtbot.waitUntil(lambda: window.endpoints.current == link.name, timeout=5000)
    write_source(tmp_path / "a.img", MiB)
    add_raw(window, qtbot, qloop, "a", tmp_path / "a.img")
    add_raw(window, qtbot, qloop, "b", sparse(tmp_path / "b.img", MiB))
    form.select("a", "b")
    form.set_accepted_arguments(newer.arguments("blockdev-mirror"))
    assert form.other_arguments.isVisibleTo(form)
    assert list(form.others) == ["x-flag", "x-count", "x-label", "x-mode"]
    assert form.not_accepted.text() == (
        "Not offered: this engine does not accept target-is-zero (QEMU 10.1 and later).")
    flag, count = form.inputs["x-flag"], form.inputs["x-count"]
    label, mode = form.inputs["x-label"], form.inputs["x-mode"]
    assert [mode.itemText(i) for i in range(mode.count())] == ["", "background",
                                                               "write-blocking"]
    assert not set(form.others) & set(form.arguments())  # unset: left out
    flag.setChecked(True)
    count.setText("seven")
    assert form.errors["x-count"] == "Invalid parameter type for 'x-count', expected: integer"
    assert form.model is None
    count.setText("7")
    label.setText("nightly")
    mode.setCurrentText("write-blocking")
    arguments = form.arguments()
    assert {key: arguments[key] for key in ("x-flag", "x-count", "x-label", "x-mode")} == {
        "x-flag": True, "x-count": 7, "x-label": "nightly", "x-mode": "write-blocking"}
    assert json.loads(form.command_text())["arguments"]["x-count"] == 7
    assert isinstance(form.model, BlockdevMirror)
    assert form.model.to_qmp()["x-label"] == "nightly"
    # QEMU 7.2 itself refuses what it does not know, in its own words.
    with pytest.raises(Exception, match="Parameter 'x-flag' is unexpected"):
        run(qtbot, qloop, link.mirror(form.model))
    form.set_accepted_arguments(link.capabilities.arguments("blockdev-mirror"))
    assert form.other_arguments.isHidden() and "x-flag" not in form.inputs
    assert "x-flag" not in form.arguments()
