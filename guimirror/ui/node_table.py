# SPDX-License-Identifier: GPL-2.0-or-later
"""The node table: a QAbstractTableModel over an endpoint's named block nodes.

Rows wrap the ``BlockDeviceInfo`` models of ``query-named-block-nodes`` (the columns read as
QEMU names them), plus who uses each node (a job or an export), which the window knows.
A libvirt endpoint's nodes are its running domains' disks (``LibvirtDiskInfo``): their columns
read as libvirt names them (domain, target, source...).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from guimirror.qapi.block_info import BlockDeviceInfo, BlockDirtyInfo
from guimirror.session.libvirt_disks import LibvirtDiskInfo
from guimirror.ui.mirror_form import NodeChoice
from guimirror.units import format_size

PROTOCOL_DRIVERS = frozenset({"file", "host_device", "null-co", "nbd"})
COLUMNS: tuple[str, ...] = tuple(str(name) for name in (
    QT_TRANSLATE_NOOP("NodeTableModel", "node-name"),
    QT_TRANSLATE_NOOP("NodeTableModel", "driver"),
    QT_TRANSLATE_NOOP("NodeTableModel", "file"),
    QT_TRANSLATE_NOOP("NodeTableModel", "virtual size"),
    QT_TRANSLATE_NOOP("NodeTableModel", "format"),
    QT_TRANSLATE_NOOP("NodeTableModel", "cluster size"),
    QT_TRANSLATE_NOOP("NodeTableModel", "read-only"),
    QT_TRANSLATE_NOOP("NodeTableModel", "used by"),
    QT_TRANSLATE_NOOP("NodeTableModel", "dirty bitmaps"),
))
LIBVIRT_COLUMNS: tuple[str, ...] = tuple(str(name) for name in (
    QT_TRANSLATE_NOOP("NodeTableModel", "domain"),
    QT_TRANSLATE_NOOP("NodeTableModel", "target"),
    QT_TRANSLATE_NOOP("NodeTableModel", "source"),
    QT_TRANSLATE_NOOP("NodeTableModel", "type"),
    QT_TRANSLATE_NOOP("NodeTableModel", "format"),
    QT_TRANSLATE_NOOP("NodeTableModel", "virtual size"),
    QT_TRANSLATE_NOOP("NodeTableModel", "allocation"),
    QT_TRANSLATE_NOOP("NodeTableModel", "QEMU node names"),
    QT_TRANSLATE_NOOP("NodeTableModel", "read-only"),
    QT_TRANSLATE_NOOP("NodeTableModel", "used by"),
    QT_TRANSLATE_NOOP("NodeTableModel", "dirty bitmaps"),
))
"""The columns of a libvirt endpoint's disks."""
_SIZES = frozenset({"virtual size", "cluster size", "allocation"})


def columns_of(nodes: Sequence[BlockDeviceInfo]) -> tuple[str, ...]:
    """The columns for these nodes: libvirt's when they are a libvirt endpoint's disks."""
    if nodes and all(isinstance(node, LibvirtDiskInfo) for node in nodes):
        return LIBVIRT_COLUMNS
    return COLUMNS


