# SPDX-License-Identifier: GPL-2.0-or-later
"""The licence is real: its text, the PEP 639 metadata, and an SPDX header in every source file
(packaging/spdx_headers.py)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.packaging.conftest import TOP

SPDX_HEADERS = TOP / "packaging" / "spdx_headers.py"
HEADER = "# SPDX-License-Identifier: GPL-2.0-or-later"


def spdx_headers(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SPDX_HEADERS), *arguments],
        capture_output=True, text=True, cwd=TOP, timeout=120,
    )


def test_license_is_debians_gpl_2_text_and_the_project_declares_it() -> None:
    assert (TOP / "LICENSE").read_bytes() == Path("/usr/share/common-licenses/GPL-2").read_bytes()
    project = tomllib.loads((TOP / "pyproject.toml").read_text())["project"]
    assert project["license"] == "GPL-2.0-or-later"
    assert project["license-files"] == ["LICENSE"]


def test_every_source_file_carries_the_spdx_header() -> None:
    result = spdx_headers("--check", "guimirror", "tests", "benchmarks", "packaging")
    assert result.returncode == 0, f"files without {HEADER!r}:\n{result.stdout}"


def test_apply_puts_the_header_after_the_shebang_and_before_the_docstring(tmp_path: Path) -> None:
    script = tmp_path / "tool"
    script.write_text('#!/usr/bin/env python3\n"""A tool."""\nprint(1)\n')
    module = tmp_path / "module.py"
    module.write_text('"""A module."""\n')
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("no header needed\n")
    assert spdx_headers("--check", str(tmp_path)).stdout.split() == [str(module), str(script)]
    assert spdx_headers("--apply", str(tmp_path)).returncode == 0
    assert script.read_text() == f'#!/usr/bin/env python3\n{HEADER}\n"""A tool."""\nprint(1)\n'
    assert module.read_text() == f'{HEADER}\n"""A module."""\n'
    assert unrelated.read_text() == "no header needed\n"
    checked = spdx_headers("--check", str(tmp_path))
    assert (checked.returncode, checked.stdout) == (0, "")
