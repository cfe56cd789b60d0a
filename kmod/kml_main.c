// SPDX-License-Identifier: GPL-2.0
/*
 * kml.ko: a learned I/O scheduler and the machinery that feeds it.
 * This file only wires the parts together in load and unload order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <kml/selftest.h>
#include <kml/version.h>

#include "kml.h"
#include "kml_deadline.h"

static char kml_selftest_result[128];

/*
 * The user-space tests hold these same vectors against a double reference:
 * passing here proves the kernel build of libkml computes the same bits.
 */
static int kml_selftest_init(void)
{
	int ret = kml_selftest(kml_selftest_result,
			       sizeof(kml_selftest_result));

	if (ret) {
		pr_err("libkml self-test failed: %s\n", kml_selftest_result);
		return ret;
	}
	pr_info("libkml self-test passed\n");
	return 0;
}

static void kml_selftest_exit(void)
{
}

const char *kml_selftest_status(void)
{
	return kml_selftest_result;
}

/* Load order; unload runs it backwards. Producers go before the ring. */
static const struct {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
} kml_parts[] = {
	{ "selftest", kml_selftest_init, kml_selftest_exit },
	{ "weights", kml_weights_init, kml_weights_exit },
	{ "samples", kml_samples_init, kml_samples_exit },
	{ "sysfs", kml_sysfs_init, kml_sysfs_exit },
	{ "device", kml_dev_init, kml_dev_exit },
	{ "injector", kml_inject_init, kml_inject_exit },
	{ "shadow", kml_shadow_init, kml_shadow_exit },
	{ "kml-deadline", kml_deadline_init, kml_deadline_exit },
};

static void kml_exit_from(int i)
{
	while (--i >= 0)
		kml_parts[i].exit();
}

static int __init kml_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(kml_parts); i++) {
		ret = kml_parts[i].init();
		if (ret) {
			pr_err("%s: init failed (%d)\n", kml_parts[i].name, ret);
			kml_exit_from(i);
			return ret;
		}
	}
	pr_info("version %s (abi %d, libkml %s) loaded\n",
		KML_VERSION, KML_ABI_VERSION, kml_lib_version());
	return 0;
}

static void __exit kml_exit(void)
{
	kml_exit_from(ARRAY_SIZE(kml_parts));
	pr_info("unloaded\n");
}

module_init(kml_init);
module_exit(kml_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kml authors");
MODULE_DESCRIPTION("kml: learned I/O scheduling with in-kernel fixed-point models");
MODULE_VERSION(KML_VERSION);
