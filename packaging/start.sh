#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sets guimirror up (packaging/setup.sh) and starts the application on its built-in engine.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$top/packaging/setup.sh"
exec "${GUIMIRROR_VENV:-$top/.venv}/bin/guimirror" "$@"
