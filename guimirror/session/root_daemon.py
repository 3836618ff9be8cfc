# SPDX-License-Identifier: GPL-2.0-or-later
"""The root guimirror-daemon for block devices, started through polkit's pkexec.

The package installs /usr/libexec/guimirror/start-root-daemon and the polkit action
io.github.guimirror.GuiMirror.daemon: after authentication it runs guimirror-daemon as root
with a QMP socket that only the calling user may connect to.
"""

from __future__ import annotations

import os
from pathlib import Path

PKEXEC = "pkexec"
START_ROOT_DAEMON = "/usr/libexec/guimirror/start-root-daemon"
RUNTIME_BASE = Path("/run/guimirror")


def root_daemon_command() -> list[str]:
    """The command line that starts the root daemon for this user (it takes no arguments)."""
    return [PKEXEC, START_ROOT_DAEMON]


def root_daemon_socket(uid: int | None = None) -> Path:
    """The QMP socket that the root daemon started by ``uid`` (default: ours) listens on."""
    return RUNTIME_BASE / f"user-{os.getuid() if uid is None else uid}" / "qmp.sock"
