#!/usr/bin/env bash
# Installs everything guimirror needs on Debian 12, as root, into a virtual environment beside the
# checkout (.venv, or $GUIMIRROR_VENV). Safe to run again: it installs only what is missing.
#   packaging/setup.sh            the application
#   packaging/setup.sh test       the application, the test tools and the packaging tools
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${GUIMIRROR_VENV:-$top/.venv}
mode=${1:-app}

debian_packages=(
    # the engines and the real clients guimirror and its tests talk to
    qemu-utils qemu-system-common libnbd-bin
    # the Qt runtime (PySide6-Essentials' xcb and offscreen platforms)
    libgl1 libegl1 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 libxkbcommon0
    libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
    libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
    # block devices: lsblk for the device picker, losetup and mkfs for the loop-device tests
    util-linux e2fsprogs
)
if [ "$mode" = test ]; then
    # validators for the desktop entry and AppStream metadata; what PyInstaller needs to bundle
    debian_packages+=(desktop-file-utils appstream dpkg-dev binutils libpython3.11)
fi
if [ "$mode" = test ]; then
    # the remote tests: NBD servers, TLS certificates, an sshd and ssh between two network
    # namespaces (ip, tc)
    debian_packages+=(nbdkit gnutls-bin openssl openssh-server openssh-client iproute2)
fi

missing=()
for package in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3 python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating the virtual environment $venv"
    python3 -m venv "$venv"
fi
extras=""
[ "$mode" = test ] && extras="[test,package]"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$top$extras"
echo "setup: ready ($("$venv/bin/python" -c 'import guimirror; print("guimirror", guimirror.__version__)'))"
