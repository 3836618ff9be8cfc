# SPDX-License-Identifier: GPL-2.0-or-later
"""The German translation is complete and compiled from the current sources, and a window
started under LANG=de_DE.UTF-8 speaks German (guimirror's strings and Qt's own)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import PySide6

TOP = Path(__file__).resolve().parents[2]
QAPI_TEXTS = TOP / "guimirror" / "ui" / "qapi_texts.py"
TRANSLATIONS = TOP / "guimirror" / "translations"
QT_TOOLS = Path(PySide6.__file__).parent


def test_the_german_ts_holds_every_source_string_translated(tmp_path: Path) -> None:
    committed = TRANSLATIONS / "guimirror_de.ts"
    fresh = tmp_path / "guimirror_de.ts"
    shutil.copy(committed, fresh)
    sources = sorted(str(path) for path in (TOP / "guimirror" / "ui").glob("*.py"))
    subprocess.run([str(QT_TOOLS / "lupdate"), "-silent", "-no-obsolete", "-locations", "none",
                    "-target-language", "de", *sources, "-ts", str(fresh)], check=True)
    assert fresh.read_text() == committed.read_text(), \
        "the sources changed: run packaging/translations.sh and translate the new strings"
    messages = list(ElementTree.parse(committed).getroot().iter("message"))
    assert len(messages) > 90
    for message in messages:
        translation = message.find("translation")
        assert translation is not None and translation.get("type") is None, \
            message.findtext("source")
        assert (translation.text or "").strip(), message.findtext("source")


def test_the_qapi_texts_module_holds_every_text_of_the_models(tmp_path: Path) -> None:
    """A field of a model added or reworded without regenerating qapi_texts.py fails here."""
    fresh = tmp_path / "qapi_texts.py"
    subprocess.run([sys.executable, str(TOP / "packaging" / "qapi_texts.py"), str(fresh)],
                   check=True)
    assert fresh.read_text() == QAPI_TEXTS.read_text(), \
        "guimirror.qapi's texts changed: run packaging/translations.sh and translate them"
    from guimirror.qapi.mirror import MIRROR_ARGUMENTS
    from guimirror.ui.qapi_texts import TEXTS
    for spec in MIRROR_ARGUMENTS:
        assert spec.label in TEXTS and spec.description in TEXTS
        assert spec.presentation.group in TEXTS


def test_the_shipped_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    compiled = tmp_path / "guimirror_de.qm"
    subprocess.run([str(QT_TOOLS / "lrelease"), "-silent", str(TRANSLATIONS / "guimirror_de.ts"),
                    "-qm", str(compiled)], check=True)
    assert compiled.read_bytes() == (TRANSLATIONS / "guimirror_de.qm").read_bytes()


WINDOW_IN_THE_LOCALE = """
import json, sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from guimirror.ui.translation import install_translators, shipped_translations
from guimirror.ui.main_window import MainWindow
app = QApplication([sys.argv[0]])
translators = install_translators(app)
window = MainWindow()
box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
form = window.form
print(json.dumps({
    "menus": [action.text() for action in window.menuBar().actions()],
    "labels": {name: label.text() for name, label in form.row_labels.items()},
    "tooltip": form.inputs["buf-size"].toolTip(),
    "start": form.start_button.text(),
    "summary": form.summary,
    "cancel": box.button(QDialogButtonBox.StandardButton.Cancel).text(),
    "shipped": shipped_translations(),
}))
"""


def window_in(language: str, tmp_path: Path) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=language, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(TOP))
    done = subprocess.run([sys.executable, "-c", WINDOW_IN_THE_LOCALE], env=env, cwd=TOP,
                          capture_output=True, text=True, timeout=60, check=True)
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_the_window_speaks_german_under_a_german_locale(tmp_path: Path) -> None:
    german = window_in("de_DE.UTF-8", tmp_path)
    assert german["shipped"] == ["de"]
    assert german["menus"] == ["&Datei", "&Endpunkt", "&Knoten", "&Job", "&Ansicht", "&Hilfe"]
    assert german["cancel"] == "Abbrechen", "Qt's own translation is loaded"
    labels = german["labels"]
    assert isinstance(labels, dict)
    assert labels["device"].replace("&", "") == "Quelle (device)"
    assert labels["buf-size"].replace("&", "") == "Puffergröße"
    assert labels["on-target-error"].replace("&", "") == "Bei Fehler des Ziels"
    assert "Datenmenge" in str(german["tooltip"]), "the field's description is translated"
    assert german["start"] == "Spiegelung &starten"
    assert str(german["summary"]).startswith("Start nicht möglich: ")
    menu_letters = {str(menu)[str(menu).index("&") + 1].lower() for menu in german["menus"]}
    form_letters = [label[label.index("&") + 1].lower() for label in labels.values()
                    if "&" in label]
    assert len(form_letters) == len(set(form_letters)) > 10
    assert not menu_letters & set(form_letters), "the form's mnemonics avoid the menus'"


def test_the_window_stays_english_under_an_english_locale(tmp_path: Path) -> None:
    english = window_in("en_GB.UTF-8", tmp_path)
    assert english["menus"] == ["&File", "&Endpoint", "&Node", "&Job", "&View", "&Help"]
    assert english["cancel"] == "Cancel"
    labels = english["labels"]
    assert isinstance(labels, dict)
    assert labels["device"].replace("&", "") == "Source (device)"
    assert english["start"] == "&Start mirror"
