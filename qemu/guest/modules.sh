# Module loading inside the guest, without modprobe or depmod: the harness
# resolved each module's dependencies on the host (modprobe --show-depends)
# into /lib/kml-modules/deps/<name>, one module per line, in load order.
KML_MODDIR=/lib/kml-modules

# Parameters from the kernel command line ("virtio_blk.queue_depth=4"),
# applied at load as modprobe would.
kml_cmdline_params() {
	local m=$1 tok
	for tok in $(cat /proc/cmdline); do
		case "$tok" in
		"$m".*=*) printf '%s ' "${tok#"$m".}" ;;
		esac
	done
}

# kml_modprobe NAME [PARAM=VALUE...]: load NAME and what it needs.
kml_modprobe() {
	local top=$1 m
	shift
	[ -f "$KML_MODDIR/deps/$top" ] || { echo "kml_modprobe: $top is not in the initramfs" >&2; return 1; }
	for m in $(cat "$KML_MODDIR/deps/$top"); do
		[ -d "/sys/module/$(echo "$m" | tr - _)" ] && continue
		if [ "$m" = "$top" ]; then
			# shellcheck disable=SC2046
			insmod "$KML_MODDIR/$m.ko" $(kml_cmdline_params "$m") "$@" || return 1
		else
			# shellcheck disable=SC2046
			insmod "$KML_MODDIR/$m.ko" $(kml_cmdline_params "$m") || return 1
		fi
	done
}
