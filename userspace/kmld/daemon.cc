// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "daemon.hpp"

#include <array>
#include <csignal>
#include <cstring>
#include <filesystem>

#include <kml/exit_codes.hpp>
#include <kml/files.hpp>
#include <kml/sysfs_status.hpp>

#include "metrics.hpp"

namespace kmld {

namespace {

using namespace std::chrono_literals;

// How often the loop wakes with nothing else to do: the --once deadline, the
// interval and drift checks, metrics.
constexpr auto tick = 250ms;
constexpr auto metrics_period = 5s;
// Samples copied out of the ring per read; bounded per wakeup so a fast
// producer cannot keep the loop from its timer and signals.
constexpr size_t read_batch = 4096;
constexpr size_t max_batches_per_wakeup = 64;
// The target when neither --target-us nor --disk gives one.
constexpr double default_target_us = 2000;

double seconds_since(std::chrono::steady_clock::time_point t)
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

Daemon::Daemon(const Options &opt, std::unique_ptr<SampleSource> source, Log &log)
	: opt_(opt), source_(std::move(source)), log_(log), registry_(opt.registry),
	  trainer_(trainer_config(opt, current_target_us())), loop_(source_->fd(), tick),
	  started_(Clock::now()), last_round_(started_), last_metrics_(started_)
{
}

double Daemon::current_target_us() const
{
	if (opt_.target_us > 0)
		return opt_.target_us;
	if (!opt_.disk.empty()) {
		if (auto us = kml::read_target_us(opt_.disk))
			return *us;
		log_("{} does not use {}: target {} us", opt_.disk, kml::elevator_name,
		     default_target_us);
	}
	return default_target_us;
}

int Daemon::run()
{
	log_("reading {}; {} model, target {} us, push policy {}, registry {}/{}",
	     source_->name(), opt_.model, trainer_.config().target_us, opt_.push_policy,
	     opt_.registry, opt_.id);
	apply_pin();
	bool done = false;

	while (!stop_ && !done) {
		auto w = loop_.next();
		if (w.kind == EventLoop::Wakeup::samples)
			drain();
		else if (w.kind == EventLoop::Wakeup::signal)
			on_signal(w.signo);
		else
			on_tick();
		done = opt_.once && seconds_since(started_) >= opt_.duration_s;
	}
	if (done) {
		drain();
		train_now("--once");
	}
	if (opt_.once && !opt_.report.empty())
		kml::write_file_atomic(opt_.report, report().dump(2) + "\n");
	write_metrics();
	log_("exiting: {} samples consumed, {} rounds, {} models pushed", n_.consumed, n_.rounds,
	     n_.pushes);
	return kml::exit_ok;
}

void Daemon::drain()
{
	std::array<kml_sample, read_batch> buf;

	for (size_t b = 0; b < max_batches_per_wakeup; b++) {
		size_t n = source_->read(buf);
		for (size_t i = 0; i < n; i++)
			n_.unusable += !trainer_.add(buf[i]);
		n_.consumed += n;
		if (n < buf.size())
			return;
	}
}

void Daemon::on_signal(int signo)
{
	if (signo != SIGHUP) {
		log_("{}: stopping", strsignal(signo));
		stop_ = true;
		return;
	}
	log_("SIGHUP: re-reading the target and the pin, training now");
	trainer_.set_target_us(current_target_us());
	apply_pin();
	train_now("SIGHUP");
}

void Daemon::on_tick()
{
	auto mae = trainer_.recent_running_mae();
	if (seconds_since(last_round_) >= opt_.interval_s) {
		// With --once these are online rounds while collecting: evaluated
		// and recorded, but only the final round may push.
		train_now("interval", !opt_.once);
	} else if (!opt_.once && mae && drift_baseline_ &&
		   *mae > opt_.drift_factor * *drift_baseline_) {
		log_("drift: running model's MAE {:.3f} > {} x {:.3f}", *mae,
		     opt_.drift_factor, *drift_baseline_);
		n_.drift_rounds++;
		train_now("drift");
	}
	if (Clock::now() - last_metrics_ >= metrics_period)
		write_metrics();
}

void Daemon::train_now(std::string_view why, bool may_push)
{
	// Training yields here: the ring keeps draining (blocking mode must not
	// wait for us) and a signal ends the round early.
	auto keep_going = [this] {
		drain();
		return !loop_.signal_pending();
	};
	RoundOutcome o;
	o.round = trainer_.round(keep_going);
	const auto &e = o.round.eval;

	last_round_ = Clock::now();
	if (!o.round.skipped.empty()) {
		log_("round ({}): no model: {}", why, o.round.skipped);
		last_ = std::move(o);
		return;
	}
	n_.rounds++;
	log_("round ({}): {} on {} samples in {:.2f} s; held-out {}: accuracy {:.3f} "
	     "(majority {:.3f}), MAE {:.3f} log2us (mean predictor {:.3f}), R2 {:.3f}, "
	     "float agreement {:.4f}; running model: {}",
	     why, opt_.model, e.train_samples, o.round.train_seconds, e.heldout_samples,
	     e.model.accuracy, e.majority_accuracy, e.model.mae, e.mean_predictor_mae,
	     e.model.r2, e.float_agreement,
	     e.running ? fmt::format("v{} accuracy {:.3f} MAE {:.3f}", e.running_version,
				     e.running->accuracy, e.running->mae)
		       : std::string("no predictions"));
	if (o.round.decision.push && may_push)
		push(o);
	else
		o.note = may_push ? o.round.decision.reason : "online round: evaluated, not pushed";
	history_.push_back({
		{"t_s", seconds_since(started_)},
		{"why", why},
		{"train_samples", e.train_samples},
		{"heldout_samples", e.heldout_samples},
		{"accuracy", e.model.accuracy},
		{"majority_accuracy", e.majority_accuracy},
		{"mae_log2us", e.model.mae},
		{"mean_predictor_mae", e.mean_predictor_mae},
		{"running_model_accuracy", e.running ? nlohmann::json(e.running->accuracy) : nlohmann::json()},
		{"pushed", o.pushed},
	});
	log_("round ({}): {}{}", why, o.pushed ? "pushed " + o.registry_name + ": " : "",
	     o.pushed ? o.round.decision.reason : o.note);
	drift_baseline_ = o.pushed ? std::optional(e.model.mae)
				   : e.running ? std::optional(e.running->mae) : std::nullopt;
	last_ = std::move(o);
	write_metrics();
}

void Daemon::push(RoundOutcome &o)
{
	if (pinned_) {
		o.note = fmt::format("{}/{} is pinned: not pushing", opt_.id, *pinned_);
		return;
	}
	try {
		nlohmann::json meta = {
			{"trained_by", "kmld"},
			{"source", source_->name()},
			{"options", {{"model", opt_.model}, {"weights", opt_.weights},
				     {"window", opt_.window}, {"heldout_every", opt_.heldout_every},
				     {"seed", opt_.seed}, {"push_policy", opt_.push_policy}}},
			{"metrics", kml::to_json(o.round.eval)},
			{"decision", o.round.decision.reason},
		};
		auto entry = registry_.add(opt_.id, meta, [&](uint32_t vid) {
			return kml::to_blob(*o.round.model, trainer_.config().wtype, vid);
		});
		o.registry_name = entry.ref.name();
		source_->commit(entry.blob);
		o.pushed = true;
		o.version = entry.ref.vid;
		n_.pushes++;
	} catch (const std::exception &x) {
		o.note = fmt::format("push failed: {}", x.what());
		n_.push_failures++;
	}
}

void Daemon::apply_pin()
{
	pinned_.reset();
	if (!std::filesystem::is_directory(registry_.root() / opt_.id))
		return;
	try {
		auto vid = registry_.pinned(opt_.id);
		if (!vid)
			return;
		auto entry = registry_.load(kml::ModelRef{opt_.id, *vid});
		kml::require_compatible(entry);
		pinned_ = vid;
		if (source_->running_version() != *vid) {
			source_->commit(entry.blob);
			log_("pushed the pinned model {}", entry.ref.name());
		}
		log_("{}/{} is pinned: trained models are not pushed", opt_.id,
		     *vid);
	} catch (const std::exception &x) {
		log_("ignoring the pin of {}: {}", opt_.id, x.what());
	}
}

void Daemon::write_metrics()
{
	if (opt_.metrics.empty())
		return;
	Metrics m;

	if (opt_.replay.empty()) {
		try {
			m.add_kernel(kml::module_status());
		} catch (const std::exception &) {
			// the module went away: kmld's own metrics still count
		}
	}
	m.counter("kmld_samples_consumed_total", "Samples kmld read", double(n_.consumed));
	m.counter("kmld_samples_unusable_total", "Samples of another format or injected", double(n_.unusable));
	m.gauge("kmld_train_samples", "Samples in the training window", double(trainer_.train_size()));
	m.gauge("kmld_heldout_samples", "Samples in the held-out window", double(trainer_.heldout_size()));
	m.counter("kmld_rounds_total", "Training rounds that trained a model", double(n_.rounds));
	m.counter("kmld_drift_rounds_total", "Rounds started by drift", double(n_.drift_rounds));
	m.counter("kmld_pushes_total", "Models committed to the kernel", double(n_.pushes));
	m.counter("kmld_push_failures_total", "Pushes the registry or the kernel refused", double(n_.push_failures));
	m.gauge("kmld_target_us", "Latency target of the miss label", trainer_.config().target_us);
	if (last_ && last_->round.model) {
		const auto &e = last_->round.eval;
		m.gauge("kmld_heldout_accuracy", "Last model's held-out miss accuracy", e.model.accuracy);
		m.gauge("kmld_heldout_mae_log2us", "Last model's held-out MAE", e.model.mae);
		m.gauge("kmld_heldout_r2", "Last model's held-out R2 of log latency", e.model.r2);
		m.gauge("kmld_float_agreement", "Quantized vs float model, same miss label", e.float_agreement);
		m.gauge("kmld_majority_accuracy", "Majority-class baseline accuracy", e.majority_accuracy);
		m.gauge("kmld_mean_predictor_mae_log2us", "Mean-predictor baseline MAE", e.mean_predictor_mae);
		if (e.running) {
			m.gauge("kmld_running_model_accuracy", "Running model's held-out accuracy", e.running->accuracy);
			m.gauge("kmld_running_model_mae_log2us", "Running model's held-out MAE", e.running->mae);
		}
	}
	if (last_ && last_->version)
		m.gauge("kmld_pushed_version", "Version of the last model kmld pushed", *last_->version);
	try {
		m.write(opt_.metrics);
	} catch (const std::exception &x) {
		log_("metrics: {}", x.what());
	}
	last_metrics_ = Clock::now();
}

nlohmann::json Daemon::report() const
{
	nlohmann::json r = {
		{"source", source_->name()},
		{"model", opt_.model},
		{"weights", opt_.weights},
		{"duration_s", seconds_since(started_)},
		{"samples", n_.consumed},
		{"samples_unusable", n_.unusable},
		{"pushed", false},
		{"pushed_version", nullptr},
		{"registry_entry", nullptr},
		{"reason", stop_ ? "stopped by a signal before the round" : ""},
	};
	// Keys the integration tests read are there even without a model.
	for (const char *key : {"train_samples", "heldout_samples", "accuracy", "majority_accuracy",
				"mean_predictor_mae", "mae_log2us", "r2", "running_model_accuracy",
				"running_model_mae_log2us", "float_agreement"})
		r[key] = nullptr;
	r["history"] = history_;
	if (!last_)
		return r;
	if (last_->round.model) {
		r.update(kml::to_json(last_->round.eval));
		r["train_seconds"] = last_->round.train_seconds;
	}
	r["pushed"] = last_->pushed;
	if (last_->version)
		r["pushed_version"] = *last_->version;
	if (!last_->registry_name.empty())
		r["registry_entry"] = last_->registry_name;
	r["reason"] = !last_->round.skipped.empty() ? last_->round.skipped
		      : last_->pushed ? last_->round.decision.reason : last_->note;
	return r;
}

} // namespace kmld
