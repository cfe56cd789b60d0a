// SPDX-License-Identifier: GPL-2.0 OR MIT
// /dev/kml from user space: one object owns the descriptor and both
// mappings; every failure is a kml::Error that names the step and errno.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>

#include <uapi/kml.h>
#include <kml/ring_reader.hpp>

namespace kml {

class Error : public std::system_error {
public:
	Error(int err, const std::string &what)
		: std::system_error(err, std::generic_category(), what) {}
};

// A file descriptor that closes itself.
class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd &&o) noexcept : fd_(o.release()) {}
	UniqueFd &operator=(UniqueFd &&o) noexcept;
	~UniqueFd();
	int get() const { return fd_; }
	int release() { int fd = fd_; fd_ = -1; return fd; }

private:
	int fd_ = -1;
};

// A shared mapping that unmaps itself.
class Mapping {
public:
	Mapping() = default;
	Mapping(int fd, uint64_t offset, size_t len);
	Mapping(Mapping &&o) noexcept;
	Mapping &operator=(Mapping &&o) noexcept;
	~Mapping();
	void *data() const { return addr_; }
	size_t size() const { return len_; }

private:
	void *addr_ = nullptr;
	size_t len_ = 0;
};

class Device {
public:
	// Opens and maps /dev/kml; refuses a module of another ABI revision.
	explicit Device(const std::string &path = KML_DEV_PATH);

	const kml_abi_info &info() const { return info_; }
	int fd() const { return fd_.get(); }

	// Published samples, oldest first; returns how many were copied.
	size_t read(std::span<kml_sample> out) { return reader_.read(out); }
	// Wait until samples may be there (poll); false on timeout.
	bool wait(std::chrono::milliseconds timeout);
	uint64_t consumed() const { return reader_.tail(); }

	// Copy @blob into the weights region and commit it. Throws kml::Error
	// (EINVAL: the kernel rejected the blob, the old model still runs).
	void commit(std::span<const uint8_t> blob);
	void rollback();
	void reset_counters();

private:
	UniqueFd fd_;
	kml_abi_info info_{};
	Mapping ring_;
	Mapping weights_;
	RingReader reader_;
};

// Where sysfs is mounted: "/sys", or $KML_SYSFS_ROOT, or what
// set_sysfs_root() chose (--sysfs-root): tests point it at a fake tree.
const std::string &sysfs_root();
void set_sysfs_root(std::string root);
// The module's directory (KML_SYSFS_DIR) under sysfs_root().
std::string sysfs_dir();

// Read /sys/kernel/kml/<name> (e.g. "mode", "model/version"): first line.
std::string sysfs_read(const std::string &name);
void sysfs_write(const std::string &name, const std::string &value);
uint64_t sysfs_u64(const std::string &name);

} // namespace kml
