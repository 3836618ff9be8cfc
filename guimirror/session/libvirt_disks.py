# SPDX-License-Identifier: GPL-2.0-or-later
"""A libvirt domain's disks, read from its XML, as guimirror's typed block nodes.

Pure: no libvirt import. Each disk of a running domain becomes a :class:`LibvirtDiskInfo`, a
``BlockDeviceInfo`` whose ``node_name`` is ``DOMAIN/TARGET`` (``vm1/vda``): that name is the
``device`` of a mirror of the disk and the job-id of its block job, since libvirt runs one block
job per disk and names it by the disk.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from pydantic import Field

from guimirror.qapi.block_info import BlockdevCacheInfo, BlockDeviceInfo, ImageInfo
from guimirror.qapi.types import Str
from guimirror.texts import Text

SEPARATOR = "/"


class LibvirtDiskInfo(BlockDeviceInfo):
    """One disk of a running libvirt domain; ``node_name`` is ``DOMAIN/TARGET``."""

    domain: Str = Field(description="the domain's name")
    target: Str = Field(description="the disk's target dev in the guest (vda, sdb...)")
    source_type: Str = Field(description="libvirt's disk type: file, block, network...")
    qemu_node_names: list[str] = Field(
        default_factory=list,
        description="QEMU's node names of the disk, once QMP pass-through is on for the domain",
    )


@dataclass(frozen=True)
class DiskXML:
    """What a domain's XML says of one disk."""

    target: str
    source_type: str
    source: str
    format: str
    read_only: bool
    cache: str
    mirror_ready: bool
    """libvirt's ``<mirror ready='yes'>``: a copy job of this disk is in sync."""
    mirror_source: str = ""
    """The destination of this disk's copy job (``<mirror><source .../>``), '' without one."""


def device_name(domain: str, target: str) -> str:
    """The node name (and job-id) of ``target`` in ``domain``."""
    return f"{domain}{SEPARATOR}{target}"


def split_device(device: str) -> tuple[str, str]:
    """``(domain, target)`` of ``DOMAIN/TARGET``; ValueError for another text."""
    domain, separator, target = device.rpartition(SEPARATOR)
    if not separator or not domain or not target:
        raise ValueError(Text("'{device}' is not a libvirt disk (DOMAIN/TARGET, e.g. vm1/vda)",
                              device=device))
    return domain, target


def disks_of(domain_xml: str) -> list[DiskXML]:
    """The disks of a domain's live XML that have a source (an empty CD-ROM has none)."""
    disks = []
    for disk in ElementTree.fromstring(domain_xml).iterfind("./devices/disk"):
        target = disk.find("target")
        source = disk.find("source")
        if target is None or source is None:
            continue
        path = source.get("file") or source.get("dev") or source.get("name") or ""
        if not path:
            continue
        driver = disk.find("driver")
        mirror = disk.find("mirror")
        mirror_source = mirror.find("source") if mirror is not None else None
        disks.append(DiskXML(
            target=target.get("dev", ""),
            source_type=disk.get("type", "file"),
            source=path,
            format=(driver.get("type") if driver is not None else None) or "raw",
            read_only=disk.find("readonly") is not None,
            cache=(driver.get("cache") if driver is not None else None) or "default",
            mirror_ready=mirror is not None and mirror.get("ready") == "yes",
            mirror_source="" if mirror_source is None else (
                mirror_source.get("file") or mirror_source.get("dev")
                or mirror_source.get("name") or ""),
        ))
    return disks


def disk_node(
    domain: str, disk: DiskXML, capacity: int, allocation: int,
    qemu_nodes: list[BlockDeviceInfo] | None = None,
) -> LibvirtDiskInfo:
    """The typed node of ``disk``; ``qemu_nodes`` are QEMU's nodes of its source (pass-through
    on), whose names and dirty bitmaps it takes."""
    qemu_nodes = qemu_nodes or []
    bitmaps = [bitmap for node in qemu_nodes for bitmap in node.dirty_bitmaps or ()]
    optional = {"dirty_bitmaps": bitmaps} if bitmaps else {}
    return LibvirtDiskInfo(
        file=disk.source,
        node_name=device_name(domain, disk.target),
        ro=disk.read_only,
        drv=disk.format,
        image=ImageInfo(
            filename=disk.source, format=disk.format, virtual_size=capacity,
            actual_size=allocation,
        ),
        cache=BlockdevCacheInfo(
            writeback=disk.cache not in ("writethrough", "directsync"),
            direct=disk.cache in ("none", "directsync"),
            no_flush=disk.cache == "unsafe",
        ),
        **optional,
        domain=domain,
        target=disk.target,
        source_type=disk.source_type,
        qemu_node_names=[node.node_name for node in qemu_nodes if node.node_name],
    )


def image_virtual_size(header: bytes, file_size: int, image_format: str) -> int | None:
    """The guest-visible size of an image from its first bytes: a raw image's file size, a
    qcow2 header's size field; None when the format is neither or the header is not qcow2."""
    if image_format == "raw":
        return file_size
    if image_format == "qcow2" and len(header) >= 32 and header[:4] == b"QFI\xfb":
        return int(struct.unpack(">Q", header[24:32])[0])
    return None
