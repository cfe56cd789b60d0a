// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/sysfs_status.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fmt/core.h>
#include <sstream>

#include <kml/device.hpp>
#include <kml/files.hpp>

namespace kml {

namespace fs = std::filesystem;

namespace {

struct File {
	const char *section, *name, *path;	// path under /sys/kernel/kml
};

// Every file of docs/kml-ko.md's sysfs table, grouped as kmlctl shows them.
constexpr File module_files[] = {
	{"module", "version", "version"},
	{"module", "abi_version", "abi_version"},
	{"module", "selftest", "selftest"},
	{"ring", "mode", "mode"},
	{"ring", "ring_slots", "ring_slots"},
	{"ring", "watchdog_ms", "watchdog_ms"},
	{"ring", "watchdog_tripped", "watchdog_tripped"},
	{"ring", "watchdog_trips", "watchdog_trips"},
	{"ring", "consumer", "consumer"},
	{"ring", "produced", "produced"},
	{"ring", "consumed", "consumed"},
	{"ring", "dropped", "dropped"},
	{"ring", "queued", "queued"},
	{"ring", "promised", "promised"},
	{"ring", "blocked_ns", "blocked_ns"},
	{"ring", "stalls", "stalls"},
	{"ring", "wakeups", "wakeups"},
	{"model", "version", "model/version"},
	{"model", "kind", "model/kind"},
	{"model", "shape", "model/shape"},
	{"model", "commits", "model/commits"},
	{"model", "rejects", "model/rejects"},
	{"model", "rollbacks", "model/rollbacks"},
	{"model", "last_error", "model/last_error"},
};

// A number if the whole text is one, else the text.
nlohmann::json value_of(std::string_view s)
{
	long long i = 0;
	double d = 0;
	const char *end = s.data() + s.size();

	if (auto r = std::from_chars(s.data(), end, i); r.ec == std::errc() && r.ptr == end)
		return i;
	if (auto r = std::from_chars(s.data(), end, d); r.ec == std::errc() && r.ptr == end)
		return d;
	return std::string(s);
}

std::string trimmed(std::string s)
{
	s.erase(s.find_last_not_of(" \n") + 1);
	return s;
}

// One value, or an object of "key value" lines.
nlohmann::json parse_attr(const std::string &text)
{
	std::istringstream in(text);
	std::string line;
	nlohmann::json kv = nlohmann::json::object();

	if (std::ranges::count(trimmed(text), '\n') == 0)
		return value_of(trimmed(text));
	while (std::getline(in, line)) {
		auto sp = line.find(' ');
		if (sp != std::string::npos)
			kv[line.substr(0, sp)] = value_of(trimmed(line.substr(sp + 1)));
	}
	return kv;
}

// "mq-deadline [kml-deadline] none" -> "kml-deadline"
std::string active_scheduler(const std::string &line)
{
	auto open = line.find('['), close = line.find(']');
	return open < close && close != std::string::npos ? line.substr(open + 1, close - open - 1)
							  : trimmed(line);
}

fs::path block_dir() { return fs::path(sysfs_root()) / "block"; }

} // namespace

void require_module()
{
	if (!fs::is_directory(sysfs_dir()))
		throw Error(ENODEV, fmt::format("kml.ko is not loaded (no {}): load it with "
						"'modprobe kml' or 'insmod kml.ko'", sysfs_dir()));
	auto abi = sysfs_read("abi_version");
	if (abi != std::to_string(KML_ABI_VERSION))
		throw Error(EPROTO, fmt::format("kml.ko speaks ABI {}, this program ABI {}: use the "
						"tools built with that module", abi, KML_ABI_VERSION));
}

nlohmann::json module_status()
{
	nlohmann::json j;

	for (const auto &f : module_files) {
		try {
			j[f.section][f.name] = value_of(sysfs_read(f.path));
		} catch (const Error &) {
			j[f.section][f.name] = nullptr;	// an older module, or a race with rmmod
		}
	}
	return j;
}

std::vector<std::string> kml_disks()
{
	std::vector<std::string> out;
	std::error_code ec;

	for (const auto &e : fs::directory_iterator(block_dir(), ec)) {
		auto sched = e.path() / "queue" / "scheduler";
		std::error_code exists_ec;
		if (fs::exists(sched, exists_ec) && active_scheduler(read_file(sched)) == elevator_name)
			out.push_back(e.path().filename().string());
	}
	std::ranges::sort(out);
	return out;
}

nlohmann::json disk_status(const std::string &disk)
{
	auto queue = block_dir() / disk / "queue";
	nlohmann::json j = {{"name", disk},
			    {"scheduler", active_scheduler(read_file(queue / "scheduler"))},
			    {"iosched", nlohmann::json::object()}};
	std::error_code ec;

	for (const auto &e : fs::directory_iterator(queue / "iosched", ec))
		j["iosched"][e.path().filename().string()] = parse_attr(read_file(e.path()));
	return j;
}

std::optional<double> read_target_us(const std::string &disk)
{
	if (!fs::exists(block_dir() / disk / "queue" / "scheduler"))
		return std::nullopt;
	auto j = disk_status(disk);
	const auto &v = j["iosched"].value("read_target_us", nlohmann::json());

	if (j["scheduler"] != elevator_name || !v.is_number())
		return std::nullopt;
	return v.get<double>();
}

} // namespace kml
