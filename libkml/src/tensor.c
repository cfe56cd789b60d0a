// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shape operations on strided views, after Owl's reduce and repeat: merge
 * axes that walk memory as one, then read every input once and write the
 * output directly, with no intermediate buffer.
 */
#include <kml/tensor.h>

#define KML_NUMEL_MAX	0x7fffffffU	/* counts are returned as int */
#define KML_LANES	8		/* s32 elements in an AVX2 register */
#define KML_REDUCE_TILE	(2 * KML_LANES)	/* columns reduced at once */

/* Elements of a valid view, else 0. */
static size_t kml_view_numel(const struct kml_tensor *t)
{
	size_t n = 1;
	u32 i;

	if (!t->data || t->ndim < 1 || t->ndim > KML_MAX_DIMS)
		return 0;
	for (i = 0; i < t->ndim; i++) {
		if (!t->dim[i] || t->dim[i] > KML_NUMEL_MAX / n)
			return 0;
		n *= t->dim[i];
	}
	return n;
}

size_t kml_tensor_numel(const struct kml_tensor *t)
{
	return kml_view_numel(t);
}

int kml_tensor_init(struct kml_tensor *t, s32 *data, u32 ndim,
		    const u32 *dim)
{
	u32 i, stride = 1;

	if (ndim < 1 || ndim > KML_MAX_DIMS)
		return -EINVAL;
	t->data = data;
	t->ndim = ndim;
	for (i = ndim; i-- > 0;) {
		t->dim[i] = dim[i];
		t->stride[i] = stride;
		stride *= dim[i];
	}
	return kml_view_numel(t) ? 0 : -EINVAL;
}

/* Nested loops over a list of axes, the last one innermost. */
struct kml_axes {
	u32 n;
	u32 dim[KML_MAX_DIMS + 1];
	u32 stride[KML_MAX_DIMS + 1];
};

/* Append an axis, merged into the previous one if both walk as one. */
static void kml_axes_push(struct kml_axes *a, u32 dim, u32 stride)
{
	u32 last = a->n - 1;

	if (dim == 1)
		return;
	if (a->n && a->stride[last] == (u64)stride * dim) {
		a->dim[last] *= dim;
		a->stride[last] = stride;
		return;
	}
	a->dim[a->n] = dim;
	a->stride[a->n] = stride;
	a->n++;
}

/* Append an axis of one position, which walks nothing. */
static void kml_axes_add_unit(struct kml_axes *a)
{
	a->dim[a->n] = 1;
	a->stride[a->n] = 0;
	a->n++;
}

/*
 * Step the outer axes (all but the last) like an odometer, keeping *off
 * the offset of the current position; false once every position is done.
 * The last axis is the caller's inner loop.
 */
static inline bool kml_axes_next(const struct kml_axes *a, u32 *idx,
				 size_t *off)
{
	u32 i;

	for (i = a->n - 1; i-- > 0;) {
		*off += a->stride[i];
		if (++idx[i] < a->dim[i])
			return true;
		*off -= (size_t)a->stride[i] * a->dim[i];
		idx[i] = 0;
	}
	return false;
}

static s32 kml_reduce_finish(s64 acc, enum kml_reduce_op op, size_t count)
{
	u64 mag;

	if (op != KML_REDUCE_MEAN)
		return kml_sat_s32(acc);
	mag = acc < 0 ? -(u64)acc : (u64)acc;
	mag = kml_div_u64(mag + count / 2, count);
	return acc < 0 ? -(s32)mag : (s32)mag;
}

/*
 * One output: every reduced position under @p, the innermost reduced axis
 * as the inner loop. A contiguous run is taken a cache line (two groups
 * of KML_LANES elements) at a time into lanes that only meet at the end:
 * each fixed-width group loop is one AVX2 operation and its lanes stay in
 * registers, with no horizontal step per run.
 */
KML_SIMD_CLONES
static s64 kml_sum_one(const s32 *p, const struct kml_axes *red)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, last = red->n - 1, i, k;
	u32 n = red->dim[last], s = red->stride[last];
	s64 a0[KML_LANES] = { 0 }, a1[KML_LANES] = { 0 }, acc = 0;
	size_t off = 0;

	do {
		const s32 *q = p + off;

		if (s != 1) {
			for (i = 0; i < n; i++)
				acc += q[(size_t)i * s];
			continue;
		}
		for (i = 0; i + 2 * KML_LANES <= n; i += 2 * KML_LANES) {
			const s32 *r = q + i;

			for (k = 0; k < KML_LANES; k++)
				a0[k] += r[k];
			for (k = 0; k < KML_LANES; k++)
				a1[k] += r[KML_LANES + k];
		}
		for (; i < n; i++)
			acc += q[i];
	} while (kml_axes_next(red, idx, &off));
	for (k = 0; k < KML_LANES; k++)
		acc += a0[k] + a1[k];
	return acc;
}

