# SPDX-License-Identifier: GPL-2.0-or-later
"""Takes the AppStream screenshot (main-window.png) of the real main window, offscreen.

The scene: the example workspace on the built-in engine, a full mirror of it started from the
form with a speed limit, captured while the job copies, so the plots and the job panel show a
live mirror. Settings and data go to a scratch home, never the user's.

    .venv/bin/python packaging/linux/screenshots/take_screenshot.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

WIDTH, HEIGHT = 1440, 900
SPEED = 4 * 1024 * 1024
COPYING_FOR = 3.5
OUTPUT = Path(__file__).resolve().parent / "main-window.png"
TOP = Path(__file__).resolve().parents[3]


async def scene(output: Path) -> None:
    """Build the window, mirror the example workspace, grab the window (the loop's task)."""
    from guimirror.qapi.base import parse_arguments
    from guimirror.qapi.mirror import BlockdevMirror
    from guimirror.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(WIDTH, HEIGHT)
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
    image = window.grab().toImage()
    if (image.width(), image.height()) != (WIDTH, HEIGHT):
        raise SystemExit(f"the window is {image.width()}x{image.height()}, not {WIDTH}x{HEIGHT}")
    image.save(str(output))
    await window.quit.quit_flow(ask_user=False)


def main() -> int:
    scratch = tempfile.mkdtemp(prefix="guimirror-demo-")
    os.environ.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=scratch,
        XDG_CONFIG_HOME=f"{scratch}/config",
        XDG_DATA_HOME=f"{scratch}/data",
    )
    sys.path.insert(0, str(TOP))
    import qasync
    from PySide6.QtWidgets import QApplication

    from guimirror.ui.settings import APPLICATION, ORGANIZATION

    app = QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    qasync.run(scene(OUTPUT))
    print(f"wrote {OUTPUT} ({WIDTH}x{HEIGHT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
