// SPDX-License-Identifier: GPL-2.0
/*
 * kml-deadline: a deadline I/O scheduler whose dispatch decisions can come
 * from the in-kernel model.
 *
 * Deadline semantics: per priority class and direction, requests sit in a
 * sector-sorted tree and in a FIFO ordered by their expiry. Dispatch runs
 * batches in sector order, switches to the FIFO head when it expires, and
 * does not starve writes for more than writes_starved read batches.
 *
 * With use_model=1 the model predicts each candidate's service latency.
 * Reads are served by least slack (deadline - now - predicted), and writes
 * and bulk reads are admitted to the device only while the predicted work
 * already in it stays within a latency window: the device queue, not the
 * sort order, is where read latency is lost when large transfers fill it.
 * One write and one bulk read are always allowed in flight, so neither
 * stream stops; small reads pass bulk ones the window holds back. What a
 * bulk read counts for is its prediction corrected by the model's recent
 * error on bulk reads (kd_cost()).
 *
 * Locking: kd->lock (never taken in IRQ context) guards the queues; the
 * completion path touches atomics only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/ioprio.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <block/blk.h>
#include <block/blk-mq.h>
#include <block/blk-mq-sched.h>

#include "kml_deadline.h"
#include "kml_elv_compat.h"

/* Instances to kick when blocking mode lets held requests go. */
static LIST_HEAD(kd_instances);
static DEFINE_SPINLOCK(kd_instances_lock);

static enum kd_class kd_class_of_prio(unsigned short ioprio)
{
	switch (IOPRIO_PRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		return KD_RT;
	case IOPRIO_CLASS_IDLE:
		return KD_IDLE;
	default:
		return KD_BE;
	}
}

static enum kd_class kd_class_of(struct request *rq)
{
	return kd_class_of_prio(req_get_ioprio(rq));
}

static struct kd_rq *kd_rq(struct request *rq)
{
	return rq->rq_flags & KD_RQF_PRIV ? rq->elv.priv[0] : NULL;
}

static struct rb_root *kd_sort_root(struct kd_data *kd, struct request *rq)
{
	return &kd->cls[kd_class_of(rq)].sort[rq_data_dir(rq)];
}

/*
 * Take @rq out of every structure it is queued on. Under kd->lock. An
 * insert merge (kd_insert_one()) hands over a request that was never queued
 * here: its rb_node is still clear and there is nothing to undo.
 */
static void kd_remove(struct kd_data *kd, struct request *rq)
{
	enum kd_class c = kd_class_of(rq);
	int dir = rq_data_dir(rq);

	if (RB_EMPTY_NODE(&rq->rb_node))
		return;
	if (kd->next_rq[c][dir] == rq)
		kd->next_rq[c][dir] = elv_rb_latter_request(kd->q, rq);
	list_del_init(&rq->queuelist);
	elv_rb_del(&kd->cls[c].sort[dir], rq);
	elv_rqhash_del(kd->q, rq);
	if (kd->q->last_merge == rq)
		kd->q->last_merge = NULL;
	kd->cls[c].queued[dir]--;
}

/*
 * Take @rq off the queues to dispatch it: the batch continues after it in
 * sector order (kd_remove() moves next_rq on from @rq to its successor).
 */
static void kd_take(struct kd_data *kd, struct request *rq)
{
	kd->next_rq[kd_class_of(rq)][rq_data_dir(rq)] = rq;
	kd_remove(kd, rq);
}

static void kd_insert_one(struct kd_data *kd, struct request *rq,
			  bool at_head, struct list_head *free)
{
	struct request_queue *q = kd->q;
	enum kd_class c;
	int dir;

	if (blk_mq_sched_try_insert_merge(q, rq, free))
		return;
	if (at_head || blk_rq_is_passthrough(rq)) {
		if (at_head)
			list_add(&rq->queuelist, &kd->dispatch);
		else
			list_add_tail(&rq->queuelist, &kd->dispatch);
		return;
	}
	c = kd_class_of(rq);
	dir = rq_data_dir(rq);
	elv_rb_add(&kd->cls[c].sort[dir], rq);
	if (rq_mergeable(rq)) {
		elv_rqhash_add(q, rq);
		if (!q->last_merge)
			q->last_merge = rq;
	}
	rq->fifo_time = kd_start_ns(rq) + kd->expire_ns[dir];
	list_add_tail(&rq->queuelist, &kd->cls[c].fifo[dir]);
	kd->cls[c].queued[dir]++;
}

