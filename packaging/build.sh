#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the packaged application from the checkout:
#   dist/guimirror/                      the one-folder PyInstaller bundle (guimirror, guimirror-daemon)
#   dist/guimirror_<version>_<arch>.deb  the Debian package made from it
# Uses the virtual environment $GUIMIRROR_VENV (default .venv), set up by `packaging/setup.sh test`.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${GUIMIRROR_VENV:-$top/.venv}
cd "$top"

version=$("$venv/bin/python" -c 'import guimirror; print(guimirror.__version__)')
start=$SECONDS
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$top/dist" --workpath "$top/build/pyinstaller" \
    packaging/pyinstaller/guimirror.spec
echo "build: bundle dist/guimirror in $((SECONDS - start)) s ($(du -sh dist/guimirror | cut -f1))"
start=$SECONDS
bash packaging/deb/build-deb.sh dist/guimirror dist "$version"
echo "build: .deb in $((SECONDS - start)) s"