KML_SIMD_CLONES
static s32 kml_max_one(const s32 *p, const struct kml_axes *red)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, last = red->n - 1, i, k;
	u32 n = red->dim[last], s = red->stride[last];
	s32 m0[KML_LANES], m1[KML_LANES], m = KML_Q16_MIN;
	size_t off = 0;

	for (k = 0; k < KML_LANES; k++)
		m0[k] = m1[k] = KML_Q16_MIN;
	do {
		const s32 *q = p + off;

		if (s != 1) {
			for (i = 0; i < n; i++)
				m = q[(size_t)i * s] > m ? q[(size_t)i * s] : m;
			continue;
		}
		for (i = 0; i + 2 * KML_LANES <= n; i += 2 * KML_LANES) {
			const s32 *r = q + i;

			for (k = 0; k < KML_LANES; k++)
				m0[k] = r[k] > m0[k] ? r[k] : m0[k];
			for (k = 0; k < KML_LANES; k++)
				m1[k] = r[KML_LANES + k] > m1[k] ?
					r[KML_LANES + k] : m1[k];
		}
		for (; i < n; i++)
			m = q[i] > m ? q[i] : m;
	} while (kml_axes_next(red, idx, &off));
	for (k = 0; k < KML_LANES; k++) {
		m = m0[k] > m ? m0[k] : m;
		m = m1[k] > m ? m1[k] : m;
	}
	return m;
}

/* Innermost kept axis strided (or reduced axes contiguous): one by one. */
static void kml_reduce_rows(const s32 *p, const struct kml_axes *keep,
			    const struct kml_axes *red, enum kml_reduce_op op,
			    size_t count, s32 *out)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, last = keep->n - 1, j;
	size_t off = 0;
	s64 acc;

	do {
		for (j = 0; j < keep->dim[last]; j++) {
			const s32 *q = p + off + (size_t)j * keep->stride[last];

			if (op == KML_REDUCE_MAX)
				acc = kml_max_one(q, red);
			else
				acc = kml_sum_one(q, red);
			*out++ = kml_reduce_finish(acc, op, count);
		}
	} while (kml_axes_next(keep, idx, &off));
}

/*
 * Innermost kept axis contiguous: reduce a tile of 2 × KML_LANES columns
 * at a time, adding whole row segments into lanes that stay in registers,
 * so that memory is read in rows while no output is written before it is
 * final. The innermost reduced axis is the inner loop. Separate sum and
 * max loops keep each one vectorizable.
 */
KML_SIMD_CLONES
static void kml_cols_sum(const s32 *p, const struct kml_axes *red, u32 w,
			 enum kml_reduce_op op, size_t count, s32 *out)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, last = red->n - 1, i, j;
	u32 n = red->dim[last], s = red->stride[last];
	u32 w0 = w < KML_LANES ? w : KML_LANES, w1 = w - w0;
	s64 a0[KML_LANES] = { 0 }, a1[KML_LANES] = { 0 };
	size_t off = 0;
	const s32 *q;

	if (w == KML_REDUCE_TILE) {	/* fixed widths: lanes in registers */
		do {
			for (i = 0; i < n; i++) {
				q = p + off + (size_t)i * s;
				for (j = 0; j < KML_LANES; j++)
					a0[j] += q[j];
				for (j = 0; j < KML_LANES; j++)
					a1[j] += q[KML_LANES + j];
			}
		} while (kml_axes_next(red, idx, &off));
	} else {			/* the last, narrow tile */
		do {
			for (i = 0; i < n; i++) {
				q = p + off + (size_t)i * s;
				for (j = 0; j < w0; j++)
					a0[j] += q[j];
				for (j = 0; j < w1; j++)
					a1[j] += q[KML_LANES + j];
			}
		} while (kml_axes_next(red, idx, &off));
	}
	for (j = 0; j < w0; j++)
		out[j] = kml_reduce_finish(a0[j], op, count);
	for (j = 0; j < w1; j++)
		out[KML_LANES + j] = kml_reduce_finish(a1[j], op, count);
}

KML_SIMD_CLONES
static void kml_cols_max(const s32 *p, const struct kml_axes *red, u32 w,
			 s32 *out)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, last = red->n - 1, i, j;
	u32 n = red->dim[last], s = red->stride[last];
	u32 w0 = w < KML_LANES ? w : KML_LANES, w1 = w - w0;
	s32 m0[KML_LANES], m1[KML_LANES];
	size_t off = 0;
	const s32 *q;

	for (j = 0; j < KML_LANES; j++)
		m0[j] = m1[j] = KML_Q16_MIN;
	if (w == KML_REDUCE_TILE) {
		do {
			for (i = 0; i < n; i++) {
				q = p + off + (size_t)i * s;
				for (j = 0; j < KML_LANES; j++)
					m0[j] = q[j] > m0[j] ? q[j] : m0[j];
				for (j = 0; j < KML_LANES; j++)
					m1[j] = q[KML_LANES + j] > m1[j] ?
						q[KML_LANES + j] : m1[j];
			}
		} while (kml_axes_next(red, idx, &off));
	} else {
		do {
			for (i = 0; i < n; i++) {
				q = p + off + (size_t)i * s;
				for (j = 0; j < w0; j++)
					m0[j] = q[j] > m0[j] ? q[j] : m0[j];
				for (j = 0; j < w1; j++)
					m1[j] = q[KML_LANES + j] > m1[j] ?
						q[KML_LANES + j] : m1[j];
			}
		} while (kml_axes_next(red, idx, &off));
	}
	for (j = 0; j < w0; j++)
		out[j] = m0[j];
	for (j = 0; j < w1; j++)
		out[KML_LANES + j] = m1[j];
}

