// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Vector and matrix operations on Q16.16 data: the inner loops of the
 * models, activations and feature transforms.
 */
#include <kml/ops.h>

/*
 * Dot products accumulate in u64: wrapping is defined there, and the
 * callers' bounds keep the true sum inside s64, so the result is exact.
 */
static inline s32 kml_dot_finish(u64 acc)
{
	return kml_sat_s32(kml_round_shift((s64)acc, KML_Q16_SHIFT));
}

static inline u64 kml_bias_acc(const s32 *b, u32 r)
{
	return b ? (u64)((s64)b[r] * KML_Q16_ONE) : 0;
}

void kml_matvec(const s32 *w, const s32 *b, const s32 *x, s32 *y,
		u32 rows, u32 cols)
{
	u32 r, c;

	for (r = 0; r < rows; r++, w += cols) {
		u64 acc = kml_bias_acc(b, r);

		for (c = 0; c < cols; c++)
			acc += (u64)((s64)w[c] * x[c]);
		y[r] = kml_dot_finish(acc);
	}
}

void kml_matvec_i8(const s8 *w, const struct kml_qmul *scale, const s32 *b,
		   const s32 *x, s32 *y, u32 rows, u32 cols)
{
	u32 r, c;

	for (r = 0; r < rows; r++, w += cols) {
		s64 acc = 0;	/* |w * x| < 2^38: no overflow below 2^25 cols */

		for (c = 0; c < cols; c++)
			acc += (s64)w[c] * x[c];
		y[r] = kml_sat_s32(kml_qmul_round(acc, scale) + (b ? b[r] : 0));
	}
}

void kml_matmul(const s32 *a, const s32 *b, s32 *c, u32 m, u32 k, u32 n)
{
	u32 i, j, t;

	for (i = 0; i < m; i++, a += k) {
		for (j = 0; j < n; j++) {
			u64 acc = 0;

			for (t = 0; t < k; t++)
				acc += (u64)((s64)a[t] * b[(size_t)t * n + j]);
			c[(size_t)i * n + j] = kml_dot_finish(acc);
		}
	}
}

void kml_add(const s32 *a, const s32 *b, s32 *y, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		y[i] = kml_q16_add(a[i], b[i]);
}

void kml_mul(const s32 *a, const s32 *b, s32 *y, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		y[i] = kml_q16_mul(a[i], b[i]);
}

void kml_scale(const s32 *a, s32 s, s32 *y, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		y[i] = kml_q16_mul(a[i], s);
}

/* sigmoid(i / 8) in Q16 for i = 0..64: round(65536 / (1 + exp(-i / 8))). */
static const u16 kml_sigmoid_tab[65] = {
	32768, 34813, 36843, 38841, 40793, 42687, 44511, 46254,
	47911, 49474, 50941, 52310, 53581, 54754, 55834, 56822,
	57724, 58544, 59287, 59959, 60565, 61109, 61598, 62036,
	62428, 62778, 63090, 63368, 63615, 63835, 64030, 64203,
	64357, 64494, 64614, 64721, 64816, 64900, 64974, 65039,
	65097, 65149, 65194, 65234, 65269, 65300, 65328, 65352,
	65374, 65393, 65410, 65425, 65438, 65449, 65459, 65468,
	65476, 65483, 65489, 65495, 65500, 65504, 65508, 65511,
	65514,
};

#define KML_SIGMOID_STEP_SHIFT	13	/* table step 1/8 in Q16 */

/* Linear interpolation in the table; sigmoid(-x) = 1 - sigmoid(x). */
s32 kml_sigmoid(s32 x)
{
	u32 ax = x < 0 ? -(u32)x : (u32)x;
	u32 i = ax >> KML_SIGMOID_STEP_SHIFT;
	s32 y;

	if (i >= ARRAY_SIZE(kml_sigmoid_tab) - 1) {
		y = kml_sigmoid_tab[ARRAY_SIZE(kml_sigmoid_tab) - 1];
	} else {
		s32 lo = kml_sigmoid_tab[i], hi = kml_sigmoid_tab[i + 1];
		s32 frac = ax & ((1 << KML_SIGMOID_STEP_SHIFT) - 1);

		y = lo + (s32)kml_round_shift((s64)(hi - lo) * frac,
					      KML_SIGMOID_STEP_SHIFT);
	}
	return x < 0 ? KML_Q16_ONE - y : y;
}

/* tanh(x) = 2 sigmoid(2x) - 1 */
s32 kml_tanh(s32 x)
{
	return 2 * kml_sigmoid(kml_q16_add(x, x)) - KML_Q16_ONE;
}

void kml_activate(s32 *x, u32 n, enum kml_act act)
{
	u32 i;

	switch (act) {
	case KML_ACT_RELU:
		for (i = 0; i < n; i++)
			x[i] = x[i] > 0 ? x[i] : 0;
		break;
	case KML_ACT_SIGMOID:
		for (i = 0; i < n; i++)
			x[i] = kml_sigmoid(x[i]);
		break;
	case KML_ACT_TANH:
		for (i = 0; i < n; i++)
			x[i] = kml_tanh(x[i]);
		break;
	default:
		break;
	}
}

u32 kml_argmax(const s32 *x, u32 n)
{
	u32 i, best = 0;

	for (i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

void kml_standardize(const s32 *x, const s32 *mean, const s32 *inv_std,
		     s32 *y, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		y[i] = kml_q16_mul(kml_q16_sub(x[i], mean[i]), inv_std[i]);
}

void kml_dequantize_i8(const s8 *q, const struct kml_qmul *scale, s32 *y,
		       u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		y[i] = kml_qmul_apply((s64)q[i] * KML_Q16_ONE, scale);
}

u32 kml_log2_bucket(u64 v, u32 max)
{
	u32 b = (u32)(kml_ilog2(v) + 1);

	return b < max ? b : max;
}

s32 kml_feat_log2(u64 v)
{
	int e = kml_ilog2(v);
	u64 frac;

	if (e <= 0)
		return 0;
	frac = v - ((u64)1 << e);
	/* the bits below the leading one, as a Q16 fraction */
	frac = e > KML_Q16_SHIFT ? frac >> (e - KML_Q16_SHIFT) :
				   frac << (KML_Q16_SHIFT - e);
	return e * KML_Q16_ONE + (s32)frac;
}
