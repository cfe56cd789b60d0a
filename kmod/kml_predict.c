// SPDX-License-Identifier: GPL-2.0
/*
 * What kml-deadline knows about a request, as the model sees it, and what
 * the model says about it. Integer only: features are Q16.16 and mostly
 * log2 (kml_feat_log2), the model predicts log2 of the service latency in
 * microseconds, and kd_exp2_ns() turns that back into nanoseconds.
 */
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/ktime.h>
#include <kml/blob.h>
#include <kml/ops.h>

#include "kml_deadline.h"

/* Blobs are little-endian and built here in host order. */
#ifdef __BIG_ENDIAN
#error "kml.ko supports little-endian machines only"
#endif

#define Q16(x)		((s32)((x) * 65536))
#define KD_COUNT_CAP	4096

enum kd_feature {
	KD_F_OP,		/* 0 read, 1 write, 2 other */
	KD_F_SIZE,		/* log2 bytes */
	KD_F_DISTANCE,		/* log2(1 + sectors from the last dispatch) */
	KD_F_QUEUED_READS,
	KD_F_QUEUED_WRITES,
	KD_F_INFLIGHT,		/* requests in the device */
	KD_F_AGE,		/* log2(1 + us since the request was made) */
	KD_F_EWMA,		/* log2(1 + recent service latency in us) */
	KD_F_SINCE_WRITE,	/* log2(1 + us since the last write dispatch) */
};

static s32 kd_count(u32 n)
{
	return min_t(u32, n, KD_COUNT_CAP) << 16;
}

static s32 kd_log2_us(u64 ns)
{
	return kml_feat_log2(1 + div_u64(ns, NSEC_PER_USEC));
}

static enum kml_op kml_op_of(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return KML_OP_READ;
	case REQ_OP_WRITE:
		return KML_OP_WRITE;
	default:
		return KML_OP_OTHER;
	}
}

/* The sample for @rq completing at @now; the caller adds source flags. */
void kml_sample_build(struct kml_sample *s, struct request *rq,
		      const struct kml_rq_record *rec, u64 now)
{
	dev_t devt = rq->q->disk ? disk_devt(rq->q->disk) : 0;

	memset(s, 0, sizeof(*s));
	s->version = KML_SAMPLE_VERSION;
	s->op = kml_op_of(rq);
	s->nr_features = KML_NR_FEATURES;
	s->flags = rec->pred_ns ? KML_SAMPLE_PREDICTED : 0;
	s->dev = devt ? MAJOR(devt) << 20 | MINOR(devt) : 0;
	s->model_version = rec->model_version;
	s->predicted_ns = rec->pred_ns;
	s->service_ns = min_t(u64, now - rec->dispatch_ns, U32_MAX);
	s->total_ns = min_t(u64, now - rec->insert_ns, U32_MAX);
	memcpy(s->features, rec->features, sizeof(s->features));
}

/* The request's features given @st, what the queue and device look like. */
void kml_features(const struct kml_io_state *st, struct request *rq,
		  u64 insert_ns, u64 now, s32 *f)
{
	sector_t pos = blk_rq_pos(rq);
	u64 dist = pos > st->last_end ? pos - st->last_end : st->last_end - pos;

	f[KD_F_OP] = kml_op_of(rq) << 16;	/* 0 read, 1 write, 2 other */
	f[KD_F_SIZE] = kml_feat_log2(blk_rq_bytes(rq));
	f[KD_F_DISTANCE] = kml_feat_log2(1 + dist);
	f[KD_F_QUEUED_READS] = kd_count(st->queued[READ]);
	f[KD_F_QUEUED_WRITES] = kd_count(st->queued[WRITE]);
	f[KD_F_INFLIGHT] = kd_count(st->inflight);
	f[KD_F_AGE] = kd_log2_us(insert_ns && now > insert_ns ?
				 now - insert_ns : 0);
	f[KD_F_EWMA] = kd_log2_us(st->ewma_ns[rq_data_dir(rq)]);
	f[KD_F_SINCE_WRITE] = kd_log2_us(now - min(now, st->last_write_ns));
}

/* Under kd->lock. */
void kd_features(struct kd_data *kd, struct request *rq, u64 now, s32 *f)
{
	struct kml_io_state st = {
		.last_end = kd->last_end,
		.last_write_ns = kd->last_write_ns,
		.ewma_ns = { atomic64_read(&kd->ewma_ns[READ]),
			     atomic64_read(&kd->ewma_ns[WRITE]) },
		.inflight = kd_inflight(kd, READ) + kd_inflight(kd, WRITE),
	};
	int c;

	for (c = 0; c < KD_NR_CLASSES; c++) {
		st.queued[READ] += kd->cls[c].queued[READ];
		st.queued[WRITE] += kd->cls[c].queued[WRITE];
	}
	kml_features(&st, rq, rq->start_time_ns, now, f);
}

