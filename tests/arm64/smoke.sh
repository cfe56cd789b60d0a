# kml on arm64 (the Raspberry Pi 4's Cortex-A72, emulated): the module loads
# and passes its self-test, kml-deadline schedules real I/O with the model on
# without corrupting data, and the arm64 builds of kmld and kmlctl train on
# the kernel's samples, push a model and export samples. No fio here: the
# guest's programs are busybox (arm64) and the static tools from /host.
# kml-qemu: --disk 256M --timeout 400
. "$KML_GUEST_LIB"

Q=/sys/block/vda/queue
KMLD=/host$KML_KMLD_ARM64
KMLCTL=/host$KML_KMLCTL_ARM64

kml_expect_eq "CPU part (Cortex-A72)" \
	"$(sed -n 's/^CPU part[[:space:]]*: //p' /proc/cpuinfo | sort -u)" 0xd08
kml_expect "arm64 kmlctl is runnable" "$KMLCTL" --help >/dev/null

kml_insmod
kml_expect_eq "libkml self-test in the kernel" "$(kml_sys selftest)" ok
echo kml-deadline >$Q/scheduler
kml_expect "kml-deadline selected" grep -q '\[kml-deadline\]' $Q/scheduler
echo 1 >$Q/iosched/use_model

# 8 MiB of random data at the start of the disk; the load below never
# writes there, and it is read back at the end.
dd if=/dev/urandom of=/tmp/pattern bs=1M count=8 status=none
dd if=/tmp/pattern of=/dev/vda bs=128k oflag=direct conv=fsync status=none
kml_expect "pattern written" dd if=/dev/vda of=/tmp/back bs=128k count=64 iflag=direct status=none
kml_expect "pattern reads back" cmp /tmp/pattern /tmp/back

# io_load SECONDS: one 8 MiB direct writer and four 4 KiB direct random
# readers, as processes (busybox dd), in the background; PIDs in LOAD_PIDS.
io_load() {
	local end i
	end=$(($(kml_now_ms) + $1 * 1000))
	LOAD_PIDS=""
	(while [ "$(kml_now_ms)" -lt $end ]; do
		dd if=/dev/zero of=/dev/vda bs=128k count=64 seek=$((64 + RANDOM % 1900)) \
			oflag=direct status=none || exit 1
	done) &
	LOAD_PIDS="$LOAD_PIDS $!"
	for i in 1 2 3 4; do
		(while [ "$(kml_now_ms)" -lt $end ]; do
			dd if=/dev/vda of=/dev/null bs=4k count=1 skip=$((4096 + RANDOM)) \
				iflag=direct status=none || exit 1
		done) &
		LOAD_PIDS="$LOAD_PIDS $!"
	done
}

io_wait() {
	local p
	for p in $LOAD_PIDS; do
		wait "$p" || kml_fail "I/O load process $p failed"
	done
}

# kmld (arm64) collects samples for 10 s, trains, and pushes its model.
mkdir -p /tmp/models
io_load 14
kml_expect "kmld --once" "$KMLD" --once --duration 10 --model linear --disk vda \
	--min-samples 200 --registry /tmp/models --report /tmp/report.json \
	--push-policy always --lock /tmp/kmld.lock
io_wait
cat /tmp/report.json
cp /tmp/report.json "$KML_RESULTS/kmld-report-arm64.json"
kml_expect "kmld pushed its model" grep -q '"pushed": *true' /tmp/report.json
kml_expect "the kernel runs it" test "$(kml_sys model/commits)" -ge 1
kml_expect "the registry holds it" "$KMLCTL" --registry /tmp/models model list

# kmlctl (arm64) reads samples from the ring while the load runs.
io_load 8
kml_expect "kmlctl export" "$KMLCTL" export --count 300 --out /tmp/samples.csv --timeout 30
io_wait
kml_expect "300 samples exported" test "$(grep -c . /tmp/samples.csv)" -gt 300
head -n 3 /tmp/samples.csv
"$KMLCTL" status
"$KMLCTL" --json status >/dev/null || kml_fail "kmlctl --json status"

stats=$(cat $Q/iosched/stats)
echo "$stats"
kml_expect "the model made decisions" test "$(echo "$stats" | sed -n 's/^decisions //p')" -gt 0
kml_expect "samples counted" test "$(echo "$stats" | sed -n 's/^samples //p')" -gt 300

kml_expect "the load left the pattern alone" dd if=/dev/vda of=/tmp/back bs=128k count=64 \
	iflag=direct status=none
kml_expect "pattern intact after the load" cmp /tmp/pattern /tmp/back
echo mq-deadline >$Q/scheduler
kml_rmmod
kml_expect_clean_dmesg
