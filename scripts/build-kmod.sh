#!/usr/bin/env bash
# Build kml.ko for one pinned kernel with Kbuild, in its own folder, and check
# that the result's vermagic equals the one of the kernel image we boot.
#
#   scripts/build-kmod.sh 6.12|6.1|<release> [--out DIR] [--clean]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || kml_die "usage: $0 <6.12|6.1|release> [--out DIR] [--clean]"
kver=$(kml_kver "$1")
shift
out=$(kml_kmod_build "$kver")
clean=0
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--clean) clean=1; shift ;;
	*) kml_die "unknown option $1" ;;
	esac
done

hdr=$(kml_headers "$kver")
priv=$(kml_private_src "$kver")
[ -f "$hdr/Makefile" ] || kml_die "kernel headers $hdr missing; run scripts/install-deps.sh"
# UTS_RELEASE is what vermagic carries (Debian's kernel.release may differ).
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$hdr/include/generated/utsrelease.h" 2>/dev/null)
[ "$release" = "$kver" ] || kml_die "$hdr is for '$release', not $kver"
[ -f "$priv/block/elevator.h" ] || kml_die "private block headers for $kver missing ($priv); run scripts/install-deps.sh"

# Private structs differ between versions: never build against another one.
kml_load_pins
for s in $KML_SERIES_ALL; do
	[ "$(kml_kver "$s")" = "$kver" ] || continue
	pkg_var=KML_KPKG_$(kml_series_key "$s")
	[ "$(cat "$priv/VERSION")" = "${!pkg_var}" ] ||
		kml_die "block headers in $priv are $(cat "$priv/VERSION"), kernel is ${!pkg_var}"
done

# Kbuild builds in M=; give it a tree of symlinks so sources stay in place.
[ $clean = 1 ] && rm -rf "$out"
mkdir -p "$out"
find "$out" -xtype l -delete
cp -rsf "$KML_ROOT/Kbuild" "$KML_ROOT/kmod" "$KML_ROOT/libkml" "$out/"

kml_log "building kml.ko for $kver in $out"
make -s -C "$hdr" M="$out" KML_PRIVATE_SRC="$priv" -j"$(nproc)" modules

# vermagic must match the image exactly or insmod refuses (or worse, loads).
ref=$(find "$(kml_image_root "$kver")/lib/modules/$kver/kernel/drivers/block" -name 'null_blk.ko*' | head -n 1)
[ -n "$ref" ] || kml_die "no reference module in the $kver image"
want=$(modinfo -F vermagic "$ref")
got=$(modinfo -F vermagic "$out/kml.ko")
[ "$want" = "$got" ] || kml_die "vermagic mismatch: kml.ko '$got' vs image '$want'"
kml_log "kml.ko ok for $kver (vermagic '$got')"
