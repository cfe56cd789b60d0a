/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the files of kml.ko. One file per concept;
 * each exports an init/exit pair called in order from kml_main.c.
 */
#ifndef KML_INTERNAL_H
#define KML_INTERNAL_H

#include "uapi/kml.h"

/* kml_sysfs.c: /sys/kernel/kml/ */
int kml_sysfs_init(void);
void kml_sysfs_exit(void);

#endif /* KML_INTERNAL_H */
