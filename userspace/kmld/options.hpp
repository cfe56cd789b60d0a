// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmld's flags (CLI11; any of them may also come from --config FILE).
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include <kml/registry.hpp>

#include <kml/trainer.hpp>

namespace kmld {

struct Options {
	// where samples come from, where models go
	std::string device = KML_DEV_PATH;
	std::string replay;		// CSV instead of the device
	std::string sysfs_root;		// empty: $KML_SYSFS_ROOT or /sys
	std::string disk;		// read_target_us comes from its iosched
	std::string registry = kml::Registry::default_root;
	std::string id = "kmld";

	// what to learn and when to push it
	std::string model = "linear";
	std::string weights = "q16";
	double target_us = 0;		// 0: --disk's read_target_us, else 2000
	std::string push_policy = "better";
	double min_gain = 0.02;
	uint64_t min_samples = 1000;
	double interval_s = 60;
	double drift_factor = 1.5;
	size_t window = 65536;
	unsigned heldout_every = 5;
	unsigned epochs = 20;
	uint64_t seed = 1;

	// running
	bool once = false;
	double duration_s = 10;
	std::string report;
	bool foreground = false;
	std::string lock = "/run/kmld.lock";
	std::string log;		// empty: stderr (foreground) or /var/log/kmld.log
	std::string metrics;		// Prometheus textfile
};

void add_options(CLI::App &app, Options &o);

// The trainer's settings from the flags (target_us resolved by the caller).
kml::TrainerConfig trainer_config(const Options &o, double target_us);

} // namespace kmld
