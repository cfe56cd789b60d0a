// SPDX-License-Identifier: GPL-2.0 OR MIT
// Training converges on data with a known law, and quantization keeps it.
#include <gtest/gtest.h>

#include <kml/train.hpp>

#include "test_util.hpp"

namespace {

using kml_test::synthetic_samples;

kml::Dataset dataset(size_t n, const kml_test::LatencyLaw &law, uint64_t seed = 7,
		     double noise = 0)
{
	return kml::Dataset::from(synthetic_samples(n, law, seed, noise));
}

double nonlinear_law(const kml_test::Features &x)
{
	return 5 + 2 * std::fabs(x[1] - 4) + (x[0] ? 1.5 : 0) * (x[5] > 4);
}

TEST(Train, LinearRecoversKnownWeights)
{
	auto d = dataset(4000, kml_test::linear_law);
	kml::TrainOptions opt;
	opt.ridge = 1e-9;
	auto m = kml::train(d, opt);
	ASSERT_TRUE(m);

	// In raw feature units: w_raw = w * inv_std, bias folds in the means.
	const auto &ly = m->layers.front();
	const double want[KML_NR_FEATURES] = {0.5, 0.25, -0.0625, 0, 0, 0.125, 0, 0, 0};
	double bias = ly.b[0];
	for (size_t i = 0; i < KML_NR_FEATURES; i++) {
		EXPECT_NEAR(ly.w[i] * m->inv_std[i], want[i], 1e-4) << "feature " << i;
		bias -= ly.w[i] * m->inv_std[i] * m->mean[i];
	}
	EXPECT_NEAR(bias, 4, 1e-3);
	EXPECT_LT(kml::mean_squared_error(*m, d), 1e-6);
}

TEST(Train, LinearWithNoiseStaysNearTheLaw)
{
	auto d = dataset(20000, kml_test::linear_law, 3, 0.3);
	auto m = kml::train(d, {});
	auto clean = dataset(1000, kml_test::linear_law, 4);

	EXPECT_LT(kml::mean_squared_error(*m, clean), 0.01);
}

TEST(Train, MlpReducesLossBelowLinear)
{
	auto d = dataset(6000, nonlinear_law, 11);
	auto heldout = dataset(1000, nonlinear_law, 12);
	kml::TrainOptions lin, mlp;
	mlp.kind = kml::ModelKind::mlp;
	mlp.epochs = 30;

	auto untrained = kml::FloatModel::make(KML_MODEL_MLP, {KML_NR_FEATURES, 16, 1},
					       KML_ACT_RELU, KML_ACT_NONE, mlp.seed);
	double before = kml::mean_squared_error(untrained, heldout);
	double linear = kml::mean_squared_error(*kml::train(d, lin), heldout);
	double after = kml::mean_squared_error(*kml::train(d, mlp), heldout);

	EXPECT_LT(after, 0.05 * before);
	EXPECT_LT(after, 0.5 * linear);
}

TEST(Train, KeepGoingFalseAbandonsTheMlp)
{
	kml::TrainOptions opt;
	opt.kind = kml::ModelKind::mlp;
	int calls = 0;

	auto m = kml::train(dataset(5000, nonlinear_law), opt, [&] { return ++calls < 2; });
	EXPECT_FALSE(m);
	EXPECT_EQ(calls, 2);
}

TEST(Train, EmptyDataIsAnError)
{
	EXPECT_THROW(kml::train(kml::Dataset{}, {}), std::invalid_argument);
}

// What the kernel computes (the Q16 model) tracks the float model closely.
TEST(Quantized, AgreesWithFloat)
{
	auto d = dataset(4000, nonlinear_law, 5);
	for (auto kind : {kml::ModelKind::linear, kml::ModelKind::mlp}) {
		for (auto wtype : {KML_WTYPE_Q16, KML_WTYPE_I8}) {
			kml::TrainOptions opt;
			opt.kind = kind;
			auto f = kml::train(d, opt);
			int err = 0;
			auto q = kml::Model::load(kml::to_blob(*f, wtype, 1), err);
			ASSERT_TRUE(q) << kml_blob_strerror(err);
			double worst = 0;
			for (const auto &x : d.x)
				worst = std::max(worst, std::fabs(q->predict(std::span<const double>(x))[0] -
								  f->predict(x)[0]));
			double bound = wtype == KML_WTYPE_Q16 ? 0.01 : 0.5;
			EXPECT_LT(worst, bound) << kml::to_string(kind) << " wtype " << wtype;
		}
	}
}

} // namespace
