# SPDX-License-Identifier: GPL-2.0-or-later
"""Source and target of the mirrors an endpoint runs, also of those someone else started.

A mirror this client started is known by its command (``SessionClient.mirrors``). For one
found on an attached daemon, the graph tells:

* ``query-named-block-nodes`` lists the mirror's filter node (driver ``mirror_top``) above the
  source. QEMU 7.2 shows no children there, but the filter reports the source's filename as its
  ``file``: the source is the named node of that filename that is not a protocol node (the
  format node the filter was inserted above; a protocol node under it has the same filename).
  The mirror's anonymous dirty bitmap sits on the source too. This pairing is certain when one
  mirror runs; with more, only filenames that a single filter and a single job share count.
* The target is held by the job's own BlockBackend, which query-named-block-nodes does not
  show. ``x-debug-query-block-graph`` (QEMU's; not every engine has it) lists the job as a
  node of type ``block-job`` with edges ``source`` and ``target`` to the nodes it holds.

Pure functions over the typed lists; no I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.job import BlockJobInfo
from guimirror.session.client import MirrorRecord

PROTOCOL_DRIVERS = frozenset({"file", "host_device", "host_cdrom", "nbd", "null-co",
                              "null-aio"})
FILTER_DRIVER = "mirror_top"
GRAPH_COMMAND = "x-debug-query-block-graph"


@dataclass(frozen=True)
class JobEnds:
    """A mirror's source (``device``) and ``target`` node-names; None where unknown."""

    device: str | None
    target: str | None


@dataclass(frozen=True)
class JobEdges:
    """What ``x-debug-query-block-graph`` says a job holds: edge name -> node-name."""

    job_id: str
    children: Mapping[str, str]


def job_edges(graph: Mapping[str, Any]) -> dict[str, JobEdges]:
    """The block jobs of an ``x-debug-query-block-graph`` reply, by job-id."""
    names = {int(node["id"]): str(node.get("name", "")) for node in graph.get("nodes", ())}
    jobs = {int(node["id"]): str(node.get("name", "")) for node in graph.get("nodes", ())
            if node.get("type") == "block-job"}
    children: dict[int, dict[str, str]] = {number: {} for number in jobs}
    for edge in graph.get("edges", ()):
        parent = int(edge["parent"])
        if parent in children:
            children[parent][str(edge.get("name", ""))] = names.get(int(edge["child"]), "")
    return {job_id: JobEdges(job_id, children[number]) for number, job_id in jobs.items()}


def mirror_ends(
    jobs: Sequence[BlockJobInfo],
    nodes: Sequence[BlockDeviceInfo],
    started: Mapping[str, MirrorRecord] | None = None,
    edges: Mapping[str, JobEdges] | None = None,
) -> dict[str, JobEnds]:
    """Each mirror job's source and target: from ``started`` (this client's commands), else
    the job's graph ``edges``, else the filter nodes in ``nodes`` (the source only)."""
    started = started or {}
    edges = edges or {}
    mirrors = [job for job in jobs if job.type == "mirror"]
    sources = _sources_by_filter(mirrors, nodes)
    ends = {}
    for job in mirrors:
        record = started.get(job.device)
        if record is not None:
            ends[job.device] = JobEnds(record.device, record.target)
            continue
        held = edges.get(job.device)
        device = (held.children.get("source") if held else None) or sources.get(job.device)
        target = held.children.get("target") if held else None
        ends[job.device] = JobEnds(device or None, target or None)
    return ends


def _sources_by_filter(
    mirrors: Sequence[BlockJobInfo], nodes: Sequence[BlockDeviceInfo]
) -> dict[str, str]:
    """job-id -> source node-name, where the filter nodes tell it for certain."""
    filters = [node for node in nodes if node.drv == FILTER_DRIVER]
    if not mirrors or not filters:
        return {}
    named = [node for node in nodes
             if node.node_name and node.drv != FILTER_DRIVER and node.drv not in PROTOCOL_DRIVERS]
    if len(mirrors) == 1 and len(filters) == 1:
        source = _named_for(filters[0].file, named)
        return {mirrors[0].device: source} if source else {}
    # More than one mirror: a filter's filename alone does not say which job it belongs to.
    return {}


def _named_for(filename: str, named: Sequence[BlockDeviceInfo]) -> str | None:
    """The node the filter sits on: the one format node with ``filename`` (of several, the
    one carrying an anonymous bitmap: the mirror's)."""
    candidates = [node for node in named if node.file == filename]
    with_bitmap = [node for node in candidates
                   if any(bitmap.name is None for bitmap in node.dirty_bitmaps or ())]
    chosen = with_bitmap or candidates
    if len(chosen) == 1:
        return chosen[0].node_name
    return None
