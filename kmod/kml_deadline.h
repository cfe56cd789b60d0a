/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kml-deadline: the per-queue state shared by the elevator's files.
 *
 *   kml_deadline.c        queues, insert, merge, dispatch, completion
 *   kml_deadline_attrs.c  /sys/block/<dev>/queue/iosched/ and debugfs
 *   kml_predict.c         features, inference, the built-in model
 */
#ifndef KML_DEADLINE_H
#define KML_DEADLINE_H

#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/version.h>
#include <block/blk.h>
#include <block/elevator.h>
struct rq_qos;		/* named, not used, by blk-mq-debugfs.h */
#include <block/blk-mq-debugfs.h>

#include "kml.h"

/* Priority classes, served strictly in this order (with aging). */
enum kd_class { KD_RT, KD_BE, KD_IDLE, KD_NR_CLASSES };

/* log2-ns buckets of the inference-time histogram: <64 ns ... >=32 us. */
#define KD_HIST_BUCKETS		10
#define KD_HIST_MIN_SHIFT	6
#define KD_HIST_EVERY		16	/* time one prediction in 16 */

struct kd_class_queue {
	struct rb_root sort[2];		/* by sector, per direction */
	struct list_head fifo[2];	/* by deadline, per direction */
	u32 queued[2];
};

/*
 * What is known about a request in flight, by kml-deadline and by shadow
 * mode alike: all a sample needs at completion (kml_sample_build()).
 */
struct kml_rq_record {
	u64 insert_ns;
	u64 dispatch_ns;		/* issue to the device */
	u32 pred_ns;			/* 0: no model */
	u32 model_version;
	s32 features[KML_NR_FEATURES];
};

/*
 * Per request, in rq->elv.priv[0]; it lives in struct kd_hctx. Only
 * @dispatched is set before dispatch; kd_start() fills in the rest.
 */
struct kd_rq {
	struct kml_rq_record rec;
	u32 ticket;			/* ring promise (blocking mode) */
	u32 window_ns;			/* what it counts for in the window */
	bool dispatched;
	bool bulk;			/* counted in the device's bulk reads */
	bool featured;			/* rec.features hold this request's */
};

/* Per hardware queue (hctx->sched_data): a record per scheduler tag. */
struct kd_hctx {
	u32 nr;
	struct kd_rq rqs[] __counted_by(nr);
};

struct kd_data {
	struct request_queue *q;
	struct list_head node;		/* on the kick list (blocking mode) */
	spinlock_t lock;		/* everything below, except atomics */
	struct kd_class_queue cls[KD_NR_CLASSES];
	struct list_head dispatch;	/* at-head and passthrough requests */

	/* Classic deadline state. */
	int batch_dir;
	u32 batch_count;
	u32 starved;			/* read batches since the last write one */
	struct request *next_rq[KD_NR_CLASSES][2];

	/* Tunables (iosched attributes). */
	u64 expire_ns[2];
	u32 fifo_batch;
	u32 writes_starved;
	bool front_merges;
	u32 async_depth;
	u64 prio_aging_ns;
	bool use_model;
	u64 read_target_ns;
	u64 window_ns;
	u32 bulk_read_bytes;

	sector_t last_end;		/* end of the last dispatched request */
	u64 last_write_ns;
	struct kml_work work;		/* inference scratch, under lock */

	/*
	 * What the device holds: counted up at dispatch, under the lock, and
	 * down at (IRQ) completion, in a cache line of its own so that
	 * completions on one CPU do not pull the lock and the queues away
	 * from dispatch on another. kd_inflight() is the difference.
	 */
	u32 dispatched[2];
	u32 dispatched_bulk;
	u64 pred_dispatched_ns;
	atomic_t completed[2] ____cacheline_aligned_in_smp;
	atomic_t completed_bulk;
	atomic64_t pred_completed_ns;
	atomic64_t ewma_ns[2];		/* recent service latency per direction */
	atomic_t bulk_bias;		/* model's recent error on bulk reads */
	bool held;			/* the window holds back queued work */

