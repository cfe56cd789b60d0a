# kml-qemu: --profile sdcard --queue-depth 4
# Demo for now: load kml.ko, then a short mixed fio run on the throttled
# virtio disk under mq-deadline; fio's own summary is printed from the guest.
. "$KML_GUEST_LIB"

RUNTIME=${RUNTIME:-8}
kml_insmod
echo "kml $(cat /sys/kernel/kml/version) loaded on $(uname -r)"
echo mq-deadline >/sys/block/vda/queue/scheduler
# Requests must wait in the scheduler, not for tags (BRIEF §3).
echo 128 >/sys/block/vda/queue/nr_requests
echo "scheduler: $(cat /sys/block/vda/queue/scheduler), nr_requests $(cat /sys/block/vda/queue/nr_requests)"
kml_host env DEV=/dev/vda RUNTIME="$RUNTIME" /usr/bin/fio --eta=never \
	--output-format=normal,json --output=/dev/shm/fio.out \
	"$KML_HOST_ROOT/qemu/workloads/mixed.fio" ||
	kml_fail "fio failed"
# fio writes both reports into one file (json first): split them at the
# json object's closing brace, which is the only '}' in column 0.
awk '/^[{]/ { j = 1 } j { print } /^[}]/ { exit }' /dev/shm/fio.out >"$KML_RESULTS/fio.json"
awk 'd { print } /^[}]/ { d = 1 }' /dev/shm/fio.out >"$KML_RESULTS/fio.txt"
cat "$KML_RESULTS/fio.txt"
kml_rmmod
kml_expect_clean_dmesg
