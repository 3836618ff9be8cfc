# SPDX-License-Identifier: GPL-2.0-or-later
"""The checks before a mirror starts or a write load writes: size mismatch, a mounted or busy
target, and what a node's file or device holds.

``measure_data`` finds what a local image or device holds: an image file exactly, from its
extents (SEEK_DATA/SEEK_HOLE); a device, which has no holes, by reading it whole when it is
small (FULL_READ_LIMIT) and else by reading SAMPLES blocks spread evenly over it and scaling the
non-zero share up. It blocks, so callers run it with ``asyncio.to_thread``; ``measure_target``
does that and adds what blkid sees on it (a file system, a partition table). The verdict is
plain data the window turns into dialogs. Qt-free.
"""

from __future__ import annotations

import asyncio
import errno
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.texts import Text
from guimirror.units import format_size

FULL_READ_LIMIT = 256 << 20
"""Devices up to this size are read whole (about 1 s at the 290 MiB/s measured here)."""
SAMPLES = 1024
SAMPLE_SIZE = 64 << 10
"""Larger devices: SAMPLES blocks of SAMPLE_SIZE, spread evenly (about 2 s from a cold cache)."""
READ_CHUNK = 1 << 20
ZERO_GRAIN = 4096
"""A whole read counts data in blocks of this size: a block with any non-zero byte is data."""
_ZEROES = bytes(READ_CHUNK)


class MeasureMethod(StrEnum):
    EXTENTS = "extents"
    READ = "read"
    SAMPLED = "sampled"


@dataclass(frozen=True)
class DataMeasure:
    """How much of ``size`` bytes holds data, and how that was found."""

    path: str
    size: int
    data: int
    method: MeasureMethod
    samples: int = 0
    sample_size: int = 0
    non_zero_samples: int = 0
    holds: str = ""
    """What blkid sees on it, e.g. "an ext4 file system 'data'"; empty when nothing."""

    @property
    def exact(self) -> bool:
        return self.method is not MeasureMethod.SAMPLED

    @property
    def empty(self) -> bool:
        """Nothing on it: no data found and no file system or partition table seen."""
        return self.data == 0 and not self.holds

    def describe(self) -> Text:
        """"4 MiB of data", or "about 300 MiB of data (estimated from ...)", plus what it holds."""
        if self.exact:
            text = Text("{size} of data", size=format_size(self.data))
        else:
            share = round(100 * self.non_zero_samples / self.samples) if self.samples else 0
            text = Text("about {size} of data (estimated from {samples} samples of "
                        "{sample_size} spread over its {whole}, {share} % non-zero)",
                        size=format_size(self.data), samples=self.samples,
                        sample_size=format_size(self.sample_size),
                        whole=format_size(self.size), share=share)
        if self.holds:
            return Text("{data}, {holds}", data=text, holds=self.holds)
        return text


