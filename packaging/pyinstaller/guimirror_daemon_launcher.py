# SPDX-License-Identifier: GPL-2.0-or-later
"""The bundled ``guimirror-daemon`` executable: the headless engine (guimirror.qmp.daemon:main)."""

import sys

from guimirror.qmp.daemon import main

sys.exit(main())
