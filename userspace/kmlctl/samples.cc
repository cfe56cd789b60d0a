// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <chrono>
#include <fmt/core.h>
#include <fstream>
#include <vector>

#include <kml/device.hpp>
#include <kml/exit_codes.hpp>
#include <kml/sample_csv.hpp>
#include <kml/sysfs_status.hpp>
#include <kml/trainer.hpp>

#include "commands.hpp"

namespace kmlctl {

int export_samples(const Context &c, uint64_t count, const std::string &out, double timeout_s)
{
	kml::require_module();
	kml::Device dev(c.device);
	std::ofstream csv(out);
	std::vector<kml_sample> buf(4096);
	auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
	uint64_t got = 0;

	if (!csv)
		throw kml::Error(errno, "create " + out);
	kml::write_csv_header(csv);
	while (got < count && std::chrono::steady_clock::now() < deadline) {
		size_t n = dev.read(std::span(buf).first(std::min<uint64_t>(buf.size(), count - got)));
		for (size_t i = 0; i < n; i++)
			kml::write_csv_row(csv, buf[i]);
		got += n;
		if (!n)
			dev.wait(std::chrono::milliseconds(100));
	}
	if (!csv.flush())
		throw kml::Error(EIO, "write " + out);
	fmt::print("{} samples written to {}{}\n", got, out,
		   got < count ? fmt::format(" (only {} of {} within {} s)", got, count, timeout_s) : "");
	return kml::exit_ok;
}

int train(const Context &c, const TrainArgs &a)
{
	auto samples = kml::read_samples_csv(a.csv);
	kml::TrainerConfig cfg;

	cfg.train.kind = kml::model_kind_from(a.model);
	cfg.train.seed = a.seed;
	cfg.train.epochs = a.epochs;
	cfg.rule.policy = kml::PushPolicy::always;
	cfg.wtype = a.weights == "int8" ? KML_WTYPE_I8 : KML_WTYPE_Q16;
	cfg.target_us = a.target_us;
	cfg.min_samples = 1;
	cfg.window = std::max<size_t>(samples.size(), 16);
	cfg.heldout_every = a.heldout_every;

	kml::Trainer trainer(cfg);
	for (const auto &s : samples)
		trainer.add(s);
	auto round = trainer.round();
	if (!round.model)
		throw std::runtime_error(a.csv + ": no model: " + round.skipped);
	nlohmann::json meta = {{"trained_by", "kmlctl train"},
			       {"source", "csv:" + a.csv},
			       {"options", {{"model", a.model}, {"weights", a.weights},
					    {"heldout_every", a.heldout_every}, {"seed", a.seed},
					    {"epochs", a.epochs}}},
			       {"metrics", kml::to_json(round.eval)}};
	auto entry = c.open_registry().add(a.out_id, meta, [&](uint32_t vid) {
		return kml::to_blob(*round.model, cfg.wtype, vid);
	});
	print(c, {{"name", entry.ref.name()}, {"model", kml::describe_blob(entry.blob)},
		  {"metrics", meta["metrics"]}});
	return kml::exit_ok;
}

} // namespace kmlctl
