# SPDX-License-Identifier: GPL-2.0-or-later
"""lintian accepts the .deb: no error that the package's overrides
(packaging/deb/lintian-overrides, each with its reason) do not cover."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.packaging.conftest import TOP, require_program

OVERRIDES = TOP / "packaging" / "deb" / "lintian-overrides"


def test_lintian_finds_no_error(deb_path: Path) -> None:
    lintian = require_program("lintian", "lintian")
    result = subprocess.run(
        [lintian, "--tag-display-limit", "0", "--fail-on", "error", str(deb_path)],
        capture_output=True, text=True, timeout=1800,
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert not errors, "\n".join(errors)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_override_says_why() -> None:
    """Each override follows a comment that gives its reason."""
    previous = ""
    for line in OVERRIDES.read_text().splitlines():
        if line.startswith("guimirror:"):
            assert previous.startswith(("#", "guimirror:")), f"no reason given for: {line}"
        if line.strip():
            previous = line
