# kmld trains on real samples from kml-deadline under fio, reports held-out
# accuracy against the baselines and pushes a model the kernel accepts;
# killed in blocking mode, it does not take I/O down with it.
# kml-qemu: --profile sdcard --queue-depth 4 --timeout 400
. "$KML_GUEST_LIB"

Q=/sys/block/vda/queue
kml_insmod
echo kml-deadline >$Q/scheduler
echo 128 >$Q/nr_requests
mkdir -p /dev/shm/models

# 1. Train for 20 s on the mixed workload (500 samples suffice: the debug
# kernel delivers under 1000 in 20 s), push (policy always: the test is
# about the pipeline; the policy itself is tested in tests/kmld).
(kml_host env DEV=/dev/vda RUNTIME=40 /usr/bin/fio --eta=never --output=/dev/null \
	"$KML_HOST_ROOT/qemu/workloads/mixed.fio") &
fio=$!
# fio takes a while to start on a slow (debug) kernel: collect once it issues I/O.
kml_wait_for_io vda 100 60
kml_host "$KML_KMLD" --once --duration 20 --min-samples 500 --model linear --disk vda \
	--registry /dev/shm/models --report /dev/shm/report.json --push-policy always \
	--lock /dev/shm/kmld.lock || kml_fail "kmld --once"
kml_host /usr/bin/python3 -c 'import json,sys; r=json.load(open("/dev/shm/report.json")); print("\n".join(f"{k}: {v}" for k,v in sorted(r.items())))'
kml_expect_eq "a model was pushed" "$(kml_host /usr/bin/python3 -c 'import json; print(json.load(open("/dev/shm/report.json"))["pushed"])')" "True"
kml_expect "the kernel runs it" test "$(kml_sys model/commits)" -ge 1
kml_expect "held-out accuracy reported" kml_host /usr/bin/python3 -c \
	'import json; r=json.load(open("/dev/shm/report.json")); assert r["heldout_samples"] > 100 and 0 <= r["accuracy"] <= 1'
cp /dev/shm/report.json "$KML_RESULTS/kmld-report.json"
kml_host "$KML_KMLCTL" --registry /dev/shm/models model list || kml_fail "kmlctl model list"
kml_host "$KML_KMLCTL" --json status >/dev/null || kml_fail "kmlctl --json status"
wait $fio

# 2. Blocking mode: kmld as a daemon under fio, then SIGKILL; I/O must go on.
echo blocking >/sys/kernel/kml/mode
kml_host_prepare
(TMPDIR=/dev/shm exec chroot /host "$KML_KMLD" --foreground --registry /dev/shm/models \
	--lock /dev/shm/kmld.lock --push-policy never >/dev/shm/kmld.log 2>&1) &
kmld=$!
kml_wait_for "kmld attached" 20 grep -q 1 /sys/kernel/kml/consumer
p0=$(kml_sys produced)
(kml_host env DEV=/dev/vda RUNTIME=12 /usr/bin/fio --eta=never --output=/dev/null \
	"$KML_HOST_ROOT/qemu/workloads/mixed.fio") &
fio=$!
kml_wait_for "fio running" 30 sh -c "[ \$(cat /sys/kernel/kml/produced) -gt $((p0 + 2000)) ]"
kill -9 $kmld
t0=$(kml_now_ms)
kml_wait_for "consumer released" 2 grep -q 0 /sys/kernel/kml/consumer
r0=$(awk '{ print $1 + $5 }' /sys/block/vda/stat)
kml_wait_for "I/O goes on after kmld died" 2 sh -c "[ \$(awk '{ print \$1 + \$5 }' /sys/block/vda/stat) -gt $r0 ]"
echo "I/O progressing $(($(kml_now_ms) - t0)) ms after SIGKILL of kmld"
wait $fio || kml_fail "fio failed after kmld was killed"
cat /dev/shm/kmld.log
echo dropping >/sys/kernel/kml/mode
echo none >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
