// SPDX-License-Identifier: GPL-2.0 OR MIT
// Training in float: least squares for the linear model, SGD for the MLP.
// Both fit on standardized features and a standardized label, then fold the
// label's scale into the output layer, so the model predicts log2 us itself
// and kml::to_blob() can quantize it as it is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <kml/dataset.hpp>
#include <kml/kml.hpp>

namespace kml {

enum class ModelKind { linear, mlp };

std::string_view to_string(ModelKind kind);
ModelKind model_kind_from(std::string_view name);	// throws std::invalid_argument

struct TrainOptions {
	ModelKind kind = ModelKind::linear;
	uint64_t seed = 1;
	double ridge = 1e-3;		// linear: L2 penalty per sample, standardized units
	uint32_t hidden = 16;		// MLP: 9 -> hidden -> 1, ReLU
	unsigned epochs = 20;		// MLP: passes over the data ...
	uint64_t max_steps = 400000;	// ... but never more SGD steps than this
	double learning_rate = 0.01;	// MLP: first epoch; decays as 1 / (1 + epoch / 4)
};

// Called every few thousand samples so a single-threaded caller can serve
// its event sources; returning false abandons the training.
using KeepGoing = std::function<bool()>;

// A model for d (which must not be empty), or nullopt if keep_going said stop.
std::optional<FloatModel> train(const Dataset &d, const TrainOptions &opt,
				const KeepGoing &keep_going = {});

// Mean squared error of m on d, in (log2 us)^2.
double mean_squared_error(const FloatModel &m, const Dataset &d);

} // namespace kml
