# SPDX-License-Identifier: GPL-2.0-or-later
"""The user's language: Qt's own translations (QLibraryInfo's TranslationsPath) and guimirror's
(guimirror/translations/guimirror_<lang>.qm, package data), chosen from QLocale.system(),
which follows LANGUAGE, LC_ALL, LC_MESSAGES and LANG. Texts that come from an engine (QEMU's
errors, QMP JSON) are never translated."""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

PREFIX = "guimirror_"


class PackagedTranslator(QTranslator):
    """A translator loaded from a .qm file's bytes, which it keeps (Qt reads them in place)."""

    data = b""

    def load_bytes(self, data: bytes) -> bool:
        self.data = data
        return self.load(self.data)


def shipped_translations() -> list[str]:
    """The languages guimirror ships a compiled translation for (``de``)."""
    folder = resources.files("guimirror") / "translations"
    return sorted(entry.name.removeprefix(PREFIX).removesuffix(".qm")
                  for entry in folder.iterdir()
                  if entry.name.startswith(PREFIX) and entry.name.endswith(".qm"))


def install_translators(app: QCoreApplication,
                        locale: QLocale | None = None) -> list[QTranslator]:
    """Load and install the translators for ``locale`` (default: the system's) into ``app``;
    the caller keeps the returned translators alive as long as the application runs."""
    locale = locale or QLocale.system()
    installed: list[QTranslator] = []
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        installed.append(qt)
    ours = PackagedTranslator(app)
    for language in locale.uiLanguages():
        name = language.replace("-", "_")
        for candidate in (name, name.split("_")[0]):
            data = resources.files("guimirror") / "translations" / f"{PREFIX}{candidate}.qm"
            if data.is_file() and ours.load_bytes(data.read_bytes()):
                installed.append(ours)
                break
        else:
            continue
        break
    for translator in installed:
        app.installTranslator(translator)
    return installed
