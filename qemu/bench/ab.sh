# kml-qemu: --profile sdcard --queue-depth 4
# A/B in one boot: a workload under each scheduler, interleaved, repeated.
# Env: WORKLOAD (job file in qemu/workloads, default mixed), RUNTIME (s,
# default 8), REPEATS (default 3), SCHEDS (default "mq-deadline kml1").
# Scheduler names: any of the kernel's, kml0/kml1 = kml-deadline with
# use_model 0/1, floor = mq-deadline on floor.fio (near-idle writer).
# Results: $KML_RESULTS/<sched>-<repeat>.json (fio json+), .stats.
. "$KML_GUEST_LIB"

WORKLOAD=${WORKLOAD:-mixed}
RUNTIME=${RUNTIME:-8}
REPEATS=${REPEATS:-3}
SCHEDS=${SCHEDS:-"mq-deadline kml1"}
DEV=${DEV:-vda}
Q=/sys/block/$DEV/queue
kml_insmod
modprobe kyber-iosched 2>/dev/null || true
modprobe bfq 2>/dev/null || true
runs=$((REPEATS * $(echo $SCHEDS | wc -w)))
n=0
for r in $(seq "$REPEATS"); do
	for s in $SCHEDS; do
		job=$WORKLOAD
		case $s in
		kml0 | kml1)
			echo kml-deadline >$Q/scheduler
			echo "${s#kml}" >$Q/iosched/use_model ;;
		floor) echo mq-deadline >$Q/scheduler; job=floor ;;
		*) echo "$s" >$Q/scheduler || kml_fail "no scheduler $s" ;;
		esac
		# Requests wait in the scheduler, not for tags (none: capped by the tags).
		echo 128 2>/dev/null >$Q/nr_requests || true
		n=$((n + 1))
		echo "[$n/$runs] $WORKLOAD: $s, repeat $r ($RUNTIME s)"
		kml_host env DEV=/dev/$DEV RUNTIME="$RUNTIME" /usr/bin/fio --eta=never \
			--output-format=json+ --output=/dev/shm/fio.json \
			"$KML_HOST_ROOT/qemu/workloads/$job.fio" || kml_fail "fio under $s"
		cp /dev/shm/fio.json "$KML_RESULTS/$s-$r.json"
		[ -r $Q/iosched/stats ] && cp $Q/iosched/stats "$KML_RESULTS/$s-$r.stats"
	done
done
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
