#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Copies the licence texts of everything the bundle carries into OUTPUT_DIR/<component>/.

    python packaging/deb/collect_licenses.py OUTPUT_DIR      (with the build environment's python)

The components are guimirror's runtime requirements and theirs (read from the installed
distributions' metadata, so a new dependency is covered without editing this file), PyInstaller
(its bootloader is the bundle's two executables), the Python runtime (Debian's libpython), and
Qt, whose PySide6 wheels carry no licence file: their licence is
LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only, whose texts Debian keeps in common-licenses.
Fails if a component has no licence text.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from importlib import metadata
from pathlib import Path

COMMON_LICENSES = Path("/usr/share/common-licenses")
# Components without a licence file in their distribution: where their texts are taken from.
WITHOUT_LICENSE_FILES = {
    "pyside6-essentials": [COMMON_LICENSES / name for name in ("LGPL-3", "GPL-2", "GPL-3")],
    "shiboken6": [COMMON_LICENSES / name for name in ("LGPL-3", "GPL-2", "GPL-3")],
}
PYTHON_RUNTIME = Path(f"/usr/share/doc/libpython{sys.version_info.major}.{sys.version_info.minor}")
ICU = Path("/usr/share/doc/libicu72")
BUILD_ONLY = {"pyinstaller-hooks-contrib", "altgraph", "packaging", "setuptools"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(root: str) -> list[str]:
    """The distributions ``root`` needs at run time (no extras), itself included, sorted."""
    seen: set[str] = set()
    pending = [root]
    while pending:
        name = canonical(pending.pop())
        if name in seen:
            continue
        seen.add(name)
        for requirement in metadata.requires(name) or []:
            if "extra ==" in requirement:
                continue
            marker = requirement.partition(";")[2]
            if re.search(r"win32|Windows|darwin|Darwin", marker) and "!=" not in marker:
                continue
            required = re.match(r"[A-Za-z0-9_.-]+", requirement)
            if required is not None:
                pending.append(required.group(0))
    return sorted(seen)


def license_files(name: str) -> list[tuple[Path, str]]:
    """A distribution's licence files (PEP 639's dist-info/licenses/, else the dist-info's
    LICENSE, COPYING or NOTICE), each with its name relative to where the metadata keeps it."""
    distribution = metadata.distribution(name)
    files = []
    for path in distribution.files or []:
        text = str(path)
        source = Path(str(distribution.locate_file(path)))
        if ".dist-info/licenses/" in text:
            files.append((source, text.split("/licenses/", 1)[1]))
        elif re.search(r"\.dist-info/(LICEN[CS]E|COPYING|NOTICE)", text):
            files.append((source, path.name))
    return sorted(file for file in files if file[0].is_file())


def named(paths: list[Path]) -> list[tuple[Path, str]]:
    return [(path, path.name) for path in paths]


def collect(output: Path) -> dict[str, list[tuple[Path, str]]]:
    """Copy the texts; guimirror's own licence is Debian's common-licenses/GPL-2."""
    sources: dict[str, list[tuple[Path, str]]] = {}
    for name in [*runtime_closure("guimirror"), "pyinstaller"]:
        if name in BUILD_ONLY or name == "guimirror":
            continue
        sources[name] = license_files(name) or named(WITHOUT_LICENSE_FILES.get(name, []))
    sources[f"python{sys.version_info.major}.{sys.version_info.minor}"] = named(
        [PYTHON_RUNTIME / "copyright"])
    sources["icu"] = named([ICU / "copyright"])
    missing = [name for name, files in sources.items() if not files]
    if missing:
        raise SystemExit(f"collect_licenses: no licence text for {', '.join(missing)}")
    for name, files in sources.items():
        directory = output / name
        directory.mkdir(parents=True, exist_ok=True)
        for path, relative in files:
            (directory / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, directory / relative)
    return sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    for name, files in collect(args.output).items():
        print(f"{name}: {', '.join(relative for _path, relative in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
