# SPDX-License-Identifier: GPL-2.0-or-later
"""The NBD code's shape: its modules import one another without a cycle (TYPE_CHECKING imports
count), the shared wire format imports neither the engine nor Qt, and the client takes its wire
numbers from the shared protocol instead of defining its own."""

from __future__ import annotations

import ast
from pathlib import Path

import guimirror

ROOT = Path(guimirror.__file__).parent
PACKAGES = ("guimirror.engine.nbd", "guimirror.nbd")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def nbd_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        folder = ROOT.parent.joinpath(*package.split("."))
        for path in folder.glob("*.py"):
            if path.name != "__init__.py":
                modules[module_name(path)] = path
    return modules


def test_nbd_modules_import_each_other_without_a_cycle() -> None:
    modules = nbd_modules()
    edges = {name: imported_modules(path) & modules.keys() for name, path in modules.items()}
    assert edges["guimirror.engine.nbd.connection"], "the graph should see the real imports"
    done: set[str] = set()

    def visit(name: str, road: list[str]) -> None:
        if name in road:
            raise AssertionError(" -> ".join([*road[road.index(name):], name]))
        if name in done:
            return
        for target in sorted(edges[name]):
            visit(target, [*road, name])
        done.add(name)

    for name in sorted(modules):
        visit(name, [])


def test_the_shared_protocol_and_client_import_no_engine_and_no_qt() -> None:
    for name, path in nbd_modules().items():
        if name.startswith("guimirror.nbd."):
            imports = imported_modules(path)
            assert not {i for i in imports if i.startswith(("guimirror.engine", "PySide6"))}, name


def test_the_client_defines_no_wire_number_of_its_own() -> None:
    tree = ast.parse((ROOT / "nbd" / "client.py").read_text())
    numbers = [
        target.id
        for node in tree.body if isinstance(node, ast.Assign)
        and isinstance(node.value, (ast.Constant, ast.BinOp))
        for target in node.targets if isinstance(target, ast.Name)
    ]
    assert numbers == []
