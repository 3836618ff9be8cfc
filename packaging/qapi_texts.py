# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes guimirror/ui/qapi_texts.py: every text guimirror.qapi's models show to a person
(Presentation's label, group, zero_means and check_text, and the field descriptions the form
shows as tooltips), each marked with QT_TRANSLATE_NOOP("qapi", ...) so that pyside6-lupdate
brings it into the translations. guimirror.qapi imports no Qt, so it cannot mark them itself.

    python packaging/qapi_texts.py [OUTPUT]   (default: guimirror/ui/qapi_texts.py)

A model counts when one of its fields carries a Presentation.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP))

sys.path.insert(0, str(TOP / "packaging"))

from noop_texts import render, write  # noqa: E402

from guimirror import qapi  # noqa: E402
from guimirror.qapi.base import Presentation, QAPIModel, argument_specs  # noqa: E402

OUTPUT = TOP / "guimirror" / "ui" / "qapi_texts.py"
DOC = """The texts guimirror.qapi's models show to a person, marked for translation in the
context "qapi" (the models import no Qt); ``translated.qapi_text`` shows one."""


def presented_models() -> Iterator[type[QAPIModel]]:
    """The QAPI models of guimirror.qapi that carry a Presentation, module by module."""
    for info in sorted(pkgutil.iter_modules(qapi.__path__), key=lambda module: module.name):
        module = importlib.import_module(f"{qapi.__name__}.{info.name}")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if (issubclass(value, QAPIModel) and value.__module__ == module.__name__
                    and any(isinstance(item, Presentation)
                            for field in value.model_fields.values()
                            for item in field.metadata)):
                yield value


def texts() -> dict[str, str]:
    """Each text once, in the order met, with where it was met first."""
    found: dict[str, str] = {}
    for model in presented_models():
        for spec in argument_specs(model):
            shown = spec.presentation
            for kind, text in (("group", shown.group), ("label", shown.label),
                               ("zero_means", shown.zero_means),
                               ("check_text", shown.check_text),
                               ("description", spec.description)):
                if text and text not in found:
                    found[text] = f"{model.__name__}.{spec.name} {kind}"
    return found


def main() -> None:
    write(OUTPUT, render("qapi_texts.py", "guimirror.qapi's models", DOC, "qapi", texts()))


if __name__ == "__main__":
    main()
