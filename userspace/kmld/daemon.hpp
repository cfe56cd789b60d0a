// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmld's main loop: drain samples into the trainer, train every --interval
// (or on drift, or SIGHUP), push what the policy accepts into the registry
// and the kernel, keep the metrics file fresh, stop on SIGTERM/SIGINT.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <kml/registry.hpp>

#include "event_loop.hpp"
#include "log.hpp"
#include "options.hpp"
#include "sample_source.hpp"
#include <kml/trainer.hpp>

namespace kmld {

// A round and what became of its model.
struct RoundOutcome {
	kml::Round round;
	bool pushed = false;
	std::optional<uint32_t> version;	// the registry's vid = the kernel's version
	std::string registry_name;		// "id/vid" once stored
	std::string note;			// why it was not pushed, if it was not
};

class Daemon {
public:
	Daemon(const Options &opt, std::unique_ptr<SampleSource> source, Log &log);

	// Serve until a signal (or, with --once, until --duration has passed and
	// the round is done). Returns the exit code.
	int run();

private:
	using Clock = std::chrono::steady_clock;

	void drain();
	void on_tick();
	void on_signal(int signo);
	void train_now(std::string_view why, bool may_push = true);
	void push(RoundOutcome &o);
	void apply_pin();
	double current_target_us() const;
	void write_metrics();
	nlohmann::json report() const;

	const Options &opt_;
	std::unique_ptr<SampleSource> source_;
	Log &log_;
	kml::Registry registry_;
	kml::Trainer trainer_;
	EventLoop loop_;

	bool stop_ = false;
	Clock::time_point started_, last_round_, last_metrics_;
	std::optional<RoundOutcome> last_;
	nlohmann::json history_ = nlohmann::json::array();	// one entry per trained round
	std::optional<uint32_t> pinned_;
	std::optional<double> drift_baseline_;	// running model's MAE after the last round
	struct {
		uint64_t consumed = 0, unusable = 0, rounds = 0, pushes = 0, push_failures = 0,
			 drift_rounds = 0;
	} n_;
};

} // namespace kmld
