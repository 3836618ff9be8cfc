# SPDX-License-Identifier: GPL-2.0-or-later
"""A mirror to another host over NBD: guimirror-daemon against qemu-storage-daemon, plain and TLS.

Two network namespaces joined by a veth pair stand for two hosts, the link shaped on both
ends with ``tc qdisc add dev VETH root netem rate 1gbit delay 5ms`` (1 Gbit/s each way,
10 ms round trip), or, on a kernel without sch_netem, ``tbf rate 1gbit burst 2mb latency
50ms`` (no added delay). On the far host qemu-nbd serves a fresh raw target on 10.231.0.2,
with or without ``--tls-creds``; on the near host a daemon opens the random-data source and
an ``nbd`` node for the target (``tls-creds`` for TLS) and runs ``blockdev-mirror
sync=full``. The figure is the time from blockdev-mirror to BLOCK_JOB_READY (everything
copied and the target flushed). The target lives in tmpfs (``--target-dir``, default
/dev/shm) so that the flush at READY costs what the link costs, not the far disk's
write-back of 2 GiB.

The ceiling is measured on the same link in every round: one TCP stream of the same size
between the namespaces (``tcp``). The shapers count whole frames: at MTU 1500 a TCP segment
carries 1448 bytes of payload in 1514 (Ethernet, IP and TCP headers with timestamps), so
1 Gbit/s (119.2 MiB/s) carries at most 114.0 MiB/s of payload. Rounds are interleaved: each
round runs every contender once on the same source. Medians with min and max, then each
contender's fraction of the shaped rate and of the TCP ceiling, ratios last. Root only
(namespaces, tc).

Run: .venv/bin/python benchmarks/remote_mirror.py [--size-mib N] [--rounds N] [--dir DIR]
         [--target-dir DIR] [--contenders guimirror qemu] [--modes plain tls]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qemu.qmp import QMPClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guimirror.session.launcher import await_ready, ready_monitor
from tests.nbd.certificates import make_credentials

MiB = 1024 * 1024
NEAR, FAR = "10.231.0.1", "10.231.0.2"
PORT = "10809"
REPO = Path(__file__).resolve().parent.parent
CONTENDERS = ("guimirror", "qemu")
MODES = ("plain", "tls")
RATE = 1e9 / 8 / MiB
"""The shaped rate, 1 Gbit/s, in MiB/s."""
# tbf's burst must hold at least rate/HZ bytes (1.25 MB at HZ=100): with 256kb a TCP stream
# reached 109 MiB/s here, with 1mb and more 112-114 MiB/s, the payload's share of the link.
TBF = ("tbf", "rate", "1gbit", "burst", "2mb", "latency", "50ms")
TCP_PORT = 5001
TCP_RECEIVER = f"""
import socket
server = socket.create_server(({FAR!r}, {TCP_PORT}))
print("listening", flush=True)
connection, _ = server.accept()
buffer = bytearray(1 << 20)
while connection.recv_into(buffer):
    pass
