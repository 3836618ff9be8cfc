# SPDX-License-Identifier: GPL-2.0-or-later
"""The road from the sampler to the window, on the built-in engine and on qemu-storage-daemon:
the sampler is the endpoint's one poller (commands a second, counted on the connection the
window uses), the row's average, ETA and throughput tell the truth about a job's state, the
throughput plot does not draw a rate limiter's bursts as peaks, and a job started by someone
else shows its source and target."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from qemu.qmp import QMPClient

from guimirror.qapi.job import JobVerb
from guimirror.ui.plots import BURSTS_NOTE
from tests.support import require_tools
from tests.ui.conftest import run
from tests.ui.test_questions import answer, question
from tests.ui.test_write_load import add_nodes

MiB = 1 << 20
RATE = 5.0


@pytest.fixture(params=["built-in", "qemu"])
def engine_window(request: pytest.FixtureRequest, qtbot: Any, qloop: Any) -> Iterator[Any]:
    """A window whose current endpoint is the built-in engine or a spawned daemon."""
    if request.param == "built-in":
        yield request.getfixturevalue("window")
        return
    require_tools("qemu-storage-daemon")
    window = request.getfixturevalue("qemu_window")
    run(qtbot, qloop, window.endpoints.add_daemon())
    window.endpoint_list.setCurrentRow(0)
    yield window


def start_mirror(window: Any, qtbot: Any, speed: str, job_id: str = "mirror-src",
                 loop: Any = None) -> Any:
    """Start src -> tgt from the form; returns the job's key once its row runs. With
    ``loop``, past the start checks (a target that holds data would ask)."""
    form = window.form
    form.select("src", "tgt")
    form.speed.setText(speed)
    form.job_id.setText(job_id)
    if loop is None:
        qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    else:
        run(qtbot, loop, window.mirror_start.start_mirror(form.model, confirm=False))
    key = (window.endpoints.current, job_id)
    qtbot.waitUntil(lambda: window.jobs.job(key) is not None
                    and window.jobs.job(key).status == "running", timeout=10000)
    return key


def cancel_before_ready(window: Any, qtbot: Any, key: tuple[str, str]) -> None:
    """Cancel a job that is not READY: the window asks first, and is answered."""
    window.tasks.spawn(window.jobs.job_verb(key, "cancel"), "cancel")
    answer(qtbot, question(window, qtbot), "Cancel job")


class CountedCommands:
    """Every command the window sends on its connection to the endpoint, with its time."""

    def __init__(self, link: Any) -> None:
        self.sent: list[tuple[float, str]] = []
        connection = link.endpoint.client.connection
        execute = connection.execute

        async def counted(command: str, arguments: object = None) -> object:
            self.sent.append((asyncio.get_running_loop().time(), command))
            return await execute(command, arguments)

        connection.execute = counted

    def per_second(self, start: float, end: float) -> tuple[float, list[str]]:
        """Commands a second between the first and the last round in [start, end): those of
        the rounds after the first, over the time from the first to the last (a fence-post
        count of whole periods), and the commands counted."""
        rounds = [time for time, command in self.sent
                  if start <= time < end and command == "query-block-jobs"]
        first, last = rounds[0], rounds[-1]
        # A round's commands leave together; the first round's belong to the period before.
        sent = [command for time, command in self.sent if first + 0.01 < time <= last + 0.01]
        return len(sent) / (last - first), sent


def test_one_job_costs_at_most_the_rate_plus_one_commands_a_second(
    engine_window: Any, qtbot: Any, qloop: Any, tmp_path: Path
) -> None:
    window = engine_window
    link = window.endpoints.current_link()
    link.set_rate(RATE)
    add_nodes(window, qtbot, qloop, tmp_path, 16 * MiB)
    key = start_mirror(window, qtbot, "1M")
    counter = CountedCommands(link)
    qtbot.wait(500)  # the start's events and the rounds they ask for
    start = qloop.time()
    qtbot.wait(4500)
    per_second, sent = counter.per_second(start, qloop.time())
    print(f"{key[0]}: {per_second:.2f} commands/s at {RATE:g} Hz: "
          f"{ {c: sent.count(c) for c in sorted(set(sent))} }")
    # The rate plus one in steady state; a late round shortens the one after it (the rounds
    # keep to their schedule), which moves a count over a few seconds by a percent or two.
    assert per_second <= (RATE + 1) * 1.03, sent
    assert sent.count("query-block-jobs") >= 4 * RATE - 2
    assert 3 <= sent.count("query-named-block-nodes") <= 5
    assert window.jobs.job(key).status == "running"
    assert not window.jobs.job(key).estimate  # the row shows the bitmap's count
    cancel_before_ready(window, qtbot, key)


def test_no_eta_and_no_throughput_while_paused_or_after_a_cancel(
    engine_window: Any, qtbot: Any, qloop: Any, tmp_path: Path
) -> None:
    window = engine_window
    # 32 s of copying at 2 MiB/s: on a loaded machine the waits below must not outlast it, or
    # the cancel meets a READY job, which ends as completed.
    add_nodes(window, qtbot, qloop, tmp_path, 64 * MiB)
    key = start_mirror(window, qtbot, "2M")
    row = window.job_panel.rows[key]
    qtbot.waitUntil(lambda: row.eta.text().startswith("ETA ") and "—" not in row.eta.text(),
                    timeout=15000)
    qtbot.mouseClick(row.buttons[JobVerb.PAUSE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "paused", timeout=10000)
    qtbot.wait(1500)  # rounds of a paused job
    assert row.eta.text() == "no ETA"
    assert row.throughput.text().startswith("now 0 B/s")
    qtbot.mouseClick(row.buttons[JobVerb.RESUME], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.eta.text().startswith("ETA "), timeout=10000)
    qtbot.mouseClick(row.buttons[JobVerb.CANCEL], Qt.MouseButton.LeftButton)
    answer(qtbot, question(window, qtbot), "Cancel job")
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "cancelled", timeout=10000)
    qtbot.wait(500)
    assert "ETA" not in row.eta.text()
    assert row.throughput.text().startswith("now 0 B/s")
    assert window.jobs.job(key).eta is None


def test_a_reused_job_id_shows_the_average_of_its_own_copy(
    engine_window: Any, qtbot: Any, qloop: Any, tmp_path: Path
) -> None:
    """The first job runs and is dismissed; a second with the same id copies under a
    10 MiB/s limit: its row's average (to READY) is its own, near 10 MiB/s."""
    window = engine_window
    add_nodes(window, qtbot, qloop, tmp_path, 24 * MiB)
    key = start_mirror(window, qtbot, "")
    qtbot.waitUntil(lambda: window.jobs.job(key).ready, timeout=20000)
    run(qtbot, qloop, window.jobs.job_verb(key, "complete"))
    qtbot.waitUntil(lambda: window.jobs.job(key).status == "completed", timeout=20000)
    qtbot.wait(3000)  # time between the jobs: the old average counted it
    window.form.buf_size.setText("1M")  # QEMU's limiter then lets 1 MiB through at a time
    key = start_mirror(window, qtbot, "10M", loop=qloop)
    qtbot.waitUntil(lambda: window.jobs.job(key).ready, timeout=20000)
    qtbot.wait(300)
    average = window.jobs.job(key).throughput_avg
    print(f"{key[0]}: average to READY {average / MiB:.2f} MiB/s")
    assert 7 * MiB <= average <= 13 * MiB
    assert "average to READY" in window.job_panel.rows[key].throughput.text()
    run(qtbot, qloop, window.jobs.job_verb(key, "complete"))


