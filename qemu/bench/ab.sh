# kml-qemu: --profile sdcard --queue-depth 4
# A/B in one boot: a workload under each scheduler, interleaved, repeated.
# Env: WORKLOAD (job file in qemu/workloads, default mixed), RUNTIME (s,
# default 8), REPEATS (default 3), SCHEDS (default "mq-deadline kml1").
# Scheduler names: any of the kernel's, kml0/kml1 = kml-deadline with
# use_model 0/1 on the built-in model, kmlt = kml-deadline with a model kmld
# trained on this workload first (TRAIN seconds, default 20, with a round
# every TRAIN_EVERY seconds, default 3, for the accuracy history), floor =
# mq-deadline on floor.fio (near-idle writer).
# Results: $KML_RESULTS/<sched>-<repeat>.json (fio json+), .stats.
. "$KML_GUEST_LIB"

WORKLOAD=${WORKLOAD:-mixed}
RUNTIME=${RUNTIME:-8}
REPEATS=${REPEATS:-3}
SCHEDS=${SCHEDS:-"mq-deadline kml1"}
DEV=${DEV:-vda}
Q=/sys/block/$DEV/queue
kml_insmod
# The stock schedulers that are modules (the initramfs carries them).
. /kml/modules.sh
for m in kyber-iosched bfq; do
	grep -q "^${m%-iosched} \|^${m//-/_} " /proc/modules || kml_modprobe "$m" || true
done
runs=$((REPEATS * $(echo $SCHEDS | wc -w)))
n=0

# The running model: 0 is the built-in one; rollback swaps it with the
# trained one, so runs can alternate between them.
use_model_version() {
	[ "$(kml_sys model/version)" = "$1" ] && return
	kml_host "$KML_DEVTEST" rollback >/dev/null
	[ "$(kml_sys model/version)" = "$1" ] || kml_fail "cannot switch to model v$1"
}

trained=""
case " $SCHEDS " in
*" kmlt "*)
	echo kml-deadline >$Q/scheduler
	echo 128 >$Q/nr_requests
	echo "training: kmld on $WORKLOAD for ${TRAIN:-20} s"
	(kml_host env DEV=/dev/$DEV RUNTIME=$((${TRAIN:-20} + 5)) /usr/bin/fio --eta=never \
		--output=/dev/null "$KML_HOST_ROOT/qemu/workloads/$WORKLOAD.fio") &
	fio=$!
	# On a slow or busy host fio takes seconds to start: train on its I/O.
	kml_wait_for_io "$DEV" 100 60
	mkdir -p /dev/shm/models
	kml_host "$KML_KMLD" --once --duration "${TRAIN:-20}" --interval "${TRAIN_EVERY:-3}" \
		--model "${MODEL:-linear}" \
		--disk "$DEV" --registry /dev/shm/models --report /dev/shm/kmld.json \
		--push-policy always --lock /dev/shm/kmld.lock >/dev/null || kml_fail "kmld"
	cp /dev/shm/kmld.json "$KML_RESULTS/kmld-report.json"
	wait $fio
	trained=$(kml_sys model/version)
	[ "$trained" != 0 ] || kml_fail "kmld pushed no model"
	;;
esac
# Repeat r starts the list at its r-th scheduler: no scheduler always runs
# first (or right after the same neighbour) on the shared host.
rotated() {
	echo $SCHEDS | awk -v r="$1" '{ for (i = 0; i < NF; i++)
		printf "%s ", $((i + r - 1) % NF + 1) }'
}
for r in $(seq "$REPEATS"); do
	for s in $(rotated "$r"); do
		job=$WORKLOAD
		case $s in
		kml0 | kml1)
			[ -n "$trained" ] && use_model_version 0
			echo kml-deadline >$Q/scheduler
			echo "${s#kml}" >$Q/iosched/use_model ;;
		kmlt)
			use_model_version "$trained"
			echo kml-deadline >$Q/scheduler
			echo 1 >$Q/iosched/use_model ;;
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