	/* Statistics. */
	atomic64_t hist[KD_HIST_BUCKETS] ____cacheline_aligned_in_smp;
	u64 predictions;
	u64 decisions;
	u64 model_changed;
	u64 model_held;
	u64 model_read_only;		/* no write to weigh: no inference */
	u64 ring_held;
	atomic64_t samples;
	atomic64_t no_priv;
	atomic64_t window_kicks;	/* completions that re-ran the queue */
};

/* Requests of direction @dir in the device (exact under kd->lock). */
static inline u32 kd_inflight(const struct kd_data *kd, int dir)
{
	return READ_ONCE(kd->dispatched[dir]) - (u32)atomic_read(&kd->completed[dir]);
}

/* Bulk reads (kd_bulk_read()) in the device. */
static inline u32 kd_inflight_bulk(const struct kd_data *kd)
{
	return READ_ONCE(kd->dispatched_bulk) - (u32)atomic_read(&kd->completed_bulk);
}

/* Predicted service time of everything in the device. */
static inline u64 kd_inflight_pred_ns(const struct kd_data *kd)
{
	return READ_ONCE(kd->pred_dispatched_ns) -
	       (u64)atomic64_read(&kd->pred_completed_ns);
}

/*
 * When @rq was made: blk-mq stamps every request that goes through a
 * scheduler (blk_mq_need_time_stamp()), so deadlines and ages run from
 * there and inserting reads no clock. Passthrough requests carry no stamp.
 */
static inline u64 kd_start_ns(struct request *rq)
{
	return rq->start_time_ns ?: ktime_get_ns();
}

/*
 * Now, for dispatch. Since 6.9 blk-mq caches the time in the submitter's
 * plug until it sleeps, and dispatch mostly runs from that plug's flush: a
 * clock read per plug, not per request, at the price of a dispatch stamp up
 * to one plug early (microseconds; service times are learnt in log2 us).
 */
static inline u64 kd_now_ns(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	return blk_time_get_ns();
#else
	return ktime_get_ns();
#endif
}

/* kml_predict.c: what a request looks like to the model, and its answer */
struct kml_io_state {
	sector_t last_end;		/* end of the last dispatched request */
	u64 last_write_ns;		/* last write dispatch */
	u64 ewma_ns[2];			/* recent service latency per direction */
	u32 queued[2];			/* waiting in the scheduler */
	u32 inflight;			/* in the device */
};

/* Moving average giving 1/8 weight to each new sample. */
static inline u64 kml_ewma(u64 avg, u64 sample)
{
	return avg ? avg - (avg >> 3) + (sample >> 3) : sample;
}

void kml_features(const struct kml_io_state *st, struct request *rq,
		  u64 insert_ns, u64 now, s32 *f);
u32 kml_predict_ns(const s32 *f, struct kml_work *work, u32 *model_version);
void kml_sample_build(struct kml_sample *s, struct request *rq,
		      const struct kml_rq_record *rec, u64 now);
void kd_features(struct kd_data *kd, struct request *rq, u64 now,
		 s32 *f);
u32 kd_predict(struct kd_data *kd, const s32 *f, u32 *model_version);
s32 kd_log2_ratio(u64 actual_ns, u64 predicted_ns);
u32 kd_scale_ns(u32 ns, s32 log2_factor);
int kd_default_model_blob(u8 *buf, size_t len);

/* kml_deadline_attrs.c */
extern struct elv_fs_entry kd_attrs[];
#ifdef CONFIG_BLK_DEBUG_FS
extern const struct blk_mq_debugfs_attr kd_debugfs_attrs[];
#endif

/* kml_deadline.c */
int kml_deadline_init(void);
void kml_deadline_exit(void);

#endif /* KML_DEADLINE_H */
