// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow mode: samples and predictions for a disk that keeps its own
 * scheduler (mq-deadline, none, ...), so a user can train and measure the
 * model before switching. Not one decision changes: kml only listens on the
 * block tracepoints (insert, issue, complete; the latter two are not
 * exported, so they are found with for_each_kernel_tracepoint()).
 *
 * /sys/kernel/kml/shadow: write "MAJ:MIN" to attach a disk, "-MAJ:MIN" to
 * detach it; read lists the attached disks and their sample counts.
 * Requests in flight live in a small open-addressing table per disk, under
 * a raw spinlock taken with interrupts off: completions run in IRQ context,
 * and tracepoint probes run with preemption off even on PREEMPT_RT, where a
 * spinlock_t would be a sleeping lock. Every section under it is bounded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/tracepoint.h>

#include "kml_deadline.h"
#include "kml_elv_compat.h"

#define KS_MAX_DISKS	4
#define KS_SLOTS_BITS	9		/* 512 requests in flight per disk */
#define KS_SLOTS	(1 << KS_SLOTS_BITS)
#define KS_STALE_NS	(5 * NSEC_PER_SEC)

struct ks_req {
	struct request *rq;		/* NULL: free */
	struct kml_rq_record rec;	/* dispatch_ns 0: not issued yet */
};

struct ks_disk {
	dev_t devt;			/* 0: unused */
	raw_spinlock_t lock;
	struct kml_io_state st;
	struct kml_work work;
	struct ks_req req[KS_SLOTS];
	u64 samples;
	u64 lost;			/* table full: request not followed */
};

static struct ks_disk *ks_disks[KS_MAX_DISKS];
static DEFINE_MUTEX(ks_lock);		/* attach, detach, probes */
static struct tracepoint *ks_tp_insert, *ks_tp_issue, *ks_tp_complete;
static bool ks_probes_on;

static struct ks_disk *ks_find(struct request *rq)
{
	dev_t devt;
	int i;

	if (!rq->q->disk)
		return NULL;
	devt = disk_devt(rq->q->disk);
	for (i = 0; i < KS_MAX_DISKS; i++) {
		/* Pairs with ks_attach()'s release: d is initialized. */
		struct ks_disk *d = smp_load_acquire(&ks_disks[i]);

		if (d && READ_ONCE(d->devt) == devt)
			return d;
	}
	return NULL;
}

/*
 * A slot that was inserted long ago and never issued belongs to a request
 * merged away or freed unseen: it may be reused.
 */
static bool ks_stale(struct ks_disk *d, struct ks_req *r, u64 now)
{
	if (!r->rq || r->rec.dispatch_ns || now - r->rec.insert_ns < KS_STALE_NS)
		return false;
	if (d->st.queued[rq_data_dir(r->rq)])
		d->st.queued[rq_data_dir(r->rq)]--;
	return true;
}

/* The slot of @rq, or with @add a free one for it. Under d->lock. */
static struct ks_req *ks_slot(struct ks_disk *d, struct request *rq, bool add)
{
	u32 h = hash_ptr(rq, KS_SLOTS_BITS);
	u64 now = ktime_get_ns();
	int i;

	for (i = 0; i < KS_SLOTS; i++) {
		struct ks_req *r = &d->req[(h + i) & (KS_SLOTS - 1)];

		if (r->rq == rq)
			return r;
		if (add && (!r->rq || ks_stale(d, r, now))) {
			memset(r, 0, sizeof(*r));
			return r;
		}
	}
	return NULL;
}

