# kml-deadline on null_blk with two submit queues and timer completions
# (hrtimer context): data verifies, samples arrive, dmesg stays clean.
# kml-qemu: --disk 0 --null-blk nr_devices=1,queue_mode=2,submit_queues=2,gb=1,memory_backed=1,irqmode=2,completion_nsec=20000
. "$KML_GUEST_LIB"

Q=/sys/block/nullb0/queue
kml_insmod
kml_expect "at least two hardware queues" test "$(ls /sys/block/nullb0/mq | wc -l)" -ge 2
echo kml-deadline >$Q/scheduler
kml_expect "kml-deadline on nullb0" grep -q '\[kml-deadline\]' $Q/scheduler
kml_devtest_bg /dev/null hold 120
holder=$KML_BG_PID
kml_wait_for "consumer attached" 20 grep -q 1 /sys/kernel/kml/consumer
s0=$(kml_sys produced)
kml_host env DEV=/dev/nullb0 SIZE=32m /usr/bin/fio --eta=never --numjobs=1 \
	--output=/dev/shm/v.out "$KML_HOST_ROOT/qemu/workloads/verify.fio" ||
	{ cat /dev/shm/v.out; kml_fail "fio verify on null_blk"; }
kml_expect "no verify errors" sh -c '! grep -q "verify:" /dev/shm/v.out'
s1=$(kml_sys produced)
echo "samples: $((s1 - s0))"
kml_expect "samples from null_blk completions" test $((s1 - s0)) -gt 1000
cat $Q/iosched/stats
kill $holder
wait $holder || true
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
