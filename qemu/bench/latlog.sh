# kml-qemu: --profile sdcard --queue-depth 4
# A workload under each scheduler with fio's per-I/O latency logs, for
# studies the kernel's samples cannot support (what was issued around a
# request, by any job). Run: qemu/kml-qemu -r DIR [-e K=V ...]
# qemu/bench/latlog.sh (WORKLOAD, default mixed; RUNTIME, default 12; SCHEDS, default
# "kml-deadline mq-deadline"; kml-deadline runs with use_model 1). Logs:
# DIR/<sched>_lat.<job>.log, one line per I/O: completion ms, total latency
# ns, direction, bytes, offset. Analysis: scripts/latency-features.py.
. "$KML_GUEST_LIB"

Q=/sys/block/vda/queue
kml_insmod
for s in ${SCHEDS:-kml-deadline mq-deadline}; do
	echo "$s" >$Q/scheduler
	[ "$s" != kml-deadline ] || echo 1 >$Q/iosched/use_model
	# Requests wait in the scheduler (none: capped by the tags).
	echo 128 2>/dev/null >$Q/nr_requests || true
	echo "$s: ${WORKLOAD:-mixed} for ${RUNTIME:-12} s"
	kml_host env DEV=/dev/vda RUNTIME="${RUNTIME:-12}" /usr/bin/fio --eta=never \
		--output=/dev/null --write_lat_log="/dev/shm/$s" --log_offset=1 \
		"$KML_HOST_ROOT/qemu/workloads/${WORKLOAD:-mixed}.fio" ||
		kml_fail "fio under $s"
	cp /dev/shm/"$s"_lat.*.log "$KML_RESULTS/"
done
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
