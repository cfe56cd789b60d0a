// SPDX-License-Identifier: GPL-2.0 OR MIT
// Judging a model on held-out samples: is it right about which requests
// miss their latency target, how far off is it in log2 us, and is it better
// than the model the kernel runs now and than two trivial baselines?
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include <kml/dataset.hpp>
#include <kml/kml.hpp>

namespace kml {

struct Scores {
	size_t n = 0;
	double accuracy = 0;	// of "misses the target" (latency > target)
	double mae = 0;		// mean |error|, log2 us
	double r2 = 0;		// of log2 latency
};

Scores score(std::span<const double> predicted, std::span<const double> actual,
	     double target_us);

struct Evaluation {
	double target_us = 0;
	size_t train_samples = 0, heldout_samples = 0;
	Scores model;			// the quantized model, as the kernel runs it
	double float_agreement = 0;	// same miss label as the float model
	double float_max_diff = 0;	// largest |quantized - float|, log2 us
	double miss_rate = 0;		// of the held-out samples
	double majority_accuracy = 0;	// always the training set's majority label
	double mean_predictor_mae = 0;	// always the training set's mean label

	// The running model against the candidate, on the held-out samples the
	// running model predicted (the newest version seen); unset if too few.
	uint32_t running_version = 0;
	std::optional<Scores> running, model_on_running;
};

Evaluation evaluate(const Model &quantized, const FloatModel &twin, const Dataset &train,
		    const Dataset &heldout, double target_us);

enum class PushPolicy { always, better, never };

PushPolicy push_policy_from(std::string_view name);	// throws std::invalid_argument

struct PushRule {
	PushPolicy policy = PushPolicy::better;
	double min_gain = 0.02;	// relative MAE improvement "better" asks for
};

struct Decision {
	bool push = false;
	std::string reason;
};

// "better": lower MAE than the running model by min_gain on the same samples
// and no lower accuracy (within half a point); without a running model's
// predictions, the mean predictor is what it has to beat.
Decision decide(const Evaluation &e, const PushRule &rule);

nlohmann::json to_json(const Scores &s);
nlohmann::json to_json(const Evaluation &e);

} // namespace kml
