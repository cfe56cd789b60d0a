// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmlctl's commands, one function each; main.cc wires them to CLI11.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <kml/registry.hpp>

namespace kmlctl {

// Flags every command sees.
struct Context {
	bool json = false;
	std::string device;
	std::string registry;

	kml::Registry open_registry() const { return kml::Registry(registry); }
};

// JSON on stdout, or the same as indented "key: value" lines.
void print(const Context &c, const nlohmann::json &j);

// status.cc: kml.ko and the disks that use kml-deadline.
int status(const Context &c);
int stats(const Context &c);
int mode(const Context &c, const std::optional<std::string> &set_to);

// model.cc: the registry and the kernel's running model.
int model_list(const Context &c, const std::optional<std::string> &id);
int model_show(const Context &c, const std::string &name);
int model_push(const Context &c, const std::string &name);
int model_pin(const Context &c, const std::string &name);
int model_unpin(const Context &c, const std::string &id);
int model_rollback(const Context &c, const std::optional<std::string> &id);

// samples.cc: samples out of the ring, and offline training from them.
struct TrainArgs {
	std::string csv, model = "linear", weights = "q16", out_id;
	double target_us = 2000;
	unsigned heldout_every = 5, epochs = 20;
	uint64_t seed = 1;
};
int export_samples(const Context &c, uint64_t count, const std::string &out, double timeout_s);
int train(const Context &c, const TrainArgs &a);

} // namespace kmlctl