static void kd_insert_requests(struct blk_mq_hw_ctx *hctx,
			       struct list_head *list, kd_insert_t flags)
{
	struct kd_data *kd = hctx->queue->elevator->elevator_data;
	LIST_HEAD(free);

	spin_lock(&kd->lock);
	while (!list_empty(list)) {
		struct request *rq = list_first_entry(list, struct request,
						      queuelist);

		list_del_init(&rq->queuelist);
		kd_insert_one(kd, rq, KD_INSERT_AT_HEAD(flags), &free);
	}
	spin_unlock(&kd->lock);
	blk_mq_free_requests(&free);
}

/* --- choosing the next request ----------------------------------------- */

static struct request *kd_fifo_head(struct kd_data *kd, enum kd_class c,
				    int dir)
{
	return list_first_entry_or_null(&kd->cls[c].fifo[dir], struct request,
					queuelist);
}

static bool kd_expired(struct request *rq, u64 now)
{
	return rq && now >= rq->fifo_time;
}

/*
 * Classic deadline: continue the batch in sector order, else pick the
 * direction (reads, unless writes were starved long enough), and start a
 * new batch at the FIFO head if it expired or at the next sector.
 */
static struct request *kd_pick_deadline(struct kd_data *kd, enum kd_class c,
					u64 now)
{
	struct request *rq = kd->next_rq[c][kd->batch_dir];
	struct request *rhead = kd_fifo_head(kd, c, READ);
	struct request *whead = kd_fifo_head(kd, c, WRITE);
	int dir;

	if (rq && kd->batch_count < kd->fifo_batch &&
	    !kd_expired(kd_fifo_head(kd, c, !kd->batch_dir), now))
		return rq;

	if (rhead && (!whead || kd->starved < kd->writes_starved)) {
		dir = READ;
		if (whead)
			kd->starved++;
	} else if (whead) {
		dir = WRITE;
		kd->starved = 0;
	} else {
		return NULL;
	}
	rq = kd->next_rq[c][dir];
	if (!rq || kd_expired(kd_fifo_head(kd, c, dir), now) ||
	    kd->batch_dir != dir)
		rq = kd_fifo_head(kd, c, dir);
	kd->batch_dir = dir;
	kd->batch_count = 0;
	return rq;
}

struct kd_candidate {
	struct request *rq;
	s64 slack;
	u32 pred;			/* the model's word, for the sample */
	u32 cost;			/* what the window counts */
	u32 version;
	s32 f[KML_NR_FEATURES];
};

/* A read large enough to be a transfer (a model loading, a file streamed). */
static bool kd_bulk_read(struct kd_data *kd, struct request *rq)
{
	return rq_data_dir(rq) == READ && blk_rq_bytes(rq) >= kd->bulk_read_bytes;
}

/* Bound on the correction: 2^6, so a stale error cannot pin the window. */
#define KD_BIAS_MAX	(6 << 16)

/*
 * What @rq, predicted at @pred, counts for in the window: the prediction,
 * and for a bulk read the prediction times the model's recent error on
 * bulk reads (log2 actual/predicted, kd_completed_request()). A transfer's
 * cost is what the model knows least: it depends on whether a throttle or
 * the flash has room right now (~1 ms) or is saturated (~12 ms for 1 MiB
 * here), which no feature shows and kmld learns only at its next push. The
 * correction tracks it at completion rate, so the window admits transfers
 * while they are cheap and holds them when they are not.
 */
static u32 kd_cost(struct kd_data *kd, struct request *rq, u32 pred)
{
	s32 bias;

	if (!pred || !kd_bulk_read(kd, rq))
		return pred;
	bias = atomic_read(&kd->bulk_bias);
	return bias ? kd_scale_ns(pred, bias) : pred;
}

static void kd_evaluate(struct kd_data *kd, struct kd_candidate *cand,
			struct request *rq, u64 now)
{
	cand->rq = rq;
	cand->version = 0;
	kd_features(kd, rq, now, cand->f);
	cand->pred = kd_predict(kd, cand->f, &cand->version);
	cand->cost = kd_cost(kd, rq, cand->pred);
	cand->slack = (s64)(rq->fifo_time - now) - cand->cost;
}

