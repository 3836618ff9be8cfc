# SPDX-License-Identifier: GPL-2.0-or-later
"""The bundled ``guimirror`` executable: the desktop application (guimirror.app:main)."""

import os
import sys

if "--self-test" in sys.argv[1:]:
    # The self-test needs no display: it must pass on a server and in a package build.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from guimirror.app import main

sys.exit(main())
