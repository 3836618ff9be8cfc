# SPDX-License-Identifier: GPL-2.0-or-later
"""Does polling slow the mirror? A mirror to READY with and without the sampler at 50 Hz.

For each engine (qemu-storage-daemon, and the built-in engine when it is in the tree), each
round runs the same mirror twice, once unobserved and once under a 50 Hz ``Sampler``
(``query-block-jobs`` every 20 ms, and once a second the block nodes or the exports in the same
round trip), in alternating order.
``cp`` of the same image is measured in the same rounds as a yardstick. The time is from
``blockdev-mirror`` to ``BLOCK_JOB_READY``. Prints per-contender medians and the ratio
polled / unpolled per engine (1.00 = no cost).

    .venv/bin/python benchmarks/sampler_overhead.py --size-mib 1024 --rounds 9
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.events import BlockJobReady
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint
from guimirror.session.sampler import MAX_RATE_HZ, Sampler

MiB = 1024 * 1024


def make_source(path: str, size: int) -> None:
    with open(path, "wb") as f:
        for _ in range(size // MiB):
            f.write(os.urandom(MiB))


def fresh_target(path: str, size: int) -> None:
    """A new empty target, and no dirty pages left from the previous contender."""
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size)
    os.sync()


def _raw(node: str, path: str) -> BlockdevOptions:
    return parse_arguments(
        BlockdevOptions,
        {"driver": "raw", "node-name": node, "file": {"driver": "file", "filename": path}},
    )


async def mirror_to_ready(
    endpoint: Endpoint, source: str, target: str, poll: bool
) -> tuple[float, int, float]:
    """Seconds from blockdev-mirror to BLOCK_JOB_READY, the rounds taken and their time."""
    await endpoint.open()
    try:
        client = endpoint.client
        await client.blockdev_add(_raw("src", source))
        await client.blockdev_add(_raw("tgt", target))
        sampler = Sampler(client, rate_hz=MAX_RATE_HZ)
        if poll:
            sampler.start()
        async with client.events() as events:
            start = time.perf_counter()
            await client.blockdev_mirror(
                BlockdevMirror(job_id="bench", device="src", target="tgt", sync=MirrorSyncMode.FULL)
            )
            async for event in events:
                if isinstance(event, BlockJobReady):
                    break
            elapsed = time.perf_counter() - start
        await sampler.stop()
        await client.execute("job-cancel", {"id": "bench"})
        return elapsed, sampler.polls, sampler.poll_seconds
    finally:
        await endpoint.close()


def run_cp(source: str, target: str) -> float:
    start = time.perf_counter()
    subprocess.run(["cp", "--sparse=never", source, target], check=True)
    subprocess.run(["sync", "-f", target], check=True)
    return time.perf_counter() - start


def builtin_available() -> bool:
    try:
        import guimirror.engine.engine
        import guimirror.qmp.server  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--dir", default=None, help="where the images go (default: /var/tmp)")
    args = parser.parse_args()
    size = args.size_mib * MiB
    directory = tempfile.mkdtemp(prefix="gm-bench-", dir=args.dir or "/var/tmp")
    source = os.path.join(directory, "src.img")
    target = os.path.join(directory, "tgt.img")
    make_source(source, size)
    subprocess.run(["cat", source], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    os.sync()

    engines: dict[str, Callable[[], Endpoint]] = {}
    if shutil.which("qemu-storage-daemon"):
        engines["qemu"] = lambda: DaemonEndpoint("bench-qsd")
    if builtin_available():
        engines["builtin"] = lambda: BuiltinEndpoint("bench-builtin")
    if not engines:
        print("no engine to measure", file=sys.stderr)
        return 1

    times: dict[str, list[float]] = {"cp": []}
    polls: dict[str, list[int]] = {}
    poll_time: dict[str, float] = {}
    try:
        for round_no in range(args.rounds):
            order = [(name, poll) for name in engines for poll in (False, True)]
            if round_no % 2:
                order.reverse()
            for name, poll in order:
                fresh_target(target, size)
                label = f"{name} {'50 Hz polling' if poll else 'no polling'}"
                elapsed, count, seconds = asyncio.run(
                    mirror_to_ready(engines[name](), source, target, poll)
                )
                times.setdefault(label, []).append(elapsed)
                polls.setdefault(label, []).append(count)
                poll_time[label] = poll_time.get(label, 0.0) + seconds
            fresh_target(target, size)
            times["cp"].append(run_cp(source, target))
            print(f"round {round_no + 1}: " + ", ".join(
                f"{label} {values[-1]:.3f} s" for label, values in times.items()), flush=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print(f"\n{args.size_mib} MiB dense raw -> raw, {args.rounds} interleaved rounds, medians:")
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, median in medians.items():
        extra = f", {statistics.median(polls[label]):.0f} polls" if label in polls else ""
        print(f"  {label:28s} {median:7.3f} s  ({args.size_mib / median:7.0f} MiB/s{extra})")
    for name in engines:
        label = f"{name} 50 Hz polling"
        ratio = medians[label] / medians[f"{name} no polling"]
        rounds = sum(polls[label])
        mean_ms = 1000 * poll_time[label] / rounds if rounds else 0.0
        print(f"  {name}: polled / unpolled = {ratio:.3f}; one poll round has a mean "
              f"round trip of {mean_ms:.2f} ms, "
              f"{mean_ms * MAX_RATE_HZ / 10:.1f} % of wall time at 50 Hz")
    for name in engines:
        print(f"  {name} (no polling) / cp = {medians[f'{name} no polling'] / medians['cp']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