def measure_data(path: str) -> DataMeasure:
    """What ``path`` (an image file or a block device) holds. Blocks: run it in a worker
    thread."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if stat.S_ISBLK(os.fstat(fd).st_mode):
            size = os.lseek(fd, 0, os.SEEK_END)
            if size <= FULL_READ_LIMIT:
                return DataMeasure(path, size, _non_zero_bytes(fd, size), MeasureMethod.READ)
            return _sampled(path, fd, size)
        size = os.fstat(fd).st_size
        return DataMeasure(path, size, _extent_bytes(fd, size), MeasureMethod.EXTENTS)
    finally:
        os.close(fd)


def allocated_bytes(path: str) -> int:
    """Bytes of ``path`` that hold data (``measure_data``'s figure). Blocks."""
    return measure_data(path).data


def _extent_bytes(fd: int, size: int) -> int:
    total, offset = 0, 0
    while offset < size:
        try:
            data = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError as err:
            if err.errno == errno.ENXIO:
                break
            raise
        hole = os.lseek(fd, data, os.SEEK_HOLE)
        total += hole - data
        offset = hole
    return total


def _non_zero_bytes(fd: int, size: int) -> int:
    total = 0
    for offset in range(0, size, READ_CHUNK):
        chunk = os.pread(fd, READ_CHUNK, offset)
        if chunk == _ZEROES[: len(chunk)]:
            continue
        view = memoryview(chunk)
        zero = _ZEROES[:ZERO_GRAIN]
        for start in range(0, len(chunk), ZERO_GRAIN):
            grain = view[start : start + ZERO_GRAIN]
            if grain != zero[: len(grain)]:
                total += len(grain)
    return total


def _sampled(path: str, fd: int, size: int) -> DataMeasure:
    step = size // SAMPLES
    non_zero = 0
    for index in range(SAMPLES):
        block = os.pread(fd, SAMPLE_SIZE, index * step)
        if block != _ZEROES[: len(block)]:
            non_zero += 1
    return DataMeasure(path, size, size * non_zero // SAMPLES, MeasureMethod.SAMPLED,
                       SAMPLES, SAMPLE_SIZE, non_zero)


async def what_it_holds(path: str) -> Text | str:
    """What blkid's low-level probe finds on ``path``: "an ext4 file system 'data'", "a gpt
    partition table", or "" (caller's task; blkid runs as a subprocess)."""
    try:
        process = await asyncio.create_subprocess_exec(
            "blkid", "-p", "-o", "export", path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return ""
    stdout, _ = await process.communicate()
    if process.returncode != 0:
        return ""
    tags = dict(line.split("=", 1) for line in stdout.decode(errors="replace").splitlines()
                if "=" in line)
    return describe_blkid(tags)


def describe_blkid(tags: dict[str, str]) -> Text | str:
    """blkid's export tags as words ("" when they name nothing)."""
    if "PTTYPE" in tags and "TYPE" not in tags:
        return Text("a {kind} partition table", kind=tags["PTTYPE"])
    kind = tags.get("TYPE", "")
    if not kind:
        return ""
    label = f" '{tags['LABEL']}'" if tags.get("LABEL") else ""
    usage = tags.get("USAGE", "filesystem")
    vowel = kind[0] in "aeiou"
    if usage == "filesystem":
        if vowel:
            return Text("an {kind} file system{label}", kind=kind, label=label)
        return Text("a {kind} file system{label}", kind=kind, label=label)
    if vowel:
        return Text("an {kind} signature{label} ({usage})", kind=kind, label=label, usage=usage)
    return Text("a {kind} signature{label} ({usage})", kind=kind, label=label, usage=usage)


async def measure_target(path: str) -> DataMeasure:
    """``measure_data`` in a worker thread, with what blkid sees on it (caller's task)."""
    measure = await asyncio.to_thread(measure_data, path)
    holds = await what_it_holds(path)
    return replace(measure, holds=holds) if holds else measure


@dataclass
class StartVerdict:
    """What stands before a start: refusals (no start), warnings and a confirmation text."""

    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    confirmation: str | None = None
    """Each a ``Text`` where guimirror wrote it (the window shows it translated)."""

    @property
    def allowed(self) -> bool:
        return not self.refusals


def judge_start(
    *,
    device: str,
    target: str,
    source_size: int | None,
    target_size: int | None,
    target_users: list[str],
    target_mount_refusal: str | None,
    target_data: DataMeasure | None,
) -> StartVerdict:
    """Turn what is known about the source and target into refusals, warnings, a question."""
    verdict = StartVerdict()
    if target_mount_refusal:
        verdict.refusals.append(target_mount_refusal)
    if target_users:
        verdict.refusals.append(Text("Node '{target}' is busy: it is in use by {users}",
                                     target=target, users=", ".join(target_users)))
    if source_size is not None and target_size is not None and source_size != target_size:
        verdict.warnings.append(Text(
            "The source '{device}' is {source_size} ({source_bytes} bytes) but the target "
            "'{target}' is {target_size} ({target_bytes} bytes). The mirror will fail with "
            "'{qemu_error}'.", device=device, source_size=format_size(source_size),
            source_bytes=source_size, target=target, target_size=format_size(target_size),
            target_bytes=target_size, qemu_error="Source and target image have different sizes"))
    if target_data is not None and not target_data.empty:
        size = format_size(target_size) if target_size is not None else Text("unknown size")
        verdict.confirmation = Text(
            "The target '{target}' ({size}) holds {data}. The mirror overwrites all of it "
            "with the contents of '{device}'. Continue?", target=target, size=size,
            data=target_data.describe(), device=device)
    return verdict


def load_refusal(node: BlockDeviceInfo, job_targets: Mapping[str, str]) -> Text | None:
    """Why the write load may not write into ``node``, or None. ``job_targets`` maps the
    target node of each active job to the job's id."""
    name = node.node_name or "?"
    if name in job_targets:
        return Text("'{name}' is the target of job {job_id}", name=name,
                    job_id=job_targets[name])
    if node.drv == "mirror_top":
        return Text("'{name}' is a mirror's filter node", name=name)
    if node.ro:
        return Text("'{name}' is read-only", name=name)
    return None


def load_question(node: BlockDeviceInfo, measure: DataMeasure | None) -> Text | None:
    """The question before the write load writes into ``node``: None when it holds nothing."""
    if measure is not None and measure.empty:
        return None
    name = node.node_name or "?"
    size = format_size(node.image.virtual_size)
    if measure is None:
        held = Text("What it holds cannot be seen from here (no local file or device)")
    else:
        held = Text("{path} holds {data}", path=measure.path, data=measure.describe())
    return Text("Write random data into '{name}' ({size})? {held}. The write load overwrites "
                "random blocks of it: what they hold is lost.", name=name, size=size, held=held)


def local_path(node: BlockDeviceInfo) -> str | None:
    """The local file or device under a node, if its ``file`` names one that exists here."""
    return local_path_of(node.to_qmp())


def local_path_of(raw_node: dict[str, object]) -> str | None:
    """The local file or device under a node, if its ``file`` names one that exists here."""
    image = raw_node.get("image")
    filename = raw_node.get("file") or (image.get("filename") if isinstance(image, dict) else None)
    if isinstance(filename, str) and filename.startswith("/") and os.path.exists(filename):
        return filename
    return None
