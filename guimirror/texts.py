# SPDX-License-Identifier: GPL-2.0-or-later
"""Texts the core makes for a person, kept translatable although the core imports no Qt.

A ``Text`` is the English sentence (it is a ``str``, so logs, errors and tests read it as
before) that remembers its template and arguments::

    Text("pivoted: users of '{device}' now write to '{target}'", device=..., target=...)

packaging/core_texts.py finds every ``Text("...")`` call in the core's sources (the template
must be a literal) and marks the templates for translation in guimirror/ui/core_texts.py;
guimirror/ui/translated.py's ``core_text`` shows a Text in the user's language: the template
translated as a whole sentence, then formatted with its arguments (a Text argument translated
the same way).
"""

from __future__ import annotations

from typing import Any


class Text(str):
    """An English text with its ``template`` and the ``args`` it was formatted with."""

    template: str
    args: dict[str, Any]

    def __new__(cls, template: str, /, **args: Any) -> Text:
        text = super().__new__(cls, template.format(**args) if args else template)
        text.template = template
        text.args = args
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (self.template, self.args)


def _rebuild(template: str, args: dict[str, Any]) -> Text:
    return Text(template, **args)
