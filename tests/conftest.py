# SPDX-License-Identifier: GPL-2.0-or-later
"""Suite-wide set-up: offscreen Qt, and a qasync event loop for tests that mix Qt and asyncio.

Tests of the Qt-free core run their scenarios with ``asyncio.run``; tests of the GUI take the
``qloop`` fixture, which makes a qasync loop the running loop without ``app.exec()`` so that
pytest-qt's waits drive asyncio tasks too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop running on the test's QApplication; fails the test on a task's error.

    Inside a coroutine wait with ``await``; from the test body wait with ``qtbot.waitUntil``
    or ``qtbot.waitSignal``. The loop is never stopped with ``loop.stop()``: on qasync that
    quits the application and every later ``qtbot.wait*`` returns at once.
    """
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None
    loop = qasync.QEventLoop(app)
    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
    try:
        yield loop
        _drain(app, loop)
    finally:
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)
        loop.close()
        _collect_on_this_thread(app)
    if errors:
        pytest.fail(f"a background task failed: {errors[0].get('exception') or errors[0]}")


def _collect_on_this_thread(app: object) -> None:
    """Delete what the test left to deleteLater, then collect its reference cycles here, in
    the GUI thread. Left to chance, the collector may run in a worker thread of a later test
    and destroy this test's loop and its QObjects there, which Qt does not allow ("Timers
    cannot be stopped from another thread"; sometimes a crash)."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def _drain(app: object, loop: asyncio.AbstractEventLoop) -> None:
    """Let pending tasks finish for a moment, then cancel what is left and let that settle."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = QDeadlineTimer(2000)
    while asyncio.all_tasks(loop) and not deadline.hasExpired():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    for task in asyncio.all_tasks(loop):
        task.cancel()
    deadline = QDeadlineTimer(1000)
    while asyncio.all_tasks(loop) and not deadline.hasExpired():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


@pytest.fixture(scope="session", autouse=True)
def no_guimirror_leftovers() -> Iterator[None]:
    """Fail the suite when anything it ran leaves a ``guimirror*`` entry in the temporary
    directory (a socket directory, a self-test's images...).

    The suite gets a temporary directory of its own (``tempfile.tempdir`` and ``TMPDIR`` for
    the processes it starts), so what other programs put in the system's is not counted;
    the entries there are listed before and after the whole suite.
    """
    import shutil
    import tempfile

    own = tempfile.mkdtemp(prefix="gm-suite-")
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = own
    os.environ["TMPDIR"] = own

    def guimirror_entries() -> set[str]:
        return {name for name in os.listdir(tempfile.gettempdir())
                if name.startswith("guimirror")}

    before = guimirror_entries()
    try:
        yield
        left = sorted(guimirror_entries() - before)
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]
        shutil.rmtree(own, ignore_errors=True)
    assert not left, f"the suite left these in the temporary directory: {left}"


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    """A directory with a short path: unix socket paths are limited to 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="sock-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
