#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the translations from the sources: packaging/qapi_texts.py writes
# guimirror/ui/qapi_texts.py (the texts of guimirror.qapi's models, which import no Qt) and
# packaging/core_texts.py writes guimirror/ui/core_texts.py (the core's Text templates), then
# pyside6-lupdate brings every tr() and
# QCoreApplication.translate() string of guimirror/ui into guimirror/translations/guimirror_<lang>.ts
# (new strings come in unfinished, strings gone from the sources are dropped), and
# pyside6-lrelease compiles each .ts into the .qm that the package ships.
#   packaging/translations.sh            update the .ts files and compile them
#   packaging/translations.sh --release  only compile (after translating in Qt Linguist)
# PYTHON (default: .venv/bin/python, else python3) is the environment that has PySide6.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
python=${PYTHON:-$top/.venv/bin/python}
[ -x "$python" ] || python=python3
qt_tools=$("$python" -c 'import os, PySide6; print(os.path.dirname(PySide6.__file__))')
languages=(de)

if [ "${1:-}" != "--release" ]; then
    # guimirror.qapi's texts (labels, groups, descriptions) are marked in a generated module.
    "$python" packaging/qapi_texts.py
    # The texts the rest of the core makes (guimirror.texts.Text) likewise.
    "$python" packaging/core_texts.py
    for language in "${languages[@]}"; do
        "$qt_tools/lupdate" -silent -no-obsolete -locations none -target-language "$language" \
            guimirror/ui/*.py -ts "guimirror/translations/guimirror_$language.ts"
    done
fi
for language in "${languages[@]}"; do
    "$qt_tools/lrelease" -silent "guimirror/translations/guimirror_$language.ts" \
        -qm "guimirror/translations/guimirror_$language.qm"
done
