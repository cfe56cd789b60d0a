/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Vector and matrix operations on Q16.16 data in caller-owned buffers.
 * Products accumulate exactly in 64 bits, are rounded once and saturated.
 */
#ifndef KML_OPS_H
#define KML_OPS_H

#include <kml/fixed.h>

enum kml_act {
	KML_ACT_NONE,
	KML_ACT_RELU,
	KML_ACT_SIGMOID,
	KML_ACT_TANH,
	KML_ACT_COUNT
};

/*
 * y[r] = b[r] + sum_c w[r * cols + c] * x[c]; b may be NULL. The sum is
 * exact while sum |w * x| < 2^63, which models guarantee by limiting
 * weights to KML_MAX_WEIGHT (see model.h).
 */
void kml_matvec(const s32 *w, const s32 *b, const s32 *x, s32 *y,
		u32 rows, u32 cols);
/* The same with int8 weights whose real value is w * scale. */
void kml_matvec_i8(const s8 *w, const struct kml_qmul *scale, const s32 *b,
		   const s32 *x, s32 *y, u32 rows, u32 cols);
/* c[m x n] = a[m x k] * b[k x n], all row-major and contiguous. */
void kml_matmul(const s32 *a, const s32 *b, s32 *c, u32 m, u32 k, u32 n);

/* Element-wise and saturating; y may alias an input. */
void kml_add(const s32 *a, const s32 *b, s32 *y, u32 n);
void kml_mul(const s32 *a, const s32 *b, s32 *y, u32 n);
void kml_scale(const s32 *a, s32 s, s32 *y, u32 n);

s32 kml_sigmoid(s32 x);
s32 kml_tanh(s32 x);
/* Apply @act in place. */
void kml_activate(s32 *x, u32 n, enum kml_act act);
/* Index of the first largest element; n must be > 0. */
u32 kml_argmax(const s32 *x, u32 n);

/* y = (x - mean) * inv_std, the standardization the models start with. */
void kml_standardize(const s32 *x, const s32 *mean, const s32 *inv_std,
		     s32 *y, u32 n);

/* int8 -> Q16: y = q * scale. */
void kml_dequantize_i8(const s8 *q, const struct kml_qmul *scale, s32 *y,
		       u32 n);

/*
 * Feature transforms for raw kernel quantities (sizes, distances, times).
 * kml_log2_bucket: 0 for 0, else floor(log2(v)) + 1, at most @max.
 * kml_feat_log2: log2(v) in Q16 with a linear mantissa (error < 0.0861,
 * exact at powers of two); 0 for v <= 1.
 */
u32 kml_log2_bucket(u64 v, u32 max);
s32 kml_feat_log2(u64 v);

#endif /* KML_OPS_H */
