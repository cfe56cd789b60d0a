# kml-qemu: --profile sdcard --queue-depth 4 --timeout 400
# Edge-inference with the model load paced just under the device's read cap:
# does a bulk stream that leaves the throttle slack let the lookups through?
# Run: qemu/kml-qemu -r DIR [-e K=V ...] qemu/bench/paced.sh  (RATE, default 76m;
# REPEATS, default 2; RUNTIME, default 6; BULK_KB: kml-deadline's bulk_read_kb;
# SCHEDS, default "kml-deadline mq-deadline"). Prints, per scheduler and rate,
# each job's p50/p99 total latency and MB/s; the fio JSON goes to DIR.
. "$KML_GUEST_LIB"

RATE=${RATE:-76m}
Q=/sys/block/vda/queue
kml_insmod
for r in $(seq "${REPEATS:-2}"); do
	for s in ${SCHEDS:-kml-deadline mq-deadline}; do
		for rate in unpaced "$RATE"; do
			echo "$s" >$Q/scheduler
			# Requests wait in the scheduler (none: capped by the tags).
			echo 128 2>/dev/null >$Q/nr_requests || true
			[ "$s" != kml-deadline ] || [ -z "${BULK_KB:-}" ] ||
				echo "$BULK_KB" >$Q/iosched/bulk_read_kb
			pace=""
			[ "$rate" = unpaced ] || pace=--rate=$rate
			kml_host env DEV=/dev/vda RUNTIME="${RUNTIME:-6}" /usr/bin/fio --eta=never \
				--output-format=json --output=/dev/shm/paced.json $pace \
				"$KML_HOST_ROOT/qemu/workloads/edge-inference.fio" ||
				kml_fail "fio under $s, $rate"
			cp /dev/shm/paced.json "$KML_RESULTS/$s-$rate-$r.json"
			echo "$s, model load $rate, repeat $r: $(kml_host /usr/bin/python3 -c '
import json, sys
for job in json.load(open(sys.argv[1]))["jobs"]:
    r = job["read"]
    p = r["lat_ns"]["percentile"]
    print("%s p50 %.1f p99 %.1f ms %.1f MB/s;" % (job["jobname"],
          p["50.000000"] / 1e6, p["99.000000"] / 1e6, r["bw_bytes"] / 1e6), end=" ")
' /dev/shm/paced.json)"
		done
	done
done
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
