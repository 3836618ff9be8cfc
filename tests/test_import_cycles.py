# SPDX-License-Identifier: GPL-2.0-or-later
"""No import cycle among guimirror's modules.

Every module of the package is read with ``ast`` (not imported): each ``import`` and
``from ... import`` anywhere in it counts, those under ``if TYPE_CHECKING:`` and inside
functions too, relative imports resolved, and ``from package import name`` counted as an
import of the submodule when ``name`` is one. The modules and those imports make a graph;
a cycle in it fails the test, named module by module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import guimirror

ROOT = Path(guimirror.__file__).resolve().parent
PACKAGE = "guimirror"


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    names = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = (PACKAGE, *path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name ``from`` refers to (``node.level`` dots relative to ``module``)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` or its nearest enclosing module of the package, if it is one of ours."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its text."""
    path = modules[module]
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, is_package, node)
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules
                       else source for alias in node.names]
        else:
            continue
        for target in targets:
            known = _known(target, modules)
            if known is not None and known != module:
                found.add(known)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    return {module: imports_of(module, modules) for module in modules}


def strongly_connected(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> Iterator[list[str]]:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                yield from visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                yield sorted(component)

    for node in sorted(graph):
        if node not in index:
            yield from visit(node)


def a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through the first module of ``component``, as the import chain."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle through {start}")


def test_the_graph_sees_the_kinds_of_import() -> None:
    """The reader finds absolute, relative, TYPE_CHECKING and from-package imports."""
    graph = import_graph()
    assert "guimirror.ui.main_window" in graph["guimirror.app"]  # inside a function
    assert "guimirror.ui.jobs_controller" in graph["guimirror.ui.main_window"]
    assert "guimirror.session.target_checks" in graph["guimirror.ui.mirror_start"]  # from pkg
    assert "guimirror.errors" in graph["guimirror.qapi.errors"]


def test_strongly_connected_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert list(strongly_connected(graph)) == [["a", "b", "c"]]
    assert a_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """Each cycle as its import chain and its component."""
    return [" -> ".join(a_cycle(graph, component)) + f"  (all of {', '.join(component)})"
            for component in strongly_connected(graph)]


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(found)
