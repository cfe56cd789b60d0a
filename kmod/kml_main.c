// SPDX-License-Identifier: GPL-2.0
/*
 * kml.ko: a learned I/O scheduler and the machinery that feeds it.
 * This file only wires the parts together in load and unload order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <kml/version.h>

#include "kml.h"

static int __init kml_init(void)
{
	int ret;

	ret = kml_sysfs_init();
	if (ret)
		return ret;

	pr_info("version %s (abi %d, libkml %s) loaded\n",
		KML_VERSION, KML_ABI_VERSION, kml_lib_version());
	return 0;
}

static void __exit kml_exit(void)
{
	kml_sysfs_exit();
	pr_info("unloaded\n");
}

module_init(kml_init);
module_exit(kml_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kml authors");
MODULE_DESCRIPTION("kml: learned I/O scheduling with in-kernel fixed-point models");
MODULE_VERSION(KML_VERSION);
