// SPDX-License-Identifier: GPL-2.0 OR MIT
// Q16.16 helpers against double (and exact 128-bit) references.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <kml/kml.hpp>

namespace {

constexpr double kLsb = 1.0 / KML_Q16_ONE;

// Full-range values half the time, moderate ones the other half.
int32_t any_q16(std::mt19937_64 &rng)
{
	return rng() % 2 ? int32_t(rng()) : int32_t(rng() % (1 << 24)) - (1 << 23);
}

double sat(double v) { return std::clamp(v, double(KML_Q16_MIN) * kLsb, double(KML_Q16_MAX) * kLsb); }

} // namespace

// Bound: 0.5 LSB (one rounding), plus 2^-7 LSB that the double product loses.
TEST(Fixed, MulWithinHalfLsb)
{
	std::mt19937_64 rng(1);

	for (int i = 0; i < 100000; i++) {
		int32_t a = any_q16(rng), b = any_q16(rng);
		double ref = sat(kml::from_q16(a) * kml::from_q16(b));

		ASSERT_NEAR(kml::from_q16(kml_q16_mul(a, b)), ref, 0.51 * kLsb) << a << " * " << b;
	}
}

TEST(Fixed, MulSaturatesAndRoundsTiesUp)
{
	EXPECT_EQ(kml_q16_mul(KML_Q16_MAX, 2 * KML_Q16_ONE), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_mul(KML_Q16_MIN, 2 * KML_Q16_ONE), KML_Q16_MIN);
	EXPECT_EQ(kml_q16_mul(KML_Q16_MIN, KML_Q16_MIN), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_mul(KML_Q16_MIN, -KML_Q16_ONE), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_mul(1, KML_Q16_ONE / 2), 1);	 // 0.5 LSB -> up
	EXPECT_EQ(kml_q16_mul(-1, KML_Q16_ONE / 2), 0); // -0.5 LSB -> up
}

TEST(Fixed, DivWithinHalfLsb)
{
	std::mt19937_64 rng(2);

	for (int i = 0; i < 100000; i++) {
		int32_t a = any_q16(rng), b = any_q16(rng);

		if (!b)
			continue;
		double ref = sat(double(a) / double(b));
		ASSERT_NEAR(kml::from_q16(kml_q16_div(a, b)), ref, 0.5 * kLsb + 1e-12) << a << " / " << b;
	}
}

TEST(Fixed, DivByZeroAndOverflowSaturate)
{
	EXPECT_EQ(kml_q16_div(5, 0), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_div(-5, 0), KML_Q16_MIN);
	EXPECT_EQ(kml_q16_div(KML_Q16_MIN, -KML_Q16_ONE), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_div(KML_Q16_MIN, KML_Q16_ONE), KML_Q16_MIN);
	EXPECT_EQ(kml_q16_div(KML_Q16_MAX, 1), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_div(-KML_Q16_ONE, 3 * KML_Q16_ONE), -21845);
}

TEST(Fixed, AddSubConvertSaturate)
{
	EXPECT_EQ(kml_q16_add(KML_Q16_MAX, 1), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_add(KML_Q16_MIN, -1), KML_Q16_MIN);
	EXPECT_EQ(kml_q16_sub(KML_Q16_MIN, 1), KML_Q16_MIN);
	EXPECT_EQ(kml_q16_sub(3, 5), -2);
	EXPECT_EQ(kml_q16_from_int(32767), 32767 * KML_Q16_ONE);
	EXPECT_EQ(kml_q16_from_int(32768), KML_Q16_MAX);
	EXPECT_EQ(kml_q16_from_int(-32768), KML_Q16_MIN);
	EXPECT_EQ(kml_q16_from_int(-32769), KML_Q16_MIN);
	EXPECT_EQ(kml_q16_to_int(kml::to_q16(2.5)), 3);
	EXPECT_EQ(kml_q16_to_int(kml::to_q16(-2.5)), -2);
	EXPECT_EQ(kml_q16_to_int(kml::to_q16(-2.51)), -3);
	EXPECT_EQ(kml_q16_to_int(KML_Q16_MAX), 32768);
	EXPECT_EQ(kml_q16_to_int(KML_Q16_MIN), -32768);
	EXPECT_EQ(kml::to_q16(1e9), KML_Q16_MAX);
	EXPECT_EQ(kml::to_q16(-1e9), KML_Q16_MIN);
}

TEST(Fixed, IntegerLog2AndSqrtExact)
{
	std::mt19937_64 rng(3);

	EXPECT_EQ(kml_ilog2(0), -1);
	EXPECT_EQ(kml_isqrt(0), 0u);
	EXPECT_EQ(kml_isqrt(~0ULL), 0xffffffffu);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng() >> (rng() % 64);
		unsigned __int128 r = kml_isqrt(v);
		int e = kml_ilog2(v);

		ASSERT_TRUE(r * r <= v && (r + 1) * (r + 1) > v) << v;
		if (v) {
			ASSERT_TRUE((v >> e) == 1) << v;
		}
	}
}

// Bound: floor, so [0, 1) LSB below the true root.
TEST(Fixed, Q16SqrtFloor)
{
	std::mt19937_64 rng(4);

	EXPECT_EQ(kml_q16_sqrt(-5), 0);
	for (int i = 0; i < 100000; i++) {
		int32_t x = int32_t(rng() & 0x7fffffff) >> (rng() % 31);
		double ref = std::sqrt(kml::from_q16(x)), got = kml::from_q16(kml_q16_sqrt(x));

		ASSERT_LE(got, ref + 1e-9);
		ASSERT_GT(got, ref - kLsb);
	}
}

// Exact against a 128-bit reference: round(|x| * mult / 2^(31 - shift)).
TEST(Fixed, QmulApplyExact)
{
	std::mt19937_64 rng(5);

	for (int i = 0; i < 200000; i++) {
		kml_qmul q{int32_t(KML_QMUL_MULT_MIN + rng() % KML_QMUL_MULT_MIN),
			   int32_t(KML_QMUL_SHIFT_MIN + rng() % (KML_QMUL_SHIFT_MAX - KML_QMUL_SHIFT_MIN + 1))};
		int64_t x = int64_t(rng()) >> (rng() % 64);
		unsigned n = 31 - q.shift;
		unsigned __int128 mag = x < 0 ? -(unsigned __int128)x : x;
		unsigned __int128 r = (mag * uint32_t(q.mult) + ((unsigned __int128)1 << (n - 1))) >> n;
		__int128 ref = x < 0 ? -(__int128)r : (__int128)r;

		ref = std::clamp<__int128>(ref, KML_Q16_MIN, KML_Q16_MAX);
		ASSERT_EQ(kml_qmul_apply(x, &q), int32_t(ref)) << x << " " << q.mult << " " << q.shift;
	}
	kml_qmul one = kml::to_qmul(1.0);
	EXPECT_EQ(kml_qmul_apply(INT64_MIN, &one), KML_Q16_MIN);
	EXPECT_EQ(kml_qmul_apply(INT64_MAX, &one), KML_Q16_MAX);
	EXPECT_EQ(kml_qmul_apply(-12345, &one), -12345);
}

// A real multiplier keeps 31 bits: relative error <= 2^-31.
TEST(Fixed, QmulFromDouble)
{
	for (double r : {1e-9, 0.0137, 0.5, 0.999999999, 1.0, 3.75, 1000.0}) {
		kml_qmul q = kml::to_qmul(r);

		EXPECT_GE(q.mult, KML_QMUL_MULT_MIN);
		EXPECT_NEAR(kml::from_qmul(q) / r, 1.0, std::ldexp(1, -31)) << r;
	}
}