static void kml_reduce_cols(const s32 *p, const struct kml_axes *keep,
			    const struct kml_axes *red, enum kml_reduce_op op,
			    size_t count, s32 *out)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, width = keep->dim[keep->n - 1];
	size_t off = 0;
	u32 c, w;

	do {
		for (c = 0; c < width; c += w) {
			w = width - c < KML_REDUCE_TILE ? width - c :
							  KML_REDUCE_TILE;
			if (op == KML_REDUCE_MAX)
				kml_cols_max(p + off + c, red, w, out);
			else
				kml_cols_sum(p + off + c, red, w, op, count,
					     out);
			out += w;
		}
	} while (kml_axes_next(keep, idx, &off));
}

int kml_reduce(const struct kml_tensor *in, u32 axes, enum kml_reduce_op op,
	       s32 *out, size_t out_len)
{
	struct kml_axes keep = { 0 }, red = { 0 };
	size_t numel = kml_view_numel(in), nout = 1;
	u32 i;

	if (!numel || op > KML_REDUCE_MEAN || axes >> in->ndim)
		return -EINVAL;
	for (i = 0; i < in->ndim; i++) {
		if (axes & (1U << i)) {
			kml_axes_push(&red, in->dim[i], in->stride[i]);
		} else {
			kml_axes_push(&keep, in->dim[i], in->stride[i]);
			nout *= in->dim[i];
		}
	}
	if (nout > out_len)
		return -ENOSPC;
	/* a list with no axis left is one position */
	if (!keep.n)
		kml_axes_add_unit(&keep);
	if (!red.n)
		kml_axes_add_unit(&red);

	if (keep.stride[keep.n - 1] == 1 && keep.dim[keep.n - 1] > 1)
		kml_reduce_cols(in->data, &keep, &red, op, numel / nout, out);
	else
		kml_reduce_rows(in->data, &keep, &red, op, numel / nout, out);
	return (int)nout;
}

/* Follow the block o[0..n) with r - 1 copies of it, doubling each time. */
static void kml_dup(s32 *o, size_t n, u32 r)
{
	size_t done = n, total = n * r, k;

	while (done < total) {
		k = done < total - done ? done : total - done;
		memcpy(o + done, o, k * sizeof(*o));
		done += k;
	}
}

/*
 * Write the expansion of the sub-view at @p over axes @ax.. to @o and
 * return its length. Repeat copies each sub-block as soon as it is
 * written; tile copies the whole block at the end. The copies come from
 * @o itself, so the output is the only buffer. Recursion depth is at most
 * KML_MAX_DIMS.
 */
static size_t kml_expand(const struct kml_tensor *t, const u32 *reps,
			 bool tile, u32 ax, const s32 *p, s32 *o)
{
	u32 dim = t->dim[ax], stride = t->stride[ax], r = reps[ax], i, k;
	size_t len = 0, n;

	if (ax + 1 < t->ndim) {
		for (i = 0; i < dim; i++) {
			n = kml_expand(t, reps, tile, ax + 1,
				       p + (size_t)i * stride, o + len);
			if (!tile) {
				kml_dup(o + len, n, r);
				n *= r;
			}
			len += n;
		}
	} else if (tile || r == 1) {
		for (i = 0; i < dim; i++)
			o[len++] = p[(size_t)i * stride];
	} else {
		for (i = 0; i < dim; i++)
			for (k = 0; k < r; k++)
				o[len++] = p[(size_t)i * stride];
		return len;
	}
	if (tile) {
		kml_dup(o, len, r);
		len *= r;
	}
	return len;
}

static int kml_expand_checked(const struct kml_tensor *in, const u32 *reps,
			      bool tile, s32 *out, size_t out_len)
{
	size_t nout = kml_view_numel(in);
	u32 i;

	if (!nout)
		return -EINVAL;
	for (i = 0; i < in->ndim; i++) {
		if (!reps[i] || reps[i] > KML_NUMEL_MAX / nout)
			return -EINVAL;
		nout *= reps[i];
	}
	if (nout > out_len)
		return -ENOSPC;
	kml_expand(in, reps, tile, 0, in->data, out);
	return (int)nout;
}

int kml_repeat(const struct kml_tensor *in, const u32 *reps, s32 *out,
	       size_t out_len)
{
	return kml_expand_checked(in, reps, false, out, out_len);
}

int kml_tile(const struct kml_tensor *in, const u32 *reps, s32 *out,
	     size_t out_len)
{
	return kml_expand_checked(in, reps, true, out, out_len);
}
