// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "options.hpp"

namespace kmld {

void add_options(CLI::App &app, Options &o)
{
	app.set_config("--config", "", "Read options from a TOML/INI file (same names as the flags)");

	app.add_option("--device", o.device, "Sample ring and model device")->capture_default_str();
	app.add_option("--replay", o.replay, "Train on a CSV of samples (kmlctl export) instead of the device");
	app.add_option("--sysfs-root", o.sysfs_root, "Where sysfs is mounted (default $KML_SYSFS_ROOT or /sys)");
	app.add_option("--disk", o.disk, "Disk using kml-deadline whose read_target_us is the target (e.g. vda)");
	app.add_option("--registry", o.registry, "Model registry folder")->capture_default_str();
	app.add_option("--id", o.id, "Registry id the trained models are stored under")->capture_default_str();

	app.add_option("--model", o.model, "Model to train")->check(CLI::IsMember({"linear", "mlp"}))->capture_default_str();
	app.add_option("--weights", o.weights, "Quantized weight type")->check(CLI::IsMember({"q16", "int8"}))->capture_default_str();
	app.add_option("--target-us", o.target_us, "Latency target in us (default: --disk's read_target_us, else 2000)")->check(CLI::NonNegativeNumber);
	app.add_option("--push-policy", o.push_policy, "When to commit a trained model to the kernel")->check(CLI::IsMember({"always", "better", "never"}))->capture_default_str();
	app.add_option("--min-gain", o.min_gain, "'better': relative MAE gain over the running model")->capture_default_str();
	app.add_option("--min-samples", o.min_samples, "Training samples needed before a round trains")->capture_default_str();
	app.add_option("--interval", o.interval_s, "Seconds between training rounds")->check(CLI::PositiveNumber)->capture_default_str();
	app.add_option("--drift-factor", o.drift_factor, "Retrain early when the running model's MAE grows by this factor")->check(CLI::Range(1.0, 100.0))->capture_default_str();
	app.add_option("--window", o.window, "Newest training samples kept")->check(CLI::Range(size_t(16), size_t(1) << 24))->capture_default_str();
	app.add_option("--heldout-every", o.heldout_every, "Hold out every Nth sample for evaluation")->check(CLI::Range(2u, 1000u))->capture_default_str();
	app.add_option("--epochs", o.epochs, "MLP: passes over the training window")->check(CLI::Range(1u, 1000u))->capture_default_str();
	app.add_option("--seed", o.seed, "Seed of the MLP's initial weights and shuffles")->capture_default_str();

	app.add_flag("--once", o.once, "Collect for --duration (training every --interval meanwhile, without pushing), train a final round, push per policy, write --report, exit");
	app.add_option("--duration", o.duration_s, "--once: seconds of samples to collect")->check(CLI::PositiveNumber)->capture_default_str();
	app.add_option("--report", o.report, "--once: write the round's results as JSON to this file");
	app.add_flag("--foreground", o.foreground, "Do not detach; log to stderr");
	app.add_option("--lock", o.lock, "Lock file that keeps kmld to one instance")->capture_default_str();
	app.add_option("--log", o.log, "Log file (default: stderr in the foreground, else /var/log/kmld.log)");
	app.add_option("--metrics", o.metrics, "Prometheus textfile to write metrics to");
}

kml::TrainerConfig trainer_config(const Options &o, double target_us)
{
	kml::TrainerConfig c;

	c.train.kind = kml::model_kind_from(o.model);
	c.train.seed = o.seed;
	c.train.epochs = o.epochs;
	c.rule.policy = kml::push_policy_from(o.push_policy);
	c.rule.min_gain = o.min_gain;
	c.wtype = o.weights == "int8" ? KML_WTYPE_I8 : KML_WTYPE_Q16;
	c.target_us = target_us;
	c.min_samples = o.min_samples;
	c.window = o.window;
	c.heldout_every = o.heldout_every;
	return c;
}

} // namespace kmld
