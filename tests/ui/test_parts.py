# SPDX-License-Identifier: GPL-2.0-or-later
"""The GUI's parts on their own: the convergence rule, lsblk and the device picker,
the start checks, the node table, the job rows' verb table, the event log, settings, the
example workspace and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.job import JobVerb
from guimirror.session.block_devices import mounted_device_refusal, parse_lsblk
from guimirror.session.convergence import ConvergenceWatch
from guimirror.session.example_workspace import create_example_workspace
from guimirror.session.target_checks import allocated_bytes, judge_start, measure_data

MiB = 1 << 20

LSBLK = json.dumps({"blockdevices": [
    {"name": "sda", "path": "/dev/sda", "size": 512110190592, "model": "Samsung SSD 860",
     "mountpoints": [None], "type": "disk", "ro": False, "fstype": None,
     "children": [
         {"name": "sda1", "path": "/dev/sda1", "size": 536870912, "model": None,
          "mountpoints": ["/boot/efi"], "type": "part", "ro": False, "fstype": "vfat"},
         {"name": "sda2", "path": "/dev/sda2", "size": 511571214336, "model": None,
          "mountpoints": [None], "type": "part", "ro": False, "fstype": None}]},
    {"name": "sdb", "path": "/dev/sdb", "size": 1000204886016, "model": "WDC WD10EZEX",
     "mountpoints": [None], "type": "disk", "ro": False, "fstype": None},
]})


def test_the_hint_shows_only_while_dirty_clusters_keep_growing() -> None:
    growing = ConvergenceWatch(window=2.0)
    assert not any(growing.add(t / 10, 100 + t) for t in range(10))  # not yet 2 s of it
    assert any(growing.add(t / 10, 100 + t) for t in range(10, 25))
    shrinking = ConvergenceWatch(window=2.0)
    assert not any(shrinking.add(t / 10, 1000 - 10 * t) for t in range(40))
    touching_zero = ConvergenceWatch(window=2.0)
    assert not any(touching_zero.add(t / 10, (t % 10) * 5) for t in range(40))


def test_lsblk_mount_state_covers_partitions() -> None:
    devices = parse_lsblk(LSBLK)
    sda, sdb = devices
    assert sda.mounted and sda.all_mountpoints == ("/boot/efi",)
    assert sda.model == "Samsung SSD 860" and sda.size == 512110190592
    assert not sdb.mounted and sdb.refusal() is None
    flat = [sda, *sda.children, sdb]
    assert mounted_device_refusal("/dev/sda", flat) == (
        "/dev/sda is mounted (/boot/efi); a mounted device cannot be written")
    assert mounted_device_refusal("/dev/sda2", flat) is None


def test_the_device_picker_refuses_a_mounted_device_as_writable(qloop, qtbot) -> None:
    from guimirror.session.block_devices import flatten
    from guimirror.ui.add_node_dialog import AddNodeDialog

    dialog = AddNodeDialog({"src": 4 * MiB})
    qtbot.addWidget(dialog)
    dialog.kind_device.setChecked(True)
    dialog.set_devices(flatten(parse_lsblk(LSBLK)))
    assert "mounted at /boot/efi" in dialog.device_combo.itemText(0)
    assert "WDC WD10EZEX" in dialog.device_combo.itemText(3)
    dialog.node_name.setText("disk0")
    dialog.device_combo.setCurrentIndex(0)
    assert dialog.errors["path"].startswith("/dev/sda is mounted (/boot/efi)")
    dialog.read_only.setChecked(True)
    assert dialog.errors == {}
    assert dialog.request is not None
    assert dialog.request.options == {
        "driver": "raw", "node-name": "disk0", "read-only": True,
        "file": {"driver": "host_device", "filename": "/dev/sda", "read-only": True},
    }
    dialog.read_only.setChecked(False)
    dialog.device_combo.setCurrentIndex(3)
    dialog.direct.setChecked(True)
    dialog.discard.setCurrentText("unmap")
    dialog.node_name.setText("src")
    assert dialog.errors == {"node-name": "Duplicate nodes with node-name='src'"}
    dialog.node_name.setText("x" * 32)
    assert dialog.errors == {"node-name": "Node name too long"}
    dialog.node_name.setText("disk1")
    assert dialog.request.options["file"] == {
        "driver": "host_device", "filename": "/dev/sdb", "cache": {"direct": True},
        "discard": "unmap"}


def test_the_real_device_list_reads(qloop, qtbot) -> None:
    from guimirror.session.block_devices import list_block_devices
    from tests.ui.conftest import run

    devices = run(qtbot, qloop, list_block_devices())
    assert all(device.path.startswith("/dev/") for device in devices)


def test_allocation_and_the_start_verdict(tmp_path: Path) -> None:
    image = tmp_path / "t.img"
    with open(image, "wb") as stream:
        stream.truncate(8 * MiB)
    assert allocated_bytes(str(image)) == 0
    with open(image, "r+b") as stream:
        stream.seek(2 * MiB)
        stream.write(os.urandom(MiB))
    assert allocated_bytes(str(image)) == MiB
    verdict = judge_start(device="src", target="tgt", source_size=8 * MiB,
                          target_size=4 * MiB, target_users=[], target_mount_refusal=None,
                          target_data=measure_data(str(image)))
    assert verdict.allowed
    assert "'src' is 8 MiB (8388608 bytes) but the target 'tgt' is 4 MiB" in verdict.warnings[0]
    assert verdict.confirmation is not None
    assert verdict.confirmation.startswith("The target 'tgt' (4 MiB) holds 1 MiB of data.")
    busy = judge_start(device="a", target="b", source_size=1, target_size=1,
                       target_users=["job j1 (target)"], target_mount_refusal=None,
                       target_data=None)
    assert busy.refusals == ["Node 'b' is busy: it is in use by job j1 (target)"]
    assert busy.confirmation is None and not busy.warnings


def raw_node(name: str, size: int, **extra: Any) -> dict[str, Any]:
    return {"node-name": name, "drv": "raw", "file": f"/img/{name}.img", "ro": False,
            "image": {"virtual-size": size, "format": "raw", "filename": f"/img/{name}.img"},
            **extra}


def test_the_node_table_shows_qemus_columns(qapp) -> None:
    from PySide6.QtCore import Qt

    from guimirror.ui.node_table import COLUMNS, NodeTableModel

    model = NodeTableModel()
    bitmap = {"count": 3 * MiB, "granularity": 65536, "recording": True, "busy": False,
              "persistent": False}
    cache = {"writeback": True, "direct": False, "no-flush": False}
    model.set_nodes([BlockDeviceInfo.model_validate({"cache": cache, **node}) for node in (
        {"node-name": "#block123", "drv": "file", "file": "/img/src.img", "ro": False,
         "image": {"virtual-size": 8 * MiB, "format": "file", "filename": "/img/src.img"}},
        raw_node("src", 8 * MiB, **{"dirty-bitmaps": [bitmap]}),
        {**raw_node("q", MiB), "drv": "qcow2", "ro": True,
         "image": {"virtual-size": MiB, "format": "qcow2", "cluster-size": 65536,
                   "filename": "/img/q.img"}},
    )], {"src": ["job j1 (source)"]})
    assert model.rowCount() == 3 and model.columnCount() == len(COLUMNS)
    cells = [[model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)
              for c in range(len(COLUMNS))] for r in range(3)]
    assert cells[0] == ["q", "qcow2", "/img/q.img", "1 MiB", "qcow2", "64 KiB", "yes", "", ""]
    assert cells[1] == ["src", "raw", "/img/src.img", "8 MiB", "raw", "—", "no",
                        "job j1 (source)", "(anonymous): 3 MiB dirty @ 64 KiB"]
    assert cells[2][0] == "#block123"
    details = model.row(1).details(model.by_name())
    assert details.startswith("src (raw)\n  └ file: #block123 (file)\n    └ /img/src.img\n")
    assert '"node-name": "src"' in details


@pytest.mark.parametrize(("status", "manual", "enabled"), [
    ("running", False, {JobVerb.PAUSE, JobVerb.CANCEL}),
    ("paused", False, {JobVerb.RESUME, JobVerb.CANCEL}),
    ("ready", False, {JobVerb.PAUSE, JobVerb.COMPLETE, JobVerb.CANCEL}),
    ("standby", False, {JobVerb.RESUME, JobVerb.COMPLETE, JobVerb.CANCEL}),
    ("pending", True, {JobVerb.FINALIZE, JobVerb.CANCEL}),
    ("concluded", True, {JobVerb.DISMISS}),
    ("completed", False, set()),
])
def test_job_buttons_follow_the_verb_table(qapp, qtbot, status, manual, enabled) -> None:
    from guimirror.ui.job_panel import JobRow, JobView

    view = JobView("built-in", "j1", device="src", target="tgt", status=status,
                   paused=status in ("paused", "standby"), ready=status in ("ready", "standby"),
                   auto_finalize=not manual, auto_dismiss=not manual, len=100, offset=50)
    row = JobRow(view)
    qtbot.addWidget(row)
    assert {verb for verb, button in row.buttons.items() if button.isEnabled()} == enabled
    assert row.buttons[JobVerb.FINALIZE].isHidden() is not manual
    assert "50.0 %" in row.progress.text()


def test_the_event_log_filters_and_copies(qapp, qtbot) -> None:
    from PySide6.QtGui import QGuiApplication

    from guimirror.ui.event_log import EventLog

    log = EventLog()
    qtbot.addWidget(log)
    log.add(1_700_000_000.0, "built-in", "command", {"execute": "job-pause",
                                                     "arguments": {"id": "j1"}})
    log.add(1_700_000_000.5, "built-in", "event", {"event": "JOB_STATUS_CHANGE",
                                                   "data": {"id": "j1", "status": "paused"}})
    log.filter.setText("job_status")
    assert len(log.shown_lines()) == 1
    assert log.view.toPlainText().count("\n") == 0 and "JOB_STATUS_CHANGE" in log.view.toPlainText()
    log.copy()
    assert QGuiApplication.clipboard().text() == log.shown_lines()[0]
    log.filter.setText("")
    assert len(log.shown_lines()) == 2


def test_settings_round_trip(tmp_path: Path, qapp) -> None:
    from PySide6.QtCore import QSettings

    from guimirror.ui.settings import AppSettings, SavedEndpoint

    path = str(tmp_path / "s.ini")
    first = AppSettings(QSettings(path, QSettings.Format.IniFormat))
    first.sampling_rate = 12.5
    first.plot_window = 60
    first.endpoints = [SavedEndpoint("vm1", "unix:/run/vm1.sock")]
    first.sync()
    again = AppSettings(QSettings(path, QSettings.Format.IniFormat))
    assert again.sampling_rate == 12.5 and again.plot_window == 60
    assert again.endpoints == [SavedEndpoint("vm1", "unix:/run/vm1.sock")]
    assert again.units == "binary" and not again.example_offered


def test_the_example_workspace(tmp_path: Path) -> None:
    workspace = create_example_workspace(str(tmp_path), size=8 * MiB)
    assert os.path.getsize(workspace.source) == os.path.getsize(workspace.target) == 8 * MiB
    assert allocated_bytes(workspace.source) >= MiB
    assert allocated_bytes(workspace.target) == 0
    source, target = workspace.blockdev_add_options()
    assert source["file"] == {"driver": "file", "filename": workspace.source}
    assert target["node-name"] == "example-tgt" and target["discard"] == "unmap"


def test_the_command_line_prints_the_version() -> None:
    result = subprocess.run([sys.executable, "-m", "guimirror.app", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == "guimirror 0.1.0"
