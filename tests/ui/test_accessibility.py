# SPDX-License-Identifier: GPL-2.0-or-later
"""Every interactive widget of the main window (with the example workspace and a running job
row) and of every dialog has an accessible name and an accessible description, as a screen
reader asks them through QAccessible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QScrollBar,
    QTabBar,
    QWidget,
)

from tests.ui.conftest import run

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractSlider,
               QAbstractScrollArea, QTabBar)


def _inside_a_composite(widget: QWidget) -> bool:
    """Parts Qt builds inside a widget that carries the name itself: a combo box's or spin
    box's line edit, scroll bars, item view headers, a dock's or tab bar's own buttons."""
    if isinstance(widget, QScrollBar | QHeaderView) or widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    return isinstance(parent, QComboBox | QAbstractSpinBox | QTabBar | QAbstractScrollArea) \
        and not isinstance(widget, QAbstractScrollArea)


def interactive_widgets(top: QWidget) -> list[QWidget]:
    return [widget for widget in [top, *top.findChildren(QWidget)]
            if isinstance(widget, INTERACTIVE) and widget.isVisibleTo(top)
            and not _inside_a_composite(widget)]


def describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else ""
    return f"{type(widget).__name__}({widget.objectName() or text!r})"


def unnamed(top: QWidget) -> tuple[list[str], list[str]]:
    """The interactive widgets without a name, and those without a description."""
    no_name, no_description = [], []
    for widget in interactive_widgets(top):
        interface = QAccessible.queryAccessibleInterface(widget)
        assert interface is not None, describe(widget)
        if not interface.text(QAccessible.Text.Name).strip():
            no_name.append(describe(widget))
        if not interface.text(QAccessible.Text.Description).strip():
            no_description.append(describe(widget))
    return no_name, no_description


def assert_all_named(top: QWidget, at_least: int) -> None:
    assert len(interactive_widgets(top)) >= at_least
    no_name, no_description = unnamed(top)
    assert no_name == [], f"without an accessible name: {no_name}"
    assert no_description == [], f"without an accessible description: {no_description}"


def test_the_main_window_with_a_job_and_the_dialogs_name_every_control(
        window: Any, qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    window.nodes.data_dir = str(tmp_path)
    run(qtbot, qloop, window.nodes.open_example_workspace())
    form = window.form
    qtbot.waitUntil(lambda: form.device.currentText() == "example-src", timeout=20000)
    form.speed.setText("1M")
    form.start_button.click()
    qtbot.waitUntil(lambda: window.job_panel.rows != {}, timeout=10000)
    window.update_status()
    assert_all_named(window, at_least=40)

    add_node = window.nodes.open_add_node()
    assert add_node is not None
    assert_all_named(add_node, at_least=8)
    add_node.reject()

    attach = window.endpoints.ask_attach()
    assert_all_named(attach, at_least=3)
    attach.reject()

    shortcuts = window.show_shortcuts()
    assert_all_named(shortcuts, at_least=2)
    shortcuts.reject()

    for ask in (window.preferences.ask_rate, window.preferences.ask_plot_window):
        dialog = ask()
        qtbot.waitExposed(dialog)
        assert_all_named(dialog, at_least=3)
        dialog.reject()

    window.bottom_tabs.setCurrentWidget(window.write_load)
    assert_all_named(window.write_load, at_least=4)


@pytest.mark.parametrize("name", ["job-id", "buf-size", "sync", "auto-finalize"])
def test_form_fields_take_their_name_and_description_from_the_model(window: Any,
                                                                     name: str) -> None:
    from guimirror.qapi.mirror import MIRROR_ARGUMENTS

    spec = next(spec for spec in MIRROR_ARGUMENTS if spec.name == name)
    widget = window.form.inputs[name]
    interface = QAccessible.queryAccessibleInterface(widget)
    # On Linux a combo box's accessible name is its value; its label is set all the same.
    assert widget.accessibleName() == spec.label
    if not isinstance(widget, QComboBox):
        assert interface.text(QAccessible.Text.Name) == spec.label
    assert interface.text(QAccessible.Text.Description) == spec.description
