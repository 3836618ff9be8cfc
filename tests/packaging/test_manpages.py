# SPDX-License-Identifier: GPL-2.0-or-later
"""The man pages that packaging/manpages.py writes from the programs' own option definitions:
every option appears, and man renders them without a warning."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from guimirror.app import build_parser
from guimirror.qmp import daemon
from tests.packaging.conftest import TOP, require_program


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("man")
    subprocess.run(
        [sys.executable, str(TOP / "packaging" / "manpages.py"), str(output)],
        check=True, timeout=120, env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )
    return output


def rendered(page: Path) -> str:
    require_program("man", "man-db")
    result = subprocess.run(
        ["man", "--warnings", "-E", "UTF-8", "-l", str(page)], capture_output=True, text=True,
        env={**os.environ, "MANWIDTH": "200", "MAN_KEEP_FORMATTING": "", "LC_ALL": "C.UTF-8"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    # Hyphens rendered as U+2010 and the like count as '-'.
    return re.sub("[\u2010\u2212]", "-", result.stdout)


def option_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip().startswith("-")}


def test_guimirror_page_names_every_option_of_its_parser(pages: Path) -> None:
    options = {
        option for action in build_parser()._actions for option in action.option_strings
    }
    assert {"--self-test", "--log", "--version"} <= options
    text = rendered(pages / "guimirror.1")
    listed = " ".join(option_lines(text))
    for option in options:
        assert re.search(rf"(^|[ ,]){re.escape(option)}\b", listed), option
    assert '"2026-01-01"' in (pages / "guimirror.1").read_text()


def test_daemon_page_names_every_option_it_accepts(pages: Path) -> None:
    options = {"-h", "--help", "-V", "--version", *(f"--{name}" for name in daemon.WITH_ARGUMENT)}
    text = rendered(pages / "guimirror-daemon.1")
    listed = " ".join(option_lines(text))
    for option in options:
        assert re.search(rf"(^|[ ,]){re.escape(option)}\b", listed), option
    # Each option block of the usage text keeps its description.
    assert "a listening socket for a QMP monitor" in text
    assert "/run/guimirror/system/qmp.sock" in text


def test_a_new_option_reaches_the_page(tmp_path: Path) -> None:
    """The page follows the parser: an option added to it appears without editing the page."""
    script = (
        "import sys; sys.path.insert(0, 'packaging'); import manpages, guimirror.app as app\n"
        "build = app.build_parser\n"
        "def extended():\n"
        "    parser = build(); parser.add_argument('--brand-new', help='a new option')\n"
        "    return parser\n"
        "app.build_parser = extended\n"
        f"manpages.main([{str(tmp_path)!r}])\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=TOP, timeout=120)
    assert "\\-\\-brand\\-new" in (tmp_path / "guimirror.1").read_text()
