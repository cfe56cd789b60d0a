// SPDX-License-Identifier: GPL-2.0 OR MIT
// Vector ops, activations and feature transforms against double references.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <kml/kml.hpp>

namespace {

constexpr double kLsb = 1.0 / KML_Q16_ONE;

std::vector<int32_t> rand_q16(std::mt19937_64 &rng, size_t n, double lim)
{
	std::uniform_real_distribution<double> u(-lim, lim);
	std::vector<int32_t> v(n);

	for (auto &x : v)
		x = kml::to_q16(u(rng));
	return v;
}

double ref_sat(double v) { return std::clamp(v, KML_Q16_MIN * kLsb, KML_Q16_MAX * kLsb); }

} // namespace

// Exact 64-bit accumulation, one rounding: within 0.5 LSB of the true sum.
TEST(Ops, MatvecRandomShapesWithinHalfLsb)
{
	std::mt19937_64 rng(10);

	for (int iter = 0; iter < 300; iter++) {
		uint32_t rows = 1 + rng() % 64, cols = 1 + rng() % 64;
		auto w = rand_q16(rng, size_t(rows) * cols, 128), b = rand_q16(rng, rows, 100);
		auto x = rand_q16(rng, cols, iter % 2 ? 32767 : 10);
		std::vector<int32_t> y(rows);

		kml_matvec(w.data(), b.data(), x.data(), y.data(), rows, cols);
		for (uint32_t r = 0; r < rows; r++) {
			__int128 acc = (__int128)b[r] << 16;
			for (uint32_t c = 0; c < cols; c++)
				acc += (__int128)w[r * cols + c] * x[c];
			double ref = ref_sat(double(acc) * kLsb * kLsb);
			ASSERT_NEAR(kml::from_q16(y[r]), ref, 0.5 * kLsb + 1e-9 * std::fabs(ref));
		}
	}
}

// The scale is applied once to the exact sum: 0.5 LSB, plus the bias add.
TEST(Ops, MatvecInt8WithinHalfLsb)
{
	std::mt19937_64 rng(11);

	for (int iter = 0; iter < 300; iter++) {
		uint32_t rows = 1 + rng() % 64, cols = 1 + rng() % 64;
		std::vector<int8_t> w(size_t(rows) * cols);
		for (auto &v : w)
			v = int8_t(rng());
		auto b = rand_q16(rng, rows, 10), x = rand_q16(rng, cols, 100);
		kml_qmul s = kml::to_qmul(std::ldexp(1.0 + double(rng() % 1000) / 1000, -int(rng() % 12)));
		std::vector<int32_t> y(rows);

		kml_matvec_i8(w.data(), &s, b.data(), x.data(), y.data(), rows, cols);
		for (uint32_t r = 0; r < rows; r++) {
			double acc = 0;
			for (uint32_t c = 0; c < cols; c++)
				acc += w[r * cols + c] * kml::from_q16(x[c]);
			double ref = ref_sat(acc * kml::from_qmul(s) + kml::from_q16(b[r]));
			ASSERT_NEAR(kml::from_q16(y[r]), ref, 0.5 * kLsb + 1e-9 * std::fabs(ref));
		}
	}
}

TEST(Ops, MatmulMatchesMatvecPerColumn)
{
	std::mt19937_64 rng(12);

	for (int iter = 0; iter < 50; iter++) {
		uint32_t m = 1 + rng() % 20, k = 1 + rng() % 20, n = 1 + rng() % 20;
		auto a = rand_q16(rng, size_t(m) * k, 8), b = rand_q16(rng, size_t(k) * n, 8);
		std::vector<int32_t> c(size_t(m) * n), col(k), y(m);

		kml_matmul(a.data(), b.data(), c.data(), m, k, n);
		for (uint32_t j = 0; j < n; j++) {
			for (uint32_t t = 0; t < k; t++)
				col[t] = b[t * n + j];
			kml_matvec(a.data(), nullptr, col.data(), y.data(), m, k);
			for (uint32_t i = 0; i < m; i++)
				ASSERT_EQ(c[i * n + j], y[i]);
		}
	}
}

TEST(Ops, ElementwiseSaturate)
{
	std::vector<int32_t> a = {KML_Q16_MAX, KML_Q16_MIN, 3 << 16, -(5 << 15), 7};
	std::vector<int32_t> b = {1 << 16, -(1 << 16), 1 << 15, 1 << 17, -7};
	std::vector<int32_t> y(a.size());

	kml_add(a.data(), b.data(), y.data(), 5);
	EXPECT_EQ(y, (std::vector<int32_t>{KML_Q16_MAX, KML_Q16_MIN, 7 << 15, -(1 << 15), 0}));
	kml_mul(a.data(), b.data(), y.data(), 5);
	EXPECT_EQ(y, (std::vector<int32_t>{KML_Q16_MAX, KML_Q16_MAX, 3 << 15, -(5 << 16), 0}));
	kml_scale(a.data(), -(2 << 16), y.data(), 5);
	EXPECT_EQ(y, (std::vector<int32_t>{KML_Q16_MIN, KML_Q16_MAX, -(6 << 16), 5 << 16, -14}));
	kml_activate(a.data(), 5, KML_ACT_RELU);
	EXPECT_EQ(a, (std::vector<int32_t>{KML_Q16_MAX, 0, 3 << 16, 0, 7}));
}

