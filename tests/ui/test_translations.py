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
print(json.dumps({
    "menus": [action.text() for action in window.menuBar().actions()],
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


def test_the_window_stays_english_under_an_english_locale(tmp_path: Path) -> None:
    english = window_in("en_GB.UTF-8", tmp_path)
    assert english["menus"] == ["&File", "&Endpoint", "&Node", "&Job", "&View", "&Help"]
    assert english["cancel"] == "Cancel"
