// SPDX-License-Identifier: GPL-2.0 OR MIT
// Where kmld's samples come from and where its models go: /dev/kml, or a
// CSV file replayed (kmlctl export's format) for offline runs and tests.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <uapi/kml.h>

namespace kmld {

class SampleSource {
public:
	virtual ~SampleSource() = default;
	// Readable (poll) when samples may be waiting.
	virtual int fd() const = 0;
	// Copy out up to out.size() samples; 0 when none are waiting.
	virtual size_t read(std::span<kml_sample> out) = 0;
	// Make @blob the running model; throws kml::Error if it is refused.
	virtual void commit(std::span<const uint8_t> blob) = 0;
	// The version of the model running now, 0 if none is known.
	virtual uint32_t running_version() const = 0;
	virtual std::string name() const = 0;
};

// /dev/kml (after checking kml.ko is loaded and speaks our ABI).
std::unique_ptr<SampleSource> open_device(const std::string &path);

// Every sample of the CSV once. Commits are validated as the kernel would
// and remembered, so the whole daemon runs without a kernel.
std::unique_ptr<SampleSource> open_replay(const std::string &csv_path);

} // namespace kmld
