// SPDX-License-Identifier: GPL-2.0 OR MIT
// Models and the shared self-test vectors: the vectors pass, and every
// expected output in them is within the stated bound of a double reference.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <kml/kml.hpp>

extern "C" {
#include <kml/selftest.h>
}

namespace {

constexpr double kLsb = 1.0 / KML_Q16_ONE;
constexpr double kQmax = KML_Q16_MAX * kLsb, kQmin = KML_Q16_MIN * kLsb;

double sat(double v) { return std::clamp(v, kQmin, kQmax); }

// The float model with the fixed-point model's saturation points.
double sat_predict(const kml::FloatModel &f, const int32_t *xq)
{
	std::vector<double> a;

	for (size_t i = 0; i < f.n_in(); i++)
		a.push_back(sat(sat(kml::from_q16(xq[i]) - f.mean[i]) * f.inv_std[i]));
	for (const auto &ly : f.layers) {
		std::vector<double> y(ly.n_out);
		for (size_t r = 0; r < ly.n_out; r++) {
			double s = ly.b[r];
			for (size_t c = 0; c < ly.n_in; c++)
				s += ly.w[r * ly.n_in + c] * a[c];
			y[r] = kml::act_ref(ly.act, sat(s));
		}
		a = std::move(y);
	}
	return a[0];
}

} // namespace

TEST(Selftest, Passes)
{
	char msg[128];

	EXPECT_EQ(kml_selftest(msg, sizeof(msg)), 0) << msg;
	EXPECT_STREQ(msg, "ok");
	EXPECT_EQ(kml_selftest(nullptr, 0), 0);
}

// Bounds as in fixed_test.cc and ops_test.cc.
TEST(Selftest, ScalarVectorsWithinBounds)
{
	const auto &v = kml_st;

	for (size_t i = 0; i < KML_ST_N; i++) {
		double a = kml::from_q16(v.a[i]), b = kml::from_q16(v.b[i]);

		EXPECT_NEAR(kml::from_q16(v.mul[i]), sat(a * b), 0.51 * kLsb) << i;
		EXPECT_NEAR(kml::from_q16(v.div[i]), b ? sat(a / b) : a < 0 ? kQmin : kQmax, 0.5 * kLsb) << i;
		EXPECT_NEAR(kml::from_q16(v.add[i]), sat(a + b), 0) << i;
		EXPECT_NEAR(kml::from_q16(v.sigmoid[i]), 1 / (1 + std::exp(-a)), 4e-4) << i;
		EXPECT_NEAR(kml::from_q16(v.tanh[i]), std::tanh(a), 8e-4) << i;
		EXPECT_NEAR(kml::from_q16(v.sqrt[i]), std::sqrt(std::max(a, 0.0)), kLsb) << i;
		double l2 = v.raw[i] > 1 ? std::log2(double(v.raw[i])) : 0;
		EXPECT_GE(l2 - kml::from_q16(v.log2[i]), -kLsb) << i;
		EXPECT_LT(l2 - kml::from_q16(v.log2[i]), 0.0861 + kLsb) << i;
		EXPECT_EQ(v.bucket[i], std::min<uint32_t>(KML_ST_BUCKET_MAX, uint32_t(kml_ilog2(v.raw[i]) + 1)));
	}
	EXPECT_EQ(v.a[v.argmax], *std::max_element(v.a, v.a + KML_ST_N));
}

TEST(Selftest, OpVectorsWithinBounds)
{
	const auto &v = kml_st;
	kml::Tensor t({KML_ST_T0, KML_ST_T1, KML_ST_T2});

	for (size_t r = 0; r < KML_ST_ROWS; r++) {
		double mv = kml::from_q16(v.bias[r]), mv8 = 0;
		for (size_t c = 0; c < KML_ST_COLS; c++) {
			mv += kml::from_q16(v.w[r * KML_ST_COLS + c]) * kml::from_q16(v.x[c]);
			mv8 += v.w8[r * KML_ST_COLS + c] * kml::from_qmul(v.w8_scale) * kml::from_q16(v.x[c]);
		}
		EXPECT_NEAR(kml::from_q16(v.matvec[r]), mv, 0.5 * kLsb);
		EXPECT_NEAR(kml::from_q16(v.matvec_i8[r]), mv8 + kml::from_q16(v.bias[r]), 0.5 * kLsb);
	}
	for (size_t j = 0; j < KML_ST_T1; j++) {
		double sum = 0, max = -1e300;
		for (size_t i = 0; i < KML_ST_T0; i++)
			for (size_t k = 0; k < KML_ST_T2; k++) {
				double e = kml::from_q16(v.t[(i * KML_ST_T1 + j) * KML_ST_T2 + k]);
				sum += e;
				max = std::max(max, e);
			}
		EXPECT_NEAR(kml::from_q16(v.reduce[KML_REDUCE_SUM][j]), sum, 1e-9);
		EXPECT_EQ(kml::from_q16(v.reduce[KML_REDUCE_MAX][j]), max);
		EXPECT_NEAR(kml::from_q16(v.reduce[KML_REDUCE_MEAN][j]), sum / (KML_ST_T0 * KML_ST_T2), 0.5 * kLsb);
	}
	// repeat and tile are pure data movement: rebuild them by index
	const uint32_t reps[] = KML_ST_REPS;
	std::vector<int32_t> rep, til;
	for (uint32_t i = 0; i < KML_ST_T0 * reps[0]; i++)
		for (uint32_t j = 0; j < KML_ST_T1 * reps[1]; j++)
			for (uint32_t k = 0; k < KML_ST_T2 * reps[2]; k++) {
				auto at = [&](uint32_t a, uint32_t b, uint32_t c) {
					return v.t[(a * KML_ST_T1 + b) * KML_ST_T2 + c];
				};
				rep.push_back(at(i / reps[0], j / reps[1], k / reps[2]));
				til.push_back(at(i % KML_ST_T0, j % KML_ST_T1, k % KML_ST_T2));
			}
	EXPECT_EQ(kml_crc32(0, rep.data(), rep.size() * 4), v.repeat_crc);
	EXPECT_EQ(kml_crc32(0, til.data(), til.size() * 4), v.tile_crc);
}

