# SPDX-License-Identifier: GPL-2.0-or-later
"""The vocabulary of a conformance scenario: images, nodes, and the steps of a command sequence.

A scenario is data. It names images (created fresh in a private directory), the blockdev-add
options of its nodes (identical on every engine), and steps. ``{dir}`` in any string is
replaced by that directory. The driver (driver.py) runs the steps against one engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MiB = 1024 * 1024

#: An expected value that must not be present (e.g. no "error" in BLOCK_JOB_COMPLETED).
ABSENT: Any = object()


@dataclass(frozen=True)
class Same:
    """An expected value equal to another member of the same object (``offset``: Same("len"))."""

    key: str


@dataclass(frozen=True)
class Image:
    """A raw image file ``{dir}/<name>.img`` of ``size`` bytes.

    ``data`` lists (offset, length, byte) areas; byte None fills with random bytes.
    Anything not listed is a hole.
    """

    name: str
    size: int
    data: tuple[tuple[int, int, int | None], ...] = ()


@dataclass(frozen=True)
class Cmd:
    """Run a QMP command; expect ``ret`` (if ``check_ret``) or exactly ``error``/``error_class``."""

    command: str
    arguments: Mapping[str, Any] | None = None
    ret: Any = None
    error: str | None = None
    error_class: str = "GenericError"
    check_ret: bool = False


@dataclass(frozen=True)
class WaitEvent:
    """Wait for the next event ``name`` (after the previous WaitEvent's match) whose data has
    every item of ``data`` (ABSENT: the key is missing); ``job`` matches ``id`` or ``device``."""

    name: str
    job: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    within: float = 30.0


@dataclass(frozen=True)
class WaitJob:
    """Poll query-block-jobs until job ``job`` shows every item of ``fields``."""

    job: str
    fields: Mapping[str, Any]
    within: float = 30.0


@dataclass(frozen=True)
class ExpectJob:
    """query-block-jobs shows ``job`` with every item of ``fields`` now (None: no such job)."""

    job: str
    fields: Mapping[str, Any] | None


@dataclass(frozen=True)
class ExpectNodes:
    """query-named-block-nodes lists these node-names with these drivers (``present``), some
    node of each driver in ``drivers`` (whatever its generated name), and no node of a driver
    in ``absent_drivers``."""

    present: Mapping[str, str] = field(default_factory=dict)
    drivers: tuple[str, ...] = ()
    absent_drivers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExpectOffsetFrozen:
    """The job's offset does not move for ``seconds`` (it is paused)."""

    job: str
    seconds: float = 0.5


@dataclass(frozen=True)
class ExpectOffsetMoves:
    """The job's offset grows within ``within`` seconds."""

    job: str
    within: float = 10.0


@dataclass(frozen=True)
class ExpectSpeedBelow:
    """Over ``seconds`` the job copies no faster than ``limit`` bytes/s (with slack)."""

    job: str
    limit: int
    seconds: float = 1.0


@dataclass(frozen=True)
class QemuIO:
    """Run ``qemu-io -f raw`` with ``commands`` on NBD export ``export`` at ``{dir}/nbd.sock``."""

    export: str
    commands: tuple[str, ...]
    background: bool = False
    """Run alongside the next steps; JoinBackground waits for it (and checks it succeeded)."""


@dataclass(frozen=True)
class JoinBackground:
    """Wait for every background QemuIO to finish successfully."""


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class ExpectJobEvents:
    """Every event of ``job`` so far, in order: JOB_STATUS_CHANGE as its status, others by name."""

    job: str
    order: tuple[str, ...]


@dataclass(frozen=True)
class ExpectBytes:
    """Image ``image`` holds ``byte`` in every one of the ``length`` bytes at ``offset`` now
    (read from the file while the engine has it open)."""

    image: str
    offset: int
    length: int
    byte: int


@dataclass(frozen=True)
class Compare:
    """``qemu-img compare`` of two images at the end: identical or not."""

    first: str
    second: str
    identical: bool = True


Step = (
    Cmd
    | WaitEvent
    | WaitJob
    | ExpectJob
    | ExpectNodes
    | ExpectOffsetFrozen
    | ExpectOffsetMoves
    | ExpectSpeedBelow
    | QemuIO
    | JoinBackground
    | Sleep
    | ExpectJobEvents
    | ExpectBytes
    | Compare
)


@dataclass(frozen=True)
class Scenario:
    """A named command sequence with its images and nodes.

    ``engines`` limits the engines it runs on; ``deviation`` says why one engine's steps differ
    (``steps_for`` then holds that engine's own steps). Engines are named ``builtin``,
    ``qemu-7.2``, ``qemu-10.0``; ``qemu`` stands for every QEMU version not named itself.
    """

    name: str
    images: tuple[Image, ...]
    nodes: tuple[Mapping[str, Any], ...]
    steps: tuple[Step, ...]
    steps_for: Mapping[str, tuple[Step, ...]] = field(default_factory=dict)
    deviation: str = ""
    engines: tuple[str, ...] = ("qemu", "builtin")

    def runs_on(self, engine: str) -> bool:
        return engine in self.engines or engine.split("-", 1)[0] in self.engines

    def steps_on(self, engine: str) -> tuple[Step, ...]:
        for name in (engine, engine.split("-", 1)[0]):
            if name in self.steps_for:
                return self.steps_for[name]
        return self.steps


def raw_node(name: str, image: str | None = None, **options: Any) -> dict[str, Any]:
    """blockdev-add options of a raw format node over a file node named ``<name>-file``."""
    return {
        "driver": "raw",
        "node-name": name,
        "file": {
            "driver": "file",
            "node-name": f"{name}-file",
            "filename": f"{{dir}}/{image or name}.img",
        },
        **options,
    }


def blkdebug_node(
    name: str, rules: list[dict[str, Any]], image: str | None = None
) -> dict[str, Any]:
    """A raw node over blkdebug (with ``inject-error`` rules) over a file, as iotest 041 builds."""
    return {
        "driver": "raw",
        "node-name": name,
        "file": {
            "driver": "blkdebug",
            "node-name": f"{name}-dbg",
            "inject-error": rules,
            "image": {
                "driver": "file",
                "node-name": f"{name}-file",
                "filename": f"{{dir}}/{image or name}.img",
            },
        },
    }


def add(node: Mapping[str, Any]) -> Cmd:
    return Cmd("blockdev-add", node, ret={}, check_ret=True)


def mirror(job: str = "j1", device: str = "src", target: str = "tgt", **arguments: Any) -> Cmd:
    """blockdev-mirror with sync=full unless told otherwise; expects ``{}``."""
    args: dict[str, Any] = {"job-id": job, "device": device, "target": target, "sync": "full"}
    args.update({key.replace("_", "-"): value for key, value in arguments.items()})
    return Cmd("blockdev-mirror", args, ret={}, check_ret=True)


def mirror_error(desc: str, error_class: str = "GenericError", **arguments: Any) -> Cmd:
    """A failing blockdev-mirror (src to tgt, sync full, job-id j1, unless overridden)."""
    args: dict[str, Any] = {"job-id": "j1", "device": "src", "target": "tgt", "sync": "full"}
    for key, value in arguments.items():
        qmp_key = key.replace("_", "-")
        if value is ABSENT:
            args.pop(qmp_key, None)
        else:
            args[qmp_key] = value
    return Cmd("blockdev-mirror", args, error=desc, error_class=error_class)


def job_cmd(command: str, job: str = "j1", **arguments: Any) -> Cmd:
    """A job-* command (``id``) or block-job-* command (``device``) that succeeds."""
    key = "device" if command.startswith("block-job-") else "id"
    args = {key: job, **{k.replace("_", "-"): v for k, v in arguments.items()}}
    return Cmd(command, args, ret={}, check_ret=True)


#: The events of a mirror that completes with a pivot and is dismissed automatically.
COMPLETED_ORDER = (
    "created", "running", "ready", "BLOCK_JOB_READY",
    "waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded", "null",
)
