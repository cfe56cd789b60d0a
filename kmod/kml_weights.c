// SPDX-License-Identifier: GPL-2.0
/*
 * Model weights: user space writes a blob into a staging region it maps
 * from /dev/kml and commits it with an ioctl. The kernel copies the blob out
 * of user-writable memory first, validates the copy with libkml, builds the
 * model and swaps it in with RCU. The model it replaces is kept for one
 * rollback and freed after a grace period once it is replaced again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kml/blob.h>

#include "kml.h"
#include "kml_deadline.h"

static struct {
	void *staging;			/* vmalloc_user, mapped by user space */
	size_t staging_bytes;
	struct kml_model_box __rcu *cur;
	struct kml_model_box *prev;	/* for rollback; not seen by readers */
	struct mutex lock;		/* commit, rollback */
	u64 commits;
	u64 rejects;
	u64 rollbacks;
	int last_error;			/* enum kml_blob_err of the last reject */
} kml_w;

const struct kml_model_box *kml_model_current(void)
{
	return rcu_dereference(kml_w.cur);
}

size_t kml_weights_region_bytes(void)
{
	return kml_w.staging_bytes;
}

int kml_weights_mmap(struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start != kml_w.staging_bytes)
		return -EINVAL;
	return remap_vmalloc_range(vma, kml_w.staging, 0);
}

static void kml_weights_reject(int err)
{
	kml_w.rejects++;
	kml_w.last_error = err;
	pr_info_ratelimited("model blob rejected: %s\n",
			    kml_blob_strerror(err));
}

/*
 * Build a model from the first @size bytes of the staging region. Returns
 * the model, ERR_PTR(-ENOMEM), or ERR_PTR(-EINVAL) with the validator's
 * reason (a KML_BLOB_E* code, whose values overlap errnos) in @why.
 */
static struct kml_model_box *kml_weights_build(u32 size, int *why)
{
	struct kml_model_box *box;
	size_t model_size;
	void *copy;

	/* User space may still be writing: validate a private copy only. */
	copy = kvmalloc(size, GFP_KERNEL);
	if (!copy)
		return ERR_PTR(-ENOMEM);
	memcpy(copy, kml_w.staging, size);

	*why = kml_blob_check(copy, size, &model_size);
	if (*why) {
		box = ERR_PTR(-EINVAL);
		goto out;
	}
	box = kvzalloc(offsetof(struct kml_model_box, model) + model_size,
		       GFP_KERNEL);
	if (!box) {
		box = ERR_PTR(-ENOMEM);
		goto out;
	}
	*why = kml_blob_load(&box->model, model_size, copy, size);
	if (*why) {
		kvfree(box);
		box = ERR_PTR(-EINVAL);
	}
out:
	kvfree(copy);
	return box;
}

/* Validate and swap in the first @size bytes of the staging region. */
static int kml_weights_install(u32 size, bool user)
{
	struct kml_model_box *box, *old;
	int why = 0;

	if (size == 0 || size > kml_w.staging_bytes)
		return -EINVAL;

	mutex_lock(&kml_w.lock);
	box = kml_weights_build(size, &why);
	if (IS_ERR(box)) {
		if (PTR_ERR(box) == -EINVAL)
			kml_weights_reject(why);
		mutex_unlock(&kml_w.lock);
		return PTR_ERR(box);
	}
	if (user)
		kml_w.commits++;
	box->commit = kml_w.commits;
	old = kml_w.prev;
	kml_w.prev = rcu_dereference_protected(kml_w.cur,
					       lockdep_is_held(&kml_w.lock));
	rcu_assign_pointer(kml_w.cur, box);
	mutex_unlock(&kml_w.lock);

	/* Readers may still hold the model before last; free it later. */
	if (old)
		kvfree_rcu(old, rcu);
	pr_info("model v%u (%s, %u->%u) %s\n", box->model.version,
		box->model.kind == KML_MODEL_LINEAR ? "linear" : "mlp",
		box->model.n_in, box->model.n_out,
		user ? "committed" : "built in");
	return 0;
}

int kml_weights_commit(u32 size)
{
	return kml_weights_install(size, true);
}

