// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/block/<dev>/queue/iosched/ of kml-deadline: the tunables (a bad
 * value is -EINVAL and changes nothing) and what the model did; debugfs
 * shows the queue state.
 */
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>

#include "kml_deadline.h"

static struct kd_data *kd_of(struct elevator_queue *e)
{
	return e->elevator_data;
}

/* Parse a decimal in [min, max] or fail with -EINVAL. */
static int kd_parse(const char *page, u64 min, u64 max, u64 *v)
{
	int ret = kstrtou64(page, 10, v);

	if (ret)
		return ret;
	return *v < min || *v > max ? -EINVAL : 0;
}

/*
 * KD_TUNABLE(name, field, unit, min, max): a field kept in units of @unit
 * (NSEC_PER_MSEC for a field in ns shown in ms; 1 for plain numbers),
 * with bounds in the shown unit.
 */
#define KD_TUNABLE(name, field, unit, min, max)				\
static ssize_t kd_##name##_show(struct elevator_queue *e, char *page)	\
{									\
	return sysfs_emit(page, "%llu\n",				\
			  div_u64(READ_ONCE(kd_of(e)->field), unit));	\
}									\
static ssize_t kd_##name##_store(struct elevator_queue *e,		\
				 const char *page, size_t count)	\
{									\
	struct kd_data *kd = kd_of(e);					\
	u64 v;								\
	int ret = kd_parse(page, min, max, &v);				\
									\
	if (ret)							\
		return ret;						\
	spin_lock(&kd->lock);						\
	WRITE_ONCE(kd->field, v * (unit));				\
	spin_unlock(&kd->lock);						\
	return count;							\
}

KD_TUNABLE(read_expire, expire_ns[READ], NSEC_PER_MSEC, 1, 60000)
KD_TUNABLE(write_expire, expire_ns[WRITE], NSEC_PER_MSEC, 1, 600000)
KD_TUNABLE(fifo_batch, fifo_batch, 1, 1, 1024)
KD_TUNABLE(writes_starved, writes_starved, 1, 1, 1024)
KD_TUNABLE(front_merges, front_merges, 1, 0, 1)
KD_TUNABLE(use_model, use_model, 1, 0, 1)
KD_TUNABLE(read_target_us, read_target_ns, NSEC_PER_USEC, 10, 10000000)
KD_TUNABLE(window_us, window_ns, NSEC_PER_USEC, 10, 10000000)
KD_TUNABLE(bulk_read_kb, bulk_read_bytes, SZ_1K, 4, SZ_1M)
KD_TUNABLE(prio_aging_expire, prio_aging_ns, NSEC_PER_MSEC, 1, 600000)

static ssize_t kd_async_depth_show(struct elevator_queue *e, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(kd_of(e)->async_depth));
}

static ssize_t kd_stats_show(struct elevator_queue *e, char *page)
{
	struct kd_data *kd = kd_of(e);

	return sysfs_emit(page,
			  "decisions %llu\nmodel_changed %llu\nmodel_held %llu\nmodel_read_only %llu\nring_held %llu\nsamples %lld\nno_priv %lld\nwindow_kicks %lld\ninflight_reads %d\ninflight_writes %d\ninflight_pred_us %lld\n",
			  READ_ONCE(kd->decisions), READ_ONCE(kd->model_changed),
			  READ_ONCE(kd->model_held),
			  READ_ONCE(kd->model_read_only), READ_ONCE(kd->ring_held),
			  atomic64_read(&kd->samples),
			  atomic64_read(&kd->no_priv),
			  atomic64_read(&kd->window_kicks),
			  (int)kd_inflight(kd, READ),
			  (int)kd_inflight(kd, WRITE),
			  div_s64((s64)kd_inflight_pred_ns(kd), NSEC_PER_USEC));
}

