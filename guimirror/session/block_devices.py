# SPDX-License-Identifier: GPL-2.0-or-later
"""Local block devices for the add-node picker: lsblk's JSON, with size, model and mount state.

A device counts as mounted when it, or any partition or holder below it in lsblk's tree, has a
mount point (swap included): such a device is refused as a writable node. Qt-free; the lsblk
call is an asyncio subprocess, so the loop never blocks on it.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guimirror.texts import Text

LSBLK_COLUMNS = "NAME,PATH,SIZE,MODEL,MOUNTPOINTS,TYPE,RO,FSTYPE"


@dataclass(frozen=True)
class BlockDevice:
    """One device as lsblk reports it."""

    path: str
    size: int
    model: str
    type: str
    read_only: bool
    mountpoints: tuple[str, ...] = ()
    fstype: str = ""
    children: tuple[BlockDevice, ...] = field(default=())

    @property
    def all_mountpoints(self) -> tuple[str, ...]:
        """This device's mount points and those of everything under it."""
        points = list(self.mountpoints)
        for child in self.children:
            points.extend(child.all_mountpoints)
        return tuple(points)

    @property
    def mounted(self) -> bool:
        return bool(self.all_mountpoints)

    def refusal(self) -> Text | None:
        """Why this device cannot be a writable node, or None."""
        if self.mounted:
            return Text("{path} is mounted ({where}); a mounted device cannot be written",
                        path=self.path, where=", ".join(self.all_mountpoints))
        return None


def _device(entry: Mapping[str, Any]) -> BlockDevice:
    points = tuple(p for p in entry.get("mountpoints") or [entry.get("mountpoint")] if p)
    return BlockDevice(
        path=str(entry.get("path") or f"/dev/{entry.get('name', '')}"),
        size=int(entry.get("size") or 0),
        model=str(entry.get("model") or "").strip(),
        type=str(entry.get("type") or ""),
        read_only=bool(entry.get("ro")) and entry.get("ro") not in ("0", 0),
        mountpoints=points,
        fstype=str(entry.get("fstype") or ""),
        children=tuple(_device(child) for child in entry.get("children") or []),
    )


def parse_lsblk(text: str) -> list[BlockDevice]:
    """lsblk ``-J -b`` output to devices (top level; partitions as children)."""
    data = json.loads(text)
    return [_device(entry) for entry in data.get("blockdevices", [])]


def flatten(devices: Iterable[BlockDevice]) -> list[BlockDevice]:
    """Every device and partition, parents first."""
    result: list[BlockDevice] = []
    for device in devices:
        result.append(device)
        result.extend(flatten(device.children))
    return result


async def list_block_devices() -> list[BlockDevice]:
    """Run lsblk (caller's task) and return every device and partition."""
    process = await asyncio.create_subprocess_exec(
        "lsblk", "-J", "-b", "-o", LSBLK_COLUMNS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        raise OSError(Text("lsblk failed: {reason}",
                           reason=stderr.decode(errors="replace").strip()))
    return flatten(parse_lsblk(stdout.decode()))


def mounted_device_refusal(path: str, devices: Iterable[BlockDevice]) -> Text | None:
    """Why ``path`` (a device node, or a symlink to one) cannot be written, or None."""
    real = os.path.realpath(path)
    for device in devices:
        if os.path.realpath(device.path) == real:
            return device.refusal()
    return None


def device_users(nodes: Iterable[tuple[str, str, str, Sequence[str]]]) -> dict[str, list[str]]:
    """Device -> what uses it, from (endpoint, node-name, file, the node's users) of every
    endpoint's named nodes: "node 'tgt' on built-in (job mirror-src (target))". Keys are
    real paths (``os.path.realpath``); files outside /dev/ are left out."""
    users: dict[str, list[str]] = {}
    for endpoint, node_name, filename, node_users in nodes:
        if not filename.startswith("/dev/") or node_name.startswith("#"):
            continue
        text = f"node '{node_name}' on {endpoint}"
        if node_users:
            text += f" ({', '.join(node_users)})"
        users.setdefault(os.path.realpath(filename), []).append(text)
    return users
