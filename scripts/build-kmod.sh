#!/usr/bin/env bash
# Build kml.ko for one pinned kernel with Kbuild, in its own folder, and check
# that the result's vermagic equals the one of the kernel image we boot.
#
#   scripts/build-kmod.sh KERNEL [--out DIR] [--clean]
#   KERNEL: 6.12, 6.1, 6.12-rt, 6.1-rt, 6.12-arm64, 6.1-arm64 or a release
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || kml_die "usage: $0 KERNEL [--out DIR] [--clean] (KERNEL: $KML_KERNELS_EVERY or a release)"
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
[ "$(cat "$priv/VERSION")" = "$(kml_kpkg "$kver")" ] ||
	kml_die "block headers in $priv are $(cat "$priv/VERSION"), kernel is $(kml_kpkg "$kver")"

# arm64 is cross-built: the host's kbuild tools, Debian's aarch64 gcc.
cross=()
if [ "$(kml_arch "$kver")" = arm64 ]; then
	command -v aarch64-linux-gnu-gcc-12 >/dev/null || kml_die "aarch64-linux-gnu-gcc-12 missing; run scripts/install-deps.sh"
	cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
fi

# Kbuild builds in M=; give it a tree of symlinks so sources stay in place.
[ $clean = 1 ] && rm -rf "$out"
mkdir -p "$out"
find "$out" -xtype l -delete
cp -rsf "$KML_ROOT/Kbuild" "$KML_ROOT/kmod" "$KML_ROOT/libkml" "$out/"

kml_log "building kml.ko for $kver in $out"
make -s -C "$hdr" "${cross[@]}" M="$out" KML_PRIVATE_SRC="$priv" -j"$(nproc)" modules

# vermagic must match the image exactly or insmod refuses (or worse, loads).
ref=$(find "$(kml_image_root "$kver")/lib/modules/$kver/kernel/drivers/block" -name 'null_blk.ko*' | head -n 1)
[ -n "$ref" ] || kml_die "no reference module in the $kver image"
want=$(modinfo -F vermagic "$ref")
got=$(modinfo -F vermagic "$out/kml.ko")
[ "$want" = "$got" ] || kml_die "vermagic mismatch: kml.ko '$got' vs image '$want'"
kml_log "kml.ko ok for $kver (vermagic '$got')"
