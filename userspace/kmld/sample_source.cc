// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "sample_source.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/eventfd.h>
#include <unistd.h>
#include <vector>

#include <kml/device.hpp>
#include <kml/kml.hpp>
#include <kml/sample_csv.hpp>
#include <kml/sysfs_status.hpp>

namespace kmld {

namespace {

class DeviceSource : public SampleSource {
public:
	explicit DeviceSource(const std::string &path) : path_(path), dev_(path) {}

	int fd() const override { return dev_.fd(); }
	size_t read(std::span<kml_sample> out) override { return dev_.read(out); }
	void commit(std::span<const uint8_t> blob) override { dev_.commit(blob); }
	uint32_t running_version() const override
	{
		return uint32_t(kml::sysfs_u64("model/version"));
	}
	std::string name() const override { return path_; }

private:
	std::string path_;
	kml::Device dev_;
};

class ReplaySource : public SampleSource {
public:
	explicit ReplaySource(const std::string &path)
		: path_(path), samples_(kml::read_samples_csv(path)),
		  ready_(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC))
	{
		if (ready_.get() < 0)
			throw kml::Error(errno, "eventfd");
	}

	int fd() const override { return ready_.get(); }

	size_t read(std::span<kml_sample> out) override
	{
		size_t n = std::min(out.size(), samples_.size() - next_);

		std::copy_n(samples_.begin() + ptrdiff_t(next_), n, out.begin());
		next_ += n;
		if (next_ == samples_.size()) {
			uint64_t v;	// all read: the fd stops being readable
			[[maybe_unused]] auto r = ::read(ready_.get(), &v, sizeof(v));
		}
		return n;
	}

	void commit(std::span<const uint8_t> blob) override
	{
		int err = 0;
		auto m = kml::Model::load(blob, err);

		if (!m)
			throw kml::Error(EINVAL, std::string("commit model (") +
						 kml_blob_strerror(err) + ")");
		version_ = m->get()->version;
	}

	uint32_t running_version() const override { return version_; }
	std::string name() const override { return "replay:" + path_; }

private:
	std::string path_;
	std::vector<kml_sample> samples_;
	size_t next_ = 0;
	kml::UniqueFd ready_;
	uint32_t version_ = 0;
};

} // namespace

std::unique_ptr<SampleSource> open_device(const std::string &path)
{
	kml::require_module();
	return std::make_unique<DeviceSource>(path);
}

std::unique_ptr<SampleSource> open_replay(const std::string &csv_path)
{
	return std::make_unique<ReplaySource>(csv_path);
}

} // namespace kmld