@dataclass
class NodeRow:
    """One node as the table shows it: its ``query-named-block-nodes`` model, and its users."""

    info: BlockDeviceInfo
    used_by: list[str] = field(default_factory=list)

    @functools.cached_property
    def raw(self) -> dict[str, Any]:
        """The node's exact QMP JSON object, for the details pane."""
        return self.info.to_qmp()

    @property
    def node_name(self) -> str:
        return self.info.node_name or ""

    @property
    def driver(self) -> str:
        return self.info.drv

    @property
    def file(self) -> str:
        return self.info.file

    @property
    def virtual_size(self) -> int:
        return self.info.image.virtual_size

    @property
    def cluster_size(self) -> int | None:
        return self.info.image.cluster_size

    @property
    def format(self) -> str:
        return self.info.image.format

    @property
    def read_only(self) -> bool:
        return self.info.ro

    @property
    def dirty_bitmaps(self) -> list[BlockDirtyInfo]:
        return list(self.info.dirty_bitmaps or ())

    def dirty_text(self) -> str:
        parts = []
        for bitmap in self.dirty_bitmaps:
            name = bitmap.name or QCoreApplication.translate("NodeTableModel", "(anonymous)")
            count = format_size(bitmap.count)
            granularity = format_size(bitmap.granularity)
            parts.append(QCoreApplication.translate("NodeTableModel", "{0}: {1} dirty @ {2}")
                         .format(name, count, granularity))
        return "; ".join(parts)

    @property
    def columns(self) -> tuple[str, ...]:
        return columns_of([self.info])

    def cell(self, column: int) -> str:
        name = self.columns[column]
        disk = self.info if isinstance(self.info, LibvirtDiskInfo) else None
        if disk is not None and name in ("domain", "target", "type", "QEMU node names"):
            return {"domain": disk.domain, "target": disk.target, "type": disk.source_type,
                    "QEMU node names": ", ".join(disk.qemu_node_names) or "—"}[name]
        if name == "source":
            return self.file
        if name == "allocation":
            return format_size(self.info.image.actual_size or 0)
        if name == "node-name":
            return self.node_name
        if name == "driver":
            return self.driver
        if name == "file":
            return self.file
        if name == "virtual size":
            return format_size(self.virtual_size)
        if name == "format":
            return self.format
        if name == "cluster size":
            cluster = self.cluster_size
            return "—" if not cluster else format_size(cluster)
        if name == "read-only":
            return (QCoreApplication.translate("NodeTableModel", "yes") if self.read_only
                    else QCoreApplication.translate("NodeTableModel", "no"))
        if name == "used by":
            return ", ".join(self.used_by)
        return self.dirty_text()

    def choice(self) -> NodeChoice:
        return NodeChoice(
            node_name=self.node_name,
            virtual_size=self.virtual_size,
            cluster_size=self.cluster_size,
            read_only=self.read_only,
            used_by=", ".join(self.used_by),
        )

    def details(self, all_rows: Mapping[str, NodeRow]) -> str:
        """The child chain and the raw JSON.

        QEMU 7.2 lists no children in query-named-block-nodes, so where ``children`` is
        absent the chain follows ``file``: the protocol node that opens the same file.
        """
        lines = [f"{self.node_name} ({self.driver})"]
        seen = {self.node_name}
        node: NodeRow | None = self
        depth = 1
        while node is not None and depth < 8:
            child = node.child(all_rows, seen)
            if child is None:
                break
            role, row = child
            lines.append(f"{'  ' * depth}└ {role}: {row.node_name} ({row.driver})")
            seen.add(row.node_name)
            node, depth = row, depth + 1
        if self.file:
            lines.append(f"{'  ' * depth}└ {self.file}")
        return "\n".join(lines) + "\n\n" + json.dumps(self.raw, indent=2, sort_keys=True)

    def child(self, all_rows: Mapping[str, NodeRow], seen: set[str]) -> tuple[str, NodeRow] | None:
        """The first child (role, node) not yet ``seen``."""
        for child in self.raw.get("children") or []:
            row = all_rows.get(str(child.get("node-name", "")))
            if row is not None and row.node_name not in seen:
                return str(child.get("child", "child")), row
        if self.raw.get("children") is not None or self.driver in PROTOCOL_DRIVERS:
            return None
        for row in all_rows.values():
            if (row.node_name not in seen and row.driver in PROTOCOL_DRIVERS
                    and row.file == self.file and self.file):
                return "file", row
        return None


class NodeTableModel(QAbstractTableModel):
    """Rows of ``query-named-block-nodes``; ``set_nodes`` replaces them (GUI thread)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[NodeRow] = []
        self.columns: tuple[str, ...] = COLUMNS
        """The columns shown: a libvirt endpoint's disks have their own."""

    @property
    def rows(self) -> Sequence[NodeRow]:
        return self._rows

    def by_name(self) -> dict[str, NodeRow]:
        return {row.node_name: row for row in self._rows}

    def row(self, index: int) -> NodeRow:
        return self._rows[index]

    def set_nodes(
        self, nodes: Iterable[BlockDeviceInfo], users: Mapping[str, list[str]] | None = None
    ) -> None:
        """Show these nodes; ``users`` maps node-name to its users."""
        users = users or {}
        rows = sorted((NodeRow(node) for node in nodes),
                      key=lambda row: (row.node_name.startswith("#"), row.node_name))
        for row in rows:
            row.used_by = list(users.get(row.node_name, []))
        if [row.info for row in rows] == [row.info for row in self._rows] and [
            row.used_by for row in rows
        ] == [row.used_by for row in self._rows]:
            return
        same_names = [row.node_name for row in rows] == [row.node_name for row in self._rows]
        columns = columns_of([row.info for row in rows])
        if same_names and columns == self.columns:
            self._rows = rows
            if rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(rows) - 1, len(self.columns) - 1)
                )
            return
        self.beginResetModel()
        self._rows = rows
        self.columns = columns
        self.endResetModel()

    def refresh_all(self) -> None:
        """Every cell may read differently (e.g. the display units changed)."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))

    def rowCount(
        self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()  # noqa: B008
    ) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(
        self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()  # noqa: B008
    ) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cell(index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.file or row.node_name
        if role == Qt.ItemDataRole.UserRole:
            return row.node_name
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[index.column()] in _SIZES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("NodeTableModel", str(self.columns[section]))
        return None
