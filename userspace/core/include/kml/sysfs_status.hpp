// SPDX-License-Identifier: GPL-2.0 OR MIT
// What kml.ko and the disks that use kml-deadline show in sysfs, as JSON
// (numbers where the file holds one, null where a file is missing).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kml {

inline constexpr const char *elevator_name = "kml-deadline";

// Throws kml::Error: ENODEV when kml.ko is not loaded, EPROTO when it speaks
// another ABI revision than this program.
void require_module();

// {"module": {...}, "ring": {...}, "model": {...}} from /sys/kernel/kml.
nlohmann::json module_status();

// Disks whose active scheduler is kml-deadline, by name ("vda").
std::vector<std::string> kml_disks();

// {"name", "scheduler", "iosched": {file: value}}; multi-line files such as
// "stats" become objects of their "key value" lines.
nlohmann::json disk_status(const std::string &disk);

// The disk's iosched read_target_us, if it uses kml-deadline.
std::optional<double> read_target_us(const std::string &disk);

} // namespace kml
