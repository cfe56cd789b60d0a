# shellcheck shell=bash
# Shared by every script: where the caches live and which kernels are pinned.
# Source it; it defines functions and variables only.

KML_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and extracted kernel trees survive fresh clones on the same machine.
KML_CACHE=${KML_CACHE:-/var/cache/kml}
KML_PINS=$KML_CACHE/kernels.env
KML_SERIES_ALL="6.12 6.1"
# Other builds of the very same kernel versions (same package version as the
# pin): PREEMPT_RT (amd64) and arm64. A kernel is named SERIES or
# SERIES-FLAVOUR, e.g. 6.12-rt, 6.1-arm64.
KML_KERNELS_RT="6.12-rt 6.1-rt"
KML_KERNELS_ARM64="6.12-arm64 6.1-arm64"
KML_KERNELS_EVERY="$KML_SERIES_ALL $KML_KERNELS_RT $KML_KERNELS_ARM64"
# The debug kernel (KASAN, lockdep, ...) built by scripts/build-debug-kernel.sh
# from linux-source of the 6.12 pin: kernel 6.12-debug, release <x.y.z>-kml-debug.
KML_DEBUG_DIR=$KML_CACHE/debug

kml_log() { printf '\033[1m[kml]\033[0m %s\n' "$*" >&2; }
kml_die() { printf '\033[1;31m[kml] error:\033[0m %s\n' "$*" >&2; exit 1; }

# kml_series_key 6.12 -> 6_12 (usable in variable names)
kml_series_key() { echo "${1//./_}"; }

# Load the pins written by install-deps.sh, or fail with the fix.
kml_load_pins() {
	[ -r "$KML_PINS" ] || kml_die "no pinned kernels ($KML_PINS); run scripts/install-deps.sh first"
	# shellcheck source=/dev/null
	. "$KML_PINS"
}

# kml_kver KERNEL -> the pinned release: 6.12 -> 6.12.117+deb12-amd64,
# 6.12-rt -> 6.12.117+deb12-rt-amd64, 6.1-arm64 -> 6.1.0-57-arm64.
# Accepts a full release too, so every tool takes either.
kml_kver() {
	local s=$1 flavour="" key base
	case "$s" in
	*.*.*) echo "$s"; return ;;     # already a release (x.y.z-...)
	6.12-debug)
		[ -r "$KML_DEBUG_DIR/current/.done" ] ||
			kml_die "no debug kernel yet; run scripts/build-debug-kernel.sh"
		cat "$KML_DEBUG_DIR/current/.done"
		return
		;;
	*-rt) flavour=rt s=${s%-rt} ;;
	*-arm64) flavour=arm64 s=${s%-arm64} ;;
	esac
	kml_load_pins
	key=KML_KVER_$(kml_series_key "$s")
	[ -n "${!key:-}" ] || kml_die "unknown kernel '$1' (pinned: $KML_KERNELS_EVERY)"
	base=${!key%-amd64}
	case "$flavour" in
	"") echo "$base-amd64" ;;
	rt) echo "$base-rt-amd64" ;;
	arm64) echo "$base-arm64" ;;
	esac
}

# kml_base_kver RELEASE -> the amd64 generic release of the same version.
kml_base_kver() {
	local r=${1%-amd64}
	case "$1" in *-kml-debug) kml_kver 6.12; return ;; esac
	r=${r%-arm64}
	echo "${r%-rt}-amd64"
}

# kml_kpkg RELEASE -> the Debian package version pinned for it.
kml_kpkg() {
	local base s var
	base=$(kml_base_kver "$1")
	kml_load_pins
	for s in $KML_SERIES_ALL; do
		var=KML_KVER_$(kml_series_key "$s")
		[ "${!var}" = "$base" ] || continue
		var=KML_KPKG_$(kml_series_key "$s")
		echo "${!var}"
		return
	done
	kml_die "$1 is not a build of a pinned kernel ($KML_SERIES_ALL)"
}

# kml_arch RELEASE -> the Debian architecture it runs on.
kml_arch() {
	case "$1" in
	*-arm64) echo arm64 ;;
	*) echo amd64 ;;
	esac
}

kml_kdir() { echo "$KML_CACHE/kernels/$1"; }               # per-release cache
kml_image_root() { echo "$(kml_kdir "$1")/image"; }         # extracted image package
kml_vmlinuz() { echo "$(kml_image_root "$1")/boot/vmlinuz-$1"; }
# block/*.h: from linux-source, shared by every build of one version.
kml_private_src() { echo "$(kml_kdir "$(kml_base_kver "$1")")/src"; }
# Generic amd64 headers come from apt; RT and arm64 ones are extracted into
# the cache (scripts/install-deps.sh says why).
kml_headers() {
	case "$1" in
	*-kml-debug) echo "$KML_DEBUG_DIR/current" ;;   # the kernel's own build tree
	*-arm64 | *-rt-amd64) echo "$(kml_kdir "$1")/headers/usr/src/linux-headers-$1" ;;
	*) echo "/usr/src/linux-headers-$1" ;;
	esac
}
# The arm64 guest's busybox (the amd64 one is the host's /bin/busybox).
kml_busybox() {
	case "$(kml_arch "$1")" in
	arm64) echo "$KML_CACHE/arm64/busybox" ;;
	*) echo /bin/busybox ;;
	esac
}
kml_kmod_build() { echo "$KML_ROOT/build/kmod-$1"; }        # one folder per kernel
