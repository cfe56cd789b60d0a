/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Fixed-point numbers: Q16.16 in an s32 for weights and activations, s64
 * accumulators, and a Q31 multiplier + shift that scales int8 tensors.
 * See docs/libkml.md for the rounding rules and error bounds.
 */
#ifndef KML_FIXED_H
#define KML_FIXED_H

#include <kml/compat.h>

#define KML_Q16_SHIFT	16
#define KML_Q16_ONE	(1 << KML_Q16_SHIFT)
#define KML_Q16_MAX	((s32)0x7fffffff)
#define KML_Q16_MIN	(-KML_Q16_MAX - 1)

/*
 * A real multiplier as TFLite carries it: real = mult * 2^(shift - 31),
 * with mult in [2^30, 2^31) so it keeps 31 significant bits.
 */
struct kml_qmul {
	s32 mult;
	s32 shift;
};

#define KML_QMUL_MULT_MIN	(1 << 30)
#define KML_QMUL_SHIFT_MIN	(-32)
#define KML_QMUL_SHIFT_MAX	16

static inline s32 kml_sat_s32(s64 v)
{
	if (v > KML_Q16_MAX)
		return KML_Q16_MAX;
	if (v < KML_Q16_MIN)
		return KML_Q16_MIN;
	return (s32)v;
}

/*
 * Drop @shift (1..62) fraction bits, rounding to nearest, ties up. The add
 * is done unsigned: it cannot be undefined even at the edge of the range.
 */
static inline s64 kml_round_shift(s64 v, unsigned int shift)
{
	return (s64)((u64)v + ((u64)1 << (shift - 1))) >> shift;
}

static inline s32 kml_q16_mul(s32 a, s32 b)
{
	return kml_sat_s32(kml_round_shift((s64)a * b, KML_Q16_SHIFT));
}

static inline s32 kml_q16_add(s32 a, s32 b)
{
	return kml_sat_s32((s64)a + b);
}

static inline s32 kml_q16_sub(s32 a, s32 b)
{
	return kml_sat_s32((s64)a - b);
}

static inline s32 kml_q16_from_int(s32 i)
{
	return kml_sat_s32((s64)i * KML_Q16_ONE);
}

/* Nearest integer, ties up. */
static inline s32 kml_q16_to_int(s32 x)
{
	return (s32)kml_round_shift(x, KML_Q16_SHIFT);
}

static inline s32 kml_clamp(s32 x, s32 lo, s32 hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* floor(log2(v)); -1 for v == 0. */
static inline int kml_ilog2(u64 v)
{
	return v ? 63 - __builtin_clzll(v) : -1;
}

/* a / b rounded to nearest (ties away from zero), saturated; b == 0 saturates. */
s32 kml_q16_div(s32 a, s32 b);
/* sqrt of a non-negative Q16 value (negative gives 0), floor. */
s32 kml_q16_sqrt(s32 x);
u32 kml_isqrt(u64 v);

/*
 * round(x * real), ties away from zero, from the exact 96-bit product;
 * magnitudes beyond 2^62 are clamped there, so a bias can still be added.
 */
s64 kml_qmul_round(s64 x, const struct kml_qmul *q);

static inline s32 kml_qmul_apply(s64 x, const struct kml_qmul *q)
{
	return kml_sat_s32(kml_qmul_round(x, q));
}

#endif /* KML_FIXED_H */
