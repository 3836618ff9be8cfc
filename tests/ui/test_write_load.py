# SPDX-License-Identifier: GPL-2.0-or-later
"""The drill's write load: random data at a chosen rate through an NBD export (guimirror's
own asyncio NBD client), on QEMU and on the built-in engine; and the not-converging hint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from guimirror.session.convergence import HINT
from tests.support import require_tools
from tests.ui.conftest import run, write_source
from tests.ui.test_questions import answer, question

MiB = 1 << 20


def add_nodes(window: Any, qtbot: Any, loop: Any, tmp_path: Path, size: int,
              source_data: bool = True) -> None:
    link = window.endpoints.current_link()
    if source_data:
        write_source(tmp_path / "src.img", size)
    else:
        with open(tmp_path / "src.img", "wb") as image:
            image.truncate(size)
    with open(tmp_path / "tgt.img", "wb") as image:
        image.truncate(size)
    for node in ("src", "tgt"):
        run(qtbot, loop, link.execute("blockdev-add", {
            "driver": "raw", "node-name": node,
            "file": {"driver": "file", "filename": str(tmp_path / f"{node}.img")},
        }))
    qtbot.waitUntil(lambda: {"src", "tgt"} <= set(window.node_model.by_name()), timeout=5000)


def exports(window: Any, qtbot: Any, loop: Any) -> list[str]:
    reply = run(qtbot, loop, window.endpoints.current_link().execute("query-block-exports"))
    return [export["id"] for export in reply]


@pytest.mark.qemu
def test_write_load_through_nbd_during_a_mirror_on_qemu(qemu_window, qtbot, qloop,
                                                        tmp_path) -> None:
    require_tools("qemu-storage-daemon")
    window = qemu_window
    run(qtbot, qloop, window.endpoints.add_daemon())
    window.endpoint_list.setCurrentRow(0)
    add_nodes(window, qtbot, qloop, tmp_path, 8 * MiB)
    window.form.select("src", "tgt")
    window.form.speed.setText("2M")
    window.form.buf_size.setText("64K")
    qtbot.mouseClick(window.form.start_button, Qt.MouseButton.LeftButton)
    key = (window.endpoints.current, "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    panel = window.write_load
    panel.node.setCurrentText("src")
    panel.rate.setText("4M")
    qtbot.waitUntil(lambda: offered(panel) == ["src"], timeout=5000)
    assert panel.refused == {"tgt": "'tgt' is the target of job mirror-src"}
    starting = qloop.create_task(panel.start_load())
    box = question(window, qtbot)
    assert box.text().startswith(f"Write random data into 'src' (8 MiB)? {tmp_path}/src.img "
                                 "holds 8 MiB of data.")
    answer(qtbot, box, "Write into 'src'")
    qtbot.waitUntil(starting.done, timeout=10000)
    assert starting.result(), panel.state.text()
    assert exports(window, qtbot, qloop) == ["load-src"]
    assert window.node_model.by_name()["src"].used_by[-1] == "export load-src"
    qtbot.waitUntil(lambda: panel.running.load.stats.written >= 2 * MiB, timeout=10000)
    assert panel.running.load.stats.error == ""
    qtbot.waitUntil(lambda: "writing into src:" in panel.state.text(), timeout=5000)
    run(qtbot, qloop, panel.stop_load())
    assert exports(window, qtbot, qloop) == []
    assert "stopped; wrote" in panel.state.text()
    # The mirror still converges and completes once the writer stops.
    row = window.job_panel.rows[key]
    row.speed.setText("0")
    qtbot.keyClick(row.speed, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "ready", timeout=15000)
    qtbot.mouseClick(row.buttons[next(v for v in row.buttons if v.value == "complete")],
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "completed", timeout=15000)
    assert (tmp_path / "tgt.img").read_bytes() == (tmp_path / "src.img").read_bytes()


def test_a_write_load_faster_than_the_mirror_shows_the_hint(window, qtbot, qloop,
                                                            tmp_path) -> None:
    """8 MiB/s of random writes through an export of the source, then a sync=none mirror at
    512 KiB/s: dirty clusters grow (the built-in engine keeps ``speed`` after READY, so the job
    cannot catch up). The export comes first, as in QEMU's measured drill: the mirror's filter
    then sits between it and the source."""
    window.jobs.convergence_window = 5.0  # the bitmap is read once a second
    add_nodes(window, qtbot, qloop, tmp_path, 64 * MiB, source_data=False)
    panel = window.write_load
    panel.node.setCurrentText("src")
    panel.rate.setText("8M")
    assert run(qtbot, qloop, panel.start_load()), panel.state.text()
    window.form.select("src", "tgt")
    window.form.sync.setCurrentText("none")
    window.form.speed.setText("512K")
    qtbot.mouseClick(window.form.start_button, Qt.MouseButton.LeftButton)
    key = ("built-in", "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    row = window.job_panel.rows[key]
    qtbot.waitUntil(lambda: window.jobs.job(key).hint == HINT, timeout=15000)
    assert not row.hint.isHidden() and "copy-mode write-blocking" in row.hint.text()
    run(qtbot, qloop, panel.stop_load())


@pytest.mark.qemu
def test_stopping_a_load_frees_its_export_even_with_a_client_left(qemu_window, qtbot, qloop,
                                                                  tmp_path) -> None:
    """QEMU refuses a plain block-export-del while a client is connected (and may not have
    seen the load's own client leave yet); stopping drops what is left and waits for
    BLOCK_EXPORT_DELETED, so the export is gone and its id free at once."""
    from guimirror.nbd.client import NBDClient

    require_tools("qemu-storage-daemon")
    window = qemu_window
    link = run(qtbot, qloop, window.endpoints.add_daemon())
    window.endpoint_list.setCurrentRow(0)
    add_nodes(window, qtbot, qloop, tmp_path, 8 * MiB, source_data=False)
    panel = window.write_load
    panel.node.setCurrentText("src")
    panel.rate.setText("1M")
    assert run(qtbot, qloop, panel.start_load()), panel.state.text()
    other = NBDClient()
    path = run(qtbot, qloop, panel.servers.socket_for(link))
    run(qtbot, qloop, other.connect("load-src", path=path))
    try:
        run(qtbot, qloop, panel.stop_load())
        assert exports(window, qtbot, qloop) == []
        # src now holds what the first load wrote; that question is tested elsewhere.
        assert run(qtbot, qloop, panel.start_load(confirm=False)), panel.state.text()
        run(qtbot, qloop, panel.stop_load())
        assert exports(window, qtbot, qloop) == []
    finally:
        run(qtbot, qloop, other.close(polite=False))


def offered(panel: Any) -> list[str]:
    return [panel.node.itemText(i) for i in range(panel.node.count())]


def test_the_load_offers_only_writable_nodes_and_asks_before_overwriting_data(
        window, qtbot, qloop, tmp_path) -> None:
    """Built-in engine: a read-only node and a running mirror's target are not offered; a
    node holding data is written only after a question naming it, its size and what it
    holds, which defaults to Cancel; an empty node is written at once."""
    link = window.endpoints.current_link()
    add_nodes(window, qtbot, qloop, tmp_path, 8 * MiB)
    with open(tmp_path / "ro.img", "wb") as image:
        image.truncate(8 * MiB)
    run(qtbot, qloop, link.execute("blockdev-add", {
        "driver": "raw", "node-name": "ro", "read-only": True,
        "file": {"driver": "file", "filename": str(tmp_path / "ro.img"), "read-only": True},
    }))
    panel = window.write_load
    qtbot.waitUntil(lambda: "ro" in panel.nodes, timeout=5000)
    assert offered(panel) == ["src", "tgt"]
    assert panel.refused == {"ro": "'ro' is read-only"}
    assert "'ro' is read-only" in panel.node.toolTip()

    panel.node.setCurrentText("src")
    starting = qloop.create_task(panel.start_load())
    box = question(window, qtbot)
    assert box.text().startswith(f"Write random data into 'src' (8 MiB)? {tmp_path}/src.img "
                                 "holds 8 MiB of data.")
    assert box.defaultButton().text() == "Cancel" and box.escapeButton().text() == "Cancel"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(starting.done, timeout=5000)
    assert starting.result() is False
    assert exports(window, qtbot, qloop) == []
    assert panel.state.text() == "not started: 'src' holds data"

    panel.node.setCurrentText("tgt")  # sparse, nothing on it: no question
    assert run(qtbot, qloop, panel.start_load()), panel.state.text()
    assert exports(window, qtbot, qloop) == ["load-tgt"]
    run(qtbot, qloop, panel.stop_load())

    window.form.select("src", "tgt")
    window.form.speed.setText("1M")
    qtbot.mouseClick(window.form.start_button, Qt.MouseButton.LeftButton)
    answer(qtbot, question(window, qtbot), "Overwrite target")  # what the load wrote
    key = ("built-in", "mirror-src")
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None, timeout=5000)
    qtbot.waitUntil(lambda: "tgt" not in offered(panel), timeout=5000)
    assert panel.refused["tgt"] == "'tgt' is the target of job mirror-src"
    assert panel.node.currentText() == "src"
    run(qtbot, qloop, link.execute("job-cancel", {"id": "mirror-src"}))
