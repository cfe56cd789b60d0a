# /dev/kml guards its door: root only, one consumer, exact mmap, rmmod
# refused while open; sysfs refuses bad values and keeps the old ones.
. "$KML_GUEST_LIB"

kml_insmod
kml_expect_eq "device mode" "$(stat -c %a /dev/kml)" "600"
kml_expect_eq "non-root open" \
	"$(kml_host /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups "$KML_DEVTEST" open)" "EACCES"
kml_expect_eq "root open" "$(kml_devtest open)" "ok"

kml_devtest_bg /dev/shm/hold.out hold 30
holder=$KML_BG_PID
kml_wait_for "holder attached" 20 grep -q 1 /sys/kernel/kml/consumer
kml_expect_eq "second open" "$(kml_devtest open)" "EBUSY"
kml_expect "rmmod refused while /dev/kml is open" sh -c '! rmmod kml 2>/dev/null'
kml_sys_rejects ring_slots 4096
kill "$holder"
wait "$holder" || true
kml_wait_for "holder gone" 20 grep -q 0 /sys/kernel/kml/consumer

kml_expect "bad mmaps give EINVAL" kml_devtest bad-mmap

kml_sys_rejects mode sometimes
kml_sys_rejects mode ""
kml_sys_rejects ring_slots 1000
kml_sys_rejects ring_slots 32
kml_sys_rejects ring_slots 4194304
kml_sys_rejects ring_slots -1
kml_sys_rejects watchdog_ms 0
kml_sys_rejects watchdog_ms abc
kml_sys_rejects produced 5
echo 4096 >/sys/kernel/kml/ring_slots
kml_expect_eq "ring resized" "$(kml_sys ring_slots)" "4096"
echo blocking >/sys/kernel/kml/mode
kml_expect_eq "mode set" "$(kml_sys mode)" "blocking"
echo dropping >/sys/kernel/kml/mode

kml_rmmod
kml_expect_clean_dmesg
