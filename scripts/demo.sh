#!/bin/bash
# The demo: install what is missing, build kml.ko for Linux 6.12, boot it in
# QEMU on an SD-card-like disk and run the mixed workload (a 4 KiB random
# reader beside a 128 KiB checkpoint writer) under mq-deadline and under
# kml-deadline, interleaved in one boot, plus the floor (the same reader
# beside a near-idle writer). Prints the table and writes the plots.
#   -k SERIES (default 6.12)  -t SECONDS per run (default 8)  -n REPEATS (3)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KML_ROOT"

series=6.12 runtime=8 repeats=3
while getopts "k:t:n:h" o; do
	case $o in
	k) series=$OPTARG ;;
	t) runtime=$OPTARG ;;
	n) repeats=$OPTARG ;;
	*) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done

t0=$SECONDS
"$KML_ROOT/scripts/install-deps.sh"
kver=$(kml_kver "$series")
"$KML_ROOT/scripts/build-kmod.sh" "$kver"
out=$KML_ROOT/build/demo/$(date +%Y%m%d-%H%M%S)
"$KML_ROOT/scripts/bench.sh" -k "$kver" -w mixed -s "mq-deadline kml1 floor" \
	-t "$runtime" -n "$repeats" -o "$out"
cat <<EOT

kml-deadline: model on (the built-in prior until kmld trains one);
floor: the same reader beside a 1 MB/s writer, the best any scheduler could do.
p99x and wMBx are ratios to mq-deadline measured in the same boot.
EOT
kml_log "demo done in $((SECONDS - t0)) s; results in $out"
