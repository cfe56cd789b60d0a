# kml-deadline under churn: while fio writes and verifies (crc32c), switch
# none <-> mq-deadline <-> kml-deadline 50 times, flip use_model and the ring
# mode, and swap weights. No corruption, no hang, no error, no oops.
# kml-qemu: --queue-depth 4
. "$KML_GUEST_LIB"

Q=/sys/block/vda/queue
kml_insmod
echo kml-deadline >$Q/scheduler
kml_verify_start /dev/vda 48m
i=0
for s in $(seq 50); do
	for sched in none mq-deadline kml-deadline; do
		echo $sched >$Q/scheduler
	done
	echo $((s % 2)) >$Q/iosched/use_model
	[ $((s % 3)) = 0 ] && echo blocking >/sys/kernel/kml/mode || echo dropping >/sys/kernel/kml/mode
	if [ $((s % 10)) = 0 ]; then
		kind=linear
		[ $((s % 20)) = 0 ] && kind=mlp
		kml_expect_eq "weights swap $s under I/O" "$(kml_devtest commit $kind --version $s)" "ok"
	fi
	i=$((i + 1))
done
echo "switched schedulers $((i * 3)) times"
echo dropping >/sys/kernel/kml/mode
kml_verify_check
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
