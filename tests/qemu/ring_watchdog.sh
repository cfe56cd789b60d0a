# Blocking mode must never hang I/O: a consumer that stops reading trips the
# watchdog, one that is killed releases the producers at once.
. "$KML_GUEST_LIB"

kml_insmod
echo 1024 >/sys/kernel/kml/ring_slots
echo 300 >/sys/kernel/kml/watchdog_ms
echo blocking >/sys/kernel/kml/mode

# 1. Stalled consumer: reads 500 samples, then sleeps for 5 s.
kml_devtest_bg /dev/shm/c.out consume 20000 --stall-after 500 --stall 5 --idle 2 --timeout 60
consumer=$KML_BG_PID
kml_wait_for "consumer attached" 20 grep -q 1 /sys/kernel/kml/consumer
kml_inject 20000 20000
kml_wait_for "watchdog to trip" 4 grep -q 1 /sys/kernel/kml/watchdog_tripped
kml_expect_eq "mode after the watchdog" "$(kml_sys mode)" "dropping"
kml_expect "watchdog said so in dmesg" sh -c 'dmesg | grep -q "consumer stalled for 300 ms in blocking mode"'
kml_inject_wait 30
wait "$consumer" || true
echo "stalled consumer: $(cat /dev/shm/c.out); dropped $(kml_sys dropped), trips $(kml_sys watchdog_trips)"
kml_expect "samples were dropped after the fallback" test "$(kml_sys dropped)" -gt 0

# 2. Killed consumer: blocking mode, a consumer that reads nothing, the ring
# fills and the injector is held back; SIGKILL must free it within 1 s.
echo 60000 >/sys/kernel/kml/watchdog_ms
echo blocking >/sys/kernel/kml/mode
kml_devtest_bg /dev/null hold 60
holder=$KML_BG_PID
kml_wait_for "holder attached" 20 grep -q 1 /sys/kernel/kml/consumer
kml_inject 5000
kml_wait_for "injector held back by the full ring" 10 sh -c \
	'[ "$(cat /sys/kernel/kml/queued)" = "$(cat /sys/kernel/kml/ring_slots)" ]'
sleep 0.5
kml_expect "injector is blocked, not dropping" sh -c '! grep -q "running 0" /sys/kernel/debug/kml/inject'
held=$(sed 's/.*sent \([0-9]*\).*/\1/' /sys/kernel/debug/kml/inject)
t0=$(kml_now_ms)
kill -9 "$holder"
kml_wait_for "injector to resume after the kill" 1 sh -c \
	"[ \$(sed 's/.*sent \([0-9]*\).*/\1/' /sys/kernel/debug/kml/inject) -gt $held ]"
echo "recovered $(($(kml_now_ms) - t0)) ms after SIGKILL"
wait "$holder" 2>/dev/null || true
kml_inject_wait 30
kml_expect_eq "watchdog did not need to trip" "$(kml_sys watchdog_tripped)" "0"
kml_rmmod
kml_expect_clean_dmesg
