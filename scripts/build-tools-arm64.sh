#!/usr/bin/env bash
# Cross-build kmld and kmlctl for arm64 (static, so they run on any arm64
# root: Raspberry Pi OS, Jetson Linux, the busybox guest of the arm64 tests).
#
#   scripts/build-tools-arm64.sh [BUILD_DIR]   (default build/aarch64)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$KML_ROOT/build/aarch64}
command -v aarch64-linux-gnu-g++ >/dev/null || kml_die "aarch64-linux-gnu-g++ missing; run scripts/install-deps.sh"
[ -f /usr/lib/aarch64-linux-gnu/liburing.a ] || kml_die "liburing-dev:arm64 missing; run scripts/install-deps.sh"

if [ ! -f "$out/CMakeCache.txt" ]; then
	cmake -S "$KML_ROOT" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		--toolchain "$KML_ROOT/cmake/aarch64-linux-gnu.cmake" -DKML_TOOLS_ONLY=ON >/dev/null
fi
cmake --build "$out" --target kmld kmlctl
for t in kmld/kmld kmlctl/kmlctl; do
	file -b "$out/userspace/$t" | grep -q 'ARM aarch64.*statically linked' ||
		kml_die "$out/userspace/$t is not a static arm64 executable"
done
kml_log "arm64 tools: $out/userspace/kmld/kmld $out/userspace/kmlctl/kmlctl"
