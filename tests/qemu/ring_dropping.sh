# Dropping mode with a consumer that reads nothing drops exactly what does
# not fit; mode switches under load keep the accounting exact.
. "$KML_GUEST_LIB"

kml_insmod
echo 1024 >/sys/kernel/kml/ring_slots
kml_devtest_bg /dev/null hold 60
holder=$KML_BG_PID
kml_wait_for "holder attached" 20 grep -q 1 /sys/kernel/kml/consumer
kml_inject 100000
kml_inject_wait 60
kml_expect_eq "produced" "$(kml_sys produced)" "100000"
kml_expect_eq "dropped" "$(kml_sys dropped)" "$((100000 - 1024))"
kml_expect_eq "queued" "$(kml_sys queued)" "1024"
kill "$holder"
wait "$holder" || true
kml_wait_for "holder gone" 20 grep -q 0 /sys/kernel/kml/consumer
kml_expect_eq "the 1024 kept samples are the first ones, in order" \
	"$(kml_devtest consume 1024 --timeout 30)" "consumed 1024 torn 0 gaps 0"

# Under load: 200 k samples at 100 k/s while the mode flips every 100 ms.
kml_devtest_bg /dev/shm/consume.out consume 200000 --idle 2 --timeout 60
consumer=$KML_BG_PID
kml_wait_for "consumer attached" 20 grep -q 1 /sys/kernel/kml/consumer
before_p=$(kml_sys produced)
before_c=$(kml_sys consumed)
before_d=$(kml_sys dropped)
kml_inject 200000 100000
i=0
while ! kml_inject_done; do
	[ $((i % 2)) = 0 ] && echo blocking >/sys/kernel/kml/mode || echo dropping >/sys/kernel/kml/mode
	i=$((i + 1))
	sleep 0.1
done
echo dropping >/sys/kernel/kml/mode
echo "mode flipped $i times"
wait "$consumer" || true	# it stops 2 s after the last sample
cat /dev/shm/consume.out
p=$(($(kml_sys produced) - before_p))
c=$(($(kml_sys consumed) - before_c))
d=$(($(kml_sys dropped) - before_d))
q=$(kml_sys queued)
kml_expect_eq "all 200000 offered" "$p" "200000"
kml_expect_eq "produced = consumed + dropped + queued" "$p" "$((c + d + q))"
kml_expect "no torn samples" grep -q "torn 0" /dev/shm/consume.out
kml_rmmod
kml_expect_clean_dmesg
