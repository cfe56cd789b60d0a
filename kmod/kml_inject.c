// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only sample injector: /sys/kernel/debug/kml/inject. Writing
 * "COUNT [RATE]" emits COUNT samples at RATE per second (0 or absent: as
 * fast as the timer allows) from timer (softirq) context, the way
 * completions would. It takes promises like the scheduler does, so blocking
 * mode holds it back instead of dropping. Reading shows its progress.
 *
 * Sample i carries i in features[0] and features[1] = ~i, so a consumer can
 * check that nothing was lost, duplicated or torn.
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

#include "kml.h"

/* Per tick at most: bounds the time spent in one softirq. */
#define KML_INJECT_BURST	2048

static struct {
	struct dentry *dir;
	struct timer_list timer;
	struct mutex lock;	/* writers of a new run */
	u64 count;		/* samples requested */
	u64 sent;		/* samples emitted */
	u64 held;		/* ticks on which blocking mode held us back */
	u32 rate;		/* per second, 0 = burst per tick */
	unsigned long start;	/* jiffies */
	bool running;
} kml_inj;

static void kml_inject_one(u64 i, u32 ticket)
{
	struct kml_sample s = {
		.version = KML_SAMPLE_VERSION,
		.op = i & 1 ? KML_OP_WRITE : KML_OP_READ,
		.nr_features = KML_NR_FEATURES,
		.flags = KML_SAMPLE_INJECTED,
		.service_ns = (u32)(i % 1000000),
		.total_ns = (u32)(i % 1000000) + 1000,
	};

	s.features[0] = (s32)(u32)i;
	s.features[1] = (s32)~(u32)i;
	s.features[2] = (s32)(u32)(i >> 32);
	kml_samples_emit(&s, ticket);
}

/* How many samples the rate allows by now, capped at the request. */
static u64 kml_inject_due(void)
{
	u64 due;

	if (!kml_inj.rate)
		return min(kml_inj.count, kml_inj.sent + KML_INJECT_BURST);
	due = div_u64((u64)kml_inj.rate * jiffies_to_msecs(jiffies - kml_inj.start),
		      MSEC_PER_SEC) + 1;
	return min3(kml_inj.count, due, kml_inj.sent + KML_INJECT_BURST);
}

static void kml_inject_tick(struct timer_list *t)
{
	u64 due = kml_inject_due();
	u32 ticket;

	while (kml_inj.sent < due) {
		if (kml_samples_promise(&ticket)) {
			kml_inj.held++;
			break;
		}
		kml_inject_one(kml_inj.sent++, ticket);
	}
	if (kml_inj.sent < kml_inj.count)
		mod_timer(&kml_inj.timer, jiffies + 1);
	else
		WRITE_ONCE(kml_inj.running, false);
}

static ssize_t kml_inject_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char buf[48];
	u64 count;
	u32 rate = 0;
	int n;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = sscanf(buf, "%llu %u", &count, &rate);
	if (n < 1 || count == 0)
		return -EINVAL;

	mutex_lock(&kml_inj.lock);
	if (READ_ONCE(kml_inj.running)) {
		mutex_unlock(&kml_inj.lock);
		return -EBUSY;
	}
	del_timer_sync(&kml_inj.timer);
	kml_inj.count = count;
	kml_inj.rate = rate;
	kml_inj.sent = 0;
	kml_inj.held = 0;
	kml_inj.start = jiffies;
	WRITE_ONCE(kml_inj.running, true);
	mod_timer(&kml_inj.timer, jiffies + 1);
	mutex_unlock(&kml_inj.lock);
	return len;
}

static ssize_t kml_inject_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[128];
	int n;

	n = scnprintf(buf, sizeof(buf), "count %llu sent %llu held %llu running %d\n",
		      READ_ONCE(kml_inj.count), READ_ONCE(kml_inj.sent),
		      READ_ONCE(kml_inj.held), READ_ONCE(kml_inj.running));
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations kml_inject_fops = {
	.owner = THIS_MODULE,
	.write = kml_inject_write,
	.read = kml_inject_read,
};

int kml_inject_init(void)
{
	mutex_init(&kml_inj.lock);
	timer_setup(&kml_inj.timer, kml_inject_tick, 0);
	kml_inj.dir = debugfs_create_dir("kml", NULL);
	debugfs_create_file("inject", 0600, kml_inj.dir, NULL, &kml_inject_fops);
	return 0;
}

void kml_inject_exit(void)
{
	debugfs_remove_recursive(kml_inj.dir);	/* no new runs after this */
	timer_shutdown_sync(&kml_inj.timer);
}
