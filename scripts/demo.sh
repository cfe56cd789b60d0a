#!/bin/bash
# The demo: install what is missing, build kml.ko for Linux 6.12, boot it in
# QEMU on a throttled SD-card-like disk, run the mixed workload and print the
# results. Options: -k SERIES (default 6.12), -t SECONDS per fio run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KML_ROOT"

series=6.12 runtime=8
while getopts "k:t:h" o; do
	case $o in
	k) series=$OPTARG ;;
	t) runtime=$OPTARG ;;
	*) sed -n '2,4p' "$0"; exit 2 ;;
	esac
done

t0=$SECONDS
"$KML_ROOT/scripts/install-deps.sh"
kver=$(kml_kver "$series")
"$KML_ROOT/scripts/build-kmod.sh" "$kver"
out=$KML_ROOT/build/demo/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
kml_log "demo results go to $out"
"$KML_ROOT/qemu/kml-qemu" -q -k "$kver" -r "$out" -e RUNTIME="$runtime" \
	"$KML_ROOT/qemu/demo/fio-short.sh"
echo "--- fio, inside the guest (mq-deadline) ---"
cat "$out/fio.txt"
echo "--- summary ---"
/usr/bin/python3 "$KML_ROOT/scripts/fio-table.py" "$out/fio.json" mq-deadline | tee "$out/table.txt"
kml_log "demo done in $((SECONDS - t0)) s; results in $out"
