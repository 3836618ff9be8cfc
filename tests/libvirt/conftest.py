# SPDX-License-Identifier: GPL-2.0-or-later
"""The libvirt tests' fixtures: a real libvirtd and real domains (tests/libvirt/fixtures.py,
which the window's libvirt tests use too)."""

from tests.libvirt.fixtures import domain, libvirtd, make_domain

__all__ = ["domain", "libvirtd", "make_domain"]
