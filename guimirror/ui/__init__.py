# SPDX-License-Identifier: GPL-2.0-or-later
"""Everything Qt: the main window and its widgets."""

import os

# Qt's raster engine hands big fills and image draws to a thread pool and waits for it. While
# a mirror keeps every core busy those helpers start late, and the GUI thread's longest
# stalls grew by 20-50 ms (benchmarks/gui_latency.py); painting on the GUI thread alone does
# not wait for anyone. Read by Qt when it first paints.
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
