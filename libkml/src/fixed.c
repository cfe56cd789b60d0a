// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The Q16.16 helpers too long to inline: division, square root and the
 * exact int64 x Q31 product that applies an int8 tensor's scale.
 */
#include <kml/fixed.h>

#define KML_Q16_ABS_MAX	((u64)1 << 31)	/* |KML_Q16_MIN| */
#define KML_QMUL_CAP	((u64)1 << 62)	/* far beyond s32, far below s64 */

static inline u64 kml_abs_s64(s64 v)
{
	return v < 0 ? -(u64)v : (u64)v;
}

/* Give @mag the sign @neg and saturate it to s32. */
static s32 kml_signed_sat(u64 mag, bool neg)
{
	if (neg)
		return mag >= KML_Q16_ABS_MAX ? KML_Q16_MIN : -(s32)mag;
	return mag > KML_Q16_MAX ? KML_Q16_MAX : (s32)mag;
}

s32 kml_q16_div(s32 a, s32 b)
{
	bool neg = (a < 0) != (b < 0);
	u64 n, d;

	if (!b)
		return a < 0 ? KML_Q16_MIN : KML_Q16_MAX;
	n = kml_abs_s64(a) << KML_Q16_SHIFT;
	d = kml_abs_s64(b);
	return kml_signed_sat(kml_div_u64(n + d / 2, d), neg);
}

u32 kml_isqrt(u64 v)
{
	u64 root = 0, bit = (u64)1 << 62;

	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= root + bit) {
			v -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
		bit >>= 2;
	}
	return (u32)root;
}

s32 kml_q16_sqrt(s32 x)
{
	/* sqrt(x / 2^16) * 2^16 == sqrt(x * 2^16) */
	return x > 0 ? (s32)kml_isqrt((u64)x << KML_Q16_SHIFT) : 0;
}

/*
 * round(|x| * mult / 2^n) with n = 31 - shift in [15, 63]: split |x| into
 * 32-bit halves so that both partial products fit in 64 bits.
 */
s64 kml_qmul_round(s64 x, const struct kml_qmul *q)
{
	unsigned int n = 31 - q->shift;
	u64 ax = kml_abs_s64(x), m = (u32)q->mult;
	u64 lo = (ax & 0xffffffff) * m + ((u64)1 << (n - 1));
	u64 hi = (ax >> 32) * m + (lo >> 32);	/* product = hi:lo32 */
	u64 mag;

	lo &= 0xffffffff;
	if (n >= 32)
		mag = hi >> (n - 32);
	else if (hi >> (n + 30))		/* product >= 2^(62 + n) */
		mag = KML_QMUL_CAP;
	else
		mag = (hi << (32 - n)) | (lo >> n);
	mag = mag < KML_QMUL_CAP ? mag : KML_QMUL_CAP;
	return x < 0 ? -(s64)mag : (s64)mag;
}
