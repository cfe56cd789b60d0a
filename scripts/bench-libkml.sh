#!/usr/bin/env bash
# libkml benchmarks in one go: build, run Google Benchmark (inference, ops,
# the shapes of bench/shapes.txt), time the same shapes with NumPy, and
# print one table with the ratio.
#
#   scripts/bench-libkml.sh [BUILD_DIR (build)] [MIN_TIME_S (0.2)]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build=${1:-$KML_ROOT/build}
min_time=${2:-0.2}
# NumPy comes from Debian's python3-numpy, which the pyenv python3 lacks.
py=/usr/bin/python3
"$py" -c 'import numpy' 2>/dev/null || kml_die "$py has no numpy; run scripts/install-deps.sh"

[ -f "$build/CMakeCache.txt" ] ||
	cmake -S "$KML_ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target libkml_bench >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

kml_log "Google Benchmark (min_time $min_time s per case)"
"$build/bench/libkml_bench" --benchmark_min_time="$min_time" \
	--benchmark_out="$tmp/kml.json" --benchmark_out_format=json >/dev/null
kml_log "NumPy $("$py" -c 'import numpy; print(numpy.__version__)')"
"$py" "$KML_ROOT/bench/numpy_bench.py" "$KML_ROOT/bench/shapes.txt" >"$tmp/numpy.json"

"$py" - "$tmp/kml.json" "$tmp/numpy.json" <<'PY'
import json, sys
kml = json.load(open(sys.argv[1]))["benchmarks"]
ref = json.load(open(sys.argv[2]))
print(f"{'benchmark':40} {'libkml ns':>12} {'numpy ns':>12} {'ratio':>7}")
for b in kml:
    ns = b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
    name = b["name"]
    if name in ref:
        print(f"{name:40} {ns:12.1f} {ref[name]:12.1f} {ref[name] / ns:6.2f}x")
    else:
        print(f"{name:40} {ns:12.1f}")
print("ratio = numpy time / libkml time (> 1: libkml is faster)")
PY
