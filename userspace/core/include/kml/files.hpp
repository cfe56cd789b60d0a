// SPDX-License-Identifier: GPL-2.0 OR MIT
// Files that readers must never see half-written, and advisory locks.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <kml/device.hpp>

namespace kml {

// The whole file; throws kml::Error naming the path.
std::string read_file(const std::filesystem::path &path);

// Write a temporary file beside @path, fsync it and rename it over @path:
// readers see the old contents or the new, never a mix.
void write_file_atomic(const std::filesystem::path &path, std::string_view data);
void write_file_atomic(const std::filesystem::path &path, std::span<const uint8_t> data);

// An exclusive flock() on a file, held until destruction.
class FileLock {
public:
	// Waits for the lock.
	static FileLock acquire(const std::filesystem::path &path);
	// nullopt if another process holds it.
	static std::optional<FileLock> try_acquire(const std::filesystem::path &path);

	int fd() const { return fd_.get(); }

private:
	explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
	UniqueFd fd_;
};

} // namespace kml