/* One line per log2 bucket: "<upper bound in ns> <count>". */
static ssize_t kd_inference_ns_show(struct elevator_queue *e, char *page)
{
	struct kd_data *kd = kd_of(e);
	ssize_t n = 0;
	int b;

	for (b = 0; b < KD_HIST_BUCKETS; b++) {
		if (b == KD_HIST_BUCKETS - 1)
			n += sysfs_emit_at(page, n, "inf %lld\n",
					   atomic64_read(&kd->hist[b]));
		else
			n += sysfs_emit_at(page, n, "%u %lld\n",
					   1u << (b + KD_HIST_MIN_SHIFT),
					   atomic64_read(&kd->hist[b]));
	}
	return n;
}

#define KD_ATTR_RW(name) __ATTR(name, 0644, kd_##name##_show, kd_##name##_store)
#define KD_ATTR_RO(name) __ATTR(name, 0444, kd_##name##_show, NULL)

struct elv_fs_entry kd_attrs[] = {
	KD_ATTR_RW(read_expire),
	KD_ATTR_RW(write_expire),
	KD_ATTR_RW(fifo_batch),
	KD_ATTR_RW(writes_starved),
	KD_ATTR_RW(front_merges),
	KD_ATTR_RW(use_model),
	KD_ATTR_RW(read_target_us),
	KD_ATTR_RW(window_us),
	KD_ATTR_RW(bulk_read_kb),
	KD_ATTR_RW(prio_aging_expire),
	KD_ATTR_RO(async_depth),
	KD_ATTR_RO(stats),
	KD_ATTR_RO(inference_ns),
	__ATTR_NULL
};

#ifdef CONFIG_BLK_DEBUG_FS
/* /sys/kernel/debug/block/<dev>/sched/state: the queues right now. */
static int kd_state_show(void *data, struct seq_file *m)
{
	struct request_queue *q = data;
	struct kd_data *kd = q->elevator->elevator_data;
	static const char * const names[] = { "rt", "be", "idle" };
	int c;

	spin_lock(&kd->lock);
	for (c = 0; c < KD_NR_CLASSES; c++)
		seq_printf(m, "%s: queued reads %u writes %u\n", names[c],
			   kd->cls[c].queued[READ], kd->cls[c].queued[WRITE]);
	seq_printf(m, "dispatch list: %s\n",
		   list_empty(&kd->dispatch) ? "empty" : "non-empty");
	seq_printf(m, "batch: %s, %u of %u, reads since a write batch %u\n",
		   kd->batch_dir == READ ? "read" : "write", kd->batch_count,
		   kd->fifo_batch, kd->starved);
	seq_printf(m, "device: %d reads (%d bulk), %d writes, predicted %lld us (window %llu us)\n",
		   (int)kd_inflight(kd, READ),
		   (int)kd_inflight_bulk(kd),
		   (int)kd_inflight(kd, WRITE),
		   div_s64((s64)kd_inflight_pred_ns(kd), NSEC_PER_USEC),
		   div_u64(kd->window_ns, NSEC_PER_USEC));
	seq_printf(m, "recent service: read %lld us, write %lld us\n",
		   div_s64(atomic64_read(&kd->ewma_ns[READ]), NSEC_PER_USEC),
		   div_s64(atomic64_read(&kd->ewma_ns[WRITE]), NSEC_PER_USEC));
	/* A 10 ms prediction's cost in units of 100 us: a percentage. */
	seq_printf(m, "bulk reads: cost %u%% of predicted (recent error)\n",
		   kd_scale_ns(10 * NSEC_PER_MSEC,
			       atomic_read(&kd->bulk_bias)) /
		   (u32)(100 * NSEC_PER_USEC));
	seq_printf(m, "model: %s, last dispatch call %s\n",
		   kd->use_model ? "on" : "off", kd->held ? "held" : "dispatched");
	spin_unlock(&kd->lock);
	return 0;
}

const struct blk_mq_debugfs_attr kd_debugfs_attrs[] = {
	{ "state", 0400, kd_state_show },
	{},
};
#endif
