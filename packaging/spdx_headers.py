#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks or adds the SPDX licence header of guimirror's Python and shell sources.

    packaging/spdx_headers.py --check DIR...   list the files without the header; exit 1 if any
    packaging/spdx_headers.py --apply DIR...   add it: after a shebang (and coding line), before
                                               the docstring or the first statement

A file has the header when ``# SPDX-License-Identifier: GPL-2.0-or-later`` is one of its first
lines (HEADER_WINDOW). Files under the directories with the suffixes of SOURCE_SUFFIXES count,
and files whose first line is a Python or shell shebang.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

HEADER = "# SPDX-License-Identifier: GPL-2.0-or-later"
HEADER_WINDOW = 5
SOURCE_SUFFIXES = (".py", ".sh", ".spec")
SKIPPED_DIRS = {"__pycache__", ".venv", "build", "dist", ".mypy_cache"}
SHEBANG = re.compile(r"#!.*\b(python3?|bash|sh)\b")
CODING = re.compile(r"#.*coding[:=]")


def sources(directories: Iterable[Path]) -> Iterator[Path]:
    """The source files under the directories (or the files themselves), sorted."""
    for top in directories:
        if top.is_file():
            yield top
            continue
        for path in sorted(top.rglob("*")):
            if not path.is_file() or SKIPPED_DIRS.intersection(path.parts):
                continue
            if path.suffix in SOURCE_SUFFIXES or has_script_shebang(path):
                yield path


def has_script_shebang(path: Path) -> bool:
    with open(path, "rb") as file:
        first = file.readline(200)
    return SHEBANG.match(first.decode("utf-8", "replace")) is not None


def has_header(text: str) -> bool:
    return HEADER in text.splitlines()[:HEADER_WINDOW]


def with_header(text: str) -> str:
    """The text with HEADER inserted after a shebang and a coding line, if any."""
    lines = text.splitlines(keepends=True)
    position = 0
    if lines and lines[0].startswith("#!"):
        position = 1
    if len(lines) > position and CODING.match(lines[position]):
        position += 1
    return "".join([*lines[:position], HEADER + "\n", *lines[position:]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="list the files without the header")
    mode.add_argument("--apply", action="store_true", help="add the header where it is missing")
    parser.add_argument("paths", nargs="+", type=Path, help="directories or files")
    args = parser.parse_args(argv)
    missing = [path for path in sources(args.paths) if not has_header(path.read_text())]
    for path in missing:
        if args.apply:
            path.write_text(with_header(path.read_text()))
            print(f"added: {path}")
        else:
            print(path)
    return 1 if missing and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
