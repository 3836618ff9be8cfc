# SPDX-License-Identifier: GPL-2.0-or-later
"""Texts made outside Qt code, in the user's language: the models' (guimirror.qapi, marked in
ui/qapi_texts.py) and the core's ``guimirror.texts.Text`` (marked in ui/core_texts.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from guimirror.errors import GuimirrorError
from guimirror.texts import Text


def qapi_text(text: str) -> str:
    """A text of guimirror.qapi's models in the user's language; any other text as it is."""
    return QCoreApplication.translate("qapi", text) if text else text


def core_text(text: object) -> str:
    """``text`` in the user's language when it is a Text: its template translated as a whole,
    then filled with its arguments (a Text argument translated too); any other text as it is."""
    if not isinstance(text, Text):
        return str(text)
    translated = QCoreApplication.translate("core", text.template)
    if not text.args:
        return translated
    return translated.format(**{name: core_text(value) if isinstance(value, Text) else value
                                for name, value in text.args.items()})


def error_text(error: BaseException) -> str:
    """What ``error`` says, in the user's language where the core wrote it as a Text."""
    if isinstance(error, GuimirrorError):
        return core_text(error.desc)
    if len(error.args) == 1 and isinstance(error.args[0], Text):
        return core_text(error.args[0])
    return str(error)
