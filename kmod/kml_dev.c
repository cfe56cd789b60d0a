// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kml: the one consumer's door. Root only (0600), one open at a time.
 * mmap at KML_MMAP_RING gives the sample ring, at KML_MMAP_WEIGHTS the
 * staging region for model blobs; ioctls are in uapi/kml.h.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <kml/blob.h>

#include "kml.h"

static int kml_dev_open(struct inode *inode, struct file *file)
{
	int ret = kml_samples_attach();

	if (ret)
		return ret;
	return nonseekable_open(inode, file);
}

static int kml_dev_release(struct inode *inode, struct file *file)
{
	kml_samples_detach();
	return 0;
}

static int kml_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;

	/* Shared, never executable: both regions are data read by the kernel. */
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	if (off == KML_MMAP_RING)
		return kml_samples_mmap(vma);
	if (off == KML_MMAP_WEIGHTS)
		return kml_weights_mmap(vma);
	return -EINVAL;
}

static __poll_t kml_dev_poll(struct file *file, poll_table *wait)
{
	return kml_samples_poll(file, wait);
}

static long kml_ioctl_abi_info(void __user *arg)
{
	struct kml_abi_info info = {
		.abi_version = KML_ABI_VERSION,
		.sample_size = sizeof(struct kml_sample),
		.nr_slots = kml_samples_nr_slots(),
		.ring_bytes = kml_samples_ring_bytes(),
		.weights_bytes = kml_weights_region_bytes(),
		.max_blob_bytes = KML_BLOB_MAX_SIZE,
		.nr_features = KML_NR_FEATURES,
	};

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long kml_ioctl_commit(void __user *arg)
{
	struct kml_commit c;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.reserved)
		return -EINVAL;
	return kml_weights_commit(c.size);
}

static long kml_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case KML_IOC_ABI_INFO:
		return kml_ioctl_abi_info((void __user *)arg);
	case KML_IOC_COMMIT:
		return kml_ioctl_commit((void __user *)arg);
	case KML_IOC_ROLLBACK:
		return kml_weights_rollback();
	case KML_IOC_RESET_COUNTERS:
		kml_samples_reset_counters();
		kml_weights_reset_counters();
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kml_dev_fops = {
	.owner = THIS_MODULE,	/* rmmod waits for the last close */
	.open = kml_dev_open,
	.release = kml_dev_release,
	.mmap = kml_dev_mmap,
	.poll = kml_dev_poll,
	.unlocked_ioctl = kml_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kml_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kml",
	.fops = &kml_dev_fops,
	.mode = 0600,
};

int kml_dev_init(void)
{
	return misc_register(&kml_miscdev);
}

void kml_dev_exit(void)
{
	misc_deregister(&kml_miscdev);
}
