# SPDX-License-Identifier: GPL-2.0-or-later
"""How responsive the GUI stays while a full-speed mirror runs with plots updating at 10 Hz.

The whole application runs as it does for a user: the main window on one qasync loop with
the built-in engine in-process (or, with ``--engine qemu``, a spawned qemu-storage-daemon; with
``--engine daemon``, a guimirror-daemon in a session of its own attached by its socket, as the
root daemon that mirrors block devices for an ordinary user),
the sampler at 10 Hz and the plots redrawing at 10 Hz. A probe task sleeps 5 ms again and
again and records by how much each wake-up came late: that lateness is the event loop's
stall. Before each mirror the probe also runs for 1.5 s on the idle window, which shows
what the machine's own noise costs. Each round mirrors a dense image of random data at full
speed to READY and completes it; the stall figures cover the whole mirror.

Targets (issue 6): longest stall <= 50 ms, p99 <= 20 ms. The machine is noisy, so the script
runs several rounds and prints each round and the medians.

With ``--device cached`` or ``--device direct`` the source and target are loop devices over
the images (host_device nodes, cache.direct off or on), set up by the script and always
detached at the end; the target is discarded and the page cache dropped before each round.

    .venv/bin/python benchmarks/gui_latency.py [--size 1G] [--rounds 3] [--engine builtin]
        [--device none|cached|direct] [--engine builtin|qemu|daemon]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROBE_INTERVAL = 0.005
MAX_STALL_TARGET = 0.050
P99_TARGET = 0.020
IDLE_SECONDS = 1.5


def write_dense(path: Path, size: int) -> None:
    chunk = os.urandom(8 << 20)
    with open(path, "wb") as image:
        written = 0
        while written < size:
            part = chunk[: min(len(chunk), size - written)]
            image.write(part)
            written += len(part)


def make_sparse(path: Path, size: int) -> None:
    with open(path, "wb") as image:
        image.truncate(size)


@contextlib.contextmanager
def loop_devices(images: list[Path]) -> Iterator[list[str]]:
    """A loop device over each image, detached whatever happens inside."""
    attached: list[str] = []
    try:
        for image in images:
            attached.append(subprocess.run(
                ["losetup", "--find", "--show", str(image)],
                check=True, capture_output=True, text=True,
            ).stdout.strip())
        yield attached
    finally:
        for device in attached:
            subprocess.run(["losetup", "--detach", device], check=False)


@contextlib.contextmanager
def guimirror_daemon(directory: Path) -> Iterator[Path]:
    """A guimirror-daemon in a session of its own (as pkexec or systemd start the root
    daemon) listening on ``directory``/qmp.sock; stopped whatever happens inside."""
    directory.mkdir(mode=0o700)
    socket = directory / "qmp.sock"
    process = subprocess.Popen(
        [sys.executable, "-m", "guimirror.qmp.daemon",
         "--chardev", f"socket,id=qmp,path={socket},server=on,wait=off",
         "--monitor", "chardev=qmp"],
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("guimirror-daemon did not start")
            time.sleep(0.05)
        yield socket
    finally:
        process.terminate()
        process.wait(timeout=30)


def fresh_device(device: str) -> None:
    """Empty the target device and drop the page cache, as the engine_vs_qemu device case."""
    subprocess.run(["blkdiscard", device], check=True)
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as control:
        control.write("3\n")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def probe(stalls: list[float], stop: asyncio.Event) -> None:
    """The probe task: sleep 5 ms, record how late the wake-up came."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(PROBE_INTERVAL)
        stalls.append(max(0.0, loop.time() - before - PROBE_INTERVAL))


async def one_round(
    window: object, workdir: Path, size: int, number: int, devices: list[str], direct: bool
) -> dict[str, float]:
    from guimirror.qapi.base import parse_arguments
    from guimirror.qapi.commands import BlockdevDel
    from guimirror.qapi.mirror import BlockdevMirror
    from guimirror.session.client import SessionClient
    from guimirror.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    link = window.endpoints.current_link()
    assert link is not None
    source, target = workdir / "src.img", workdir / "tgt.img"
    names = (f"src{number}", f"tgt{number}")
    if devices:
        await asyncio.to_thread(fresh_device, devices[1])
        for name, device in zip(names, devices, strict=True):
            await link.execute("blockdev-add", {
                "driver": "host_device", "node-name": name, "filename": device,
                "cache": {"direct": direct},
            })
    else:
        await asyncio.to_thread(make_sparse, target, size)
        for name, path in zip(names, (source, target), strict=True):
            await link.execute("blockdev-add", {
                "driver": "raw", "node-name": name,
                "file": {"driver": "file", "filename": str(path)},
            })
    await link.refresh()
    job_id = f"bench{number}"
    model = parse_arguments(BlockdevMirror, {"job-id": job_id, "device": names[0],
                                             "target": names[1], "sync": "full"})
    key = (link.name, job_id)
    idle: list[float] = []
    stop = asyncio.Event()
    prober = asyncio.create_task(probe(idle, stop))
    await asyncio.sleep(IDLE_SECONDS)
    stop.set()
    await prober
    stalls: list[float] = []
    stop = asyncio.Event()
    prober = asyncio.create_task(probe(stalls, stop))
    seen = {"BLOCK_JOB_READY": asyncio.Event(), "BLOCK_JOB_COMPLETED": asyncio.Event()}

    def on_event(endpoint: str, event: object) -> None:
        name = type(event).EVENT  # type: ignore[attr-defined]
        if endpoint == link.name and getattr(event, "device", None) == job_id and name in seen:
            seen[name].set()

    window.jobs.job_event.connect(on_event)
    started = time.monotonic()
    await window.mirror_start.start_mirror(model, confirm=False)
    await seen["BLOCK_JOB_READY"].wait()
    ready = time.monotonic() - started
    await window.jobs.job_verb(key, "complete")
    await seen["BLOCK_JOB_COMPLETED"].wait()
    window.jobs.job_event.disconnect(on_event)
    stop.set()
    await prober
    points = window.plots.point_count(window.jobs.plot_key(key))
    for name in names:
        await link.call(SessionClient.blockdev_del, BlockdevDel(node_name=name))
    return {
        "ready_s": ready,
        "mib_s": size / (1 << 20) / ready,
        "max_ms": max(stalls) * 1000,
        "p99_ms": percentile(stalls, 0.99) * 1000,
        "p50_ms": percentile(stalls, 0.50) * 1000,
        "probes": len(stalls),
        "idle_max_ms": max(idle) * 1000,
        "idle_p99_ms": percentile(idle, 0.99) * 1000,
        "plot_points": points,
    }


