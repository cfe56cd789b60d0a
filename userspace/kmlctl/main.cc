// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmlctl: look at and steer kml.ko, its sample ring and its models, and the
// model registry. Exit codes: kml/exit_codes.hpp (and docs/kmld.md).
#include <functional>

#include <CLI/CLI.hpp>

#include <kml/device.hpp>
#include <kml/exit_codes.hpp>

#include "commands.hpp"

namespace {

using Action = std::function<int()>;

// What the commands' arguments parse into; lives as long as main().
struct Args {
	std::optional<std::string> id, mode;
	std::string name, out;
	uint64_t count = 10000;
	double timeout_s = 60;
	kmlctl::TrainArgs train;
};

void add_model_commands(CLI::App &app, kmlctl::Context &c, Args &a, Action &action)
{
	auto &id = a.id;
	auto &name = a.name;
	auto *model = app.add_subcommand("model", "The model registry and the kernel's running model");
	model->require_subcommand(1);

	auto *list = model->add_subcommand("list", "List stored models (of ID, or all)");
	list->add_option("ID", id, "Registry id");
	list->callback([&] { action = [&] { return kmlctl::model_list(c, id); }; });

	auto *show = model->add_subcommand("show", "Show a model's metadata and metrics");
	show->add_option("NAME", name, "ID, ID/VID, ID/latest or ID/pin")->required();
	show->callback([&] { action = [&] { return kmlctl::model_show(c, name); }; });

	auto *push = model->add_subcommand("push", "Commit a stored model to the kernel (root)");
	push->add_option("NAME", name, "ID, ID/VID, ID/latest or ID/pin")->required();
	push->callback([&] { action = [&] { return kmlctl::model_push(c, name); }; });

	auto *pin = model->add_subcommand("pin", "Make ID resolve to this version (kmld then pushes only it)");
	pin->add_option("NAME", name, "ID/VID (or ID: its latest)")->required();
	pin->callback([&] { action = [&] { return kmlctl::model_pin(c, name); }; });

	auto *unpin = model->add_subcommand("unpin", "Let ID resolve to its latest version again");
	unpin->add_option("ID", name, "Registry id")->required();
	unpin->callback([&] { action = [&] { return kmlctl::model_unpin(c, name); }; });

	auto *rollback = model->add_subcommand(
		"rollback", "Without ID: the kernel swaps back to the model before the running one "
			    "(root). With ID: ID/latest moves back to its parent version");
	rollback->add_option("ID", id, "Registry id");
	rollback->callback([&] { action = [&] { return kmlctl::model_rollback(c, id); }; });
}

void add_sample_commands(CLI::App &app, kmlctl::Context &c, Args &a, Action &action)
{
	auto &t = a.train;

	auto *exp = app.add_subcommand("export", "Write samples from the ring to a CSV file (root; not while kmld runs)");
	exp->add_option("--count", a.count, "Samples to write")->capture_default_str();
	exp->add_option("--out", a.out, "CSV file")->required();
	exp->add_option("--timeout", a.timeout_s, "Give up waiting after this many seconds")->capture_default_str();
	exp->callback([&] { action = [&] { return kmlctl::export_samples(c, a.count, a.out, a.timeout_s); }; });

	auto *train = app.add_subcommand("train", "Train a model offline from a CSV of samples into the registry");
	train->add_option("--csv", t.csv, "Samples (kmlctl export's format)")->required()->check(CLI::ExistingFile);
	train->add_option("--model", t.model, "Model kind")->check(CLI::IsMember({"linear", "mlp"}))->capture_default_str();
	train->add_option("--out-id", t.out_id, "Registry id to store the model under")->required();
	train->add_option("--weights", t.weights, "Quantized weight type")->check(CLI::IsMember({"q16", "int8"}))->capture_default_str();
	train->add_option("--target-us", t.target_us, "Latency target of the miss label")->check(CLI::PositiveNumber)->capture_default_str();
	train->add_option("--heldout-every", t.heldout_every, "Hold out every Nth sample")->check(CLI::Range(2u, 1000u))->capture_default_str();
	train->add_option("--epochs", t.epochs, "MLP: passes over the samples")->check(CLI::Range(1u, 1000u))->capture_default_str();
	train->add_option("--seed", t.seed, "MLP: seed")->capture_default_str();
	train->callback([&] { action = [&] { return kmlctl::train(c, t); }; });
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"kmlctl: status and control of kml.ko, its sample ring and its models"};
	kmlctl::Context c{false, KML_DEV_PATH, kml::Registry::default_root};
	std::string sysfs_root;
	Args args;
	Action action;

	app.fallthrough();	// global flags work after the command too
	app.require_subcommand(1);
	app.add_flag("--json", c.json, "Print JSON (read commands)");
	app.add_option("--sysfs-root", sysfs_root, "Where sysfs is mounted (default $KML_SYSFS_ROOT or /sys)");
	app.add_option("--device", c.device, "The kml device")->capture_default_str();
	app.add_option("--registry", c.registry, "Model registry folder")->capture_default_str();

	app.add_subcommand("status", "Module, ring, running model, disks using kml-deadline")
		->callback([&] { action = [&] { return kmlctl::status(c); }; });
	app.add_subcommand("stats", "Ring and model counters, per-disk scheduler statistics")
		->callback([&] { action = [&] { return kmlctl::stats(c); }; });
	auto *mode = app.add_subcommand("mode", "Show or set the ring mode (setting: root)");
	mode->add_option("MODE", args.mode, "blocking or dropping")
		->check(CLI::IsMember({"blocking", "dropping"}));
	mode->callback([&] { action = [&] { return kmlctl::mode(c, args.mode); }; });
	add_model_commands(app, c, args, action);
	add_sample_commands(app, c, args, action);

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) == 0 ? kml::exit_ok : kml::exit_usage;
	}
	if (!sysfs_root.empty())
		kml::set_sysfs_root(sysfs_root);
	return kml::run_main("kmlctl", action);
}