/*
 * Would dispatching @cand keep the predicted work in the device within the
 * window? One request of its kind (@kind_inflight of them in the device: a
 * write, or a bulk read) is always admitted, so neither stream stops.
 */
static bool kd_window_admits(struct kd_data *kd, u32 kind_inflight,
			     const struct kd_candidate *cand)
{
	return !kind_inflight ||
	       kd_inflight_pred_ns(kd) + cand->cost <= kd->window_ns;
}

/* How far behind a held bulk read to look for a small one. */
#define KD_READ_SCAN	32

/*
 * The read to serve: the FIFO head -- reads differ in deadline far more
 * than in cost, so the earliest deadline is the least slack, and sector
 * order, which could keep a read waiting for most of read_expire, buys
 * nothing on flash -- unless it is a bulk read the window holds back: then
 * the oldest small read among the next few. NULL: no read to serve now.
 */
static struct request *kd_pick_read_model(struct kd_data *kd, enum kd_class c,
					  u64 now, struct kd_candidate *r)
{
	struct request *rq = kd_fifo_head(kd, c, READ);
	int scanned = 0;

	if (!rq)
		return NULL;
	kd_evaluate(kd, r, rq, now);
	/* A bulk read is admitted like a write: at most the window's worth. */
	if (!kd_bulk_read(kd, rq) || kd_expired(rq, now) ||
	    kd_window_admits(kd, kd_inflight_bulk(kd), r))
		return rq;
	list_for_each_entry_continue(rq, &kd->cls[c].fifo[READ], queuelist) {
		if (++scanned > KD_READ_SCAN)
			break;
		if (!kd_bulk_read(kd, rq)) {
			kd_evaluate(kd, r, rq, now);
			return rq;
		}
	}
	return NULL;
}

/*
 * The model's choice: a write only when the latency window admits it, and
 * then if it is more urgent than the read (least slack) or none is in
 * flight. NULL means: hold, the window is full.
 */
static struct request *kd_pick_model(struct kd_data *kd, enum kd_class c,
				     u64 now, struct kd_candidate *out)
{
	struct request *rpick = kd_pick_read_model(kd, c, now, out);
	struct request *whead = kd_fifo_head(kd, c, WRITE);
	struct kd_candidate w;

	if (whead) {
		kd_evaluate(kd, &w, kd->next_rq[c][WRITE] &&
			    !kd_expired(whead, now) ?
			    kd->next_rq[c][WRITE] : whead, now);
		if (kd_window_admits(kd, kd_inflight(kd, WRITE), &w) &&
		    (!rpick || !kd_inflight(kd, WRITE) ||
		     w.slack < out->slack)) {
			*out = w;
			return w.rq;
		}
	}
	if (!rpick)
		kd->model_held++;
	return rpick;
}

static bool kd_class_empty(struct kd_data *kd, enum kd_class c)
{
	return !kd->cls[c].queued[READ] && !kd->cls[c].queued[WRITE];
}

/* Strict class order, except a lower class whose FIFO head waited too long. */
static enum kd_class kd_pick_class(struct kd_data *kd, u64 now)
{
	enum kd_class c, first = KD_NR_CLASSES;

	for (c = KD_RT; c < KD_NR_CLASSES; c++) {
		struct request *r = kd_fifo_head(kd, c, READ);
		struct request *w = kd_fifo_head(kd, c, WRITE);

		if (kd_class_empty(kd, c))
			continue;
		if (first == KD_NR_CLASSES)
			first = c;
		if (c != first &&
		    ((r && now > r->fifo_time + kd->prio_aging_ns) ||
		     (w && now > w->fifo_time + kd->prio_aging_ns)))
			return c;
	}
	return first;
}

/*
 * @rq goes to the device: account for it and keep what its sample needs.
 * The features are those the model saw (@cand), or computed here when
 * somebody reads samples or a sample was promised (@ticket); otherwise the
 * record stays featureless and the request yields no sample.
 */
static void kd_start(struct kd_data *kd, struct request *rq,
		     struct kd_candidate *cand, u32 ticket, u64 now)
{
	struct kd_rq *krq = kd_rq(rq);
	int dir = rq_data_dir(rq);

