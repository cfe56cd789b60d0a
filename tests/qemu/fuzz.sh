# Every user input of kml.ko at once, seeded: kml-fuzz on /dev/kml (random
# ioctls, mmaps, ring-tail garbage, mutated weight blobs) and on every
# writable file of /sys/kernel/kml and of kml-deadline's iosched folder, while
# fio writes and verifies and the scheduler is switched back and forth; then
# opens and closes racing with rmmod and insmod. The kernel must stay clean
# (the harness fails on any oops, KASAN report, lockdep splat, hung task), the
# data intact, and the module working afterwards.
# KML_FUZZ_SECONDS (default 20) and KML_FUZZ_SEED (default 1) set the run.
# kml-qemu: --queue-depth 4 --timeout 500
. "$KML_GUEST_LIB"

Q=/sys/block/vda/queue
secs=${KML_FUZZ_SECONDS:-20}
seed=${KML_FUZZ_SEED:-1}
[ -n "${KML_FUZZ:-}" ] || kml_fail "KML_FUZZ not set (run through ctest)"

kml_insmod
echo kml-deadline >$Q/scheduler
kml_verify_start /dev/vda 32m

# 1. Both fuzzers and a scheduler switcher at once, for $secs seconds.
kml_host "$KML_FUZZ" --seconds "$secs" --seed "$seed" dev >/dev/shm/dev.out 2>&1 &
dev=$!
kml_host "$KML_FUZZ" --seconds "$secs" --seed "$((seed + 100))" sysfs --threads 2 \
	/sys/kernel/kml $Q/iosched >/dev/shm/sysfs.out 2>&1 &
sysfs=$!
end=$(($(kml_now_ms) + secs * 1000))
switches=0
while [ "$(kml_now_ms)" -lt $end ]; do
	echo mq-deadline >$Q/scheduler
	sleep 0.3
	echo kml-deadline >$Q/scheduler
	sleep 0.7
	switches=$((switches + 2))
done
wait $dev || kml_fail "kml-fuzz dev: $(cat /dev/shm/dev.out)"
wait $sysfs || kml_fail "kml-fuzz sysfs: $(cat /dev/shm/sysfs.out)"
cat /dev/shm/dev.out /dev/shm/sysfs.out
cp /dev/shm/dev.out /dev/shm/sysfs.out "$KML_RESULTS/"
echo "scheduler switches during the fuzz: $switches"
echo dropping >/sys/kernel/kml/mode
echo 1000 >/sys/kernel/kml/watchdog_ms
kml_verify_check

# 2. Opens and closes racing with rmmod and insmod (no disk uses kml).
echo mq-deadline >$Q/scheduler
for r in $(seq 8); do
	kml_host "$KML_FUZZ" --seconds 1 --seed "$((seed + r))" dev >/dev/shm/race.out 2>&1 &
	racer=$!
	sleep 0.$((r % 5))
	n=0
	until rmmod kml 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 100 ] || kml_fail "rmmod refused for 5 s after the racer ($(cat /dev/shm/race.out))"
		sleep 0.05
	done
	wait $racer || kml_fail "racer $r: $(cat /dev/shm/race.out)"
	kml_insmod
done
echo "rmmod/insmod rounds racing with the fuzzer: 8"

# 3. The module still works: self-test, a valid commit, the scheduler.
kml_expect_eq "self-test" "$(kml_sys selftest)" ok
kml_expect_eq "a valid commit" "$(kml_devtest commit linear --version 424242)" ok
kml_expect_eq "model version" "$(kml_sys model/version)" 424242
echo kml-deadline >$Q/scheduler
dd if=/dev/vda of=/dev/null bs=4k count=256 iflag=direct 2>/dev/null || kml_fail "reads after the fuzz"
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
