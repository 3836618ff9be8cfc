#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package of guimirror from the PyInstaller bundle, with dpkg-deb:
#   /opt/guimirror/                       the one-folder bundle (guimirror, guimirror-daemon, _internal/)
#   /usr/bin/guimirror, guimirror-daemon  symlinks into /opt/guimirror (absolute: another top directory)
#   /usr/share/applications, icons/hicolor/scalable/apps, metainfo: the desktop integration
#   /usr/share/man/man1                   the man pages, generated from the programs' options
#   /usr/lib/systemd/system, sysusers.d   the root daemon's service and its guimirror group
#   /usr/share/polkit-1/actions, /usr/libexec/guimirror/start-root-daemon: the root daemon via pkexec
#   /usr/share/doc/guimirror              copyright (DEP-5), changelog, the bundled licence texts
# Depends comes from dpkg-shlibdeps (versioned), so the package runs on a fresh Debian 12.
# Reproducible: every mtime is $SOURCE_DATE_EPOCH (default: the last commit's time), modes are
# normalised, and dpkg-deb writes sorted members with that time.
#   packaging/deb/build-deb.sh BUNDLE_DIR OUTPUT_DIR VERSION PYTHON
# PYTHON is the build environment's interpreter (it has guimirror's dependencies installed).
set -euo pipefail

bundle=$(realpath "$1")
output=$(realpath "$2")
version=$3
python=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
app_id=io.github.guimirror.GuiMirror
architecture=$(dpkg --print-architecture)
staging=$top/build/deb
root=$staging/root
deb=$output/guimirror_${version}_${architecture}.deb
doc=$root/usr/share/doc/guimirror
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct)}

for tool in dpkg-deb dpkg-shlibdeps dpkg-parsechangelog strip gzip; do
    command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing" >&2; exit 1; }
done
[ -x "$bundle/guimirror" ] && [ -x "$bundle/guimirror-daemon" ] || {
    echo "build-deb: $bundle holds no guimirror bundle; run packaging/build.sh" >&2
    exit 1
}
changelog_version=$(dpkg-parsechangelog -l "$here/changelog" -S Version)
[ "$changelog_version" = "$version" ] || {
    echo "build-deb: packaging/deb/changelog is at $changelog_version, guimirror at $version" >&2
    exit 1
}

is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

rm -rf "$staging"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/metainfo" \
    "$root/usr/share/man/man1" "$root/usr/lib/systemd/system" "$root/usr/lib/sysusers.d" \
    "$root/usr/share/polkit-1/actions" "$root/usr/libexec/guimirror" "$doc"
cp -a "$bundle" "$root/opt/guimirror"

# Strip every ELF file but the libraries that the wheels vendored with patchelf (numpy.libs and
# the like): binutils' strip corrupts their program headers ("ELF load command address/offset
# not page-aligned"); they ship stripped of debug information already.
elf_files=()
while IFS= read -r -d '' file; do
    is_elf "$file" && elf_files+=("$file")
done < <(find "$root/opt/guimirror" -type f -print0 | sort -z)
strippable=()
for file in "${elf_files[@]}"; do
    case $file in */*.libs/*) ;; *) strippable+=("$file") ;; esac
done
strip --strip-unneeded --remove-section=.comment --remove-section=.note "${strippable[@]}"

ln -s /opt/guimirror/guimirror "$root/usr/bin/guimirror"
ln -s /opt/guimirror/guimirror-daemon "$root/usr/bin/guimirror-daemon"
install -m 0644 "$top/packaging/linux/$app_id.desktop" "$root/usr/share/applications/"
install -m 0644 "$top/packaging/linux/$app_id.metainfo.xml" "$root/usr/share/metainfo/"
install -m 0644 "$top/guimirror/resources/guimirror.svg" \
    "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
"$python" "$top/packaging/manpages.py" "$staging/man"
for page in "$staging"/man/*.1; do
    gzip -9n <"$page" >"$root/usr/share/man/man1/$(basename "$page").gz"
done
install -m 0644 "$top/packaging/systemd/guimirror-daemon.service" "$root/usr/lib/systemd/system/"
install -m 0644 "$top/packaging/systemd/guimirror.sysusers" "$root/usr/lib/sysusers.d/guimirror.conf"
install -m 0644 "$top/packaging/polkit/$app_id.policy" "$root/usr/share/polkit-1/actions/"
install -m 0755 "$top/packaging/polkit/start-root-daemon" "$root/usr/libexec/guimirror/"
install -m 0644 "$here/copyright" "$doc/copyright"
# A native package (no Debian revision): its changelog is changelog.gz.
gzip -9n <"$here/changelog" >"$doc/changelog.gz"
"$python" "$here/collect_licenses.py" "$doc/licenses" >/dev/null
mkdir -p "$root/usr/share/lintian/overrides"
grep -v '^# SPDX' "$here/lintian-overrides" >"$root/usr/share/lintian/overrides/guimirror"
install -m 0755 "$here/postinst" "$root/DEBIAN/postinst"
install -m 0755 "$here/postrm" "$root/DEBIAN/postrm"

# Modes as Debian wants them: directories and executables 0755, shared libraries and data 0644.
find "$root" -path "$root/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$root" -path "$root/DEBIAN" -prune -o -type f -exec chmod u+rw,go+r,go-w {} +
find "$root/opt/guimirror" -type f -name '*.so*' -exec chmod 0644 {} +

# Depends: the versioned packages of the system libraries that the ELF files link to.
mkdir -p "$staging/shlibs/debian"
printf 'Source: guimirror\n\nPackage: guimirror\nArchitecture: any\n' >"$staging/shlibs/debian/control"
library_dirs=()
while IFS= read -r dir; do
    library_dirs+=("-l$dir")
done < <(find "$root/opt/guimirror" -type f -name '*.so*' -printf '%h\n' | sort -u)
depends=$(cd "$staging/shlibs" && dpkg-shlibdeps -O --warnings=0 --ignore-missing-info \
    "${library_dirs[@]}" "${elf_files[@]/#/-e}" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: guimirror
Version: $version
Architecture: $architecture
Maintainer: The guimirror authors <guimirror@users.noreply.github.com>
Installed-Size: $installed_size
Depends: $depends
Recommends: qemu-system-common, qemu-utils
Suggests: libnbd-bin, pkexec, polkitd
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
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
    | xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"
find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$output"
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --threads-max=2 --build "$root" "$deb" >/dev/null
rm -rf "$staging"
echo "build-deb: $deb ($(du -h "$deb" | cut -f1); Depends: $depends)"
