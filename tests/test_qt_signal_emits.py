# SPDX-License-Identifier: GPL-2.0-or-later
"""PySide6 6.12.0 on Python 3.11 loses a reference to ``True`` on every Python-side signal emit
and aborts the interpreter after a few hundred emits; this is why PySide6 is pinned below 6.12.

The emits run in a child interpreter, so an abort fails this test instead of ending the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

EMITS = 20_000

CHILD = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtCore import QCoreApplication, QObject, Signal

    class Emitter(QObject):
        changed = Signal(bool)
        counted = Signal(int, str)

    app = QCoreApplication([])
    emitter = Emitter()
    received = []
    emitter.changed.connect(lambda flag: received.append(flag))
    emitter.counted.connect(lambda number, text: received.append(number))
    before = sys.getrefcount(True)
    for i in range({EMITS}):
        emitter.changed.emit(True)
        emitter.counted.emit(i, "x")
    after = sys.getrefcount(True)
    print(len(received), before, after)
    """
)


def test_twenty_thousand_emits_keep_the_interpreter_alive() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120
    )
    assert child.returncode == 0, f"the interpreter died: {child.returncode} {child.stderr}"
    received, before, after = (int(field) for field in child.stdout.split())
    assert received == 2 * EMITS
    # ``received`` holds EMITS references to True itself; a leak would make ``after`` fall.
    assert after >= before + EMITS
