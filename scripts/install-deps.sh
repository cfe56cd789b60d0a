#!/usr/bin/env bash
# Install everything kml needs on Debian 12 (as root), idempotently:
# build tools and libraries from apt, and for each kernel series one pinned
# version whose image, headers and linux-source all exist in the archive.
# The image is extracted into a cache (never installed into the host's /boot);
# the headers are installed with apt; the private block/*.h headers the
# elevator needs come from linux-source of exactly the same version.
# The PREEMPT_RT and arm64 builds of the same versions come along (arm64:
# dpkg's foreign architecture, image and headers extracted into the cache,
# built with the host's kbuild tools and the aarch64 cross compiler).
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --refresh  re-resolve the newest kernel versions
set -euo pipefail
. "$(dirname "$0")/lib.sh"

refresh=0 refresh_lists=0
case "${1:-}" in
--refresh) refresh=1 ;;
"") ;;
*) kml_die "usage: $0 [--refresh]" ;;
esac

[ "$(id -u)" = 0 ] || kml_die "run as root (apt-get and the kernel cache need it)"
grep -q '^12' /etc/debian_version 2>/dev/null ||
	kml_log "warning: not Debian 12 ($(cat /etc/debian_version 2>/dev/null || echo unknown)); continuing"

export DEBIAN_FRONTEND=noninteractive
PACKAGES=(
	build-essential cmake ninja-build pkg-config git
	kmod cpio xz-utils zstd bc flex bison libelf-dev libssl-dev dwarves sparse
	qemu-system-x86 qemu-utils fio busybox-static
	liburing-dev libgtest-dev libgmock-dev libbenchmark-dev
	libcli11-dev nlohmann-json3-dev libfmt-dev
	python3-numpy python3-matplotlib
	gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user clang
	qemu-system-arm dkms libfmt-dev:arm64 liburing-dev:arm64
)

apt_updated=0
# arm64 packages (the guest's busybox, kernels, the tools' libraries) need
# dpkg to know the architecture, and apt's lists to include it.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	kml_log "dpkg --add-architecture arm64"
	dpkg --add-architecture arm64
	refresh_lists=1
fi
apt_update_once() {
	[ $apt_updated = 1 ] && return
	kml_log "apt-get update"
	apt-get update -qq || kml_log "warning: apt-get update reported errors (continuing with the lists we have)"
	apt_updated=1
}

# Print the packages of "$@" that are not installed.
missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

# apt-cache madison prints " pkg | version | source"; keep the versions.
versions_of() { apt-cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}'; }

# resolve_series SERIES -> "KVER VERSION": the newest image whose headers and
# linux-source exist in the same Debian version.
resolve_series() {
	local s=$1 re pkg kver v srcvers hdrvers
	case "$s" in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) kml_die "no resolver for kernel series $s" ;;
	esac
	srcvers=$(versions_of "linux-source-$s")
	for pkg in $(apt-cache search --names-only "$re" | awk '{print $1}' | sort -rV); do
		kver=${pkg#linux-image-}
		hdrvers=$(versions_of "linux-headers-$kver")
		for v in $(versions_of "$pkg"); do
			if grep -qxF "$v" <<<"$srcvers" && grep -qxF "$v" <<<"$hdrvers"; then
				echo "$kver $v"
				return 0
			fi
		done
	done
	return 1
}

resolve_pins() {
	local s key kver ver tmp
	apt_update_once
	tmp=$(mktemp)
	echo "# Pinned by scripts/install-deps.sh on $(date -u +%F); --refresh re-resolves." >"$tmp"
	for s in $KML_SERIES_ALL; do
		read -r kver ver < <(resolve_series "$s") ||
			kml_die "no linux-image/linux-headers/linux-source triple of one version for $s"
		key=$(kml_series_key "$s")
		kml_log "kernel $s pinned to $kver ($ver)"
		printf 'KML_KVER_%s=%s\nKML_KPKG_%s=%s\n' "$key" "$kver" "$key" "$ver" >>"$tmp"
	done
	mkdir -p "$KML_CACHE"
	mv "$tmp" "$KML_PINS"
}