async def run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QSettings

    from guimirror.ui.main_window import MainWindow
    from guimirror.ui.settings import AppSettings
    from guimirror.units import parse_size

    size = parse_size(args.size)
    with tempfile.TemporaryDirectory(prefix="guimirror-latency-", dir=args.dir) as tmp:
        workdir = Path(tmp)
        print(f"writing a {args.size} dense source in {workdir} ...", flush=True)
        await asyncio.to_thread(write_dense, workdir / "src.img", size)
        settings = AppSettings(QSettings(str(workdir / "settings.ini"),
                                         QSettings.Format.IniFormat))
        settings.example_offered = True
        settings.sampling_rate = 10.0
        window = MainWindow(settings)
        window.show()
        await window.start(restore_endpoints=False, builtin=args.engine == "builtin")
        stack = contextlib.ExitStack()
        if args.engine == "qemu":
            await window.endpoints.add_daemon()
            window.endpoint_list.setCurrentRow(0)
        elif args.engine == "daemon":
            socket = await asyncio.to_thread(
                stack.enter_context, guimirror_daemon(workdir / "daemon")
            )
            await window.endpoints.open_uri(f"unix:{socket}")
            window.endpoint_list.setCurrentRow(0)
        devices: list[str] = []
        if args.device != "none":
            await asyncio.to_thread(make_sparse, workdir / "tgt.img", size)
            devices = stack.enter_context(
                loop_devices([workdir / "src.img", workdir / "tgt.img"])
            )
        results = []
        try:  # from here on the loop devices are always detached
            for number in range(args.rounds):
                result = await one_round(
                    window, workdir, size, number, devices, args.device == "direct"
                )
                results.append(result)
                print(f"round {number + 1}: READY after {result['ready_s']:.2f} s "
                      f"({result['mib_s']:.0f} MiB/s); loop stall max "
                      f"{result['max_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                      f"p50 {result['p50_ms']:.2f} ms over {result['probes']:.0f} probes; "
                      f"{result['plot_points']:.0f} plot points; idle window before it: max "
                      f"{result['idle_max_ms']:.1f} ms, p99 {result['idle_p99_ms']:.1f} ms",
                      flush=True)
        finally:
            await window.quit.quit_flow(ask_user=False)
            stack.close()
    worst = statistics.median(r["max_ms"] for r in results)
    p99 = statistics.median(r["p99_ms"] for r in results)
    what = "files" if args.device == "none" else f"loop devices, cache {args.device}"
    print(f"\nengine {args.engine}, {args.size} dense ({what}), {args.rounds} rounds, sampling "
          f"and plots at 10 Hz")
    print(f"median longest stall {worst:.1f} ms (target <= {MAX_STALL_TARGET * 1000:.0f}); "
          f"range {min(r['max_ms'] for r in results):.1f}..{max(r['max_ms'] for r in results):.1f}")
    print(f"median p99 stall     {p99:.1f} ms (target <= {P99_TARGET * 1000:.0f}); "
          f"range {min(r['p99_ms'] for r in results):.1f}..{max(r['p99_ms'] for r in results):.1f}")
    ok = worst <= MAX_STALL_TARGET * 1000 and p99 <= P99_TARGET * 1000
    idle_worst = statistics.median(r["idle_max_ms"] for r in results)
    idle_p99 = statistics.median(r["idle_p99_ms"] for r in results)
    print(f"idle window (machine noise): median longest stall {idle_worst:.1f} ms, "
          f"median p99 {idle_p99:.1f} ms")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="source size (default 1G)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", choices=("builtin", "qemu", "daemon"), default="builtin")
    parser.add_argument("--dir", default="/var/tmp", help="where the images go")
    parser.add_argument("--device", choices=("none", "cached", "direct"), default="none",
                        help="mirror between loop devices over the images (host_device nodes)")
    args = parser.parse_args()

    import qasync
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([sys.argv[0]])
    return int(qasync.run(run(args)))


if __name__ == "__main__":
    sys.exit(main())
