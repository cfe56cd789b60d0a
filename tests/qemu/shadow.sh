# Shadow mode: a disk that keeps mq-deadline still yields samples with
# predictions, and not one scheduling decision moves to kml.
# kml-qemu: --profile sdcard --queue-depth 4
. "$KML_GUEST_LIB"

Q=/sys/block/vda/queue
devt=$(cat /sys/block/vda/dev)
kml_insmod
echo mq-deadline >$Q/scheduler
kml_sys_rejects shadow "bogus"
kml_sys_rejects shadow "-$devt"
echo "$devt" >/sys/kernel/kml/shadow
kml_expect "attached" grep -q "^$devt samples 0" /sys/kernel/kml/shadow
kml_sys_rejects shadow "$devt"
kml_devtest_bg /dev/shm/c.out consume 1000000 --idle 3 --timeout 60 --flags
consumer=$KML_BG_PID
kml_wait_for "consumer attached" 20 grep -q 1 /sys/kernel/kml/consumer
kml_host env DEV=/dev/vda RUNTIME=4 /usr/bin/fio --eta=never --output=/dev/null \
	"$KML_HOST_ROOT/qemu/workloads/mixed.fio"
wait "$consumer" || true
cat /sys/kernel/kml/shadow
kml_expect "mq-deadline still schedules vda" grep -q "\\[mq-deadline\\]" $Q/scheduler
n=$(sed -n "s/^$devt samples \([0-9]*\).*/\1/p" /sys/kernel/kml/shadow)
kml_expect "shadow samples ($n)" test "$n" -gt 1000
kml_expect_eq "every sample reached the ring" "$(kml_sys produced)" "$n"
kml_expect "consumer read shadow samples with predictions" grep -q "flags: shadow [1-9][0-9]* predicted [1-9]" /dev/shm/c.out
cat /dev/shm/c.out
echo "-$devt" >/sys/kernel/kml/shadow
kml_expect_eq "detached" "$(cat /sys/kernel/kml/shadow)" ""
p=$(kml_sys produced)
kml_host /usr/bin/fio --eta=never --name=r --filename=/dev/vda --direct=1 --rw=randread \
	--bs=4k --size=16m --runtime=1 --time_based --output=/dev/null
kml_expect_eq "no samples after detach" "$(kml_sys produced)" "$p"
echo "$devt" >/sys/kernel/kml/shadow
echo none >$Q/scheduler
kml_rmmod	# detaches the probes on its own
kml_expect_clean_dmesg
