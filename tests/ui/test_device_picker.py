# SPDX-License-Identifier: GPL-2.0-or-later
"""The Add node dialog's device picker marks a device a node already uses, and says which
node on which endpoint (with the jobs and exports that use that node). A real loop device."""

from __future__ import annotations

from typing import Any

from guimirror.session.block_devices import list_block_devices
from tests.loop_devices import loop_device  # noqa: F401 (a fixture)
from tests.ui.conftest import run

MiB = 1 << 20


def test_the_picker_marks_a_device_in_use_by_a_node(window, qtbot, qloop,
                                                    loop_device) -> None:  # noqa: F811
    used, free = loop_device(16 * MiB), loop_device(16 * MiB)
    link = window.endpoints.current_link()
    run(qtbot, qloop, link.execute("blockdev-add", {
        "driver": "raw", "node-name": "dev",
        "file": {"driver": "host_device", "filename": used},
    }))
    qtbot.waitUntil(lambda: "dev" in window.node_model.by_name(), timeout=5000)
    dialog = window.nodes.open_add_node()
    assert dialog is not None
    try:
        dialog.set_devices(run(qtbot, qloop, list_block_devices()))
        items: dict[str, Any] = {dialog.device_combo.itemData(i): dialog.device_combo.itemText(i)
                                 for i in range(dialog.device_combo.count())}
        assert items[used].endswith("(loop, not mounted; in use by node 'dev' on built-in)")
        assert items[free].endswith("(loop, not mounted)")
    finally:
        dialog.reject()
