#!/bin/bash
# The evaluation: for each workload, one boot, every scheduler interleaved,
# REPEATS times; then a table, summary.json and plots (scripts/bench-report.py).
#   -k SERIES     kernel (default 6.12)
#   -w LIST       workloads (default "mixed"; any qemu/workloads/*.fio)
#   -s LIST       schedulers (default "mq-deadline kml0 kml1 kmlt none bfq kyber floor";
#                 kml0/kml1: model off/on with the built-in model, kmlt: model
#                 trained by kmld on the workload first, floor: near-idle writer)
#   -t SECONDS    per fio run (default 12)
#   -n REPEATS    (default 3)
#   -T SECONDS    kmld training before the kmlt runs (default 20)
#   -i SHIFT|off  guest clock from instruction counts (qemu -icount shift=SHIFT):
#                 rates then measure CPU cost, free of the host's noise.
#                 Default: 0 for saturation (the scheduler's own cost), off
#                 for the others (device latency is host time, throttled)
#   -o DIR        results (default build/bench/<time>)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KML_ROOT"

series=6.12 workloads=mixed runtime=12 repeats=3 train=20 out="" icount=auto
scheds="mq-deadline kml0 kml1 kmlt none bfq kyber floor"
while getopts "k:w:s:t:n:T:i:o:h" o; do
	case $o in
	k) series=$OPTARG ;;
	w) workloads=$OPTARG ;;
	s) scheds=$OPTARG ;;
	t) runtime=$OPTARG ;;
	n) repeats=$OPTARG ;;
	T) train=$OPTARG ;;
	i) icount=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
kver=$(kml_kver "$series")
"$KML_ROOT/scripts/build-kmod.sh" "$kver" >/dev/null
# kmld trains the "kmlt" model inside the guest; kml-devtest switches models.
if [ ! -x build/userspace/kmld/kmld ] || [ ! -x build/tests/qemu/kml-devtest ]; then
	cmake -S . -B build -G Ninja >/dev/null
	cmake --build build --target kmld kml_devtest
fi
out=${out:-$KML_ROOT/build/bench/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
runs=$(($(echo $scheds | wc -w) * repeats))
for w in $workloads; do
	[ -f "qemu/workloads/$w.fio" ] || kml_die "no workload qemu/workloads/$w.fio"
	kml_log "$w on $kver: $runs runs of ${runtime} s ($scheds; $repeats repeats)"
	mkdir -p "$out/$w"
	dev=() clock=() shift=$icount slow=1
	# Saturation measures the scheduler itself: a null_blk with no latency.
	[ "$w" = saturation ] && dev=(--disk 0 -e DEV=nullb0
		--null-blk nr_devices=1,queue_mode=2,submit_queues=2,gb=4,irqmode=1)
	[ "$shift" = auto ] && { [ "$w" = saturation ] && shift=0 || shift=off; }
	case $shift in
	off) echo "host clock" >"$out/$w/clock" ;;
	*[!0-9]* | "") kml_die "-i takes a shift (0, 1, ...) or off" ;;
	*)	# One TCG thread for all vCPUs: several times slower in host time.
		clock=(--icount "$shift") slow=8
		echo "instruction-counted clock (qemu -icount shift=$shift)" >"$out/$w/clock" ;;
	esac
	kml_log "$w: $(cat "$out/$w/clock")"
	# Progress lines come from the guest console ("[n/N] ...").
	"$KML_ROOT/qemu/kml-qemu" -k "$kver" -r "$out/$w" "${clock[@]}" \
		--timeout $((runs * (runtime * slow + 15) + train * slow + 120)) \
		"${dev[@]}" \
		-e WORKLOAD="$w" -e RUNTIME="$runtime" -e REPEATS="$repeats" -e SCHEDS="$scheds" \
		-e TRAIN="$train" \
		-e KML_KMLD="$KML_ROOT/build/userspace/kmld/kmld" \
		-e KML_DEVTEST="$KML_ROOT/build/tests/qemu/kml-devtest" \
		"$KML_ROOT/qemu/bench/ab.sh" 2>&1 | grep --line-buffered -E '^\[[0-9]+/[0-9]+\]|^training|FAIL|error|exit [0-9]'
done
/usr/bin/python3 "$KML_ROOT/scripts/bench-report.py" "$out" | tee "$out/table.txt"
