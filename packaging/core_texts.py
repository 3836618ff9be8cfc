# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes guimirror/ui/core_texts.py: every template of a ``guimirror.texts.Text`` the core
(guimirror outside guimirror/ui) makes, marked with QT_TRANSLATE_NOOP("core", ...) so that
pyside6-lupdate brings it into the translations. The core imports no Qt, so it cannot mark them
itself; this reads its sources instead, as xgettext would.

    python packaging/core_texts.py [OUTPUT]   (default: guimirror/ui/core_texts.py)

A ``Text(...)`` whose template is not a string literal stops it: lupdate could not see it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from noop_texts import render, write  # noqa: E402

TOP = HERE.parent
PACKAGE = TOP / "guimirror"
OUTPUT = PACKAGE / "ui" / "core_texts.py"
CONTEXT = "core"

DOC = """The texts guimirror's core (no Qt) makes for a person, marked for translation in the
context "core"; ``translated.core_text`` shows a ``guimirror.texts.Text``."""


def core_sources() -> Iterator[Path]:
    """The core's modules: guimirror's sources outside guimirror/ui (and guimirror/texts.py,
    which defines Text), in a stable order."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "ui") not in path.parents and path != PACKAGE / "texts.py":
            yield path


def templates(path: Path) -> Iterator[str]:
    """The templates of the Text(...) calls in ``path``, in source order."""
    tree = ast.parse(path.read_text(), str(path))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and (getattr(node.func, "id", None) == "Text"
                  or getattr(node.func, "attr", None) == "Text")]
    for call in sorted(calls, key=lambda node: (node.lineno, node.col_offset)):
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            raise SystemExit(f"{path}:{call.lineno}: Text() needs a literal template")
        yield first.value


def texts() -> dict[str, str]:
    """Each template once, in the order met, with the module it was met in first."""
    found: dict[str, str] = {}
    for path in core_sources():
        module = ".".join(path.relative_to(TOP).with_suffix("").parts)
        for template in templates(path):
            found.setdefault(template, module)
    return found


def main() -> None:
    write(OUTPUT, render("core_texts.py", "the core's Text(...) calls", DOC,
                         CONTEXT, texts()))


if __name__ == "__main__":
    main()
