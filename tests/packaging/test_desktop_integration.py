# SPDX-License-Identifier: GPL-2.0-or-later
"""The desktop entry, the AppStream metainfo and the icon: valid, and consistent with each other
and with the project (application id, executables, version, screenshots kept in the repository)."""

from __future__ import annotations

import configparser
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import guimirror
from tests.packaging.conftest import (
    APP_ID,
    DESKTOP_FILE,
    ICON_FILE,
    METAINFO_FILE,
    TOP,
    require_program,
)

REPOSITORY_RAW = "https://raw.githubusercontent.com/guimirror/guimirror/main/"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def metainfo() -> ElementTree.Element:
    return ElementTree.parse(METAINFO_FILE).getroot()


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_desktop_file_passes_desktop_file_validate() -> None:
    tool = require_program("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run([tool, str(DESKTOP_FILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower(), result.stdout


def test_metainfo_passes_appstreamcli_validate() -> None:
    tool = require_program("appstreamcli", "appstream")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_application_id_everywhere() -> None:
    entry = desktop_entry()
    component = metainfo()
    assert DESKTOP_FILE.name == f"{APP_ID}.desktop"
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable[@type='desktop-id']") == DESKTOP_FILE.name
    assert entry["Icon"] == APP_ID


def test_entry_and_metainfo_name_the_projects_executables() -> None:
    project = tomllib.loads((TOP / "pyproject.toml").read_text())["project"]
    gui_scripts = set(project["gui-scripts"])
    all_scripts = gui_scripts | set(project["scripts"])
    assert desktop_entry()["Exec"].split()[0] in gui_scripts
    provided = {binary.text for binary in metainfo().iterfind("provides/binary")}
    assert provided == all_scripts


def test_metainfo_has_description_content_rating_and_the_current_release() -> None:
    component = metainfo()
    assert len(component.findall("description/p")) >= 1
    assert component.find("content_rating[@type='oars-1.1']") is not None
    releases = component.findall("releases/release")
    assert releases, "no <release>"
    assert releases[0].get("version") == guimirror.__version__


def test_screenshots_are_kept_in_the_repository() -> None:
    images = metainfo().findall("screenshots/screenshot/image")
    assert images, "no screenshot"
    for image in images:
        url = image.text or ""
        assert url.startswith(REPOSITORY_RAW), url
        path = TOP / url.removeprefix(REPOSITORY_RAW)
        assert path.is_file(), f"{url} names {path.relative_to(TOP)}, which is not in the checkout"
        assert png_size(path) == (int(image.get("width", 0)), int(image.get("height", 0)))


def test_icon_is_a_square_svg_that_qt_renders() -> None:
    from PySide6.QtSvg import QSvgRenderer

    root = ElementTree.parse(ICON_FILE).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _x, _y, width, height = (float(value) for value in root.get("viewBox", "").split())
    assert width == height
    renderer = QSvgRenderer(str(ICON_FILE))
    assert renderer.isValid()