# download_deb PACKAGE VERSION ARCH DIR: the .deb of exactly that version.
download_deb() {
	local pkg=$1 ver=$2 arch=$3 dir=$4
	(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg:$arch=$ver" >/dev/null) ||
		kml_die "cannot download $pkg:$arch=$ver"
}

# extract_deb PACKAGE VERSION ARCH DEST: DEST holds exactly that package's files.
extract_deb() {
	local tmp
	tmp=$(mktemp -d)
	download_deb "$1" "$2" "$3" "$tmp"
	rm -rf "$4"
	mkdir -p "$4"
	dpkg-deb -x "$tmp"/*.deb "$4"
	rm -rf "$tmp"
}

# Extract the image package into the cache so the guest can boot it.
fetch_image() {
	local kver=$1 ver=$2 dir root
	dir=$(kml_kdir "$kver")
	root=$(kml_image_root "$kver")
	[ -f "$dir/.image-$ver" ] && return
	kml_log "fetching linux-image-$kver $ver"
	extract_deb "linux-image-$kver" "$ver" "$(kml_arch "$kver")" "$root"
	depmod -b "$root" "$kver"
	[ -f "$(kml_vmlinuz "$kver")" ] || kml_die "image package of $kver has no vmlinuz"
	touch "$dir/.image-$ver"
}

# Headers of the other flavours are extracted, not installed: arm64 ones
# cannot be (their kbuild tools would be arm64 binaries), and installing the
# RT ones would pull the RT image into the host's /boot. Each flavour package
# is small; point it at the host's linux-headers-*-common(-rt) and
# linux-kbuild of the same version, installed with apt (both are for every
# architecture).
fetch_flavour_headers() {
	local kver=$1 ver=$2 dir hdr l t
	dir=$(kml_kdir "$kver")
	hdr=$(kml_headers "$kver")
	[ -f "$dir/.headers-$ver" ] && return
	kml_log "fetching linux-headers-$kver $ver"
	extract_deb "linux-headers-$kver" "$ver" "$(kml_arch "$kver")" "$dir/headers"
	for l in "$hdr"/*; do
		[ -L "$l" ] || continue
		t=$(readlink "$l")
		case "$t" in ../../lib/*) ln -sfn "/usr/lib/${t#../../lib/}" "$l" ;; esac
		[ -e "$l" ] || kml_die "$l -> $(readlink "$l"): missing on the host (amd64 headers of $ver?)"
	done
	grep -Eq "^include /usr/src/linux-headers-.*-common(-rt)?/Makefile" "$hdr/Makefile" ||
		kml_die "unexpected $hdr/Makefile"
	[ -f "$(sed -n 's/^include //p' "$hdr/Makefile")" ] ||
		kml_die "$hdr needs $(sed -n 's/^include //p' "$hdr/Makefile")"
	touch "$dir/.headers-$ver"
}

# The arm64 guest's PID 1 shell: Debian's static busybox for arm64.
fetch_arm64_busybox() {
	local bb tmp ver
	bb=$KML_CACHE/arm64/busybox
	[ -x "$bb" ] && return
	kml_log "fetching busybox-static:arm64"
	ver=$(apt-cache policy busybox-static:arm64 | awk '/Candidate:/ {print $2}')
	tmp=$(mktemp -d)
	extract_deb busybox-static "$ver" arm64 "$tmp/x"
	mkdir -p "$(dirname "$bb")"
	cp "$tmp/x/bin/busybox" "$bb.tmp"
	mv "$bb.tmp" "$bb"
	rm -rf "$tmp"
}

# The elevator API lives in block/*.h, which headers packages leave out.
# checkpatch.pl and its data files come along: kernel code is held to it.
fetch_private_headers() {
	local s=$1 kver=$2 ver=$3 dir src tmp
	dir=$(kml_kdir "$kver")
	src=$(kml_private_src "$kver")
	[ -f "$dir/.src-$ver" ] && [ -f "$src/scripts/checkpatch.pl" ] && return
	kml_log "fetching block/*.h and checkpatch from linux-source-$s $ver (~150 MB, once)"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-source-$s=$ver" >/dev/null)
	rm -rf "$src"
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-*.deb |
		tar -xO "./usr/src/linux-source-$s.tar.xz" |
		tar -xJ -C "$src" --strip-components=1 --wildcards "linux-source-$s/block/*.h" \
			"linux-source-$s/scripts/checkpatch.pl" "linux-source-$s/scripts/spelling.txt" \
			"linux-source-$s/scripts/const_structs.checkpatch"
	rm -rf "$tmp"
	[ -f "$src/block/elevator.h" ] || kml_die "linux-source-$s $ver has no block/elevator.h"
	echo "$ver" >"$src/VERSION"
	touch "$dir/.src-$ver"
}

start=$(date +%s)
[ $refresh_lists = 1 ] && apt_update_once
if [ $refresh = 1 ] || [ ! -r "$KML_PINS" ]; then
	resolve_pins
fi
kml_load_pins

want=("${PACKAGES[@]}")
for s in $KML_SERIES_ALL; do
	kver=$(kml_kver "$s")
	# The RT flavour's headers need their own (architecture-free) common part.
	want+=("linux-headers-$kver" "linux-headers-${kver%-amd64}-common-rt")
done
mapfile -t missing < <(missing_packages "${want[@]}")
if [ ${#missing[@]} -gt 0 ]; then
	apt_update_once
	kml_log "apt-get install ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	kml_log "apt packages: all ${#want[@]} present"
fi

for s in $KML_SERIES_ALL; do
	kver=$(kml_kver "$s")
	ver=$(kml_kpkg "$kver")
	fetch_image "$kver" "$ver"
	fetch_private_headers "$s" "$kver" "$ver"
	kml_log "kernel $s: $kver ready (image, headers, block/*.h)"
done
for k in $KML_KERNELS_RT $KML_KERNELS_ARM64; do
	kver=$(kml_kver "$k")
	ver=$(kml_kpkg "$kver")
	fetch_image "$kver" "$ver"
	fetch_flavour_headers "$kver" "$ver"
	kml_log "kernel $k: $kver ready"
done
fetch_arm64_busybox
kml_log "dependencies ready in $(($(date +%s) - start)) s (cache: $KML_CACHE)"
