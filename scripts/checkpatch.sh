#!/bin/bash
# Hold the kernel-side C (kmod/, libkml/) to the kernel's coding style with
# checkpatch.pl from the pinned 6.12 linux-source. Files as arguments, or all.
# Fails on any error or warning; KML_CHECKPATCH_STRICT=1 adds the CHECKs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KML_ROOT"

cp=$(kml_private_src "$(kml_kver 6.12)")/scripts/checkpatch.pl
[ -x "$cp" ] || [ -f "$cp" ] || kml_die "no $cp; run scripts/install-deps.sh"
if [ $# -eq 0 ]; then
	set -- kmod/*.c kmod/*.h kmod/uapi/*.h libkml/src/*.c libkml/include/kml/*.h
	# The generated vectors are data, not code written by hand.
	set -- $(printf '%s\n' "$@" | grep -v 'selftest_vectors.c')
fi
# Out of tree: no git tree to check against, no MAINTAINERS, no typedef
# warnings for the user-space half of compat.h, and version checks are the
# point of kml_elv_compat.h (one module for 6.1 and 6.12).
perl "$cp" --no-tree --file --terse --show-types \
	${KML_CHECKPATCH_STRICT:+--strict} \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,NEW_TYPEDEFS,CAMELCASE,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
	"$@"
