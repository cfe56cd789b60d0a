// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/kml/: the module's global state. This file owns the directory
 * and the identity attributes; every other part brings its own group.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "kml.h"

static struct kobject *kml_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", KML_VERSION);
}

static ssize_t abi_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", KML_ABI_VERSION);
}

static ssize_t selftest_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", kml_selftest_status());
}

#define KML_ATTR_RO(name) \
	static struct kobj_attribute kml_attr_##name = __ATTR_RO(name)

KML_ATTR_RO(version);
KML_ATTR_RO(abi_version);
KML_ATTR_RO(selftest);

static struct attribute *kml_attrs[] = {
	&kml_attr_version.attr,
	&kml_attr_abi_version.attr,
	&kml_attr_selftest.attr,
	NULL,
};

static const struct attribute_group kml_attr_group = {
	.attrs = kml_attrs,
};

static const struct attribute_group *kml_groups[] = {
	&kml_attr_group,
	&kml_samples_attr_group,	/* mode, ring, counters */
	&kml_weights_attr_group,	/* model/ */
	&kml_shadow_attr_group,		/* shadow */
	NULL,
};

int kml_sysfs_init(void)
{
	int ret;

	kml_kobj = kobject_create_and_add("kml", kernel_kobj);
	if (!kml_kobj)
		return -ENOMEM;

	ret = sysfs_create_groups(kml_kobj, kml_groups);
	if (ret) {
		kobject_put(kml_kobj);
		kml_kobj = NULL;
	}
	return ret;
}

void kml_sysfs_exit(void)
{
	kobject_put(kml_kobj);	/* removes the groups with the directory */
	kml_kobj = NULL;
}