connection.sendall(b"done")
"""


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def make_source(path: Path, size: int) -> None:
    """Random data (each 16 MiB block made unique by 8 fresh bytes); worker thread."""
    block = os.urandom(16 * MiB)
    with open(path, "wb") as image:
        for _ in range(size // len(block)):
            image.write(block[:8] + os.urandom(8) + block[16:])


def fresh_target(target: Path, source: Path) -> None:
    with open(target, "wb") as image:
        image.truncate(source.stat().st_size)


class Link:
    """The two namespaces, the veth pair between them and the netem shaping on both ends."""

    def __init__(self) -> None:
        tag = os.getpid() % 100000
        self.near, self.far = f"gmb-near-{tag}", f"gmb-far-{tag}"
        self.devices = (f"gbn{tag}", f"gbf{tag}")
        self.shaping = ""

    def __enter__(self) -> Link:
        try:
            self._make()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _make(self) -> None:
        sh("ip", "netns", "add", self.near)
        sh("ip", "netns", "add", self.far)
        near_dev, far_dev = self.devices
        sh("ip", "link", "add", near_dev, "netns", self.near, "type", "veth",
           "peer", "name", far_dev, "netns", self.far)  # fmt: skip
        for ns, dev, address in ((self.near, near_dev, NEAR), (self.far, far_dev, FAR)):
            sh("ip", "-n", ns, "addr", "add", f"{address}/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            tc = ("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root")
            try:
                sh(*tc, "netem", "rate", "1gbit", "delay", "5ms")
                self.shaping = "netem rate 1gbit delay 5ms"
            except subprocess.CalledProcessError:
                # a kernel without sch_netem: the rate alone, with a token bucket
                sh(*tc, *TBF)
                self.shaping = f"{' '.join(TBF)} (this kernel has no netem: no added delay)"

    def __exit__(self, *exc: object) -> None:
        for ns in (self.near, self.far):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


async def serve_target(link: Link, target: Path, creds: Path | None) -> asyncio.subprocess.Process:
    tls = ["--object", f"tls-creds-x509,id=s0,dir={creds},endpoint=server",
           "--tls-creds", "s0"] if creds else []  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        "ip", "netns", "exec", link.far, "qemu-nbd", *tls, "-f", "raw", "-x", "disk",
        "-b", FAR, "-p", PORT, "--cache=writeback", "--persistent", str(target),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    for _ in range(200):
        probe = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", link.far, "sh", "-c", f"ss -ltn | grep -q '{FAR}:{PORT}'")
        if await probe.wait() == 0:
            return process
        await asyncio.sleep(0.05)
    raise RuntimeError("qemu-nbd did not listen")


async def start_daemon(
    kind: str, link: Link, source: Path, creds: Path | None, qmp: Path
) -> tuple[asyncio.subprocess.Process, QMPClient]:
    tls = ",tls-creds=c0" if creds else ""
    args = [
        *(["--object", f"tls-creds-x509,id=c0,dir={creds},endpoint=client"] if creds else []),
        "--blockdev", f"driver=file,node-name=src,filename={source}",
        "--blockdev", f"driver=nbd,node-name=tgt,server.type=inet,server.host={FAR},"
                      f"server.port={PORT},export=disk{tls}",
        "--chardev", f"socket,id=m0,path={qmp},server=on,wait=off", "--monitor", "chardev=m0",
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if kind == "qemu":
        ours, theirs, ready = ready_monitor()
        process = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", link.near, "qemu-storage-daemon", *args, *ready,
            pass_fds=(theirs.fileno(),), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()
        control = await await_ready(ours, 30, "ready")
        await control.disconnect()
    else:
        process = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", link.near, sys.executable, "-m", "guimirror.qmp.daemon",
            *args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(400):
            if await asyncio.to_thread(qmp.exists) or process.returncode is not None:
                break
            await asyncio.sleep(0.05)
    client = QMPClient(kind)
    try:
        await client.connect(str(qmp))
    except (EOFError, OSError) as error:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        stderr = await process.stderr.read() if process.stderr else b""
        raise RuntimeError(f"{kind} did not start: {stderr.decode().strip()}") from error
    return process, client


async def tcp_stream(link: Link, size: int) -> float:
    """Seconds to send ``size`` bytes over one TCP connection from the near host to the far
    one, until the receiver has read them all: the link's ceiling for one stream."""
    receiver = await asyncio.create_subprocess_exec(
        "ip", "netns", "exec", link.far, sys.executable, "-c", TCP_RECEIVER,
        stdout=subprocess.PIPE)
    assert receiver.stdout is not None
    await receiver.stdout.readline()
    sender = await asyncio.create_subprocess_exec(
        "ip", "netns", "exec", link.near, sys.executable, "-c", f"""
import socket, time
connection = socket.create_connection(({FAR!r}, {TCP_PORT}))
block = memoryview(bytes(4 << 20))
left = {size}
started = time.monotonic()
while left > 0:
    left -= connection.send(block[:min(left, len(block))])
connection.shutdown(socket.SHUT_WR)
connection.recv(4)
print(time.monotonic() - started)
""", stdout=subprocess.PIPE)
    output, _ = await sender.communicate()
    await receiver.wait()
    if sender.returncode != 0:
        raise RuntimeError("the TCP stream failed")
    return float(output)


