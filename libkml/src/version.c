// SPDX-License-Identifier: GPL-2.0 OR MIT
/* libkml's version, so both sides can tell which library they carry. */
#include <kml/version.h>

const char *kml_lib_version(void)
{
	return KML_LIB_VERSION;
}
