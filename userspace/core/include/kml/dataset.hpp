// SPDX-License-Identifier: GPL-2.0 OR MIT
// Samples as training data: the 9 features as reals, the label (log2 of
// the service latency in microseconds, what the kernel's model predicts) and
// the running model's own prediction, kept to judge it on the same samples.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <uapi/kml.h>

namespace kml {

// In the order of enum kd_feature (kmod/kml_predict.c).
inline constexpr std::array<std::string_view, KML_NR_FEATURES> feature_names = {
	"op", "size_log2", "distance_log2", "queued_reads", "queued_writes",
	"inflight", "age_log2us", "ewma_log2us", "since_write_log2us",
};

// What a trained model means: bump when the features or the label change.
inline constexpr std::string_view label_name = "log2(service_us)";

// log2 of a latency in microseconds, floored at 1 us as the kernel's
// kd_exp2_ns() is.
double log2_us(uint32_t ns);

// Samples a model can learn from: this sample format, not injected.
bool usable_for_training(const kml_sample &s);

struct Dataset {
	std::vector<std::vector<double>> x;	// features, as the model sees them
	std::vector<double> y;			// log2(service us)
	std::vector<double> running;		// the running model's log2 us; NaN: none
	std::vector<uint32_t> running_version;

	size_t size() const { return y.size(); }
	void add(const kml_sample &s);
	static Dataset from(std::span<const kml_sample> samples);
};

// The most recent @capacity items; older ones are overwritten.
template <typename T>
class RecentWindow {
public:
	explicit RecentWindow(size_t capacity) : items_(capacity) {}

	void push(const T &v)
	{
		items_[next_++ % items_.size()] = v;
	}
	size_t size() const { return std::min<uint64_t>(next_, items_.size()); }
	uint64_t pushed() const { return next_; }

	// Oldest first.
	std::vector<T> snapshot() const
	{
		std::vector<T> out;
		for (uint64_t i = next_ - size(); i < next_; i++)
			out.push_back(items_[i % items_.size()]);
		return out;
	}

private:
	std::vector<T> items_;
	uint64_t next_ = 0;
};

} // namespace kml
