// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/device.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <string_view>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace kml {

UniqueFd &UniqueFd::operator=(UniqueFd &&o) noexcept
{
	if (this != &o) {
		if (fd_ >= 0)
			::close(fd_);
		fd_ = o.release();
	}
	return *this;
}

UniqueFd::~UniqueFd()
{
	if (fd_ >= 0)
		::close(fd_);
}

Mapping::Mapping(int fd, uint64_t offset, size_t len) : len_(len)
{
	void *p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 static_cast<off_t>(offset));
	if (p == MAP_FAILED)
		throw Error(errno, "mmap /dev/kml at offset " + std::to_string(offset));
	addr_ = p;
}

Mapping::Mapping(Mapping &&o) noexcept : addr_(o.addr_), len_(o.len_)
{
	o.addr_ = nullptr;
	o.len_ = 0;
}

Mapping &Mapping::operator=(Mapping &&o) noexcept
{
	if (this != &o) {
		if (addr_)
			::munmap(addr_, len_);
		addr_ = o.addr_;
		len_ = o.len_;
		o.addr_ = nullptr;
		o.len_ = 0;
	}
	return *this;
}

Mapping::~Mapping()
{
	if (addr_)
		::munmap(addr_, len_);
}

static UniqueFd open_device(const std::string &path)
{
	int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		std::string why = err == ENOENT ? " (is kml.ko loaded?)" :
				  err == EACCES ? " (root only)" :
				  err == EBUSY ? " (another consumer has it open)" : "";
		throw Error(err, "open " + path + why);
	}
	return UniqueFd(fd);
}

static kml_abi_info query_abi(int fd)
{
	kml_abi_info info{};
	if (::ioctl(fd, KML_IOC_ABI_INFO, &info) < 0)
		throw Error(errno, "KML_IOC_ABI_INFO");
	if (info.abi_version != KML_ABI_VERSION || info.sample_size != sizeof(kml_sample))
		throw Error(EPROTO, "kml.ko speaks ABI " + std::to_string(info.abi_version) +
				    ", this program ABI " + std::to_string(KML_ABI_VERSION));
	return info;
}

// Members are built in order: the reader needs the ring mapping.
Device::Device(const std::string &path)
	: fd_(open_device(path)), info_(query_abi(fd_.get())),
	  ring_(fd_.get(), KML_MMAP_RING, info_.ring_bytes),
	  weights_(fd_.get(), KML_MMAP_WEIGHTS, info_.weights_bytes),
	  reader_(static_cast<kml_ring_ctrl *>(ring_.data()),
		  reinterpret_cast<kml_sample *>(static_cast<char *>(ring_.data()) +
			  static_cast<kml_ring_ctrl *>(ring_.data())->data_offset))
{
}

bool Device::wait(std::chrono::milliseconds timeout)
{
	pollfd p{fd_.get(), POLLIN, 0};
	int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
	if (n < 0 && errno != EINTR)
		throw Error(errno, "poll /dev/kml");
	return n > 0;
}

void Device::commit(std::span<const uint8_t> blob)
{
	if (blob.size() > info_.max_blob_bytes)
		throw Error(EINVAL, "model blob of " + std::to_string(blob.size()) +
				    " bytes exceeds the kernel's limit of " +
				    std::to_string(info_.max_blob_bytes));
	std::memcpy(weights_.data(), blob.data(), blob.size());
	kml_commit c{};
	c.size = static_cast<uint32_t>(blob.size());
	if (::ioctl(fd_.get(), KML_IOC_COMMIT, &c) < 0)
		throw Error(errno, "commit model (" + sysfs_read("model/last_error") + ")");
}

void Device::rollback()
{
	if (::ioctl(fd_.get(), KML_IOC_ROLLBACK) < 0)
		throw Error(errno, errno == ENOENT ? "rollback: no previous model" : "rollback");
}

void Device::reset_counters()
{
	if (::ioctl(fd_.get(), KML_IOC_RESET_COUNTERS) < 0)
		throw Error(errno, "reset counters");
}

static std::string &sysfs_root_storage()
{
	static std::string root = [] {
		const char *env = std::getenv("KML_SYSFS_ROOT");
		return std::string(env && *env ? env : "/sys");
	}();
	return root;
}

const std::string &sysfs_root() { return sysfs_root_storage(); }

void set_sysfs_root(std::string root) { sysfs_root_storage() = std::move(root); }

std::string sysfs_dir()
{
	static constexpr std::string_view mount = "/sys";
	return sysfs_root() + std::string(KML_SYSFS_DIR).substr(mount.size());
}

std::string sysfs_read(const std::string &name)
{
	std::string path = sysfs_dir() + "/" + name;
	std::ifstream f(path);
	std::string v;
	if (!f || !std::getline(f, v))
		throw Error(errno ? errno : ENOENT, "read " + path);
	return v;
}

void sysfs_write(const std::string &name, const std::string &value)
{
	std::string path = sysfs_dir() + "/" + name;
	int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		throw Error(errno, "open " + path);
	UniqueFd guard(fd);
	if (::write(fd, value.data(), value.size()) != static_cast<ssize_t>(value.size()))
		throw Error(errno, "write '" + value + "' to " + path);
}

uint64_t sysfs_u64(const std::string &name)
{
	return std::stoull(sysfs_read(name));
}

} // namespace kml