@pytest.mark.qemu
def test_the_throughput_plot_shows_no_burst_peaks_on_qemu(qemu_window: Any, qtbot: Any,
                                                          qloop: Any, tmp_path: Path) -> None:
    """QEMU's rate limiter lets 16 MiB through at a time at 5 MiB/s: the curve stays near the
    limit and the plot says it averages over bursts."""
    require_tools("qemu-storage-daemon")
    window = qemu_window
    run(qtbot, qloop, window.endpoints.add_daemon())
    window.endpoint_list.setCurrentRow(0)
    add_nodes(window, qtbot, qloop, tmp_path, 64 * MiB)
    key = start_mirror(window, qtbot, "5M")
    plot_key = window.jobs.plot_key(key)
    qtbot.waitUntil(lambda: window.plots.burst_note == BURSTS_NOTE, timeout=15000)
    qtbot.wait(4000)
    peak = window.plots.peak_throughput(plot_key)
    print(f"peak {peak / MiB:.2f} MiB/s under a 5 MiB/s limit")
    assert 0 < peak <= 1.5 * 5 * MiB
    limits = [item.label.format for item in window.plots.throughput_plot.items
              if isinstance(item, pg.InfiniteLine) and item.angle == 0]
    assert limits == ["limit 5 MiB/s (data; holes unpaced)"], limits
    cancel_before_ready(window, qtbot, key)


@pytest.mark.qemu
def test_a_job_someone_else_started_shows_its_source_and_target(
    qemu_window: Any, qtbot: Any, qloop: Any, tmp_path: Path
) -> None:
    """A daemon whose mirror a plain QMP client started: the window attaches and shows the
    job as src -> tgt, and both nodes as used by it."""
    require_tools("qemu-storage-daemon")
    socket = tmp_path / "qmp.sock"
    for name in ("src", "tgt"):
        with open(tmp_path / f"{name}.img", "wb") as image:
            image.truncate(64 * MiB)
    daemon = subprocess.Popen([
        "qemu-storage-daemon", "--chardev", f"socket,id=m,path={socket},server=on,wait=off",
        "--monitor", "chardev=m",
        *(arg for name in ("src", "tgt") for arg in (
            "--blockdev", f"driver=file,node-name={name}-file,filename={tmp_path}/{name}.img",
            "--blockdev", f"driver=raw,node-name={name},file={name}-file")),
    ])
    try:
        qtbot.waitUntil(socket.exists, timeout=10000)

        async def start_elsewhere() -> None:
            client = QMPClient("someone-else")
            await client.connect(str(socket))
            await client.execute("blockdev-mirror", {
                "job-id": "theirs", "device": "src", "target": "tgt", "sync": "full",
                "speed": MiB})
            await client.disconnect()

        run(qtbot, qloop, start_elsewhere())
        window = qemu_window
        link = run(qtbot, qloop, window.endpoints.open_uri(f"unix:{socket}"))
        window.endpoint_list.setCurrentRow(0)
        key = (link.name, "theirs")
        qtbot.waitUntil(lambda: window.jobs.job(key) is not None
                        and window.jobs.job(key).target == "tgt", timeout=10000)
        view = window.jobs.job(key)
        assert (view.device, view.target) == ("src", "tgt")
        assert "src → tgt" in window.job_panel.rows[key].title.text()
        window.nodes.refresh_users()
        nodes = window.node_model.by_name()
        assert nodes["src"].used_by == ["job theirs (source)"]
        assert nodes["tgt"].used_by == ["job theirs (target)"]
        run(qtbot, qloop, link.execute("job-cancel", {"id": "theirs"}))
        run(qtbot, qloop, window.endpoints.remove_endpoint(link.name))
    finally:
        daemon.terminate()
        daemon.wait(10)