	if (kd->batch_dir == dir)
		kd->batch_count++;
	kd->last_end = blk_rq_pos(rq) + blk_rq_sectors(rq);
	if (dir == WRITE)
		kd->last_write_ns = now;
	if (!krq) {
		kml_samples_unpromise(ticket);
		return;
	}
	krq->featured = cand || ticket || kml_samples_wanted();
	krq->rec.pred_ns = 0;
	krq->rec.model_version = 0;
	krq->bulk = kd_bulk_read(kd, rq);
	if (cand) {
		memcpy(krq->rec.features, cand->f, sizeof(krq->rec.features));
		krq->rec.pred_ns = cand->pred;
		krq->rec.model_version = cand->version;
	} else if (krq->featured) {
		/* No inference for the decision: predict for the sample. */
		kd_features(kd, rq, now, krq->rec.features);
		krq->rec.pred_ns = kd_predict(kd, krq->rec.features,
					      &krq->rec.model_version);
	}
	/* What it counts for in the window: as the model weighed it, if it did. */
	krq->window_ns = cand ? cand->cost : kd_cost(kd, rq, krq->rec.pred_ns);
	krq->ticket = ticket;
	krq->dispatched = true;
	if (krq->bulk)
		WRITE_ONCE(kd->dispatched_bulk, kd->dispatched_bulk + 1);
	krq->rec.insert_ns = kd_start_ns(rq);
	krq->rec.dispatch_ns = now;
	WRITE_ONCE(kd->pred_dispatched_ns,
		   kd->pred_dispatched_ns + krq->window_ns);
	WRITE_ONCE(kd->dispatched[dir], kd->dispatched[dir] + 1);
}

/*
 * The next request from the queues, or NULL: nothing queued, or the model
 * holds the writes back (*held). @cand gets what the model saw of its pick.
 */
static struct request *kd_pick(struct kd_data *kd, u64 now,
			       struct kd_candidate *cand, bool *held)
{
	enum kd_class c = kd_pick_class(kd, now);
	struct request *rq, *classic;

	if (c == KD_NR_CLASSES)
		return NULL;
	if (!READ_ONCE(kd->use_model))
		return kd_pick_deadline(kd, c, now);
	rq = kd_fifo_head(kd, c, READ);
	if (!kd->cls[c].queued[WRITE] && !(rq && kd_bulk_read(kd, rq))) {
		/* Nothing to hold back or weigh: no decision, no inference. */
		kd->model_read_only++;
		return rq;
	}
	/*
	 * Announce the hold before the window is read: a completion that
	 * frees room after that read then sees the flag and re-runs the queue.
	 */
	WRITE_ONCE(kd->held, true);
	smp_mb();	/* pairs with kd_completed_request() */
	/* What plain deadline would do, to count the decisions we change. */
	classic = kd_pick_deadline(kd, c, now);
	rq = kd_pick_model(kd, c, now, cand);
	kd->decisions++;
	if (rq != classic)
		kd->model_changed++;
	if (rq)
		kd->batch_dir = rq_data_dir(rq);
	*held = !rq;
	return rq;
}

static struct request *kd_dispatch_request(struct blk_mq_hw_ctx *hctx)
{
	struct kd_data *kd = hctx->queue->elevator->elevator_data;
	struct kd_candidate cand = { .rq = NULL };
	struct request *rq = NULL;
	u64 now = kd_now_ns();
	bool held = false;
	u32 ticket;

	spin_lock(&kd->lock);
	/* Blocking mode: no ring space, no dispatch (the ring kicks us). */
	if (kml_samples_promise(&ticket)) {
		kd->ring_held++;
		goto out;
	}
	rq = list_first_entry_or_null(&kd->dispatch, struct request,
				      queuelist);
	if (rq) {
		list_del_init(&rq->queuelist);
	} else {
		rq = kd_pick(kd, now, &cand, &held);
		if (rq)
			kd_take(kd, rq);
	}
	if (rq)
		kd_start(kd, rq, cand.rq == rq ? &cand : NULL, ticket, now);
	else
		kml_samples_unpromise(ticket);
out:
	if (READ_ONCE(kd->held) != held)	/* keep the line clean */
		WRITE_ONCE(kd->held, held);
	spin_unlock(&kd->lock);
	return rq;
}

