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
