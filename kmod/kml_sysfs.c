// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/kml/: the module's global state. Attributes are declared with
 * one macro line each so adding a knob stays a one-line change.
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

#define KML_ATTR_RO(name) \
	static struct kobj_attribute kml_attr_##name = __ATTR_RO(name)

KML_ATTR_RO(version);
KML_ATTR_RO(abi_version);

static struct attribute *kml_attrs[] = {
	&kml_attr_version.attr,
	&kml_attr_abi_version.attr,
	NULL,
};

static const struct attribute_group kml_attr_group = {
	.attrs = kml_attrs,
};

int kml_sysfs_init(void)
{
	int ret;

	kml_kobj = kobject_create_and_add("kml", kernel_kobj);
	if (!kml_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(kml_kobj, &kml_attr_group);
	if (ret) {
		kobject_put(kml_kobj);
		kml_kobj = NULL;
	}
	return ret;
}

void kml_sysfs_exit(void)
{
	kobject_put(kml_kobj);	/* removes the group with the directory */
	kml_kobj = NULL;
}
