// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmld's log: one timestamped line per event, to stderr or a file.
#pragma once

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fmt/chrono.h>
#include <fmt/core.h>
#include <memory>
#include <string>

#include <kml/device.hpp>

namespace kmld {

class Log {
public:
	// Append to @path from now on.
	void open(const std::string &path)
	{
		std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "ae"), std::fclose);

		if (!f)
			throw kml::Error(errno, "open log " + path);
		file_ = std::move(f);
	}

	template <typename... T>
	void operator()(fmt::format_string<T...> format, T &&...args)
	{
		FILE *out = file_ ? file_.get() : stderr;

		fmt::print(out, "{:%Y-%m-%dT%H:%M:%S} kmld: {}\n", fmt::localtime(std::time(nullptr)),
			   fmt::format(format, std::forward<T>(args)...));
		std::fflush(out);
	}

private:
	std::unique_ptr<FILE, int (*)(FILE *)> file_{nullptr, std::fclose};
};

} // namespace kmld
