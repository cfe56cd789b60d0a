# kml-qemu: --profile sdcard --queue-depth 4 --timeout 1200
# One kml-deadline tunable swept in one boot, between the floor and
# mq-deadline, interleaved and repeated: does the default matter?
# Run: qemu/kml-qemu -r DIR [-e K=V ...] qemu/bench/sweep.sh  (TUNABLE, default
# window_us; VALUES, default "2000 4000 8000 16000"; WORKLOAD, default
# mixed; REPEATS, default 3; RUNTIME, default 8). Prints per run the first
# reading job's p99 total latency and the write MB/s; fio JSON to DIR.
. "$KML_GUEST_LIB"

TUNABLE=${TUNABLE:-window_us}
Q=/sys/block/vda/queue
kml_insmod
for r in $(seq "${REPEATS:-3}"); do
	for c in floor ${VALUES:-2000 4000 8000 16000} mq-deadline; do
		job=${WORKLOAD:-mixed}
		case $c in
		floor) echo mq-deadline >$Q/scheduler; job=floor ;;
		mq-deadline) echo mq-deadline >$Q/scheduler ;;
		*)
			echo kml-deadline >$Q/scheduler
			echo 1 >$Q/iosched/use_model
			echo "$c" >"$Q/iosched/$TUNABLE" || kml_fail "$TUNABLE $c"
			;;
		esac
		echo 128 >$Q/nr_requests
		kml_host env DEV=/dev/vda RUNTIME="${RUNTIME:-8}" /usr/bin/fio --eta=never \
			--output-format=json --output=/dev/shm/sweep.json \
			"$KML_HOST_ROOT/qemu/workloads/$job.fio" || kml_fail "fio, $c"
		cp /dev/shm/sweep.json "$KML_RESULTS/$c-$r.json"
		echo "repeat $r, $c: $(kml_host /usr/bin/python3 -c '
import json, sys
jobs = json.load(open(sys.argv[1]))["jobs"]
read = [j["read"] for j in jobs if j["read"]["io_bytes"]][0]
print("read p99 %.2f ms, writes %.1f MB/s" % (
    read["lat_ns"]["percentile"]["99.000000"] / 1e6,
    sum(j["write"]["bw_bytes"] for j in jobs) / 1e6))' /dev/shm/sweep.json)"
	done
done
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
