#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sets guimirror up with its test tools (packaging/setup.sh test), then runs every check:
# ruff, mypy, the packaged build, and the whole pytest suite against real QEMU tools.
# Arguments are passed to pytest.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$top/packaging/setup.sh" test
venv=${GUIMIRROR_VENV:-$top/.venv}
cd "$top"
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}

echo "== ruff"
"$venv/bin/ruff" check guimirror tests benchmarks packaging
echo "== mypy"
"$venv/bin/mypy"
if [ -f packaging/build.sh ]; then
    echo "== bundle and .deb"
    start=$SECONDS
    GUIMIRROR_VENV=$venv bash packaging/build.sh
    echo "built in $((SECONDS - start)) s"
fi
echo "== pytest"
"$venv/bin/python" -m pytest -q -ra "$@"
