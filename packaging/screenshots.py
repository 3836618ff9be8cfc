# SPDX-License-Identifier: GPL-2.0-or-later
"""Regenerates the AppStream screenshots (packaging/linux/screenshots/) from the current code.

Each shot is the real main window rendered offscreen: the example workspace on the built-in
engine, a full mirror of it started from the form with a speed limit, grabbed while the job
copies, so the job row, the plots and the event log show a live mirror. Four shots: 1024x768
and 1440x900, each in the light and the dark palette. Every shot runs in a process of its own
with a scratch home (settings and data never touch the user's).

    .venv/bin/python packaging/screenshots.py            # all four
    .venv/bin/python packaging/screenshots.py 1024x768 dark
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
OUTPUT = TOP / "packaging" / "linux" / "screenshots"
SIZES = ((1024, 768), (1440, 900))
SCHEMES = ("light", "dark")
SPEED = 4 * 1024 * 1024
COPYING_FOR = 3.5


def shot_path(width: int, height: int, scheme: str) -> Path:
    return OUTPUT / f"main-window-{width}x{height}-{scheme}.png"


async def scene(width: int, height: int, output: Path) -> None:
    """Build the window, mirror the example workspace, grab the window (the loop's task)."""
    from guimirror.qapi.base import parse_arguments
    from guimirror.qapi.mirror import BlockdevMirror
    from guimirror.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(width, height)
    window.show()
    await window.start(restore_endpoints=False)
    await window.nodes.open_example_workspace()
    device, target = window.form.device.currentText(), window.form.target.currentText()
    model = parse_arguments(
        BlockdevMirror,
        {"job-id": "mirror0", "device": device, "target": target, "sync": "full", "speed": SPEED},
    )
    await window.mirror_start.start_mirror(model, confirm=False)
    await asyncio.sleep(COPYING_FOR)
    window.update_status()
    image = window.grab().toImage()
    if (image.width(), image.height()) != (width, height):
        raise SystemExit(f"the window is {image.width()}x{image.height()}, not {width}x{height}")
    image.save(str(output))
    await window.quit.quit_flow(ask_user=False)


def dark_palette() -> object:
    """Fusion's palette for a dark colour scheme (the offscreen platform has no theme)."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for item, colour in ((role.Window, "#2b2b2b"), (role.WindowText, "#e6e6e6"),
                         (role.Base, "#1e1e1e"), (role.AlternateBase, "#2f2f2f"),
                         (role.Text, "#e6e6e6"), (role.Button, "#353535"),
                         (role.ButtonText, "#e6e6e6"), (role.Highlight, "#3d7bd9"),
                         (role.HighlightedText, "#ffffff"), (role.ToolTipBase, "#353535"),
                         (role.ToolTipText, "#e6e6e6"), (role.PlaceholderText, "#8a8a8a"),
                         (role.Link, "#7fb2f0"), (role.Mid, "#5a5a5a"), (role.Light, "#505050"),
                         (role.Dark, "#1a1a1a"), (role.Shadow, "#000000")):
        palette.setColor(item, QColor(colour))
    for item in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, item, QColor("#7a7a7a"))
    return palette


def take(width: int, height: int, scheme: str) -> None:
    """One shot, in this process (its environment already points at a scratch home)."""
    sys.path.insert(0, str(TOP))
    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from guimirror.ui.settings import APPLICATION, ORGANIZATION

    app = QApplication([sys.argv[0], "-style", "Fusion"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.styleHints().setColorScheme(
        Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light)
    if scheme == "dark":
        app.setPalette(dark_palette())  # type: ignore[arg-type]
    output = shot_path(width, height, scheme)
    qasync.run(scene(width, height, output))
    print(f"wrote {output.relative_to(TOP)}")


def main(argv: list[str]) -> int:
    if argv:
        size, scheme = argv
        width, height = (int(part) for part in size.split("x"))
        take(width, height, scheme)
        return 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        for scheme in SCHEMES:
            # A fixed scratch home, so the paths the shots show read the same every time.
            scratch = os.path.join(tempfile.gettempdir(), "guimirror-screenshots", "home")
            shutil.rmtree(scratch, ignore_errors=True)
            os.makedirs(scratch)
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=scratch, LANG="C.UTF-8",
                       XDG_CONFIG_HOME=f"{scratch}/config", XDG_DATA_HOME=f"{scratch}/.local/share")
            env.pop("LANGUAGE", None)
            subprocess.run([sys.executable, __file__, f"{width}x{height}", scheme], env=env,
                           check=True)
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
