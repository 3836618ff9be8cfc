"""The checks before a mirror starts: size mismatch, a mounted or busy target, data on the target.

``allocated_bytes`` finds what a local image or device holds with SEEK_DATA/SEEK_HOLE (a
device, which has no holes, is sampled for non-zero blocks instead); it blocks, so callers run
it with ``asyncio.to_thread``. The verdict is plain data the window turns into dialogs.
Qt-free.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field

from guimirror.units import format_size

DEVICE_SAMPLES = 64
DEVICE_SAMPLE_SIZE = 64 * 1024


def allocated_bytes(path: str) -> int:
    """Bytes of ``path`` that hold data (not holes). Blocks: run it in a worker thread.

    For a block device, the bytes of sampled non-zero blocks (a device has no holes).
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISBLK(mode):
            return _sampled_device_data(fd)
        size = os.fstat(fd).st_size
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
    finally:
        os.close(fd)


def _sampled_device_data(fd: int) -> int:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return 0
    step = max(DEVICE_SAMPLE_SIZE, size // DEVICE_SAMPLES)
    found = 0
    for offset in range(0, size, step):
        block = os.pread(fd, DEVICE_SAMPLE_SIZE, offset)
        if block.count(0) != len(block):
            found += len(block)
    return found


@dataclass
class StartVerdict:
    """What stands before a start: refusals (no start), warnings and a confirmation text."""

    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    confirmation: str | None = None

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
    target_data: int | None,
) -> StartVerdict:
    """Turn what is known about the source and target into refusals, warnings, a question."""
    verdict = StartVerdict()
    if target_mount_refusal:
        verdict.refusals.append(target_mount_refusal)
    if target_users:
        verdict.refusals.append(
            f"Node '{target}' is busy: it is in use by {', '.join(target_users)}"
        )
    if source_size is not None and target_size is not None and source_size != target_size:
        verdict.warnings.append(
            f"The source '{device}' is {format_size(source_size)} ({source_size} bytes) but "
            f"the target '{target}' is {format_size(target_size)} ({target_size} bytes). "
            "The mirror will fail with 'Source and target image have different sizes'."
        )
    if target_data:
        size = format_size(target_size) if target_size is not None else "unknown size"
        verdict.confirmation = (
            f"The target '{target}' ({size}) holds {format_size(target_data)} of data. "
            f"The mirror overwrites all of it with the contents of '{device}'. Continue?"
        )
    return verdict


def local_path_of(raw_node: dict[str, object]) -> str | None:
    """The local file or device under a node, if its ``file`` names one that exists here."""
    image = raw_node.get("image")
    filename = raw_node.get("file") or (image.get("filename") if isinstance(image, dict) else None)
    if isinstance(filename, str) and filename.startswith("/") and os.path.exists(filename):
        return filename
    return None