static bool kd_has_work(struct blk_mq_hw_ctx *hctx)
{
	struct kd_data *kd = hctx->queue->elevator->elevator_data;
	int c;

	if (!list_empty_careful(&kd->dispatch))
		return true;
	for (c = 0; c < KD_NR_CLASSES; c++)
		if (READ_ONCE(kd->cls[c].queued[READ]) ||
		    READ_ONCE(kd->cls[c].queued[WRITE]))
			return true;
	return false;
}

/* --- merging ------------------------------------------------------------ */

static int kd_request_merge(struct request_queue *q, struct request **rq,
			    struct bio *bio)
{
	struct kd_data *kd = q->elevator->elevator_data;
	enum kd_class c = kd_class_of_prio(bio_prio(bio));
	struct request *__rq;

	if (!kd->front_merges)
		return ELEVATOR_NO_MERGE;
	/*
	 * A request that starts where the bio ends takes it at its front;
	 * only one of the bio's own priority can (blk_rq_merge_ok()).
	 */
	__rq = elv_rb_find(&kd->cls[c].sort[bio_data_dir(bio)],
			   bio_end_sector(bio));
	if (__rq && elv_bio_merge_ok(__rq, bio)) {
		*rq = __rq;
		return ELEVATOR_FRONT_MERGE;
	}
	return ELEVATOR_NO_MERGE;
}

static bool kd_bio_merge(struct request_queue *q, struct bio *bio,
			 unsigned int nr_segs)
{
	struct kd_data *kd = q->elevator->elevator_data;
	struct request *free = NULL;
	bool merged;

	spin_lock(&kd->lock);
	merged = blk_mq_sched_try_merge(q, bio, nr_segs, &free);
	spin_unlock(&kd->lock);
	if (free)
		blk_mq_free_request(free);
	return merged;
}

/* A front merge moved the start sector: re-sort. */
static void kd_request_merged(struct request_queue *q, struct request *rq,
			      enum elv_merge type)
{
	struct kd_data *kd = q->elevator->elevator_data;
	struct rb_root *root = kd_sort_root(kd, rq);

	if (type == ELEVATOR_FRONT_MERGE) {
		elv_rb_del(root, rq);
		elv_rb_add(root, rq);
	}
}

/* @next was merged into @rq: @rq inherits the earlier deadline. */
static void kd_requests_merged(struct request_queue *q, struct request *rq,
			       struct request *next)
{
	struct kd_data *kd = q->elevator->elevator_data;

	if (!list_empty(&rq->queuelist) && !list_empty(&next->queuelist) &&
	    next->fifo_time < rq->fifo_time &&
	    kd_class_of(rq) == kd_class_of(next)) {
		list_move(&rq->queuelist, &next->queuelist);
		rq->fifo_time = next->fifo_time;
	}
	kd_remove(kd, next);
}

/* --- per-request life cycle --------------------------------------------- */

/*
 * The record lives in the hardware queue's table, at the request's
 * scheduler tag: no allocation per request (which costs more than all of
 * the scheduling when the device is fast).
 */
static void kd_prepare_request(struct request *rq)
{
	struct kd_hctx *h = rq->mq_hctx->sched_data;
	struct kd_rq *krq = NULL;

	if (h && rq->internal_tag < h->nr) {
		krq = &h->rqs[rq->internal_tag];
		krq->dispatched = false;
	} else {
		struct kd_data *kd = rq->q->elevator->elevator_data;

		atomic64_inc(&kd->no_priv);	/* a lost sample, nothing else */
	}
	rq->elv.priv[0] = krq;
}

/* A dispatched request leaves the device: undo kd_start()'s accounting. */
static void kd_leave_device(struct kd_data *kd, struct kd_rq *krq, int dir)
{
	krq->dispatched = false;
	if (krq->bulk)
		atomic_inc(&kd->completed_bulk);
	atomic64_add(krq->window_ns, &kd->pred_completed_ns);
	atomic_inc(&kd->completed[dir]);
}

/* Completions race on it without a lock: a lost update costs one sample. */
static void kd_ewma_update(atomic64_t *ewma, u64 sample)
{
	atomic64_set(ewma, kml_ewma(atomic64_read(ewma), sample));
}

