// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "metrics.hpp"

#include <fmt/format.h>

#include <kml/files.hpp>

namespace kmld {

namespace {

struct KernelMetric {
	const char *section, *field, *name, *help;
	bool counter;
};

constexpr KernelMetric kernel_metrics[] = {
	{"ring", "produced", "kml_ring_produced_total", "Samples the kernel produced", true},
	{"ring", "consumed", "kml_ring_consumed_total", "Samples consumed from the ring", true},
	{"ring", "dropped", "kml_ring_dropped_total", "Samples dropped on a full ring (dropping mode)", true},
	{"ring", "queued", "kml_ring_queued", "Samples waiting in the ring", false},
	{"ring", "blocked_ns", "kml_ring_blocked_ns_total", "Time I/O was held back for ring space (blocking mode)", true},
	{"ring", "stalls", "kml_ring_stalls_total", "Times I/O was held back for ring space", true},
	{"ring", "wakeups", "kml_ring_wakeups_total", "Consumer wake-ups", true},
	{"ring", "watchdog_trips", "kml_ring_watchdog_trips_total", "Falls back to dropping on a stalled consumer", true},
	{"ring", "ring_slots", "kml_ring_slots", "Ring size in samples", false},
	{"model", "version", "kml_model_version", "Version of the model the kernel runs", false},
	{"model", "commits", "kml_model_commits_total", "Models committed", true},
	{"model", "rejects", "kml_model_rejects_total", "Models the kernel refused", true},
	{"model", "rollbacks", "kml_model_rollbacks_total", "Model rollbacks", true},
};

} // namespace

void Metrics::add(std::string_view name, std::string_view type, std::string_view help,
		  double value, std::string_view labels)
{
	text_ += fmt::format("# HELP {0} {1}.\n# TYPE {0} {2}\n{0}{3} {4}\n", name, help, type,
			     labels.empty() ? "" : fmt::format("{{{}}}", labels), value);
}

void Metrics::counter(std::string_view name, std::string_view help, double value)
{
	add(name, "counter", help, value, "");
}

void Metrics::gauge(std::string_view name, std::string_view help, double value,
		    std::string_view labels)
{
	add(name, "gauge", help, value, labels);
}

void Metrics::add_kernel(const nlohmann::json &status)
{
	auto at = [&](const char *section, const char *field) {
		auto ptr = nlohmann::json::json_pointer(fmt::format("/{}/{}", section, field));
		return status.value(ptr, nlohmann::json());
	};

	for (const auto &m : kernel_metrics)
		if (auto v = at(m.section, m.field); v.is_number())
			add(m.name, m.counter ? "counter" : "gauge", m.help, v.get<double>(), "");
	if (auto mode = at("ring", "mode"); mode.is_string())
		gauge("kml_ring_mode", "Ring mode (the label) is active",
		      1, fmt::format("mode=\"{}\"", mode.get<std::string>()));
}

void Metrics::write(const std::filesystem::path &path) const
{
	kml::write_file_atomic(path, text_);
}

} // namespace kmld
