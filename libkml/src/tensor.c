// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shape operations on strided views, after Owl's reduce and repeat: merge
 * axes that walk memory as one, then read every input once and write the
 * output directly, with no intermediate buffer.
 */
#include <kml/tensor.h>

#define KML_NUMEL_MAX	0x7fffffffU	/* counts are returned as int */
#define KML_REDUCE_TILE	16		/* s64 column sums kept in registers */

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
 */
static bool kml_axes_next(const struct kml_axes *a, u32 *idx, size_t *off)
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

KML_SIMD_CLONES
static s64 kml_row_sum(const s32 *p, u32 n, u32 stride)
{
	s64 acc = 0;
	u32 i;

	if (stride == 1) {
		for (i = 0; i < n; i++)
			acc += p[i];
	} else {
		for (i = 0; i < n; i++)
			acc += p[(size_t)i * stride];
	}
	return acc;
}

KML_SIMD_CLONES
static s64 kml_row_max(const s32 *p, u32 n, u32 stride)
{
	s32 m = KML_Q16_MIN;
	u32 i;

	if (stride == 1) {
		for (i = 0; i < n; i++)
			m = p[i] > m ? p[i] : m;
	} else {
		for (i = 0; i < n; i++)
			m = p[(size_t)i * stride] > m ? p[(size_t)i * stride] : m;
	}
	return m;
}

static inline s64 kml_reduce_init(enum kml_reduce_op op)
{
	return op == KML_REDUCE_MAX ? KML_Q16_MIN : 0;
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

/* One output: every reduced position under @p. */
static s64 kml_reduce_one(const s32 *p, const struct kml_axes *red,
			  enum kml_reduce_op op)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, last = red->n - 1;
	s64 acc = kml_reduce_init(op);
	size_t off = 0;
	s64 v;

	do {
		if (op == KML_REDUCE_MAX) {
			v = kml_row_max(p + off, red->dim[last],
					red->stride[last]);
			acc = v > acc ? v : acc;
		} else {
			acc += kml_row_sum(p + off, red->dim[last],
					   red->stride[last]);
		}
	} while (kml_axes_next(red, idx, &off));
	return acc;
}

/* Innermost kept axis strided (or reduced axes contiguous): one by one. */
static void kml_reduce_rows(const s32 *p, const struct kml_axes *keep,
			    const struct kml_axes *red, enum kml_reduce_op op,
			    size_t count, s32 *out)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, last = keep->n - 1, j;
	size_t off = 0;

	do {
		for (j = 0; j < keep->dim[last]; j++) {
			const s32 *q = p + off + (size_t)j * keep->stride[last];

			*out++ = kml_reduce_finish(kml_reduce_one(q, red, op),
						   op, count);
		}
	} while (kml_axes_next(keep, idx, &off));
}

/*
 * Innermost kept axis contiguous: reduce a tile of columns at a time, so
 * that memory is read in rows while no output is written before it is
 * final. @red ends with a unit axis, so kml_axes_next() walks all the
 * reduced axes. Separate sum and max loops keep each one vectorizable.
 */
KML_SIMD_CLONES
static void kml_cols_sum(const s32 *p, const struct kml_axes *red, u32 w,
			 s64 *acc)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, j;
	size_t off = 0;

	for (j = 0; j < w; j++)
		acc[j] = 0;
	if (w == KML_REDUCE_TILE) {	/* a fixed width vectorizes fully */
		do {
			for (j = 0; j < KML_REDUCE_TILE; j++)
				acc[j] += p[off + j];
		} while (kml_axes_next(red, idx, &off));
		return;
	}
	do {
		for (j = 0; j < w; j++)
			acc[j] += p[off + j];
	} while (kml_axes_next(red, idx, &off));
}

KML_SIMD_CLONES
static void kml_cols_max(const s32 *p, const struct kml_axes *red, u32 w,
			 s64 *acc)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, j;
	s32 m[KML_REDUCE_TILE];
	size_t off = 0;

	for (j = 0; j < w; j++)
		m[j] = KML_Q16_MIN;
	do {
		for (j = 0; j < w; j++)
			m[j] = p[off + j] > m[j] ? p[off + j] : m[j];
	} while (kml_axes_next(red, idx, &off));
	for (j = 0; j < w; j++)
		acc[j] = m[j];
}

static void kml_reduce_cols(const s32 *p, const struct kml_axes *keep,
			    const struct kml_axes *red, enum kml_reduce_op op,
			    size_t count, s32 *out)
{
	u32 idx[KML_MAX_DIMS + 1] = { 0 }, width = keep->dim[keep->n - 1];
	s64 acc[KML_REDUCE_TILE];
	size_t off = 0;
	u32 c, j, w;

	do {
		for (c = 0; c < width; c += w) {
			w = width - c < KML_REDUCE_TILE ? width - c :
							  KML_REDUCE_TILE;
			if (op == KML_REDUCE_MAX)
				kml_cols_max(p + off + c, red, w, acc);
			else
				kml_cols_sum(p + off + c, red, w, acc);
			for (j = 0; j < w; j++)
				*out++ = kml_reduce_finish(acc[j], op, count);
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

	if (keep.stride[keep.n - 1] == 1 && keep.dim[keep.n - 1] > 1) {
		kml_axes_add_unit(&red);
		kml_reduce_cols(in->data, &keep, &red, op, numel / nout, out);
	} else {
		kml_reduce_rows(in->data, &keep, &red, op, numel / nout, out);
	}
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
