# SPDX-License-Identifier: GPL-2.0-or-later
"""Nothing outlives the event loop: a process that ran the GUI's root-daemon start (pkexec
through a stand-in, the daemon outliving the window) ends without "Exception ignored" from a
subprocess transport closed after the loop's timers were gone, and with status 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]


def test_a_run_that_started_the_root_daemon_exits_cleanly(tmp_path: Path) -> None:
    test = "tests/ui/test_remote_mirror.py"  # the root daemon's start, then another test
    # The run's own temporary directory goes under /tmp: the daemon's socket path must stay
    # within a unix socket's 108 bytes.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TMPDIR": "/tmp"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=TOP, env=env, capture_output=True, text=True, timeout=180)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "failed" not in result.stdout, output
    assert "Exception ignored" not in output, output
    assert "already deleted" not in output, output