/* Swap the running model with the one before it. */
int kml_weights_rollback(void)
{
	struct kml_model_box *cur, *prev;
	u32 version;

	mutex_lock(&kml_w.lock);
	prev = kml_w.prev;
	if (!prev) {
		mutex_unlock(&kml_w.lock);
		return -ENOENT;
	}
	cur = rcu_dereference_protected(kml_w.cur,
					lockdep_is_held(&kml_w.lock));
	rcu_assign_pointer(kml_w.cur, prev);
	kml_w.prev = cur;
	kml_w.rollbacks++;
	version = prev->model.version;
	mutex_unlock(&kml_w.lock);
	pr_info("rolled back to model v%u\n", version);
	return 0;
}

void kml_weights_reset_counters(void)
{
	mutex_lock(&kml_w.lock);
	kml_w.commits = 0;
	kml_w.rejects = 0;
	kml_w.rollbacks = 0;
	kml_w.last_error = 0;
	mutex_unlock(&kml_w.lock);
}

/* --- sysfs: /sys/kernel/kml/model/ ------------------------------------ */

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	const struct kml_model_box *box;
	ssize_t n;

	rcu_read_lock();
	box = kml_model_current();
	n = sysfs_emit(buf, "%u\n", box ? box->model.version : 0);
	rcu_read_unlock();
	return n;
}

static ssize_t kind_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	const struct kml_model_box *box;
	const char *kind = "none";
	ssize_t n;

	rcu_read_lock();
	box = kml_model_current();
	if (box)
		kind = box->model.kind == KML_MODEL_LINEAR ? "linear" : "mlp";
	n = sysfs_emit(buf, "%s\n", kind);
	rcu_read_unlock();
	return n;
}

static ssize_t shape_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	const struct kml_model_box *box;
	ssize_t n = 0;
	int i;

	rcu_read_lock();
	box = kml_model_current();
	if (!box) {
		n = sysfs_emit(buf, "none\n");
	} else {
		n = sysfs_emit_at(buf, n, "%u", box->model.n_in);
		for (i = 0; i < box->model.n_layers; i++)
			n += sysfs_emit_at(buf, n, "->%u",
					   box->model.layer[i].n_out);
		n += sysfs_emit_at(buf, n, "\n");
	}
	rcu_read_unlock();
	return n;
}

static ssize_t last_error_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	int err = READ_ONCE(kml_w.last_error);

	return sysfs_emit(buf, "%d %s\n", err,
			  err ? kml_blob_strerror(err) : "none");
}

#define KML_WEIGHTS_COUNTER(name)					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n", READ_ONCE(kml_w.name));	\
}									\
static struct kobj_attribute kml_attr_##name = __ATTR_RO(name)

KML_WEIGHTS_COUNTER(commits);
KML_WEIGHTS_COUNTER(rejects);
KML_WEIGHTS_COUNTER(rollbacks);
static struct kobj_attribute kml_attr_version = __ATTR_RO(version);
static struct kobj_attribute kml_attr_kind = __ATTR_RO(kind);
static struct kobj_attribute kml_attr_shape = __ATTR_RO(shape);
static struct kobj_attribute kml_attr_last_error = __ATTR_RO(last_error);

static struct attribute *kml_weights_attrs[] = {
	&kml_attr_version.attr,
	&kml_attr_kind.attr,
	&kml_attr_shape.attr,
	&kml_attr_commits.attr,
	&kml_attr_rejects.attr,
	&kml_attr_rollbacks.attr,
	&kml_attr_last_error.attr,
	NULL,
};

const struct attribute_group kml_weights_attr_group = {
	.name = "model",
	.attrs = kml_weights_attrs,
};

/* The scheduler has a model from the start: the documented built-in one. */
int kml_weights_init(void)
{
	int size;

	mutex_init(&kml_w.lock);
	kml_w.staging_bytes = PAGE_ALIGN(KML_BLOB_MAX_SIZE);
	kml_w.staging = vmalloc_user(kml_w.staging_bytes);
	if (!kml_w.staging)
		return -ENOMEM;
	size = kd_default_model_blob(kml_w.staging, kml_w.staging_bytes);
	if (size < 0 || kml_weights_install(size, false)) {
		vfree(kml_w.staging);
		return -EINVAL;
	}
	memset(kml_w.staging, 0, size);
	return 0;
}

/* Called once no reader can run any more. */
void kml_weights_exit(void)
{
	synchronize_rcu();
	kvfree(rcu_dereference_protected(kml_w.cur, true));
	kvfree(kml_w.prev);	/* older ones went to kvfree_rcu(): core code */
	vfree(kml_w.staging);
}
