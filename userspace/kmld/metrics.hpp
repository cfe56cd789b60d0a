// SPDX-License-Identifier: GPL-2.0 OR MIT
// Prometheus textfile format (node_exporter's textfile collector): HELP,
// TYPE and value lines, written whole and renamed into place.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kmld {

class Metrics {
public:
	void counter(std::string_view name, std::string_view help, double value);
	void gauge(std::string_view name, std::string_view help, double value,
		   std::string_view labels = "");
	// The module's counters and model from kml::module_status().
	void add_kernel(const nlohmann::json &status);

	const std::string &text() const { return text_; }
	void write(const std::filesystem::path &path) const;

private:
	void add(std::string_view name, std::string_view type, std::string_view help,
		 double value, std::string_view labels);
	std::string text_;
};

} // namespace kmld
