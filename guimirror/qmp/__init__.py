# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP: the server that serves the built-in engine, and the qemu-storage-daemon launcher."""
