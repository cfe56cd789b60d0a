// SPDX-License-Identifier: GPL-2.0 OR MIT
// The learning half of kmld (and of kmlctl train): recent samples split into a training and a
// held-out window, and one training round — train, quantize, judge the
// quantized model on the held-out samples, decide whether it should run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <kml/dataset.hpp>
#include <kml/evaluate.hpp>
#include <kml/train.hpp>

namespace kml {

struct TrainerConfig {
	TrainOptions train;
	PushRule rule;
	kml_wtype wtype = KML_WTYPE_Q16;
	double target_us = 2000;
	uint64_t min_samples = 1000;	// training samples before a round trains
	size_t window = 65536;		// training samples kept (the newest)
	unsigned heldout_every = 5;	// every Nth sample is held out
};

struct Round {
	std::string skipped;	// why no model was trained; empty if one was
	std::optional<FloatModel> model;
	Evaluation eval;
	Decision decision;
	double train_seconds = 0;
};

class Trainer {
public:
	explicit Trainer(const TrainerConfig &cfg);

	// False for a sample no model learns from (another format, injected).
	bool add(const kml_sample &s);
	Round round(const KeepGoing &keep_going = {}) const;

	// The running model's MAE on the newest held-out samples it predicted;
	// nullopt while there are too few of them. Rising means drift.
	std::optional<double> recent_running_mae() const;

	void set_target_us(double us) { cfg_.target_us = us; }
	const TrainerConfig &config() const { return cfg_; }
	size_t train_size() const { return train_.size(); }
	size_t heldout_size() const { return heldout_.size(); }

private:
	TrainerConfig cfg_;
	RecentWindow<kml_sample> train_, heldout_;
	uint64_t added_ = 0;
};

} // namespace kml
