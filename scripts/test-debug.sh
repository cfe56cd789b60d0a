#!/usr/bin/env bash
# The QEMU suite on the debug kernel (scripts/build-debug-kernel.sh: KASAN,
# lockdep, atomic-sleep checks, debug objects, kmemleak): every
# tests/qemu/*.sh, in its own build tree (build-debug/). Any KASAN report,
# lockdep splat or "sleeping function called from invalid context" on the
# console fails the test that caused it (qemu/kml-qemu's crash patterns).
# Extra arguments go to ctest (e.g. -R elevator).
#
# The first run builds the kernel (~35 min on 2 cores); later runs reuse it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KML_ROOT"

t0=$SECONDS
"$KML_ROOT/scripts/install-deps.sh"
release=$("$KML_ROOT/scripts/build-debug-kernel.sh" | tail -n 1)
kml_log "debug kernel: $release"
cmake -S . -B build-debug -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DKML_KERNELS=6.12-debug -DKML_KERNELS_RT= -DKML_BUILD_ARM64=OFF \
	-DKML_QEMU_TEST_TIMEOUT=3600 >/dev/null
cmake --build build-debug -j "$(nproc)"
kml_log "running the QEMU tests on $release ($((SECONDS - t0)) s so far)"
# KASAN and lockdep slow the guest several times over: stretch the harness's
# timeouts. dkms needs an installed kernel's /lib/modules; bench asserts
# nothing here that the other tests do not.
export KML_QEMU_SLOW=6
exec ctest --test-dir build-debug --output-on-failure -L qemu -E '^(dkms|bench)\.' "$@"