/* Moving average of log2(actual/predicted) over bulk reads, weight 1/8. */
static void kd_bulk_bias_update(struct kd_data *kd, u64 actual_ns,
				u32 pred_ns)
{
	s32 bias = atomic_read(&kd->bulk_bias);
	s32 err = kd_log2_ratio(actual_ns, pred_ns);

	bias += (err - bias) / 8;
	atomic_set(&kd->bulk_bias, clamp(bias, -KD_BIAS_MAX, KD_BIAS_MAX));
}

/* IRQ context: atomics and the lock-free ring only. */
static void kd_completed_request(struct request *rq, u64 now)
{
	struct kd_data *kd = rq->q->elevator->elevator_data;
	struct kd_rq *krq = kd_rq(rq);
	struct kml_sample s;
	int dir = rq_data_dir(rq);

	if (!krq || !krq->dispatched)
		return;
	kd_ewma_update(&kd->ewma_ns[dir], now - krq->rec.dispatch_ns);
	if (krq->bulk && krq->rec.pred_ns)	/* races lose a sample, as above */
		kd_bulk_bias_update(kd, now - krq->rec.dispatch_ns,
				    krq->rec.pred_ns);
	kd_leave_device(kd, krq, dir);
	/* The window may have room now for requests we held back. */
	smp_mb__after_atomic();	/* pairs with kd_dispatch_request() */
	if (READ_ONCE(kd->held)) {
		atomic64_inc(&kd->window_kicks);
		blk_mq_run_hw_queues(rq->q, true);
	}
	if (!krq->ticket && (!krq->featured || !kml_samples_wanted()))
		return;		/* nobody reads samples: skip building one */
	kml_sample_build(&s, rq, &krq->rec, now);
	kml_samples_emit(&s, krq->ticket);
	krq->ticket = 0;
	atomic64_inc(&kd->samples);
}

static void kd_requeue_request(struct request *rq)
{
	struct kd_data *kd = rq->q->elevator->elevator_data;
	struct kd_rq *krq = kd_rq(rq);

	if (!krq || !krq->dispatched)
		return;
	kd_leave_device(kd, krq, rq_data_dir(rq));
	kml_samples_unpromise(krq->ticket);
	krq->ticket = 0;
}

static void kd_finish_request(struct request *rq)
{
	struct kd_rq *krq = kd_rq(rq);

	if (!krq)
		return;
	/* Freed without a completion (e.g. an error path): settle up. */
	if (krq->dispatched)
		kd_requeue_request(rq);
	rq->elv.priv[0] = NULL;
}

/* --- queue life cycle ------------------------------------------------------ */

/*
 * One record per scheduler tag of @hctx. The table only grows, when
 * nr_requests grows past the tags allocated so far; the queue is frozen
 * then, so no request holds a record of the old table.
 */
static int kd_size_records(struct blk_mq_hw_ctx *hctx)
{
	struct kd_hctx *old = hctx->sched_data, *h;
	u32 nr = hctx->sched_tags->nr_tags;

	if (old && old->nr >= nr)
		return 0;
	h = kvzalloc_node(struct_size(h, rqs, nr), GFP_KERNEL, hctx->numa_node);
	if (!h)
		return -ENOMEM;
	h->nr = nr;
	hctx->sched_data = h;
	kvfree(old);
	return 0;
}

/* Async requests and writes may take 3/4 of the tags, never all. */
static void kd_set_async_depth(struct blk_mq_hw_ctx *hctx)
{
	struct request_queue *q = hctx->queue;
	struct kd_data *kd = q->elevator->elevator_data;

	kd->async_depth = max(1UL, 3 * q->nr_requests / 4);
	sbitmap_queue_min_shallow_depth(KD_SCHED_BITMAP(hctx),
					kd->async_depth);
}

static void kd_depth_updated(struct blk_mq_hw_ctx *hctx)
{
	kd_set_async_depth(hctx);
	/* Failing to grow leaves requests past the old size without a record. */
	if (kd_size_records(hctx))
		pr_warn_ratelimited("no memory for %u request records\n",
				    hctx->sched_tags->nr_tags);
}

static int kd_init_hctx(struct blk_mq_hw_ctx *hctx, unsigned int idx)
{
	int ret = kd_size_records(hctx);

	if (ret)
		return ret;
	kd_set_async_depth(hctx);
	return 0;
}

static void kd_exit_hctx(struct blk_mq_hw_ctx *hctx, unsigned int idx)
{
	kvfree(hctx->sched_data);
	hctx->sched_data = NULL;
}

