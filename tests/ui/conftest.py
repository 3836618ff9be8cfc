# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the GUI tests: a main window on a fresh settings file, and helpers that drive
asyncio work from the test body with pytest-qt's waits (never sleeps)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def run(qtbot: Any, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any],
        timeout: float = 20.0) -> Any:
    """Run a coroutine on the qasync loop and wait for it from the test body."""
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
    return task.result()


def write_source(path: Path, size: int) -> bytes:
    """A source image: random data with a hole in the middle."""
    data = bytearray(os.urandom(size))
    data[size // 4 : size // 2] = bytes(size // 4)
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.fixture
def settings(tmp_path: Path, qapp: Any) -> Any:
    from PySide6.QtCore import QSettings

    from guimirror.ui.settings import AppSettings

    app_settings = AppSettings(QSettings(str(tmp_path / "settings.ini"),
                                         QSettings.Format.IniFormat))
    app_settings.example_offered = True
    app_settings.sampling_rate = 20.0
    return app_settings


def _window(loop: asyncio.AbstractEventLoop, qtbot: Any, settings: Any,
            builtin: bool) -> Iterator[Any]:
    from guimirror.ui.main_window import MainWindow

    main = MainWindow(settings)
    main.show()
    try:
        run(qtbot, loop, main.start(restore_endpoints=False, builtin=builtin))
        yield main
    finally:
        # Not qtbot.addWidget: pytest-qt would close the window before this teardown, and
        # closing asks about running jobs; the test's window quits without asking instead.
        # A window whose quit failed is still hidden and deleted, so that its timers do not
        # fire into the next test's event loop.
        try:
            run(qtbot, loop, main.quit.quit_flow(ask_user=False), timeout=30)
            stop_left_daemons(qtbot, loop, main)
        finally:
            main.hide()
            main.deleteLater()


def stop_left_daemons(qtbot: Any, loop: asyncio.AbstractEventLoop, window: Any) -> None:
    """Stop the daemons that quitting left running with their jobs, as it does for users
    (unless a later window took one over and stopped it)."""
    from guimirror.session.launcher import DaemonLauncher, LauncherError

    for link in window.endpoints.links.values():
        if link.detached:
            try:
                launcher = run(qtbot, loop, DaemonLauncher.adopt(os.path.dirname(link.address)))
            except LauncherError:
                continue
            run(qtbot, loop, launcher.stop(), timeout=30)


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, qtbot: Any, settings: Any) -> Iterator[Any]:
    """The main window with its built-in engine connected; shut down at teardown."""
    yield from _window(qloop, qtbot, settings, builtin=True)


@pytest.fixture
def qemu_window(qloop: asyncio.AbstractEventLoop, qtbot: Any, settings: Any) -> Iterator[Any]:
    """The main window without the built-in engine, for tests of QEMU endpoints alone."""
    yield from _window(qloop, qtbot, settings, builtin=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform warns that it cannot propagate size hints when a dialog or a
    dock opens; that says nothing about guimirror, so the GUI tests ignore that one message."""
    here = str(Path(__file__).resolve().parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))
