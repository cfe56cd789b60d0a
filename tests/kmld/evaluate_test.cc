// SPDX-License-Identifier: GPL-2.0 OR MIT
// Held-out scoring, the baselines and the push decision.
#include <gtest/gtest.h>

#include <kml/evaluate.hpp>
#include <kml/train.hpp>
#include <kml/trainer.hpp>

#include "test_util.hpp"

namespace {

TEST(Score, KnownPredictions)
{
	// target 16 us = 4 in log2: actual misses are the last two.
	std::vector<double> actual = {2, 3, 5, 6}, predicted = {2, 5, 5, 3};
	auto s = kml::score(predicted, actual, 16);

	EXPECT_EQ(s.n, 4u);
	EXPECT_DOUBLE_EQ(s.accuracy, 0.5);	// 3 and 6 are on the wrong side
	EXPECT_DOUBLE_EQ(s.mae, (0 + 2 + 0 + 3) / 4.0);
	EXPECT_DOUBLE_EQ(s.r2, 1 - 13 / 10.0);
}

TEST(Score, PerfectPredictionsScoreOne)
{
	std::vector<double> y = {1, 2, 7, 9};
	auto s = kml::score(y, y, 100);

	EXPECT_DOUBLE_EQ(s.accuracy, 1);
	EXPECT_DOUBLE_EQ(s.mae, 0);
	EXPECT_DOUBLE_EQ(s.r2, 1);
}

// The running model's predictions travel in the samples themselves.
std::vector<kml_sample> with_running_model(std::vector<kml_sample> v, double offset_log2,
					   uint32_t version)
{
	for (auto &s : v) {
		s.flags |= KML_SAMPLE_PREDICTED;
		s.model_version = version;
		s.predicted_ns = uint32_t(std::lround(1000 * std::exp2(kml::log2_us(s.service_ns) +
								       offset_log2)));
	}
	return v;
}

kml::Round train_round(const std::vector<kml_sample> &samples, kml::PushRule rule)
{
	kml::TrainerConfig cfg;
	cfg.rule = rule;
	cfg.min_samples = 100;
	cfg.target_us = 45;	// ~2^5.5: about half of linear_law's samples miss it
	kml::Trainer t(cfg);
	for (const auto &s : samples)
		t.add(s);
	return t.round();
}

TEST(Evaluate, BeatsBaselinesOnALearnableLaw)
{
	auto r = train_round(kml_test::synthetic_samples(5000, kml_test::linear_law, 1, 0.2), {});
	const auto &e = r.eval;

	ASSERT_TRUE(r.model);
	EXPECT_EQ(e.heldout_samples, 1000u);
	EXPECT_EQ(e.train_samples, 4000u);
	EXPECT_GT(e.model.accuracy, e.majority_accuracy + 0.2);
	EXPECT_LT(e.model.mae, 0.5 * e.mean_predictor_mae);
	EXPECT_GT(e.model.r2, 0.9);
	EXPECT_GT(e.float_agreement, 0.99);
	EXPECT_NEAR(e.majority_accuracy, std::max(e.miss_rate, 1 - e.miss_rate), 0.05);
	EXPECT_FALSE(e.running);	// no sample carries a prediction
	EXPECT_TRUE(r.decision.push) << r.decision.reason;
	EXPECT_NE(r.decision.reason.find("mean predictor"), std::string::npos);
}

TEST(Evaluate, PushesOnlyWhatBeatsTheRunningModel)
{
	auto samples = kml_test::synthetic_samples(5000, kml_test::linear_law, 2, 0.2);

	auto poor = train_round(with_running_model(samples, 1.5, 7), {});
	ASSERT_TRUE(poor.eval.running);
	EXPECT_EQ(poor.eval.running_version, 7u);
	EXPECT_NEAR(poor.eval.running->mae, 1.5, 0.01);
	EXPECT_TRUE(poor.decision.push) << poor.decision.reason;

	auto perfect = train_round(with_running_model(samples, 0, 7), {});
	EXPECT_FALSE(perfect.decision.push);
	EXPECT_NE(perfect.decision.reason.find("not better"), std::string::npos);

	auto forced = train_round(with_running_model(samples, 0, 7),
				  {kml::PushPolicy::always, 0.02});
	EXPECT_TRUE(forced.decision.push);
	auto never = train_round(with_running_model(samples, 1.5, 7),
				 {kml::PushPolicy::never, 0.02});
	EXPECT_FALSE(never.decision.push);
}

TEST(Evaluate, ComparesOnlyTheNewestRunningVersion)
{
	auto samples = kml_test::synthetic_samples(6000, kml_test::linear_law, 3);
	auto old_part = with_running_model({samples.begin(), samples.begin() + 3000}, 3, 1);
	auto new_part = with_running_model({samples.begin() + 3000, samples.end()}, 0.5, 2);
	old_part.insert(old_part.end(), new_part.begin(), new_part.end());

	auto r = train_round(old_part, {});
	ASSERT_TRUE(r.eval.running);
	EXPECT_EQ(r.eval.running_version, 2u);
	EXPECT_EQ(r.eval.running->n, 600u);
	EXPECT_NEAR(r.eval.running->mae, 0.5, 0.01);
}

TEST(Trainer, HoldsOutEveryNthUsableSample)
{
	kml::TrainerConfig cfg;
	cfg.heldout_every = 4;
	kml::Trainer t(cfg);
	auto samples = kml_test::synthetic_samples(100, kml_test::linear_law);
	samples[10].flags |= KML_SAMPLE_INJECTED;
	samples[11].version = KML_SAMPLE_VERSION + 1;

	size_t usable = 0;
	for (const auto &s : samples)
		usable += t.add(s);
	EXPECT_EQ(usable, 98u);
	EXPECT_EQ(t.heldout_size(), 24u);
	EXPECT_EQ(t.train_size(), 74u);
}

TEST(Trainer, TooFewSamplesSkipTheRound)
{
	kml::TrainerConfig cfg;
	cfg.min_samples = 1000;
	kml::Trainer t(cfg);
	for (const auto &s : kml_test::synthetic_samples(500, kml_test::linear_law))
		t.add(s);

	auto r = t.round();
	EXPECT_FALSE(r.model);
	EXPECT_NE(r.skipped.find("--min-samples 1000"), std::string::npos);
}

TEST(Trainer, RecentRunningMaeSeesDrift)
{
	kml::TrainerConfig cfg;
	kml::Trainer t(cfg);
	auto samples = kml_test::synthetic_samples(10000, kml_test::linear_law);

	for (const auto &s : with_running_model({samples.begin(), samples.begin() + 5000}, 0.25, 1))
		t.add(s);
	ASSERT_TRUE(t.recent_running_mae());
	EXPECT_NEAR(*t.recent_running_mae(), 0.25, 0.01);
	for (const auto &s : with_running_model({samples.begin() + 5000, samples.end()}, 1, 2))
		t.add(s);
	EXPECT_NEAR(*t.recent_running_mae(), 1, 0.01);
}

} // namespace
