#!/usr/bin/env bash
# Fuzz the model blob validator with libFuzzer (clang, ASan + UBSan), seeded
# with the self-test's valid blobs. Prints libFuzzer's progress and, at the
# end, how many inputs ran in how long.
#
#   scripts/fuzz-blob.sh [-n RUNS (10000000)] [-t MAX_SECONDS] [-o OUT_DIR]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=10000000
max_time=0
out=$KML_ROOT/build/fuzz-blob
while getopts n:t:o: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	t) max_time=$OPTARG ;;
	o) out=$OPTARG ;;
	*) kml_die "usage: $0 [-n RUNS] [-t MAX_SECONDS] [-o OUT_DIR]" ;;
	esac
done
command -v clang >/dev/null || kml_die "clang missing; run scripts/install-deps.sh"

mkdir -p "$out/corpus" "$out/seeds"
inc=(-I"$KML_ROOT/libkml/include")
kml_log "building the fuzzer in $out"
clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined "${inc[@]}" \
	"$KML_ROOT"/libkml/src/*.c "$KML_ROOT/tests/libkml/fuzz_blob.c" \
	-o "$out/fuzz_blob"
clang -std=gnu11 -O1 "${inc[@]}" "$KML_ROOT"/libkml/src/*.c \
	"$KML_ROOT/tests/libkml/blob_seeds.c" -o "$out/blob_seeds"
"$out/blob_seeds" "$out/seeds"

kml_log "fuzzing: $runs runs (max_total_time=$max_time s)"
t0=$(date +%s.%N)
# -print_final_stats gives the exact count of inputs that ran.
set +e
"$out/fuzz_blob" -runs="$runs" -max_total_time="$max_time" \
	-max_len=4096 \
	-print_final_stats=1 -artifact_prefix="$out/" \
	"$out/corpus" "$out/seeds" 2>&1 | tee "$out/fuzz.log" |
	grep -E --line-buffered '^#[0-9]+.*(pulse|NEW|REDUCE|DONE)|ERROR|stat::number_of_executed_units|Done'
rc=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N)
[ "$rc" = 0 ] || kml_die "the fuzzer failed (rc $rc): see $out/fuzz.log and $out/crash-*"
n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
kml_log "$(awk -v n="$n" -v a="$t0" -v b="$t1" \
	'BEGIN { printf "%d inputs in %.1f s (%.0f/s), no crash", n, b - a, n / (b - a) }')"
