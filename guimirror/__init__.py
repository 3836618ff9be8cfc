# SPDX-License-Identifier: GPL-2.0-or-later
"""guimirror: mirror live block devices with QEMU's blockdev-mirror, and watch it happen."""

__version__ = "0.1.0"
