# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole flow on the built-in engine (see tests/ui/flow.py)."""

from __future__ import annotations

from tests.ui.flow import whole_flow


def test_whole_flow_on_the_builtin_engine(window, qtbot, qloop, tmp_path) -> None:
    whole_flow(window, qtbot, qloop, tmp_path, "built-in")