static void ks_on_insert(void *data, struct request *rq)
{
	struct ks_disk *d = ks_find(rq);
	unsigned long flags;
	struct ks_req *r;

	if (!d || blk_rq_is_passthrough(rq))
		return;
	raw_spin_lock_irqsave(&d->lock, flags);
	r = ks_slot(d, rq, true);
	if (r) {
		if (r->rq != rq) {
			r->rq = rq;
			d->st.queued[rq_data_dir(rq)]++;
		}
		r->rec.insert_ns = ktime_get_ns();
	} else {
		d->lost++;
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
}

static void ks_on_issue(void *data, struct request *rq)
{
	struct ks_disk *d = ks_find(rq);
	unsigned long flags;
	struct ks_req *r;
	int dir = rq_data_dir(rq);
	u64 now;

	if (!d || blk_rq_is_passthrough(rq))
		return;
	raw_spin_lock_irqsave(&d->lock, flags);
	r = ks_slot(d, rq, false);
	if (r) {
		now = ktime_get_ns();
		if (d->st.queued[dir])
			d->st.queued[dir]--;
		kml_features(&d->st, rq, r->rec.insert_ns, now, r->rec.features);
		r->rec.model_version = 0;
		r->rec.pred_ns = kml_predict_ns(r->rec.features, &d->work,
						&r->rec.model_version);
		r->rec.dispatch_ns = now;
		d->st.inflight++;
		d->st.last_end = blk_rq_pos(rq) + blk_rq_sectors(rq);
		if (dir == WRITE)
			d->st.last_write_ns = now;
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
}

static void ks_on_complete(void *data, struct request *rq,
			   kd_trace_status_t error, unsigned int nr_bytes)
{
	struct ks_disk *d = ks_find(rq);
	struct kml_sample s;
	unsigned long flags;
	struct ks_req *r;
	int dir = rq_data_dir(rq);
	u64 now;

	/* Partial completions fire too; the sample is for the last one. */
	if (!d || blk_rq_is_passthrough(rq) || nr_bytes < blk_rq_bytes(rq))
		return;
	raw_spin_lock_irqsave(&d->lock, flags);
	r = ks_slot(d, rq, false);
	if (!r || !r->rec.dispatch_ns) {
		if (r)
			r->rq = NULL;
		raw_spin_unlock_irqrestore(&d->lock, flags);
		return;
	}
	now = ktime_get_ns();
	kml_sample_build(&s, rq, &r->rec, now);
	s.flags |= KML_SAMPLE_SHADOW;
	d->st.ewma_ns[dir] = kml_ewma(d->st.ewma_ns[dir], now - r->rec.dispatch_ns);
	if (d->st.inflight)
		d->st.inflight--;
	memset(r, 0, sizeof(*r));
	d->samples++;
	raw_spin_unlock_irqrestore(&d->lock, flags);
	kml_samples_emit(&s, 0);
}

static void ks_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "block_rq_insert"))
		ks_tp_insert = tp;
	else if (!strcmp(tp->name, "block_rq_issue"))
		ks_tp_issue = tp;
	else if (!strcmp(tp->name, "block_rq_complete"))
		ks_tp_complete = tp;
}