static void kd_limit_depth(kd_opf_t opf, struct blk_mq_alloc_data *data)
{
	struct kd_data *kd = data->q->elevator->elevator_data;

	if (op_is_sync(opf) && !op_is_write(opf))
		return;
	data->shallow_depth = kd->async_depth;
}

static int kd_init_sched(struct request_queue *q, struct elevator_type *e)
{
	struct elevator_queue *eq;
	struct kd_data *kd;
	int c, d;

	eq = elevator_alloc(q, e);
	if (!eq)
		return -ENOMEM;
	kd = kzalloc_node(sizeof(*kd), GFP_KERNEL, q->node);
	if (!kd) {
		kobject_put(&eq->kobj);
		return -ENOMEM;
	}
	eq->elevator_data = kd;
	kd->q = q;
	spin_lock_init(&kd->lock);
	INIT_LIST_HEAD(&kd->dispatch);
	for (c = 0; c < KD_NR_CLASSES; c++)
		for (d = 0; d < 2; d++) {
			kd->cls[c].sort[d] = RB_ROOT;
			INIT_LIST_HEAD(&kd->cls[c].fifo[d]);
		}
	kd->expire_ns[READ] = 500 * NSEC_PER_MSEC;
	kd->expire_ns[WRITE] = 5000 * NSEC_PER_MSEC;
	kd->fifo_batch = 16;
	kd->writes_starved = 2;
	kd->front_merges = true;
	kd->prio_aging_ns = 10000ULL * NSEC_PER_MSEC;
	kd->use_model = true;
	kd->read_target_ns = 2000 * NSEC_PER_USEC;
	kd->window_ns = 8000 * NSEC_PER_USEC;
	kd->bulk_read_bytes = SZ_256K;
	kd->batch_dir = READ;
	q->elevator = eq;

	spin_lock(&kd_instances_lock);
	list_add_tail(&kd->node, &kd_instances);
	spin_unlock(&kd_instances_lock);
	return 0;
}

static void kd_exit_sched(struct elevator_queue *e)
{
	struct kd_data *kd = e->elevator_data;
	int c;

	spin_lock(&kd_instances_lock);
	list_del(&kd->node);
	spin_unlock(&kd_instances_lock);
	WARN_ON_ONCE(!list_empty(&kd->dispatch));
	for (c = 0; c < KD_NR_CLASSES; c++)
		WARN_ON_ONCE(!kd_class_empty(kd, c));
	kfree(kd);
}

/* Blocking mode freed ring space: run every kml-deadline queue. */
static void kd_kick_all(void)
{
	struct kd_data *kd;

	spin_lock(&kd_instances_lock);
	list_for_each_entry(kd, &kd_instances, node)
		blk_mq_run_hw_queues(kd->q, true);
	spin_unlock(&kd_instances_lock);
}

static struct elevator_type kd_elevator = {
	.ops = {
		.depth_updated = kd_depth_updated,
		.limit_depth = kd_limit_depth,
		.insert_requests = kd_insert_requests,
		.dispatch_request = kd_dispatch_request,
		.prepare_request = kd_prepare_request,
		.finish_request = kd_finish_request,
		.completed_request = kd_completed_request,
		.requeue_request = kd_requeue_request,
		.next_request = elv_rb_latter_request,
		.former_request = elv_rb_former_request,
		.bio_merge = kd_bio_merge,
		.request_merge = kd_request_merge,
		.requests_merged = kd_requests_merged,
		.request_merged = kd_request_merged,
		.has_work = kd_has_work,
		.init_sched = kd_init_sched,
		.exit_sched = kd_exit_sched,
		.init_hctx = kd_init_hctx,
		.exit_hctx = kd_exit_hctx,
	},
	.elevator_attrs = kd_attrs,
#ifdef CONFIG_BLK_DEBUG_FS
	.queue_debugfs_attrs = kd_debugfs_attrs,
#endif
	.elevator_name = "kml-deadline",
	.elevator_owner = THIS_MODULE,
};

int kml_deadline_init(void)
{
	int ret = elv_register(&kd_elevator);

	if (ret)
		return ret;
	kml_samples_set_kick(kd_kick_all);
	return 0;
}

void kml_deadline_exit(void)
{
	kml_samples_set_kick(NULL);
	elv_unregister(&kd_elevator);
}
