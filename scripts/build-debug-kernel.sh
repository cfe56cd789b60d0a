#!/usr/bin/env bash
# Build a debug kernel for the QEMU guest from Debian's linux-source of the
# pinned 6.12 version: a small config (defconfig + kvm_guest.config, virtio,
# 9p, the stock schedulers) plus KASAN, lockdep (PROVE_LOCKING, PROVE_RCU),
# atomic-sleep checks, debug objects, kmemleak and fault injection — the
# checks Debian's kernels do not have. The result is cached by the hash of
# its configuration: a rebuild of an unchanged config takes seconds.
#
#   scripts/build-debug-kernel.sh            build (or reuse) it; prints the release
#   qemu/kml-qemu -k 6.12-debug SCRIPT       boot it
#   ./scripts/test-debug.sh                  the QEMU suite on it
#
# About 35 min on 2 cores the first time (most of it the kernel itself).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || kml_die "run as root (the kernel cache is in $KML_CACHE)"
base=$(kml_kver 6.12)
ver=$(kml_kpkg "$base")
series=6.12

# The options on top of defconfig + kvm_guest.config. -e: on, -m: module,
# -d: off. KCSAN cannot be combined with KASAN, so it is left out.
CONFIG_OPTS=(
	-e KASAN -e KASAN_INLINE -e KASAN_VMALLOC
	-e PROVE_LOCKING -e PROVE_RCU -e DEBUG_ATOMIC_SLEEP -e DEBUG_LOCKDEP
	-e DEBUG_OBJECTS -e DEBUG_OBJECTS_RCU_HEAD -e DEBUG_OBJECTS_WORK -e DEBUG_OBJECTS_TIMERS
	-e DEBUG_KMEMLEAK -e DEBUG_KMEMLEAK_AUTO_SCAN
	-e FAULT_INJECTION -e FAILSLAB -e FAIL_PAGE_ALLOC -e FAULT_INJECTION_DEBUG_FS
	-e FAULT_INJECTION_STACKTRACE_FILTER
	-e DEBUG_FS -e BLK_DEBUG_FS -e FTRACE -e BLK_DEV_IO_TRACE
	-e IO_URING -e DEVTMPFS -e TMPFS -e CONFIGFS_FS
	-e VIRTIO_PCI -e VIRTIO_BLK -e NET_9P -e NET_9P_VIRTIO -e 9P_FS
	-m BLK_DEV_NULL_BLK -m MQ_IOSCHED_KYBER -m IOSCHED_BFQ -e MQ_IOSCHED_DEADLINE
	-e MODULES -e MODULE_UNLOAD -d MODULE_SIG
	-e DEBUG_INFO_NONE -d DEBUG_INFO_BTF -d LOCALVERSION_AUTO
	--set-str LOCALVERSION -kml-debug
)

key=$( (echo "$ver"; printf '%s\n' "${CONFIG_OPTS[@]}") | sha1sum | cut -c1-12)
top=$KML_DEBUG_DIR
src=$top/linux-source-$series-$ver
out=$top/build-$key
mkdir -p "$top"

if [ -f "$out/.done" ]; then
	release=$(cat "$out/.done")
	kml_log "debug kernel $release: up to date (config $key)"
else
	command -v flex >/dev/null && command -v bison >/dev/null && command -v bc >/dev/null ||
		kml_die "flex, bison, bc missing; run scripts/install-deps.sh"
	t0=$SECONDS
	if [ ! -f "$src/Makefile" ]; then
		kml_log "fetching linux-source-$series $ver (~150 MB) and unpacking it (~1 min)"
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-source-$series=$ver" >/dev/null) ||
			kml_die "cannot download linux-source-$series=$ver"
		rm -rf "$src.tmp"
		mkdir -p "$src.tmp"
		dpkg-deb --fsys-tarfile "$tmp"/linux-source-*.deb |
			tar -xO "./usr/src/linux-source-$series.tar.xz" |
			tar -xJ -C "$src.tmp" --strip-components=1
		rm -rf "$tmp"
		mv "$src.tmp" "$src"
	fi
	rm -rf "$out"
	mkdir -p "$out"
	kml_log "configuring (config $key)"
	make -s -C "$src" O="$out" defconfig kvm_guest.config >/dev/null
	"$src/scripts/config" --file "$out/.config" "${CONFIG_OPTS[@]}"
	make -s -C "$src" O="$out" olddefconfig >/dev/null
	for opt in KASAN PROVE_LOCKING DEBUG_ATOMIC_SLEEP PROVE_RCU DEBUG_KMEMLEAK FAILSLAB; do
		grep -q "^CONFIG_$opt=y" "$out/.config" || kml_die "CONFIG_$opt did not stick (dependencies?)"
	done
	kml_log "building linux-source-$series $ver with $(nproc) jobs (~30 min)"
	# Progress: one line per minute with the number of objects built so far.
	(while sleep 60; do
		kml_log "  ... $(find "$out" -name '*.o' | wc -l) objects, $(((SECONDS - t0) / 60)) min"
	done) &
	ticker=$!
	trap 'kill $ticker 2>/dev/null || true' EXIT
	make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >"$out/build.log" 2>&1 ||
		{ tail -30 "$out/build.log"; kml_die "kernel build failed (log: $out/build.log)"; }
	kill $ticker 2>/dev/null || true
	release=$(cat "$out/include/config/kernel.release")
	case "$release" in *-kml-debug) ;; *) kml_die "unexpected kernel release '$release'" ;; esac

	# The harness's layout: an image root with boot/vmlinuz-<release> and
	# lib/modules/<release>, as for the Debian kernels.
	root=$(kml_image_root "$release")
	rm -rf "$root"
	mkdir -p "$root/boot"
	cp "$out/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$release"
	cp "$out/.config" "$root/boot/config-$release"
	make -s -C "$src" O="$out" INSTALL_MOD_PATH="$root" modules_install >/dev/null
	depmod -b "$root" "$release"
	echo "$release" >"$out/.done"
	kml_log "debug kernel $release built in $(((SECONDS - t0) / 60)) min"
fi
ln -sfn "$out" "$top/current"
echo "$release"