/* 2^(y) microseconds in ns, y in Q16; 2^frac by a quadratic (< 0.3 %). */
static u32 kd_exp2_ns(s32 y)
{
	u64 frac, mant;
	int whole;

	y = clamp_t(s32, y, 0, Q16(22));	/* 1 us .. ~4 s */
	whole = y >> 16;
	frac = y & 0xffff;
	/* 2^f ~= 1 + 0.6565 f + 0.3435 f^2 on [0, 1) */
	mant = 65536 + ((frac * 43025) >> 16) +
	       ((((frac * frac) >> 16) * 22512) >> 16);
	return (u32)min_t(u64, ((mant << whole) * NSEC_PER_USEC) >> 16, U32_MAX);
}

/* log2(actual / predicted) in Q16, both in microseconds plus one. */
s32 kd_log2_ratio(u64 actual_ns, u64 predicted_ns)
{
	return kd_log2_us(actual_ns) - kd_log2_us(predicted_ns);
}

/* @ns times 2^@log2_factor (Q16), within what kd_exp2_ns() can express. */
u32 kd_scale_ns(u32 ns, s32 log2_factor)
{
	return kd_exp2_ns(kd_log2_us(ns) + log2_factor);
}

static void kd_hist_add(struct kd_data *kd, u64 ns)
{
	int b = ns ? ilog2(ns) - KD_HIST_MIN_SHIFT + 1 : 0;

	atomic64_inc(&kd->hist[clamp(b, 0, KD_HIST_BUCKETS - 1)]);
}

/* Predicted service latency for features @f in ns; 0 without a model. */
u32 kml_predict_ns(const s32 *f, struct kml_work *work, u32 *model_version)
{
	const struct kml_model_box *box;
	s32 y = 0;
	bool ok = false;

	rcu_read_lock();
	box = kml_model_current();
	if (box && box->model.n_in == KML_NR_FEATURES) {
		kml_model_predict(&box->model, f, &y, work);
		*model_version = box->model.version;
		ok = true;
	}
	rcu_read_unlock();
	return ok ? kd_exp2_ns(y) : 0;
}

/*
 * As kml_predict_ns(); one call in KD_HIST_EVERY is timed into the
 * histogram (two clock reads per call would cost more than the model).
 * Under kd->lock.
 */
u32 kd_predict(struct kd_data *kd, const s32 *f, u32 *model_version)
{
	u64 t0;
	u32 ns;

	if (++kd->predictions % KD_HIST_EVERY)
		return kml_predict_ns(f, &kd->work, model_version);
	t0 = ktime_get_ns();
	ns = kml_predict_ns(f, &kd->work, model_version);
	if (ns)
		kd_hist_add(kd, ktime_get_ns() - t0);
	return ns;
}

/*
 * The built-in model, used until kmld commits a trained one: log2 of the
 * service time in us from size, direction and device occupancy alone,
 *   y = -2 + 0.8 log2(bytes) + 1.0 write + 0.25 inflight,
 * i.e. a 4 KiB read ~195 us, a 128 KiB write ~6 ms, +19 % per request
 * already in the device. A prior, not a fit: kmld replaces it.
 */
static const s32 kd_default_weights[KML_NR_FEATURES] = {
	[KD_F_OP] = Q16(1),
	[KD_F_SIZE] = Q16(0.8),
	[KD_F_INFLIGHT] = Q16(0.25),
};

#define KD_DEFAULT_BIAS		Q16(-2)

int kd_default_model_blob(u8 *buf, size_t len)
{
	struct kml_blob_header *h = (void *)buf;
	s32 *p = (s32 *)(h + 1);
	size_t words = 2 * KML_NR_FEATURES + 1 + KML_NR_FEATURES;
	size_t size = sizeof(*h) + 4 * words;
	int i;

	if (len < size)
		return -ENOSPC;
	memset(buf, 0, size);
	h->magic = KML_BLOB_MAGIC;
	h->version = KML_BLOB_VERSION;
	h->header_size = sizeof(*h);
	h->kind = KML_MODEL_LINEAR;
	h->wtype = KML_WTYPE_Q16;
	h->frac_bits = KML_BLOB_FRAC_BITS;
	h->n_layers = 1;
	h->dim[0] = KML_NR_FEATURES;
	h->dim[1] = 1;
	h->model_version = 0;
	h->payload_size = 4 * words;
	for (i = 0; i < KML_NR_FEATURES; i++) {
		p[i] = 0;				/* mean */
		p[KML_NR_FEATURES + i] = Q16(1);	/* inverse std */
		p[2 * KML_NR_FEATURES + 1 + i] = kd_default_weights[i];
	}
	p[2 * KML_NR_FEATURES] = KD_DEFAULT_BIAS;
	h->crc32 = kml_crc32(0, buf, size);
	return size;
}
