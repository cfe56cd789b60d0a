# kml-qemu: --profile sdcard --queue-depth 4
# A/B in one boot: the mixed workload under each scheduler, interleaved.
# Env: RUNTIME (s, default 8), REPEATS (default 1), SCHEDS (list; kml-deadline
# variants are kml0 = use_model 0, kml1 = use_model 1).
. "$KML_GUEST_LIB"

RUNTIME=${RUNTIME:-8}
REPEATS=${REPEATS:-1}
SCHEDS=${SCHEDS:-"mq-deadline kml0 kml1"}
Q=/sys/block/vda/queue
kml_insmod
for r in $(seq "$REPEATS"); do
	for s in $SCHEDS; do
		case $s in
		kml0 | kml1)
			echo kml-deadline >$Q/scheduler
			echo "${s#kml}" >$Q/iosched/use_model ;;
		*) echo "$s" >$Q/scheduler ;;
		esac
		echo 128 >$Q/nr_requests
		out=$KML_RESULTS/$s-$r.json
		kml_host env DEV=/dev/vda RUNTIME="$RUNTIME" /usr/bin/fio --eta=never \
			--output-format=json --output=/dev/shm/fio.json \
			"$KML_HOST_ROOT/qemu/workloads/mixed.fio" || kml_fail "fio under $s"
		cp /dev/shm/fio.json "$out"
		[ -r $Q/iosched/stats ] && [ "${s#kml}" != "$s" ] && cp $Q/iosched/stats "$KML_RESULTS/$s-$r.stats"
		echo "done: $s repeat $r"
	done
done
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
