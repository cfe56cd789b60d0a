#!/usr/bin/env bash
# dkms.conf works: DKMS (Debian's dkms, in private trees so the host's
# /var/lib/dkms and /lib/modules stay untouched) refuses with a clear message
# when the private block headers are missing, then builds and installs
# kml.ko for a pinned kernel from its headers, and the module it installed
# loads and passes its self-test in that kernel under QEMU.
#
#   tests/dkms/dkms.sh KERNEL [QEMU_RESULTS_DIR]
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -ge 1 ] || kml_die "usage: $0 KERNEL [QEMU_RESULTS_DIR]"
kver=$(kml_kver "$1")
results=${2:-}
command -v dkms >/dev/null || kml_die "dkms missing; run scripts/install-deps.sh"
[ "$(id -u)" = 0 ] || kml_die "dkms needs root"

fail() {
	echo "FAIL: $*"
	exit 1
}

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$KML_ROOT/dkms.conf")
kml_ver=$(sed -n 's/^#define KML_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$KML_ROOT/kmod/uapi/kml.h")
[ "$ver" = "$kml_ver" ] || fail "dkms.conf PACKAGE_VERSION $ver != KML_VERSION $kml_ver"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/kml-$ver" "$work/dkms" "$work/modules/$kver"
# What a user's checkout holds for the module (dkms add copies it likewise).
cp -r "$KML_ROOT"/{dkms.conf,Kbuild,kmod,libkml,scripts} "$work/src/kml-$ver/"
trees=(--sourcetree "$work/src" --dkmstree "$work/dkms" --installtree "$work/modules")
# readelf's warnings about the kernel's .comment section are dkms's noise.
quiet() { "$@" 2> >(grep -v "^readelf: Warning" >&2); }

quiet dkms add -m kml -v "$ver" "${trees[@]}"

# 1. No private headers anywhere: the build must fail and say why.
if KML_PRIVATE_SRC="" quiet dkms build -m kml -v "$ver" -k "$kver" "${trees[@]}" >"$work/out" 2>&1; then
	fail "dkms build succeeded without block/*.h"
fi
grep -q "no block/\*.h for $kver" "$work/dkms/kml/$ver/build/make.log" ||
	fail "no clear message in make.log: $(tail -5 "$work/dkms/kml/$ver/build/make.log")"
echo "ok: without block/*.h dkms refuses: $(grep -m1 'no block' "$work/dkms/kml/$ver/build/make.log")"

# 2. With them: build and install.
KML_PRIVATE_SRC=$(kml_private_src "$kver") quiet dkms install --no-depmod \
	-m kml -v "$ver" -k "$kver" "${trees[@]}"
quiet dkms status -m kml "${trees[@]}" | grep -q "kml/$ver, $kver, .*: installed" ||
	fail "dkms status: $(dkms status -m kml "${trees[@]}" 2>&1)"
ko=$(find "$work/modules/$kver" -name 'kml.ko*' | head -n 1)
[ -n "$ko" ] || fail "nothing installed under $work/modules/$kver"
case "$ko" in
*.xz) xz -dc "$ko" >"$work/kml.ko" ;;
*.zst) zstd -qdc "$ko" >"$work/kml.ko" ;;
*) cp "$ko" "$work/kml.ko" ;;
esac
want=$(modinfo -F vermagic "$(kml_kmod_build "$kver")/kml.ko" 2>/dev/null ||
	modinfo -F vermagic "$(find "$(kml_image_root "$kver")/lib/modules/$kver/kernel/drivers/block" -name 'null_blk.ko*' | head -n 1)")
[ "$(modinfo -F vermagic "$work/kml.ko")" = "$want" ] || fail "vermagic '$(modinfo -F vermagic "$work/kml.ko")' != '$want'"
echo "ok: dkms installed $(basename "$ko") for $kver (vermagic '$want')"

# 3. The module DKMS built runs in that kernel.
"$KML_ROOT/qemu/kml-qemu" -q -k "$kver" --module "$work/kml.ko" --disk 0 \
	${results:+-r "$results"} "$KML_ROOT/tests/qemu/module_load.sh" ||
	fail "the dkms-built kml.ko did not pass module_load in QEMU"

quiet dkms remove -m kml -v "$ver" --all "${trees[@]}" >/dev/null
[ -z "$(find "$work/modules/$kver" -name 'kml.ko*')" ] || fail "dkms remove left the module installed"
echo "ok: dkms remove"
