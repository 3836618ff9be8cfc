# SPDX-License-Identifier: GPL-2.0-or-later
"""The built-in engine: a block graph, dirty bitmaps and the mirror job, without QEMU."""