// Against the dequantized model in double with the same saturation points:
// a few LSB of rounding per layer plus the activation error (tanh 8e-4,
// amplified by the next layer's weights): 4e-3 absolute, or 1e-6 relative.
TEST(Selftest, ModelVectorsWithinBounds)
{
	for (const auto &sm : kml_st.model) {
		int err = 0;
		auto m = kml::Model::load(std::span(sm.blob, sm.len), err);

		ASSERT_TRUE(m) << sm.name << ": " << kml_blob_strerror(err);
		auto f = m->to_float();
		for (size_t i = 0; i < KML_ST_INPUTS; i++) {
			double ref = sat_predict(f, kml_st.features[i]);
			EXPECT_NEAR(kml::from_q16(sm.expect[i]), ref, 4e-3 + 1e-6 * std::fabs(ref))
				<< sm.name << " input " << i;
		}
	}
}

// Train in double, quantize, and bound what quantization costs on held-out
// inputs (output sd ~2.7): Q16 < 2e-3 (measured 2.7e-4), int8 < 0.12
// (measured 0.064, mean 0.014).
TEST(Model, TrainedMlpSurvivesQuantization)
{
	std::mt19937_64 rng(30);
	std::normal_distribution<double> n01;
	auto target = [](const std::vector<double> &x) {
		return std::tanh(x[0] - 0.5 * x[1]) + 0.3 * x[2] * x[3] + 0.1 * x[7];
	};
	std::vector<std::vector<double>> xs(4000);
	for (auto &x : xs) {
		x.resize(8);
		for (auto &v : x)
			v = 3 + 2 * n01(rng);
	}
	auto f = kml::FloatModel::make(KML_MODEL_MLP, {8, 16, 1}, KML_ACT_RELU, KML_ACT_NONE, 5);
	f.fit_standardization(xs);
	double first = 0, last = 0;
	for (int epoch = 0; epoch < 30; epoch++) {
		double loss = 0;
		for (size_t i = 0; i < 3000; i++) {
			double y = target(xs[i]);
			loss += f.train_step(xs[i], std::span(&y, 1), 0.01);
		}
		(epoch ? last : first) = loss / 3000;
	}
	EXPECT_LT(last, first / 4) << "training did not converge";

	for (auto wtype : {KML_WTYPE_Q16, KML_WTYPE_I8}) {
		int err = 0;
		auto m = kml::Model::load(kml::to_blob(f, wtype), err);
		ASSERT_TRUE(m) << kml_blob_strerror(err);
		double worst = 0;
		for (size_t i = 3000; i < xs.size(); i++)
			worst = std::max(worst, std::fabs(m->predict(std::span<const double>(xs[i]))[0] -
							  f.predict(xs[i])[0]));
		EXPECT_LT(worst, wtype == KML_WTYPE_Q16 ? 2e-3 : 0.12) << "wtype " << wtype;
	}
}

TEST(Model, LargestModelRunsAndSaturates)
{
	auto f = kml::FloatModel::make(KML_MODEL_MLP, {16, 64, 64, 4}, KML_ACT_SIGMOID, KML_ACT_NONE, 9);
	int err = 0;
	auto m = kml::Model::load(kml::to_blob(f, KML_WTYPE_Q16), err);
	ASSERT_TRUE(m) << kml_blob_strerror(err);
	auto g = m->to_float();

	for (int32_t fill : {0, KML_Q16_ONE, KML_Q16_MAX, KML_Q16_MIN}) {
		std::vector<int32_t> x(16, fill);
		auto y = m->predict(std::span<const int32_t>(x));
		ASSERT_EQ(y.size(), 4u);
		EXPECT_NEAR(kml::from_q16(y[0]), sat_predict(g, x.data()), 4e-3) << fill;
	}
}
