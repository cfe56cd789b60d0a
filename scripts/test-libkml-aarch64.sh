#!/usr/bin/env bash
# libkml bit-identity on arm64: cross-build tests/libkml/xarch.c with the
# libkml sources for aarch64, run it under qemu-aarch64 and demand the same
# output (self-test + a CRC per op on seeded inputs) as the x86_64 build.
#
#   scripts/test-libkml-aarch64.sh NATIVE_XARCH_BINARY [OUT_DIR]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || kml_die "usage: $0 NATIVE_XARCH_BINARY [OUT_DIR]"
native=$1
out=${2:-$KML_ROOT/build/libkml-aarch64}
cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
command -v "$cc" >/dev/null || kml_die "$cc missing; run scripts/install-deps.sh"
command -v qemu-aarch64 >/dev/null || kml_die "qemu-aarch64 missing; run scripts/install-deps.sh"

mkdir -p "$out/obj"
# The flags of the user-space build (kernel limits on libkml itself);
# static so that qemu needs no sysroot.
flags=(-std=gnu11 -O2 -Wall -Wextra -Werror -I"$KML_ROOT/libkml/include")
for src in "$KML_ROOT"/libkml/src/*.c; do
	"$cc" "${flags[@]}" -Wvla -Wframe-larger-than=512 -ffreestanding \
		-c "$src" -o "$out/obj/$(basename "$src" .c).o"
done
"$cc" "${flags[@]}" -static "$KML_ROOT/tests/libkml/xarch.c" "$out"/obj/*.o \
	-o "$out/libkml_xarch"

"$native" >"$out/x86_64.txt"
qemu-aarch64 "$out/libkml_xarch" >"$out/aarch64.txt"
cat "$out/aarch64.txt"
if ! diff -u "$out/x86_64.txt" "$out/aarch64.txt"; then
	kml_log "aarch64 differs from x86_64 (diff above)"
	echo "0 passed, 1 failed"
	exit 1
fi
kml_log "aarch64 output is identical to x86_64"
