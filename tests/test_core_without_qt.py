# SPDX-License-Identifier: GPL-2.0-or-later
"""The core (guimirror.qapi, engine, nbd, qmp, session) imports no Qt: it must run headless, in a
root-owned daemon, and under any QMP tool. Each module is imported with Qt made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    BLOCKED = ("PySide6", "shiboken6", "qasync", "pyqtgraph")

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"the core imported {name}")
            return None

    sys.meta_path.insert(0, BlockQt())
    import guimirror
    imported = []
    for package in ("qapi", "engine", "nbd", "qmp", "session"):
        module = importlib.import_module(f"guimirror.{package}")
        imported.append(module.__name__)
        for info in pkgutil.walk_packages(module.__path__, module.__name__ + "."):
            importlib.import_module(info.name)
            imported.append(info.name)
    importlib.import_module("guimirror.units")
    imported.append("guimirror.units")
    print("\\n".join(imported))
    """
)


def test_core_packages_import_without_qt() -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    imported = set(child.stdout.split())
    core = {"guimirror.qapi", "guimirror.engine", "guimirror.nbd", "guimirror.qmp",
            "guimirror.session"}
    assert core <= imported
