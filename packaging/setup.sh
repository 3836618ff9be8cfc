#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs everything guimirror needs on Debian 12, as root, into a virtual environment beside the
# checkout (.venv, or $GUIMIRROR_VENV). Safe to run again: it installs only what is missing.
#   packaging/setup.sh            the application
#   packaging/setup.sh test       the application, the test tools, the packaging tools and
#                                 libvirt (libvirtd, QEMU for VMs, libvirt-python)
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
    # gdbus: the desktop notifications' Notify call
    libglib2.0-bin
)
if [ "$mode" = test ]; then
    # validators for the desktop entry and AppStream metadata; what PyInstaller needs to bundle
    # on Debian's Python (packaging/build.sh); lintian, systemd-analyze and man for the package
    debian_packages+=(desktop-file-utils appstream dpkg-dev binutils libpython3.11 python3-venv
                      lintian systemd man-db xz-utils)
fi
if [ "$mode" = test ]; then
    # the libvirt endpoint's tests: libvirtd with its QEMU driver, a QEMU that runs VMs, and
    # what building libvirt-python (the 'libvirt' extra) takes
    debian_packages+=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
                      libvirt-dev pkg-config gcc python3-dev)
    # a private session bus for the notification tests
    debian_packages+=(dbus-daemon)
fi
if [ "$mode" = test ]; then
    # the remote tests: NBD servers, TLS certificates, an sshd and ssh between two network
    # namespaces (ip, tc)
    debian_packages+=(nbdkit gnutls-bin openssl openssh-server openssh-client iproute2)
fi
if [ "$mode" = test ]; then
    # benchmarks/nbd_iops.py: fio and its nbd engine (libnbd), the one client for both servers
    debian_packages+=(fio)
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

# QEMU 10.0 beside Debian 12's QEMU 7.2, for the tests that run on both versions: the packages from
# bookworm-backports unpacked into $GUIMIRROR_QEMU10 (default /opt/qemu-10.0), never installed over
# the system's QEMU. The tests find qemu-storage-daemon there, or where $GUIMIRROR_QEMU10 points.
qemu10_version=1:10.0.2+ds-2+deb13u1~bpo12+1
qemu10=${GUIMIRROR_QEMU10:-/opt/qemu-10.0}
if [ "$mode" = test ] && ! "$qemu10/usr/bin/qemu-storage-daemon" --version 2>/dev/null | grep -q "version 10\.0"; then
    echo "setup: unpacking QEMU 10.0 from bookworm-backports into $qemu10"
    backports=/etc/apt/sources.list.d/bookworm-backports.list
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        mirror=$(grep -hoE '^(URIs:|deb) +[a-z]+://[^ ]+' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null \
            | grep -v -- -security | head -n1 | awk '{print $2}' || true)
        echo "deb ${mirror:-http://deb.debian.org/debian} bookworm-backports main" >"$backports"
    fi
    apt-get update -qq
    scratch=$(mktemp -d) && chmod 755 "$scratch"  # apt-get download runs as _apt
    (cd "$scratch" && apt-get download -qq \
        "qemu-system-common=$qemu10_version" "qemu-utils=$qemu10_version" "qemu-block-extra=$qemu10_version")
    rm -rf "$qemu10.partial" && mkdir -p "$qemu10.partial"
    for deb in "$scratch"/*.deb; do dpkg-deb -x "$deb" "$qemu10.partial"; done
    rm -rf "$scratch" "$qemu10" && mv "$qemu10.partial" "$qemu10"
    "$qemu10/usr/bin/qemu-storage-daemon" --version | head -n1
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating the virtual environment $venv"
    python3 -m venv "$venv"
fi
extras=""
[ "$mode" = test ] && extras="[test,package,libvirt]"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$top$extras"
echo "setup: ready ($("$venv/bin/python" -c 'import guimirror; print("guimirror", guimirror.__version__)'))"
