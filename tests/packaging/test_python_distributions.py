# SPDX-License-Identifier: GPL-2.0-or-later
"""The sdist and the wheel are complete: the wheel carries the icon as package data, the sdist
the tests, the packaging files and the licence; the wheel, installed with pip in a fresh virtual
environment, starts the window with its icon (offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

import guimirror
from tests.packaging.conftest import TOP

WINDOW_WITH_ICON = textwrap.dedent(
    """
    import sys
    from PySide6.QtWidgets import QApplication
    import guimirror
    from guimirror.ui.main_window import MainWindow, icon_path

    app = QApplication([])
    window = MainWindow()
    path = icon_path()
    print("module:", guimirror.__file__)
    print("icon:", path)
    icon = window.windowIcon()
    sys.exit(0 if path and not icon.isNull() and not icon.pixmap(64).isNull() else 3)
    """
)


@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An sdist and a wheel built from the checkout with setuptools as pyproject asks for it."""
    work = tmp_path_factory.mktemp("distributions")
    builder = work / "builder"
    subprocess.run([sys.executable, "-m", "venv", str(builder)], check=True, timeout=300)
    requires = ["setuptools>=77"]
    subprocess.run(
        [str(builder / "bin" / "python"), "-m", "pip", "install", "-q",
         "--disable-pip-version-check", *requires],
        check=True, timeout=600,
    )
    out = work / "dist"
    build = [str(builder / "bin" / "python"), "-c",
             "import sys; from setuptools import build_meta as backend\n"
             "print(getattr(backend, sys.argv[1])(sys.argv[2]))\n"]
    # As `python -m build` does: the sdist from the checkout, the wheel from the sdist.
    subprocess.run([*build, "build_sdist", str(out)], check=True, cwd=TOP, timeout=600,
                   capture_output=True)
    (sdist,) = out.glob("guimirror-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "source", filter="data")
    (source,) = (work / "source").iterdir()
    subprocess.run([*build, "build_wheel", str(out)], check=True, cwd=source, timeout=600,
                   capture_output=True)
    (wheel,) = out.glob("guimirror-*.whl")
    return {"sdist": sdist, "wheel": wheel, "work": work}


def test_wheel_carries_the_icon_and_the_licence(distributions: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(distributions["wheel"]).namelist())
    assert "guimirror/resources/guimirror.svg" in names
    assert "guimirror/py.typed" in names
    info = f"guimirror-{guimirror.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    metadata = zipfile.ZipFile(distributions["wheel"]).read(f"{info}/METADATA").decode()
    assert "License-Expression: GPL-2.0-or-later" in metadata
    assert "Classifier: Intended Audience :: System Administrators" in metadata
    assert "Project-URL: Homepage, https://github.com/guimirror/guimirror" in metadata


def test_sdist_carries_tests_packaging_docs_icon_and_licence(
    distributions: dict[str, Path],
) -> None:
    with tarfile.open(distributions["sdist"]) as archive:
        prefix = f"guimirror-{guimirror.__version__}/"
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    tracked = subprocess.run(
        ["git", "ls-files", "tests", "packaging", "docs", "benchmarks", "guimirror"],
        capture_output=True, text=True, check=True, cwd=TOP,
    ).stdout.split()
    present = [path for path in tracked if (TOP / path).is_file()]
    assert present, "git lists no files"
    missing = sorted(set(present) - names)
    assert not missing, f"the sdist lacks {missing}"
    assert {"LICENSE", "README.md", "pyproject.toml", "MANIFEST.in"} <= names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_installed_wheel_starts_the_window_with_its_icon(distributions: dict[str, Path]) -> None:
    venv = distributions["work"] / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
         str(distributions["wheel"])],
        check=True, timeout=1200,
    )
    home = distributions["work"] / "home"
    environment = {
        **{key: value for key, value in os.environ.items() if key not in ("PYTHONPATH",)},
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    # Run outside the checkout, so the installed package is the one imported.
    result = subprocess.run(
        [python, "-c", WINDOW_WITH_ICON], capture_output=True, text=True, cwd=home.parent,
        env=environment, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"module: {venv}" in result.stdout
    assert f"icon: {venv}" in result.stdout