/* Under ks_lock. */
static int ks_probes(bool on)
{
	int ret;

	if (on == ks_probes_on)
		return 0;
	if (!on) {
		tracepoint_probe_unregister(ks_tp_complete, ks_on_complete, NULL);
		tracepoint_probe_unregister(ks_tp_issue, ks_on_issue, NULL);
		tracepoint_probe_unregister(ks_tp_insert, ks_on_insert, NULL);
		tracepoint_synchronize_unregister();	/* no probe runs now */
		ks_probes_on = false;
		return 0;
	}
	if (!ks_tp_insert || !ks_tp_issue || !ks_tp_complete)
		return -ENOENT;
	ret = tracepoint_probe_register(ks_tp_insert, ks_on_insert, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(ks_tp_issue, ks_on_issue, NULL);
	if (ret)
		goto out_insert;
	ret = tracepoint_probe_register(ks_tp_complete, ks_on_complete, NULL);
	if (ret)
		goto out_issue;
	ks_probes_on = true;
	return 0;
out_issue:
	tracepoint_probe_unregister(ks_tp_issue, ks_on_issue, NULL);
out_insert:
	tracepoint_probe_unregister(ks_tp_insert, ks_on_insert, NULL);
	tracepoint_synchronize_unregister();
	return ret;
}

static bool ks_any_attached(void)
{
	int i;

	for (i = 0; i < KS_MAX_DISKS; i++)
		if (ks_disks[i] && ks_disks[i]->devt)
			return true;
	return false;
}

static int ks_attach(dev_t devt)
{
	int i, free = -1, ret;

	for (i = 0; i < KS_MAX_DISKS; i++) {
		if (ks_disks[i] && ks_disks[i]->devt == devt)
			return -EEXIST;
		if (free < 0 && (!ks_disks[i] || !ks_disks[i]->devt))
			free = i;
	}
	if (free < 0)
		return -ENOSPC;
	if (!ks_disks[free]) {
		struct ks_disk *d = kvzalloc(sizeof(*d), GFP_KERNEL);

		if (!d)
			return -ENOMEM;
		raw_spin_lock_init(&d->lock);
		/* Probes read the pointer locklessly: publish it initialized. */
		smp_store_release(&ks_disks[free], d);
	}
	ret = ks_probes(true);
	if (ret)
		return ret;
	WRITE_ONCE(ks_disks[free]->devt, devt);
	return 0;
}

static int ks_detach(dev_t devt)
{
	struct ks_disk *d;
	int i;

	for (i = 0; i < KS_MAX_DISKS; i++) {
		d = ks_disks[i];
		if (!d || d->devt != devt)
			continue;
		WRITE_ONCE(d->devt, 0);
		if (!ks_any_attached())
			ks_probes(false);
		else
			tracepoint_synchronize_unregister();
		/* No probe sees this disk now: start clean next time. */
		memset(&d->st, 0, sizeof(d->st));
		memset(d->req, 0, sizeof(d->req));
		d->samples = 0;
		d->lost = 0;
		return 0;
	}
	return -ENOENT;
}

static ssize_t shadow_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	ssize_t n = 0;
	int i;

	mutex_lock(&ks_lock);
	for (i = 0; i < KS_MAX_DISKS; i++) {
		struct ks_disk *d = ks_disks[i];

		if (d && d->devt)
			n += sysfs_emit_at(buf, n, "%u:%u samples %llu lost %llu\n",
					   MAJOR(d->devt), MINOR(d->devt),
					   READ_ONCE(d->samples),
					   READ_ONCE(d->lost));
	}
	mutex_unlock(&ks_lock);
	return n;
}

static ssize_t shadow_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	bool detach = buf[0] == '-';
	unsigned int maj, min;
	int ret;

	if (sscanf(buf + detach, "%u:%u", &maj, &min) != 2 ||
	    maj >= (1u << 12) || min >= (1u << 20) || (!maj && !min))
		return -EINVAL;
	mutex_lock(&ks_lock);
	ret = detach ? ks_detach(MKDEV(maj, min)) : ks_attach(MKDEV(maj, min));
	mutex_unlock(&ks_lock);
	return ret ? ret : count;
}

static struct kobj_attribute kml_attr_shadow = __ATTR_RW_MODE(shadow, 0644);

static struct attribute *kml_shadow_attrs[] = {
	&kml_attr_shadow.attr,
	NULL,
};

const struct attribute_group kml_shadow_attr_group = {
	.attrs = kml_shadow_attrs,
};

int kml_shadow_init(void)
{
	for_each_kernel_tracepoint(ks_find_tracepoint, NULL);
	if (!ks_tp_insert || !ks_tp_issue || !ks_tp_complete)
		pr_warn("block tracepoints not found: shadow mode unavailable\n");
	return 0;
}

void kml_shadow_exit(void)
{
	int i;

	mutex_lock(&ks_lock);
	ks_probes(false);
	for (i = 0; i < KS_MAX_DISKS; i++) {
		kvfree(ks_disks[i]);
		ks_disks[i] = NULL;
	}
	mutex_unlock(&ks_lock);
}
