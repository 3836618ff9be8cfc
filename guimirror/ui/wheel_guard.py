# SPDX-License-Identifier: GPL-2.0-or-later
"""The mouse wheel scrolls forms; it never changes a value the user is not editing.

A combo box, spin box or slider (not a scroll bar) takes a wheel step only while it has
keyboard focus. Without focus the wheel event goes on to the widget's ancestors, so the form
around it scrolls as if the field were not there. One filter on the QApplication does this for
every window and dialog; it also takes the wheel's focus policy off these widgets, since
Qt gives focus to a ``Qt.WheelFocus`` widget before any filter sees the event. GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def is_guarded(widget: QObject) -> bool:
    """A widget whose value a wheel step changes (scroll bars are for the wheel)."""
    return isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar)


def guarded_owner(widget: QWidget) -> QWidget | None:
    """The guarded widget ``widget`` is or is part of (an editable combo box's line edit, a
    spin box's line edit), else None."""
    part: QWidget | None = widget
    while part is not None and not part.isWindow():
        if is_guarded(part):
            return part
        part = part.parentWidget()
    return None


def has_focus(widget: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


def unwheel_focus(widget: QWidget) -> None:
    """``Qt.WheelFocus`` becomes ``Qt.StrongFocus``: a wheel step must not give focus."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    """The application-wide filter; ``install()`` puts one on the QApplication."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and is_guarded(watched):
            assert isinstance(watched, QWidget)
            unwheel_focus(watched)
        elif kind == QEvent.Type.Wheel and isinstance(watched, QWidget):
            owner = guarded_owner(watched)
            if owner is not None and not has_focus(owner):
                assert isinstance(event, QWheelEvent)
                self._pass_to_parent(owner, watched, event)
                return True
        return False

    @staticmethod
    def _pass_to_parent(owner: QWidget, watched: QWidget, event: QWheelEvent) -> None:
        """Offer the wheel step to ``owner``'s ancestors, nearest first, at the same place on
        the screen, until one takes it (as Qt propagates a wheel event the widget ignores;
        Qt does not propagate an event that is sent rather than from the window system)."""
        event.accept()
        ancestor = owner.parentWidget()
        while ancestor is not None:
            forwarded = QWheelEvent(
                ancestor.mapFromGlobal(event.globalPosition()), event.globalPosition(),
                event.pixelDelta(), event.angleDelta(), event.buttons(), event.modifiers(),
                event.phase(), event.inverted(), event.source(),
            )
            QApplication.sendEvent(ancestor, forwarded)
            if forwarded.isAccepted() or ancestor.isWindow() or ancestor.testAttribute(
                    Qt.WidgetAttribute.WA_NoMousePropagation):
                return
            ancestor = ancestor.parentWidget()

    @classmethod
    def install(cls, app: QApplication) -> WheelGuard:
        """Filter every widget's events (once per application) and take the wheel focus off
        the guarded widgets that exist already."""
        existing = app.findChild(cls, "wheel-guard")
        if isinstance(existing, cls):
            return existing
        guard = cls(app)
        guard.setObjectName("wheel-guard")
        for widget in app.allWidgets():
            if is_guarded(widget):
                unwheel_focus(widget)
        app.installEventFilter(guard)
        return guard
