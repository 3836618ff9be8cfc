# SPDX-License-Identifier: GPL-2.0-or-later
"""Pydantic models of the QMP schema subset guimirror speaks (QEMU 7.2's names and texts)."""