// Table of sigmoid(i/8), linear interpolation: error <= 4e-4 (measured
// 3.4e-4, at the clamp x >= 8); tanh = 2 sigmoid(2x) - 1 doubles it.
TEST(Ops, SigmoidTanhWithinBounds)
{
	double worst_s = 0, worst_t = 0;

	for (double x = -40; x <= 40; x += 1.0 / 1024) {
		int32_t q = kml::to_q16(x);
		double xs = kml::from_q16(q);

		worst_s = std::max(worst_s, std::fabs(kml::from_q16(kml_sigmoid(q)) - 1 / (1 + std::exp(-xs))));
		worst_t = std::max(worst_t, std::fabs(kml::from_q16(kml_tanh(q)) - std::tanh(xs)));
	}
	EXPECT_LT(worst_s, 4e-4);
	EXPECT_LT(worst_t, 8e-4);
	EXPECT_EQ(kml_sigmoid(0), KML_Q16_ONE / 2);
	EXPECT_EQ(kml_tanh(0), 0);
	EXPECT_EQ(kml_sigmoid(KML_Q16_MIN) + kml_sigmoid(KML_Q16_MAX), KML_Q16_ONE);
	EXPECT_EQ(kml_tanh(KML_Q16_MIN), -kml_tanh(KML_Q16_MAX));
}

TEST(Ops, ArgmaxTakesFirstLargest)
{
	std::vector<int32_t> x = {-5, 9, 3, 9, KML_Q16_MIN};

	EXPECT_EQ(kml_argmax(x.data(), 5), 1u);
	EXPECT_EQ(kml_argmax(x.data(), 1), 0u);
	x = {KML_Q16_MIN, KML_Q16_MIN};
	EXPECT_EQ(kml_argmax(x.data(), 2), 0u);
}

// Two roundings (subtract is exact unless saturated, multiply rounds): 0.5 LSB.
TEST(Ops, StandardizeWithinHalfLsb)
{
	std::mt19937_64 rng(13);
	auto x = rand_q16(rng, 1000, 1000), mean = rand_q16(rng, 1000, 100);
	std::vector<int32_t> inv(1000), y(1000);

	for (auto &v : inv)
		v = kml::to_q16(0.01 + double(rng() % 1000) / 100);
	kml_standardize(x.data(), mean.data(), inv.data(), y.data(), 1000);
	for (size_t i = 0; i < 1000; i++) {
		double ref = ref_sat((kml::from_q16(x[i]) - kml::from_q16(mean[i])) * kml::from_q16(inv[i]));
		ASSERT_NEAR(kml::from_q16(y[i]), ref, 0.5 * kLsb + 1e-12);
	}
	int32_t big = KML_Q16_MAX, small = KML_Q16_MIN, one = KML_Q16_ONE;
	kml_standardize(&big, &small, &one, y.data(), 1);
	EXPECT_EQ(y[0], KML_Q16_MAX);
}

TEST(Ops, DequantizeInt8)
{
	std::vector<int8_t> q = {-128, -1, 0, 1, 127};
	std::vector<int32_t> y(5);
	kml_qmul s = kml::to_qmul(0.0137);

	kml_dequantize_i8(q.data(), &s, y.data(), 5);
	for (size_t i = 0; i < 5; i++)
		EXPECT_NEAR(kml::from_q16(y[i]), q[i] * 0.0137, 0.5 * kLsb + 1e-9);
}

// Linear mantissa: log2(1 + f) ~ f, error < 0.0861 (max at f = 1/ln2 - 1).
TEST(Ops, FeatureTransforms)
{
	std::mt19937_64 rng(14);
	double worst = 0;

	for (int i = 0; i < 100000; i++) {
		uint64_t v = (rng() >> (rng() % 64)) | 2;
		double got = kml::from_q16(kml_feat_log2(v)), ref = std::log2(double(v));

		ASSERT_LE(got, ref + 1e-9) << v;
		worst = std::max(worst, ref - got);
		ASSERT_EQ(kml_log2_bucket(v, 64), uint32_t(kml_ilog2(v) + 1));
	}
	EXPECT_LT(worst, 0.0861 + kLsb);
	EXPECT_EQ(kml_feat_log2(0), 0);
	EXPECT_EQ(kml_feat_log2(1), 0);
	EXPECT_EQ(kml_feat_log2(1ULL << 40), 40 << 16);
	EXPECT_EQ(kml_log2_bucket(0, 10), 0u);
	EXPECT_EQ(kml_log2_bucket(1, 10), 1u);
	EXPECT_EQ(kml_log2_bucket(~0ULL, 10), 10u);
	EXPECT_EQ(kml_clamp(5, 0, 3), 3);
	EXPECT_EQ(kml_clamp(-5, 0, 3), 0);
	EXPECT_EQ(kml_clamp(2, 0, 3), 2);
}
