#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package of guimirror from the PyInstaller bundle, with dpkg-deb:
#   /opt/guimirror/                     the one-folder bundle (guimirror, guimirror-daemon, _internal/)
#   /usr/bin/guimirror, guimirror-daemon  relative symlinks into /opt/guimirror
#   /usr/share/applications, icons/hicolor/scalable/apps, metainfo: the desktop integration
# Depends lists the Debian packages that own every system library the bundle's executables,
# Python extensions, Qt libraries and Qt plugins link to (found with ldd and dpkg -S), so the
# package runs on a fresh Debian 12.
#   packaging/deb/build-deb.sh BUNDLE_DIR OUTPUT_DIR VERSION
set -euo pipefail

bundle=$(realpath "$1")
output=$(realpath "$2")
version=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
app_id=io.github.guimirror.GuiMirror
architecture=$(dpkg --print-architecture)
staging=$top/build/deb
root=$staging/root
deb=$output/guimirror_${version}_${architecture}.deb

for tool in dpkg-deb dpkg-query ldd; do
    command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing" >&2; exit 1; }
done
[ -x "$bundle/guimirror" ] && [ -x "$bundle/guimirror-daemon" ] || {
    echo "build-deb: $bundle holds no guimirror bundle; run packaging/build.sh" >&2
    exit 1
}

# The system libraries (outside the bundle) that the bundle's ELF files link to, one a line.
system_libraries() {
    local library_path=$bundle/_internal:$bundle/_internal/PySide6/Qt/lib
    find "$bundle" -type f -print0 | while IFS= read -r -d '' file; do
        [ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
        LD_LIBRARY_PATH=$library_path ldd "$file" 2>/dev/null | awk -v file="$file" '
            /=> not found/ { print "MISSING " $1 " (needed by " file ")"; next }
            /=> \// { print $3 }
            /^\t\/.*\(0x/ { print $1 }'
    done | grep -v "^$bundle/" | sort -u
}

# The package that owns a library path; merged /usr means dpkg may know it by either name.
owner_of() {
    local path=$1 candidate
    for candidate in "$path" "$(realpath "$path")" "${path#/usr}" "/usr$path"; do
        dpkg-query -S "$candidate" 2>/dev/null | head -n 1 | cut -d: -f1 && return 0
    done
    return 1
}

libraries=$(system_libraries)
if missing=$(grep '^MISSING ' <<<"$libraries"); then
    echo "build-deb: libraries the bundle needs are not installed here:" >&2
    echo "$missing" >&2
    exit 1
fi
packages=()
unowned=()
while IFS= read -r library; do
    if owner=$(owner_of "$library"); then
        packages+=("$owner")
    else
        unowned+=("$library")
    fi
done <<<"$libraries"
if [ ${#unowned[@]} -gt 0 ]; then
    echo "build-deb: no Debian package owns: ${unowned[*]}" >&2
    exit 1
fi
depends=$(printf '%s\n' "${packages[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

rm -rf "$staging"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/metainfo" \
    "$root/usr/share/doc/guimirror"
cp -a "$bundle" "$root/opt/guimirror"
ln -s ../../opt/guimirror/guimirror "$root/usr/bin/guimirror"
ln -s ../../opt/guimirror/guimirror-daemon "$root/usr/bin/guimirror-daemon"
install -m 0644 "$top/packaging/linux/$app_id.desktop" "$root/usr/share/applications/"
install -m 0644 "$top/packaging/linux/$app_id.metainfo.xml" "$root/usr/share/metainfo/"
install -m 0644 "$top/guimirror/resources/guimirror.svg" \
    "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
cat >"$root/usr/share/doc/guimirror/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: guimirror
Source: https://github.com/guimirror/guimirror

Files: *
Copyright: The guimirror developers
License: GPL-2.0-or-later
 On Debian systems the full text of the GNU General Public License version 2 is in
 /usr/share/common-licenses/GPL-2. /opt/guimirror/_internal carries Python, Qt (PySide6),
 NumPy, pydantic, pyqtgraph, qasync and qemu.qmp under their own licenses.
COPYRIGHT
find "$root" -type d -exec chmod 0755 {} +

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: guimirror
Version: $version
Architecture: $architecture
Maintainer: The guimirror developers <guimirror@users.noreply.github.com>
Installed-Size: $installed_size
Depends: $depends
Recommends: qemu-system-common, qemu-utils
Suggests: libnbd-bin
Section: admin
Priority: optional
Homepage: https://github.com/guimirror/guimirror
Description: mirror live block devices with QEMU's blockdev-mirror
 guimirror lists the named block nodes of a storage engine, offers a form for
 every argument of QEMU's blockdev-mirror command, runs the mirror and plots
 throughput and dirty clusters while it runs.
 .
 It carries a built-in engine that mirrors image files and block devices
 without QEMU, and attaches to qemu-storage-daemon or a running virtual
 machine over QMP. guimirror-daemon runs the built-in engine headless, so a
 root-owned daemon can serve a window that runs as an ordinary user.
CONTROL

mkdir -p "$output"
rm -f "$deb"
# zstd: seconds where xz takes minutes on two cores; dpkg reads it since 1.21.18 (Debian 12).
dpkg-deb --root-owner-group -Zzstd -z12 --build "$root" "$deb" >/dev/null
rm -rf "$staging"
echo "build-deb: $deb ($(du -h "$deb" | cut -f1); Depends: $depends)"
