#!/bin/bash
# The test command: install what is missing, build everything (user space and
# kml.ko for every pinned kernel), run unit tests, then the QEMU integration
# tests on each kernel. Extra arguments go to ctest (e.g. -L qemu, -R libkml).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KML_ROOT"

t0=$SECONDS
"$KML_ROOT/scripts/install-deps.sh"
kml_log "configuring build/"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
kml_log "building (user space, arm64 tools, kml.ko for: $KML_KERNELS_EVERY)"
cmake --build build -j "$(nproc)"
kml_log "running tests ($((SECONDS - t0)) s so far)"
# QEMU tests are RUN_SERIAL: they never overlap with each other. ctest's
# summary is the last thing printed and its status is ours.
exec ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
