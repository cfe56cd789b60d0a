# shellcheck shell=bash
# Shared by every script: where the caches live and which kernels are pinned.
# Source it; it defines functions and variables only.

KML_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and extracted kernel trees survive fresh clones on the same machine.
KML_CACHE=${KML_CACHE:-/var/cache/kml}
KML_PINS=$KML_CACHE/kernels.env
KML_SERIES_ALL="6.12 6.1"

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

# kml_kver SERIES -> the pinned kernel release, e.g. 6.12.117+deb12-amd64.
# Accepts a full release too, so every tool takes either.
kml_kver() {
	local s=$1 key
	case "$s" in
	*-amd64) echo "$s"; return ;;
	esac
	kml_load_pins
	key=KML_KVER_$(kml_series_key "$s")
	[ -n "${!key:-}" ] || kml_die "unknown kernel series '$s' (pinned: $KML_SERIES_ALL)"
	echo "${!key}"
}

kml_kdir() { echo "$KML_CACHE/kernels/$1"; }               # per-release cache
kml_image_root() { echo "$(kml_kdir "$1")/image"; }         # extracted image package
kml_vmlinuz() { echo "$(kml_image_root "$1")/boot/vmlinuz-$1"; }
kml_private_src() { echo "$(kml_kdir "$1")/src"; }          # holds block/*.h
kml_headers() { echo "/usr/src/linux-headers-$1"; }
kml_kmod_build() { echo "$KML_ROOT/build/kmod-$1"; }        # one folder per kernel
