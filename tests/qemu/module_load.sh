# kml.ko loads, shows its version in sysfs and modinfo, and unloads clean.
. "$KML_GUEST_LIB"

# The PREEMPT_RT runs (KML_EXPECT_RT=1) must really be on an RT kernel.
if [ "${KML_EXPECT_RT:-0}" = 1 ]; then
	kml_expect "PREEMPT_RT kernel ($(uname -v))" sh -c 'uname -v | grep -q PREEMPT_RT'
fi
kml_insmod
kml_expect "module listed" grep -q '^kml ' /proc/modules
kml_expect "load message" sh -c 'dmesg | grep -q "kml: version .* loaded"'
kml_expect_eq "sysfs version" "$(cat /sys/kernel/kml/version)" \
	"$(kml_host /sbin/modinfo -F version "$KML_KO_HOST")"
kml_expect_eq "sysfs abi_version" "$(cat /sys/kernel/kml/abi_version)" \
	"$(sed -n 's/^#define KML_ABI_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$KML_ROOT/kmod/uapi/kml.h")"
kml_expect_eq "libkml self-test in the kernel" "$(cat /sys/kernel/kml/selftest)" "ok"
kml_expect "self-test message" sh -c 'dmesg | grep -q "kml: libkml self-test passed"'
kml_expect "sysfs version is read-only" sh -c '! echo 9 2>/dev/null >/sys/kernel/kml/version'
kml_rmmod
kml_expect "sysfs gone after rmmod" test ! -e /sys/kernel/kml
kml_expect "unload message" sh -c 'dmesg | grep -q "kml: unloaded"'
kml_expect_clean_dmesg
