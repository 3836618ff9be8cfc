#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the packaged application from the checkout:
#   dist/guimirror/                      the one-folder PyInstaller bundle (guimirror, guimirror-daemon)
#   dist/guimirror_<version>_<arch>.deb  the Debian package made from it
# The bundle is built on Debian's own Python (/usr/bin/python3), in a build environment of its own,
# $GUIMIRROR_BUILD_VENV (default build/venv), made here when missing; the test and development
# environment (.venv) is not used. SOURCE_DATE_EPOCH defaults to the last commit's time, so two
# builds of one commit give the same .deb; `packaging/build.sh --check-reproducible` builds the
# .deb twice and compares them.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_venv=${GUIMIRROR_BUILD_VENV:-$top/build/venv}
cd "$top"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export PYTHONHASHSEED=0

if [ ! -x "$build_venv/bin/pyinstaller" ]; then
    echo "build: creating the build environment $build_venv on /usr/bin/python3"
    /usr/bin/python3 -m venv "$build_venv"
    "$build_venv/bin/python" -m pip install -q --disable-pip-version-check -e "$top[package]"
fi
python=$build_venv/bin/python
version=$("$python" -c 'import guimirror; print(guimirror.__version__)')

start=$SECONDS
"$build_venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$top/dist" --workpath "$top/build/pyinstaller" \
    packaging/pyinstaller/guimirror.spec
echo "build: bundle dist/guimirror in $((SECONDS - start)) s ($(du -sh dist/guimirror | cut -f1))"
start=$SECONDS
bash packaging/deb/build-deb.sh dist/guimirror dist "$version" "$python"
echo "build: .deb in $((SECONDS - start)) s"

if [ "${1:-}" = --check-reproducible ]; then
    deb=$(ls dist/guimirror_"$version"_*.deb)
    cp "$deb" build/first.deb
    bash packaging/deb/build-deb.sh dist/guimirror build/second "$version" "$python"
    if cmp -s build/first.deb "build/second/$(basename "$deb")"; then
        echo "build: reproducible (two .deb builds are identical: $(sha256sum <"$deb" | cut -c1-16))"
    else
        echo "build: NOT reproducible: two .deb builds differ" >&2
        exit 1
    fi
fi
