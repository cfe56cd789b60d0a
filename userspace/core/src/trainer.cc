// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/trainer.hpp>

#include <chrono>
#include <cmath>
#include <fmt/core.h>
#include <stdexcept>

namespace kml {

namespace {

// Drift is judged on this many of the newest held-out samples ...
constexpr size_t drift_window = 1024;
// ... and only once the running model predicted at least this many of them.
constexpr size_t drift_min_samples = 256;

} // namespace

Trainer::Trainer(const TrainerConfig &cfg)
	: cfg_(cfg), train_(cfg.window),
	  heldout_(std::max<size_t>(1, cfg.window / std::max(1u, cfg.heldout_every)))
{
	if (cfg.heldout_every < 2)
		throw std::invalid_argument("--heldout-every must be at least 2");
}

bool Trainer::add(const kml_sample &s)
{
	if (!usable_for_training(s))
		return false;
	// Deterministic split: the same stream always gives the same sets.
	if (++added_ % cfg_.heldout_every == 0)
		heldout_.push(s);
	else
		train_.push(s);
	return true;
}

Round Trainer::round(const KeepGoing &keep_going) const
{
	Round r;

	if (train_.size() < cfg_.min_samples || heldout_.size() == 0) {
		r.skipped = fmt::format("only {} training and {} held-out samples (--min-samples {})",
					train_.size(), heldout_.size(), cfg_.min_samples);
		return r;
	}
	auto train_set = Dataset::from(train_.snapshot());
	auto heldout_set = Dataset::from(heldout_.snapshot());
	auto t0 = std::chrono::steady_clock::now();
	// Asked between the phases too: each takes a while on an emulated CPU.
	auto stop = [&] { return keep_going && !keep_going(); };

	if (!stop())
		r.model = train(train_set, cfg_.train, keep_going);
	r.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	if (!r.model || stop()) {
		r.model.reset();
		r.skipped = "training interrupted";
		return r;
	}
	int err = 0;
	auto quantized = Model::load(to_blob(*r.model, cfg_.wtype), err);
	if (!quantized)
		throw std::runtime_error(fmt::format("the trained model does not quantize: {}",
						     kml_blob_strerror(err)));
	r.eval = evaluate(*quantized, *r.model, train_set, heldout_set, cfg_.target_us);
	r.decision = decide(r.eval, cfg_.rule);
	return r;
}

std::optional<double> Trainer::recent_running_mae() const
{
	auto recent = heldout_.snapshot();

	if (recent.size() > drift_window)
		recent.erase(recent.begin(), recent.end() - drift_window);
	auto d = Dataset::from(recent);
	std::vector<double> pred, actual;
	uint32_t newest = d.size() ? d.running_version.back() : 0;

	for (size_t i = 0; i < d.size(); i++)
		if (!std::isnan(d.running[i]) && d.running_version[i] == newest) {
			pred.push_back(d.running[i]);
			actual.push_back(d.y[i]);
		}
	if (pred.size() < drift_min_samples)
		return std::nullopt;
	return score(pred, actual, cfg_.target_us).mae;
}

} // namespace kml
