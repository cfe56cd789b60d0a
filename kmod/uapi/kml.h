/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * kml user/kernel ABI: the one header included unchanged by kml.ko and by
 * user space (kmld, kmlctl, tests). Every later interface (/dev/kml ring,
 * weights region, ioctls) is defined here and nowhere else.
 */
#ifndef _UAPI_KML_H
#define _UAPI_KML_H

#include <linux/types.h>

/* Release of kml.ko, shown in /sys/kernel/kml/version and modinfo. */
#define KML_VERSION		"0.1.0"

/*
 * ABI revision: bumped on any incompatible change to this header, so user
 * space can refuse to talk to a module it does not understand.
 */
#define KML_ABI_VERSION		1

/* sysfs root of the module's global state. */
#define KML_SYSFS_DIR		"/sys/kernel/kml"

#endif /* _UAPI_KML_H */
