// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/evaluate.hpp>

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <numeric>
#include <stdexcept>

namespace kml {

namespace {

// Fewer held-out samples than this say too little about the running model.
constexpr size_t min_compare_samples = 50;
// Accuracy may fall by this much while MAE improves (sampling noise).
constexpr double accuracy_slack = 0.005;

std::vector<double> predict_all(const Model &m, const Dataset &d)
{
	std::vector<double> out;

	for (const auto &x : d.x)
		out.push_back(m.predict(std::span<const double>(x))[0]);
	return out;
}

double mean(std::span<const double> v)
{
	return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

// Held-out rows the newest running model predicted.
std::vector<size_t> running_rows(const Dataset &d, uint32_t &version)
{
	std::vector<size_t> rows;

	for (size_t i = d.size(); i-- > 0;)
		if (!std::isnan(d.running[i])) {
			version = d.running_version[i];
			break;
		}
	for (size_t i = 0; i < d.size(); i++)
		if (!std::isnan(d.running[i]) && d.running_version[i] == version)
			rows.push_back(i);
	return rows;
}

std::vector<double> pick(std::span<const double> v, const std::vector<size_t> &rows)
{
	std::vector<double> out;

	for (size_t i : rows)
		out.push_back(v[i]);
	return out;
}

} // namespace

Scores score(std::span<const double> predicted, std::span<const double> actual,
	     double target_us)
{
	Scores s;
	double target = std::log2(target_us), ybar = mean(actual), sse = 0, sst = 0;
	size_t right = 0;

	s.n = actual.size();
	if (!s.n)
		return s;
	for (size_t i = 0; i < s.n; i++) {
		double e = predicted[i] - actual[i];
		right += (predicted[i] > target) == (actual[i] > target);
		s.mae += std::fabs(e);
		sse += e * e;
		sst += (actual[i] - ybar) * (actual[i] - ybar);
	}
	s.accuracy = double(right) / double(s.n);
	s.mae /= double(s.n);
	s.r2 = sst > 0 ? 1 - sse / sst : 0;
	return s;
}

Evaluation evaluate(const Model &quantized, const FloatModel &twin, const Dataset &train,
		    const Dataset &heldout, double target_us)
{
	Evaluation e;
	double target = std::log2(target_us);
	auto pred = predict_all(quantized, heldout);
	size_t agree = 0, misses = 0;

	e.target_us = target_us;
	e.train_samples = train.size();
	e.heldout_samples = heldout.size();
	e.model = score(pred, heldout.y, target_us);
	for (size_t i = 0; i < heldout.size(); i++) {
		double f = twin.predict(heldout.x[i])[0];
		agree += (f > target) == (pred[i] > target);
		e.float_max_diff = std::max(e.float_max_diff, std::fabs(f - pred[i]));
		misses += heldout.y[i] > target;
	}
	if (heldout.size()) {
		e.float_agreement = double(agree) / double(heldout.size());
		e.miss_rate = double(misses) / double(heldout.size());
	}

	// Baselines learn from the training set only, like the model.
	double train_mean = mean(train.y);
	bool train_majority_miss = 2 * std::ranges::count_if(train.y, [&](double y) {
		return y > target;
	}) > ptrdiff_t(train.size());
	e.majority_accuracy = train_majority_miss ? e.miss_rate : 1 - e.miss_rate;
	e.mean_predictor_mae = score(std::vector<double>(heldout.size(), train_mean),
				     heldout.y, target_us).mae;

	auto rows = running_rows(heldout, e.running_version);
	if (rows.size() >= min_compare_samples) {
		auto actual = pick(heldout.y, rows);
		e.running = score(pick(heldout.running, rows), actual, target_us);
		e.model_on_running = score(pick(pred, rows), actual, target_us);
	}
	return e;
}

PushPolicy push_policy_from(std::string_view name)
{
	if (name == "always")
		return PushPolicy::always;
	if (name == "better")
		return PushPolicy::better;
	if (name == "never")
		return PushPolicy::never;
	throw std::invalid_argument("unknown push policy '" + std::string(name) +
				    "' (always, better or never)");
}

Decision decide(const Evaluation &e, const PushRule &rule)
{
	if (rule.policy == PushPolicy::never)
		return {false, "push policy is 'never'"};
	if (rule.policy == PushPolicy::always)
		return {true, "push policy is 'always'"};

	bool vs_running = e.running.has_value();
	const Scores &mine = vs_running ? *e.model_on_running : e.model;
	double ref_mae = vs_running ? e.running->mae : e.mean_predictor_mae;
	double ref_acc = vs_running ? e.running->accuracy : e.majority_accuracy;
	std::string who = vs_running ? fmt::format("running model v{}", e.running_version)
				     : std::string("mean predictor (no running-model predictions)");
	double gain = ref_mae > 0 ? (ref_mae - mine.mae) / ref_mae : 0;
	auto facts = fmt::format("MAE {:.3f} vs {:.3f} of the {} (gain {:.1f}%, need {:.1f}%), "
				 "accuracy {:.3f} vs {:.3f}", mine.mae, ref_mae, who,
				 100 * gain, 100 * rule.min_gain, mine.accuracy, ref_acc);

	if (gain < rule.min_gain)
		return {false, "not better: " + facts};
	if (vs_running && mine.accuracy + accuracy_slack < ref_acc)
		return {false, "less accurate: " + facts};
	return {true, "better: " + facts};
}

nlohmann::json to_json(const Scores &s)
{
	return {{"samples", s.n}, {"accuracy", s.accuracy}, {"mae_log2us", s.mae}, {"r2", s.r2}};
}

nlohmann::json to_json(const Evaluation &e)
{
	nlohmann::json j = {
		{"target_us", e.target_us},
		{"train_samples", e.train_samples},
		{"heldout_samples", e.heldout_samples},
		{"accuracy", e.model.accuracy},
		{"mae_log2us", e.model.mae},
		{"r2", e.model.r2},
		{"float_agreement", e.float_agreement},
		{"float_max_diff_log2us", e.float_max_diff},
		{"miss_rate", e.miss_rate},
		{"majority_accuracy", e.majority_accuracy},
		{"mean_predictor_mae", e.mean_predictor_mae},
		{"running_model_version", nullptr},
		{"running_model_samples", 0},
		{"running_model_accuracy", nullptr},
		{"running_model_mae_log2us", nullptr},
		{"running_model_r2", nullptr},
		{"model_on_running_samples", nullptr},
	};
	if (e.running) {
		j["running_model_version"] = e.running_version;
		j["running_model_samples"] = e.running->n;
		j["running_model_accuracy"] = e.running->accuracy;
		j["running_model_mae_log2us"] = e.running->mae;
		j["running_model_r2"] = e.running->r2;
		j["model_on_running_samples"] = to_json(*e.model_on_running);
	}
	return j;
}

} // namespace kml
