# SPDX-License-Identifier: GPL-2.0-or-later
"""4 KiB random IOPS through an NBD export: guimirror-daemon against qemu-storage-daemon.

One dense raw image of random data (1 GiB by default) is exported writable as ``disk`` over a
unix socket, by ``python -m guimirror.qmp.daemon`` and by qemu-storage-daemon with the same
options (``--blockdev driver=file`` with QEMU's default cache, or ``cache.direct=on`` with
``--direct``; ``--export type=nbd``). The load is the same C client for both: fio's ``nbd``
engine (libnbd), 4 KiB random reads and random writes at queue depth 1 and 16, for a fixed
time after a short ramp. The image lives in /dev/shm unless ``--dir`` says otherwise: tmpfs is
page cache that ``drop_caches`` and memory pressure from other work cannot evict, so reads
hit memory in every run (with ``--dir`` on a disk the image is read through before each run).
guimirror serves small requests to a file in tmpfs in its loop's thread and cached reads on a
disk's file system with RWF_NOWAIT: run both (docs/nbd-server.md).
``--direct`` needs a directory on a filesystem with O_DIRECT. Only one server runs at a time:
each run starts its server, waits until nbdinfo sees the export, runs fio, and stops it.

Rounds are interleaved: each round runs every (server, case) pair once, in a shuffled order.
The figures are medians with min and max; the ratio guimirror/QEMU is taken per round (both
ran in the same round, so under the same conditions) and its median quoted. The servers' CPU
time (user + system, all threads) per request shows what each request costs the server.

Run: .venv/bin/python benchmarks/nbd_iops.py [--rounds N] [--seconds S] [--size-mib N]
     [--direct] [--cases randread-1,randread-16,randwrite-1,randwrite-16] [--dir DIR]
     [--qemu-storage-daemon PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cpu_time import process_cpu_seconds

MiB = 1024 * 1024
REPO = Path(__file__).resolve().parent.parent
CONTENDERS = ("guimirror", "qemu")
CASES = ("randread-1", "randread-16", "randwrite-1", "randwrite-16")


@dataclass(frozen=True)
class Result:
    iops: float
    cpu_us_per_request: float


def make_dense(path: Path, size: int) -> None:
    """Random data (each 16 MiB block made unique by 8 fresh bytes)."""
    block = os.urandom(16 * MiB)
    with open(path, "wb") as image:
        for _ in range(size // len(block)):
            image.write(block[:8] + os.urandom(8) + block[16:])


def warm(path: Path) -> None:
    """Read the whole image so that page-cache reads find it there (other work on the host
    may have dropped the caches since the last run)."""
    with open(path, "rb", buffering=0) as image:
        while image.read(16 * MiB):
            pass


def server_argv(kind: str, qsd: str, image: Path, sock: Path, direct: bool) -> list[str]:
    cache = ",cache.direct=on" if direct else ""
    options = [
        "--blockdev", f"driver=file,node-name=f0,filename={image}{cache}",
        "--nbd-server", f"addr.type=unix,addr.path={sock}",
        "--export", "type=nbd,id=e0,node-name=f0,name=disk,writable=on",
    ]  # fmt: skip
    if kind == "qemu":
        return [qsd, *options]
    return [sys.executable, "-m", "guimirror.qmp.daemon", *options]


def start_server(argv: list[str], sock: Path) -> subprocess.Popen[bytes]:
    """Start a server and return once a real client (nbdinfo) sees its export."""
    sock.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"{argv[0]} exited: {stderr.strip()}")
        if sock.exists():
            probe = subprocess.run(
                ["nbdinfo", "--size", f"nbd+unix:///disk?socket={sock}"],
                capture_output=True, check=False,
            )  # fmt: skip
            if probe.returncode == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{argv[0]} did not serve the export")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_fio(sock: Path, case: str, seconds: float, pid: int) -> Result:
    rw, depth = case.split("-")
    argv = [
        "fio", "--name=nbd-iops", "--ioengine=nbd", f"--uri=nbd+unix:///disk?socket={sock}",
        f"--rw={rw}", "--bs=4k", f"--iodepth={depth}", "--norandommap", "--randrepeat=0",
        "--time_based", f"--runtime={seconds}", "--ramp_time=1", "--output-format=json",
    ]  # fmt: skip
    before = process_cpu_seconds(pid)
    completed = subprocess.run(argv, capture_output=True, check=True, timeout=seconds + 60)
    cpu = process_cpu_seconds(pid) - before
    output = completed.stdout.decode()
    job = json.loads(output[output.index("{") :])["jobs"][0]  # after "fio: connected to ..."
    side = job["read" if rw == "randread" else "write"]
    requests = side["total_ios"] or 1
    return Result(side["iops"], cpu / requests * 1e6)


def one_run(kind: str, case: str, options: argparse.Namespace, image: Path) -> Result:
    sock = options.dir / f"{kind}.sock"
    argv = server_argv(kind, options.qemu_storage_daemon, image, sock, options.direct)
    if not options.direct:
        warm(image)
    process = start_server(argv, sock)
    try:
        return run_fio(sock, case, options.seconds, process.pid)
    finally:
        stop_server(process)


def summary(values: list[float], fmt: str) -> str:
    return (
        f"median {statistics.median(values):{fmt}}  (min {min(values):{fmt}}, "
        f"max {max(values):{fmt}}, n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="fio's runtime per run")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--direct", action="store_true", help="cache.direct=on for both")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--qemu-storage-daemon", default="qemu-storage-daemon", metavar="PATH",
                        help="the qemu-storage-daemon to compare with (e.g. QEMU 10.0's)")
    options = parser.parse_args()
    cases = options.cases.split(",")
    if unknown := set(cases) - set(CASES):
        parser.error(f"unknown cases {sorted(unknown)}; known: {', '.join(CASES)}")
    keep = options.dir is not None
    default_dir = "/var/tmp" if options.direct else "/dev/shm"
    options.dir = Path(options.dir or tempfile.mkdtemp(prefix="nbd-iops-", dir=default_dir))
    options.dir.mkdir(parents=True, exist_ok=True)
    image = options.dir / "disk.raw"
    try:
        if not image.exists() or image.stat().st_size != options.size_mib * MiB:
            print(f"writing {options.size_mib} MiB of random data to {image} ...", flush=True)
            make_dense(image, options.size_mib * MiB)
        results = rounds(options, cases, image)
    finally:
        if not keep:
            shutil.rmtree(options.dir, ignore_errors=True)
    report(results, cases)


def rounds(
    options: argparse.Namespace, cases: list[str], image: Path
) -> dict[tuple[str, str], list[Result]]:
    results: dict[tuple[str, str], list[Result]] = {}
    version = subprocess.run([options.qemu_storage_daemon, "--version"], capture_output=True,
                             text=True, check=True).stdout.splitlines()[0]  # fmt: skip
    print(f"qemu: {version}; cache.direct={'on' if options.direct else 'off'}; "
          f"{options.seconds:g} s per run", flush=True)  # fmt: skip
    for round_number in range(1, options.rounds + 1):
        order = [(kind, case) for kind in CONTENDERS for case in cases]
        random.Random(round_number).shuffle(order)
        print(f"round {round_number}", flush=True)
        for kind, case in order:
            result = one_run(kind, case, options, image)
            results.setdefault((kind, case), []).append(result)
            print(f"  {kind:9s} {case:12s} {result.iops:9.0f} IOPS  "
                  f"{result.cpu_us_per_request:6.1f} us CPU/request", flush=True)  # fmt: skip
    return results


def report(results: dict[tuple[str, str], list[Result]], cases: list[str]) -> None:
    print("\n=== IOPS (4 KiB) ===")
    for case in cases:
        for kind in CONTENDERS:
            runs = results[(kind, case)]
            print(f"{case:12s} {kind:9s} {summary([r.iops for r in runs], '.0f')}")
    print("\n=== server CPU per request (us, all threads) ===")
    for case in cases:
        for kind in CONTENDERS:
            runs = results[(kind, case)]
            print(f"{case:12s} {kind:9s} {summary([r.cpu_us_per_request for r in runs], '.1f')}")
    print("\n=== guimirror/QEMU IOPS, paired per round ===")
    for case in cases:
        pairs = zip(results[("guimirror", case)], results[("qemu", case)], strict=True)
        ratios = [ours.iops / theirs.iops for ours, theirs in pairs]
        print(f"{case:12s} {summary(ratios, '.2f')}")


if __name__ == "__main__":
    main()
