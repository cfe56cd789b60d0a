// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/files.hpp>

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace kml {

std::string read_file(const std::filesystem::path &path)
{
	std::ifstream f(path, std::ios::binary);
	std::ostringstream s;

	if (!f)
		throw Error(errno ? errno : ENOENT, "read " + path.string());
	s << f.rdbuf();
	return s.str();
}

void write_file_atomic(const std::filesystem::path &path, std::string_view data)
{
	static std::atomic<unsigned> seq;	// threads of one process differ too
	auto tmp = path;
	tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(seq++);
	UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));

	if (fd.get() < 0)
		throw Error(errno, "create " + tmp.string());
	for (size_t done = 0; done < data.size();) {
		ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
		if (n < 0 && errno != EINTR)
			throw Error(errno, "write " + tmp.string());
		done += n > 0 ? size_t(n) : 0;
	}
	if (::fsync(fd.get()) < 0)
		throw Error(errno, "fsync " + tmp.string());
	if (::rename(tmp.c_str(), path.c_str()) < 0)
		throw Error(errno, "rename " + tmp.string() + " to " + path.string());
}

void write_file_atomic(const std::filesystem::path &path, std::span<const uint8_t> data)
{
	write_file_atomic(path, std::string_view(reinterpret_cast<const char *>(data.data()),
						 data.size()));
}

static UniqueFd open_lock_file(const std::filesystem::path &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));

	if (fd.get() < 0)
		throw Error(errno, "open lock file " + path.string());
	return fd;
}

FileLock FileLock::acquire(const std::filesystem::path &path)
{
	UniqueFd fd = open_lock_file(path);

	while (::flock(fd.get(), LOCK_EX) < 0)
		if (errno != EINTR)
			throw Error(errno, "lock " + path.string());
	return FileLock(std::move(fd));
}

std::optional<FileLock> FileLock::try_acquire(const std::filesystem::path &path)
{
	UniqueFd fd = open_lock_file(path);

	if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0)
		return FileLock(std::move(fd));
	if (errno == EWOULDBLOCK)
		return std::nullopt;
	throw Error(errno, "lock " + path.string());
}

} // namespace kml
