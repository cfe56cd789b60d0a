#!/bin/sh
# Build kml.ko for DKMS (dkms.conf's MAKE), in the tree DKMS copied.
#
#   scripts/dkms-build.sh KERNELRELEASE KERNEL_BUILD_DIR
#
# kml-deadline needs the kernel's private block/*.h, of exactly the kernel's
# version (structs differ between versions, and a mismatch corrupts memory
# silently). Looked for, in this order:
#   1. $KML_PRIVATE_SRC: a folder holding block/elevator.h and friends;
#   2. the kernel tree itself, when it is a full source tree (self-built
#      kernels; Jetson Linux when its kernel sources are installed):
#      KERNEL_BUILD_DIR or /lib/modules/KERNELRELEASE/source;
#   3. Debian's linux-source-X.Y package of the running image's version
#      (/usr/src/linux-source-X.Y.tar.xz), whose block/*.h are extracted.
set -eu

die() {
	echo "kml dkms: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: $0 KERNELRELEASE KERNEL_BUILD_DIR"
kver=$1
kdir=$2
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$kdir/Makefile" ] || die "no kernel build tree at $kdir (install the headers of $kver)"
series=$(echo "$kver" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$series" ] || die "cannot read a version from kernel release '$kver'"

# tree_series DIR: VERSION.PATCHLEVEL of a kernel source tree's Makefile.
tree_series() {
	awk '/^VERSION =/ {v = $3} /^PATCHLEVEL =/ {p = $3} END {if (v != "") print v "." p}' "$1/Makefile" 2>/dev/null
}

# use_tree DIR WHAT: accept DIR if it has the headers and is of this series.
use_tree() {
	[ -f "$1/block/elevator.h" ] || return 1
	s=$(tree_series "$1")
	if [ -n "$s" ] && [ "$s" != "$series" ]; then
		die "$2 ($1) is Linux $s, the kernel is $kver: use the sources of this very kernel"
	fi
	priv=$1
	echo "kml dkms: block/*.h from $2 ($1)"
}

priv=""
if [ -n "${KML_PRIVATE_SRC:-}" ]; then
	use_tree "$KML_PRIVATE_SRC" KML_PRIVATE_SRC ||
		die "KML_PRIVATE_SRC=$KML_PRIVATE_SRC has no block/elevator.h"
elif use_tree "$kdir" "the kernel build tree"; then
	:
elif use_tree "/lib/modules/$kver/source" "the kernel source tree"; then
	:
elif [ -f "/usr/src/linux-source-$series.tar.xz" ]; then
	img=$(dpkg-query -W -f='${Version}' "linux-image-$kver" 2>/dev/null || true)
	src=$(dpkg-query -W -f='${Version}' "linux-source-$series" 2>/dev/null || true)
	[ -n "$img" ] && [ "$img" = "$src" ] ||
		die "linux-source-$series is '$src' but linux-image-$kver is '$img': install linux-source-$series=$img"
	priv=$here/.kml-private
	if [ ! -f "$priv/VERSION" ] || [ "$(cat "$priv/VERSION")" != "$src" ]; then
		echo "kml dkms: extracting block/*.h from linux-source-$series $src"
		rm -rf "$priv"
		mkdir -p "$priv"
		tar -xJf "/usr/src/linux-source-$series.tar.xz" -C "$priv" --strip-components=1 \
			--wildcards "linux-source-$series/block/*.h"
		echo "$src" >"$priv/VERSION"
	fi
else
	die "no block/*.h for $kver. kml-deadline needs the private block headers of
this exact kernel. Either
  - Debian: apt-get install linux-source-$series (the version of linux-image-$kver), or
  - install the kernel's full source tree as /lib/modules/$kver/source, or
  - put the kernel's source (at least block/*.h) in a folder and run
    KML_PRIVATE_SRC=/that/folder dkms install kml/<version> -k $kver
See the README, section 'Install on a board'."
fi

make -C "$kdir" M="$here" KML_PRIVATE_SRC="$priv" KML_WERROR=0 modules
