// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <fmt/core.h>

#include <kml/device.hpp>
#include <kml/exit_codes.hpp>
#include <kml/sysfs_status.hpp>

#include "commands.hpp"

namespace kmlctl {

namespace {

// One row of "model list": what the entry is, or why it cannot be used.
nlohmann::json list_row(const kml::Registry &reg, const std::string &id, uint32_t vid)
{
	auto latest = reg.latest(id);
	auto pin = reg.pinned(id);
	nlohmann::json row = {{"name", kml::ModelRef{id, vid}.name()},
			      {"latest", latest == vid},
			      {"pinned", pin == vid}};
	try {
		auto e = reg.load(kml::ModelRef{id, vid});
		auto metrics = e.meta.value("metrics", nlohmann::json::object());
		row["model"] = kml::describe_blob(e.blob);
		row["created"] = e.meta.value("created", "");
		row["accuracy"] = metrics.value("accuracy", nlohmann::json());
		row["mae_log2us"] = metrics.value("mae_log2us", nlohmann::json());
	} catch (const kml::RegistryError &x) {
		row["error"] = x.what();
	}
	return row;
}

std::string number(const nlohmann::json &v)
{
	return v.is_number() ? fmt::format("{:.3f}", v.get<double>()) : "-";
}

} // namespace

int model_list(const Context &c, const std::optional<std::string> &id)
{
	auto reg = c.open_registry();
	auto rows = nlohmann::json::array();

	for (const auto &i : id ? std::vector{*id} : reg.ids())
		for (auto vid : reg.versions(i))
			rows.push_back(list_row(reg, i, vid));
	if (c.json) {
		fmt::print("{}\n", rows.dump(2));
		return kml::exit_ok;
	}
	fmt::print("{:<20} {:<16} {:<20} {:>8} {:>6}  {}\n", "NAME", "MODEL", "CREATED",
		   "ACCURACY", "MAE", "");
	for (const auto &r : rows) {
		std::string marks = std::string(r["latest"] ? "latest " : "") + (r["pinned"] ? "pin" : "");
		if (r.contains("error"))
			fmt::print("{:<20} corrupt: {}\n", r["name"].get<std::string>(),
				   r["error"].get<std::string>());
		else
			fmt::print("{:<20} {:<16} {:<20} {:>8} {:>6}  {}\n", r["name"].get<std::string>(),
				   r["model"].get<std::string>(), r["created"].get<std::string>(),
				   number(r["accuracy"]), number(r["mae_log2us"]), marks);
	}
	return kml::exit_ok;
}

int model_show(const Context &c, const std::string &name)
{
	auto e = c.open_registry().load(name);

	print(c, {{"name", e.ref.name()}, {"model", kml::describe_blob(e.blob)}, {"meta", e.meta}});
	return kml::exit_ok;
}

int model_push(const Context &c, const std::string &name)
{
	auto e = c.open_registry().load(name);

	kml::require_compatible(e);
	kml::require_module();
	kml::Device(c.device).commit(e.blob);
	fmt::print("pushed {}: the kernel runs model version {}\n", e.ref.name(),
		   kml::sysfs_read("model/version"));
	return kml::exit_ok;
}

int model_pin(const Context &c, const std::string &name)
{
	auto ref = c.open_registry().pin(name);

	fmt::print("pinned {}: '{}' resolves to it until 'kmlctl model unpin {}'\n", ref.name(),
		   ref.id, ref.id);
	return kml::exit_ok;
}

int model_unpin(const Context &c, const std::string &id)
{
	auto reg = c.open_registry();

	reg.unpin(id);
	fmt::print("unpinned {}: '{}' resolves to {}/latest\n", id, id, id);
	return kml::exit_ok;
}

int model_rollback(const Context &c, const std::optional<std::string> &id)
{
	if (id) {
		auto ref = c.open_registry().rollback(*id);
		fmt::print("{}/latest is now {} (push it with: kmlctl model push {})\n", *id,
			   ref.name(), ref.name());
		return kml::exit_ok;
	}
	kml::require_module();
	kml::Device(c.device).rollback();
	fmt::print("rolled back: the kernel runs model version {}\n",
		   kml::sysfs_read("model/version"));
	return kml::exit_ok;
}

} // namespace kmlctl
