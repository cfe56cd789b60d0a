# Blocking mode loses nothing: 1 M injected samples, all read in order.
. "$KML_GUEST_LIB"

N=1000000
kml_insmod
echo blocking >/sys/kernel/kml/mode
# A small ring: the injector outruns the consumer and must be held back.
echo 1024 >/sys/kernel/kml/ring_slots
kml_devtest_bg /dev/shm/consume.out consume $N --timeout 240
consumer=$KML_BG_PID
kml_wait_for "consumer attached" 20 grep -q 1 /sys/kernel/kml/consumer
t0=$(date +%s)
kml_inject $N
kml_inject_wait 240
wait "$consumer" || { cat /dev/shm/consume.out; kml_fail "consumer"; }
cat /dev/shm/consume.out
echo "injector: $(cat /sys/kernel/debug/kml/inject); $(($(date +%s) - t0)) s"
kml_expect_eq "consumer saw every sample, in order" "$(cat /dev/shm/consume.out)" \
	"consumed $N torn 0 gaps 0"
kml_expect_eq "produced" "$(kml_sys produced)" "$N"
kml_expect_eq "consumed" "$(kml_sys consumed)" "$N"
kml_expect_eq "dropped" "$(kml_sys dropped)" "0"
kml_expect_eq "queued" "$(kml_sys queued)" "0"
kml_expect_eq "no watchdog" "$(kml_sys watchdog_tripped)" "0"
echo "stalls $(kml_sys stalls), blocked $(kml_sys blocked_ns) ns, wakeups $(kml_sys wakeups)"
echo "injector ticks held back: $(sed 's/.*held \([0-9]*\).*/\1/' /sys/kernel/debug/kml/inject)"
kml_rmmod
kml_expect_clean_dmesg
