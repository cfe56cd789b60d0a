// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <fmt/core.h>

#include <kml/device.hpp>
#include <kml/exit_codes.hpp>
#include <kml/sysfs_status.hpp>

#include "commands.hpp"

namespace kmlctl {

namespace {

void print_lines(const nlohmann::json &j, int indent)
{
	for (const auto &[key, v] : j.items()) {
		if (v.is_object()) {
			fmt::print("{:{}}{}:\n", "", indent, key);
			print_lines(v, indent + 2);
		} else if (v.is_array() && !v.empty() && v.front().is_object()) {
			fmt::print("{:{}}{}:\n", "", indent, key);
			for (auto item : v) {
				fmt::print("{:{}}- {}\n", "", indent + 2, item.value("name", ""));
				item.erase("name");
				print_lines(item, indent + 4);
			}
		} else {
			fmt::print("{:{}}{}: {}\n", "", indent, key,
				   v.is_string() ? v.get<std::string>() : v.dump());
		}
	}
}

nlohmann::json disks()
{
	auto out = nlohmann::json::array();

	for (const auto &d : kml::kml_disks())
		out.push_back(kml::disk_status(d));
	return out;
}

} // namespace

void print(const Context &c, const nlohmann::json &j)
{
	if (c.json)
		fmt::print("{}\n", j.dump(2));
	else
		print_lines(j, 0);
}

int status(const Context &c)
{
	kml::require_module();
	auto j = kml::module_status();
	j["disks"] = disks();
	print(c, j);
	return kml::exit_ok;
}

int stats(const Context &c)
{
	kml::require_module();
	auto all = kml::module_status();
	nlohmann::json j = {{"ring", all["ring"]}, {"model", nlohmann::json::object()},
			    {"disks", nlohmann::json::array()}};

	for (const char *k : {"mode", "ring_slots", "watchdog_ms", "watchdog_tripped", "consumer"})
		j["ring"].erase(k);
	for (const char *k : {"commits", "rejects", "rollbacks"})
		j["model"][k] = all["model"][k];
	for (auto d : disks())
		j["disks"].push_back({{"name", d["name"]},
				      {"stats", d["iosched"].value("stats", nlohmann::json())},
				      {"inference_ns", d["iosched"].value("inference_ns", nlohmann::json())}});
	print(c, j);
	return kml::exit_ok;
}

int mode(const Context &c, const std::optional<std::string> &set_to)
{
	kml::require_module();
	if (set_to)
		kml::sysfs_write("mode", *set_to);
	print(c, {{"mode", kml::sysfs_read("mode")}});
	return kml::exit_ok;
}

} // namespace kmlctl
