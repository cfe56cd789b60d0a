# Helpers for guest test scripts; source with: . "$KML_GUEST_LIB"
# A script passes by exiting 0. kml_fail prints why and exits 1.
set -eu

kml_fail() {
	echo "FAIL: $*"
	exit 1
}

# kml_expect DESCRIPTION COMMAND... : run COMMAND, fail with DESCRIPTION if it fails.
kml_expect() {
	local what=$1
	shift
	"$@" || kml_fail "$what (command: $*)"
}

# kml_expect_eq DESCRIPTION GOT WANT
kml_expect_eq() {
	[ "$2" = "$3" ] || kml_fail "$1: got '$2', want '$3'"
	echo "ok: $1 = '$2'"
}

kml_insmod() {
	[ -n "${KML_KO:-}" ] || kml_fail "no kml.ko in this guest (harness --module none?)"
	insmod "$KML_KO" "$@" || kml_fail "insmod kml.ko $*"
}

kml_rmmod() {
	rmmod kml || kml_fail "rmmod kml"
}

# Make the host root usable as a chroot: the guest's /dev, /proc and /sys
# bind-mounted into it, and a writable TMPDIR. Idempotent.
kml_host_prepare() {
	local d
	# /host/tmp stays the host's own: the checkout may live there. Host
	# programs get a writable scratch in /dev/shm (TMPDIR) instead.
	mkdir -p /dev/shm
	grep -q " /dev/shm " /proc/mounts || mount -t tmpfs tmpfs /dev/shm
	for d in dev proc sys; do
		grep -q " /host/$d " /proc/mounts || mount -o rbind "/$d" "/host/$d"
	done
}

# kml_host COMMAND...: run a host program (fio, kmld, ...) inside the guest.
# Give COMMAND as an absolute path: busybox prefers its own applets by name.
kml_host() {
	kml_host_prepare
	TMPDIR=/dev/shm chroot /host "$@"
}

# Lines of the kernel log that a healthy run never shows (the harness checks
# the console too; this lets a script fail at the step that caused it).
kml_dmesg_errors() {
	dmesg | grep -E 'Oops|BUG:|WARNING: CPU:|scheduling while atomic|blocked for more than|general protection fault' || true
}

kml_expect_clean_dmesg() {
	local bad
	bad=$(kml_dmesg_errors)
	[ -z "$bad" ] || kml_fail "kernel log shows errors: $bad"
	echo "ok: dmesg clean"
}

# kml_sys NAME: a value from /sys/kernel/kml/NAME.
kml_sys() {
	cat "/sys/kernel/kml/$1"
}

# kml_sys_rejects NAME VALUE: writing VALUE must fail and change nothing.
kml_sys_rejects() {
	local before
	before=$(kml_sys "$1")
	if echo "$2" 2>/dev/null >"/sys/kernel/kml/$1"; then
		kml_fail "sysfs $1 accepted '$2'"
	fi
	kml_expect_eq "$1 unchanged after '$2'" "$(kml_sys "$1")" "$before"
}

# kml_wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND every 50 ms.
kml_wait_for() {
	local what=$1 n=$(($2 * 20))
	shift 2
	while ! "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || kml_fail "timed out waiting for: $what"
		sleep 0.05
	done
}

# kml_wait_for_io DEV COUNT SECONDS: until DEV completed COUNT reads and
# writes (a workload started in the background is really issuing I/O).
kml_wait_for_io() {
	kml_wait_for "I/O on $1" "$3" sh -c "[ \$(awk '{ print \$1 + \$5 }' /sys/block/$1/stat) -gt $2 ]"
}

# kml_now_ms: milliseconds since boot (busybox date has no %N).
kml_now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# kml_devtest ARGS...: the /dev/kml test tool (tests/qemu/tools), run from the host.
kml_devtest() {
	[ -n "${KML_DEVTEST:-}" ] || kml_fail "KML_DEVTEST not set (run through ctest)"
	kml_host "$KML_DEVTEST" "$@"
}

# kml_inject COUNT [RATE]: start the debugfs injector; kml_inject_wait waits for it.
kml_inject() {
	grep -q " /sys/kernel/debug " /proc/mounts || mount -t debugfs none /sys/kernel/debug
	echo "$*" >/sys/kernel/debug/kml/inject
}

kml_inject_done() {
	grep -q "running 0" /sys/kernel/debug/kml/inject
}

kml_inject_wait() {
	kml_wait_for "injector to finish ($(cat /sys/kernel/debug/kml/inject))" "$1" kml_inject_done
}

# kml_devtest_bg OUTFILE ARGS...: kml_devtest in the background; its own PID
# (not a wrapping shell's, so kill reaches it) is left in KML_BG_PID.
kml_devtest_bg() {
	local out=$1
	shift
	kml_host_prepare
	(TMPDIR=/dev/shm exec chroot /host "$KML_DEVTEST" "$@" >"$out") &
	KML_BG_PID=$!
}

# kml_verify_start DEV SIZE [FIO ARGS...]: qemu/workloads/verify.fio (crc32c)
# on DEV in the background (PID in KML_VERIFY_PID); returns once its first
# writes reached the disk. kml_verify_check waits for it and fails the script
# on a non-zero fio status or any verify error.
kml_verify_start() {
	local dev=$1 size=$2 stat
	shift 2
	stat=/sys/block/${dev#/dev/}/stat
	(kml_host env DEV="$dev" SIZE="$size" /usr/bin/fio --eta=never --output=/dev/shm/v.out "$@" \
		"$KML_HOST_ROOT/qemu/workloads/verify.fio"; echo $? >/dev/shm/v.rc) &
	KML_VERIFY_PID=$!
	kml_wait_for "fio started" 30 sh -c "[ \"\$(awk '{ print \$5 }' $stat)\" -gt 0 ]"
}

kml_verify_check() {
	wait "$KML_VERIFY_PID" || true
	grep -E "err=|READ:|WRITE:" /dev/shm/v.out || true
	kml_expect_eq "fio verify status" "$(cat /dev/shm/v.rc)" "0"
	kml_expect "no verify errors" sh -c '! grep -q "verify:" /dev/shm/v.out'
}
