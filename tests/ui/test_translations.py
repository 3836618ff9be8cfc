# SPDX-License-Identifier: GPL-2.0-or-later
"""The German translation is complete and compiled from the current sources, and a window
started under LANG=de_DE.UTF-8 speaks German (guimirror's strings and Qt's own)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import PySide6
import pytest

TOP = Path(__file__).resolve().parents[2]
QAPI_TEXTS = TOP / "guimirror" / "ui" / "qapi_texts.py"
CORE_TEXTS = TOP / "guimirror" / "ui" / "core_texts.py"
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


def test_the_core_texts_module_holds_every_text_of_the_core(tmp_path: Path) -> None:
    """A Text added or reworded in the core without regenerating core_texts.py fails here; the
    test above then fails until the new template is translated."""
    fresh = tmp_path / "core_texts.py"
    subprocess.run([sys.executable, str(TOP / "packaging" / "core_texts.py"), str(fresh)],
                   check=True)
    assert fresh.read_text() == CORE_TEXTS.read_text(), \
        "the core's texts changed: run packaging/translations.sh and translate them"
    from guimirror.session.convergence import HINT
    from guimirror.session.outcomes import cancel_question
    from guimirror.ui.core_texts import TEXTS
    from guimirror.units import SYNTAX_HELP
    question = cancel_question(job_id="j", device="d", target="t", offset=1, length=2)
    assert {HINT, SYNTAX_HELP, question.template} <= set(TEXTS)


def test_every_translation_keeps_the_fields_of_its_source() -> None:
    """A translated template with a misspelt or missing {field} would fail, or say less, when
    the window fills it in."""
    fields = re.compile(r"{[^{}]*}")
    for message in ElementTree.parse(TRANSLATIONS / "guimirror_de.ts").getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.findtext("translation") or ""
        assert sorted(fields.findall(source)) == sorted(fields.findall(translation)), source


@pytest.fixture
def german(qapp: Any) -> Iterator[None]:
    """The shipped German catalogue installed on the running application."""
    from PySide6.QtCore import QCoreApplication, QTranslator

    translator = QTranslator()
    assert translator.load(str(TRANSLATIONS / "guimirror_de.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        yield
    finally:
        QCoreApplication.removeTranslator(translator)


def test_core_texts_show_in_german_with_their_arguments(german: None) -> None:
    from guimirror.session.outcomes import EndVerb, job_outcome
    from guimirror.session.target_checks import DataMeasure, MeasureMethod, judge_start
    from guimirror.ui.translated import core_text, error_text
    from guimirror.units import parse_size

    outcome = job_outcome(event="BLOCK_JOB_COMPLETED", device="src", target="dst",
                          ready_seen=True, verb=EndVerb.COMPLETE)
    assert outcome == "pivoted: users of 'src' now write to 'dst'", "English stays the str"
    assert core_text(outcome) == ("Pivot ausgeführt: die Benutzer von 'src' schreiben jetzt "
                                  "auf 'dst'")
    data = DataMeasure("/dev/x", 1 << 20, 4096, MeasureMethod.EXTENTS,
                       holds=describe_ext4())
    verdict = judge_start(device="src", target="dst", source_size=1 << 20,
                          target_size=2 << 20, target_users=["vm1"], target_mount_refusal=None,
                          target_data=data)
    assert core_text(verdict.refusals[0]) == ("Knoten 'dst' ist belegt: er wird von vm1 "
                                              "verwendet")
    assert "(1048576 Byte) groß" in core_text(verdict.warnings[0])
    assert "different sizes" in core_text(verdict.warnings[0]), "QEMU's words stay"
    assert core_text(verdict.confirmation) == (
        "Das Ziel 'dst' (2 MiB) enthält 4 KiB Daten, ein ext4-Dateisystem 'data'. Die "
        "Spiegelung überschreibt alles mit dem Inhalt von 'src'. Fortfahren?"), \
        "Text arguments are translated too"
    with pytest.raises(ValueError) as raised:
        parse_size("10 parsecs")
    assert error_text(raised.value) == ("Größe: unbekannte Einheit 'parsecs' (B, K, M, G, "
                                        "KiB, MiB, kB, MB... verwenden)")
    assert error_text(ValueError("plain")) == "plain"


def test_endpoint_errors_show_in_german(german: None, qtbot: Any) -> None:
    """A bad URI in the attach dialog, and the errors of the session's own making that reach
    the window through their ``desc``: German, with what others wrote left as it came."""
    from guimirror.session.libvirt_disks import split_device
    from guimirror.session.uri import EndpointURIError, parse_endpoint_uri
    from guimirror.ui.attach_dialog import AttachDialog
    from guimirror.ui.translated import error_text

    dialog = AttachDialog()
    qtbot.addWidget(dialog)
    dialog.edit.setText("localhost:4444")
    assert dialog.error.text() == ("'localhost:4444' ist keine Endpunkt-URI: guimirror kennt kein "
                                   "Schema 'localhost:' (war tcp:localhost:4444 gemeint?)")
    dialog.edit.setText("qsd:relative")
    assert dialog.error.text() == ("'qsd:relative' ist keine Endpunkt-URI: die Programmdatei des "
                                   "Daemons muss ein absoluter Pfad sein, nicht 'relative'"), \
        "a Text inside a Text's arguments is translated too"
    assert not dialog.ok_button.isEnabled()
    dialog.edit.setText("tcp:localhost:4444")
    assert dialog.error.text() == "" and dialog.ok_button.isEnabled()

    with pytest.raises(EndpointURIError) as raised:
        parse_endpoint_uri("qemu+ssh://bad host/system")
    assert raised.value.desc.startswith("'qemu+ssh://bad host/system' is not an endpoint URI")
    shown = error_text(raised.value)
    assert shown.startswith("'qemu+ssh://bad host/system' ist keine Endpunkt-URI: 'bad host' "
                            "ist nicht [user@]host[:port]. Angenommene Formen: builtin:, qsd:")
    with pytest.raises(ValueError) as refused:
        split_device("vda")
    assert error_text(refused.value) == ("'vda' ist keine libvirt-Platte (DOMAIN/TARGET, "
                                         "z. B. vm1/vda)")


def describe_ext4() -> str:
    from guimirror.session.target_checks import describe_blkid
    return describe_blkid({"TYPE": "ext4", "LABEL": "data", "USAGE": "filesystem"})


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


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_form_needs_no_horizontal_scroll_bar_at_1024x768(
        language: str, qloop: Any, qtbot: Any, settings: Any) -> None:
    """German labels, hints and check texts are longer: they wrap, the form never scrolls
    sideways or clips its right edge, and the plots' vertical axis labels are not cut off."""
    from PySide6.QtCore import QCoreApplication, Qt, QTranslator
    from PySide6.QtGui import QFontMetrics

    from guimirror.ui.main_window import MainWindow
    from guimirror.ui.mirror_form import CheckText, NodeChoice

    translator = QTranslator()
    if language == "de":
        assert translator.load(str(TRANSLATIONS / "guimirror_de.qm"))
        QCoreApplication.installTranslator(translator)
    window = MainWindow(settings)
    try:
        window.show()
        qtbot.waitExposed(window)
        window.resize(1024, 768)
        qtbot.waitUntil(lambda: window.width() == 1024)
        assert window.height() == 768
        form = window.form
        assert form.start_button.text() == {"en": "&Start mirror",
                                            "de": "Spiegelung &starten"}[language]
        long_name = "a-node-name-much-longer-than-the-form-is-wide-" * 2
        form.set_nodes([NodeChoice(long_name, 1 << 20, 65536),
                        NodeChoice("beta", 1 << 20, 65536)])
        area = form.scroll_area
        qtbot.waitUntil(lambda: form.fields.width() <= area.viewport().width())
        assert not area.horizontalScrollBar().isVisible()
        assert form.fields.minimumSizeHint().width() <= area.viewport().width()
        check_texts = form.fields.findChildren(CheckText)
        assert len(check_texts) == 3
        for text in check_texts:
            assert text.geometry().right() < text.parentWidget().width()
        finalize = next(text for text in check_texts if text.box is form.inputs["auto-finalize"])
        before = finalize.box.isChecked()
        qtbot.mouseClick(finalize, Qt.MouseButton.LeftButton)
        assert finalize.box.isChecked() is not before, "a click on the text toggles the box"
        for plot in (window.plots.throughput_plot, window.plots.dirty_plot):
            axis = plot.getAxis("left")
            label = QFontMetrics(axis.label.font()).horizontalAdvance(axis.label.toPlainText())
            assert axis.height() >= label, axis.label.toPlainText()
    finally:
        QCoreApplication.removeTranslator(translator)
        window.hide()
        window.deleteLater()