async def one_run(kind: str, mode: str, link: Link, directory: Path, source: Path,
                  creds: tuple[Path, Path], target_dir: Path) -> float:  # fmt: skip
    target = target_dir / f"gm-remote-bench-{os.getpid()}-target.raw"
    await asyncio.to_thread(fresh_target, target, source)
    server = await serve_target(link, target, creds[0] if mode == "tls" else None)
    qmp = directory / "qmp" / f"{kind}.sock"
    process, client = await start_daemon(
        kind, link, source, creds[1] if mode == "tls" else None, qmp)
    try:
        with client.listener("BLOCK_JOB_READY") as ready:
            started = time.monotonic()
            await client.execute("blockdev-mirror", {"job-id": "j0", "device": "src",
                                                     "target": "tgt", "sync": "full"})
            async for _event in ready:
                break
            elapsed = time.monotonic() - started
        await client.execute("block-job-cancel", {"device": "j0", "force": True})
        return elapsed
    finally:
        with contextlib.suppress(Exception):
            await client.execute("quit")
        with contextlib.suppress(EOFError, OSError):  # the daemon hung up after quit
            await client.disconnect()
        for proc in (process, server):
            if proc.returncode is None:
                proc.terminate()
            await proc.wait()
        target.unlink()


async def rounds(count: int, size: int, directory: Path, target_dir: Path,
                 contenders: tuple[str, ...] = CONTENDERS, modes: tuple[str, ...] = MODES,
                 ) -> tuple[str, dict[str, list[float]]]:
    creds = make_credentials(directory / "tls", addresses=(FAR,))
    (directory / "qmp").mkdir(mode=0o700)
    source = directory / "source.raw"
    await asyncio.to_thread(make_source, source, size)
    # Write the source back now, so that the first round's reads do not race its write-back.
    await asyncio.to_thread(os.sync)
    results: dict[str, list[float]] = {f"{k} {m}": [] for k in contenders for m in modes}
    results["tcp"] = []
    with Link() as link:
        print(f"link shaped on both ends: {link.shaping}", flush=True)
        for round_number in range(1, count + 1):
            seconds = await tcp_stream(link, size)
            results["tcp"].append(seconds)
            print(f"round {round_number}: tcp stream      {seconds:7.2f} s "
                  f"({size / MiB / seconds:6.1f} MiB/s)", flush=True)  # fmt: skip
            for mode in modes:
                for kind in contenders:
                    seconds = await one_run(kind, mode, link, directory, source,
                                            (creds.server, creds.client), target_dir)
                    results[f"{kind} {mode}"].append(seconds)
                    print(f"round {round_number}: {kind:9} {mode:5} {seconds:7.2f} s "
                          f"({size / MiB / seconds:6.1f} MiB/s)", flush=True)  # fmt: skip
        return link.shaping, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--target-dir", type=Path, default=Path("/dev/shm"))
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS, default=CONTENDERS)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=MODES)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("remote_mirror.py needs root (network namespaces, tc)")
    directory = Path(tempfile.mkdtemp(prefix="gm-remote-bench-", dir=args.dir))
    try:
        shaping, results = asyncio.run(
            rounds(args.rounds, args.size_mib * MiB, directory, args.target_dir,
                   tuple(args.contenders), tuple(args.modes)))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    size = args.size_mib * MiB
    print(f"\n{args.size_mib} MiB to READY, link: {shaping}, {args.rounds} rounds")
    medians = {}
    for name, values in results.items():
        medians[name] = statistics.median(values)
        print(f"  {name:16} median {medians[name]:6.2f} s ({size / MiB / medians[name]:6.1f} "
              f"MiB/s)  min {min(values):6.2f}  max {max(values):6.2f}")  # fmt: skip
    print(f"  of the shaped rate ({RATE:.1f} MiB/s) and of the TCP stream's:")
    for name, median in medians.items():
        rate = size / MiB / median
        print(f"  {name:16} {rate / RATE:6.1%}  {medians['tcp'] / median:6.1%}")
    for mode in MODES:
        if f"guimirror {mode}" not in medians or f"qemu {mode}" not in medians:
            continue
        ratio = medians[f"guimirror {mode}"] / medians[f"qemu {mode}"]
        print(f"  guimirror / qemu, {mode}: {ratio:.2f}")
    for kind in CONTENDERS:
        if f"{kind} tls" not in medians or f"{kind} plain" not in medians:
            continue
        print(f"  {kind}: tls / plain {medians[f'{kind} tls'] / medians[f'{kind} plain']:.2f}")


if __name__ == "__main__":
    main()
