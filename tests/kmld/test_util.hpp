// SPDX-License-Identifier: GPL-2.0 OR MIT
// Shared by the kmld, registry and kmlctl tests: a temporary folder,
// synthetic samples with a known latency law, and running the binaries.
#pragma once

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <kml/kml.hpp>
#include <kml/sample_csv.hpp>
#include <uapi/kml.h>

namespace kml_test {

class TempDir {
public:
	TempDir()
	{
		std::string tmpl = (std::filesystem::temp_directory_path() / "kml-test-XXXXXX").string();
		path_ = ::mkdtemp(tmpl.data());
	}
	~TempDir() { std::filesystem::remove_all(path_); }
	const std::filesystem::path &path() const { return path_; }
	std::string operator/(const std::string &name) const { return (path_ / name).string(); }

private:
	std::filesystem::path path_;
};

using Features = std::array<double, KML_NR_FEATURES>;
// log2 of the service latency in us as a function of the features.
using LatencyLaw = std::function<double(const Features &)>;

// Features like the kernel's: op in {0, 1}, the rest in [0, 8), all exact
// in Q16; the service time follows @law (plus Gaussian noise in log2 us).
inline std::vector<kml_sample> synthetic_samples(size_t n, const LatencyLaw &law,
						 uint64_t seed = 7, double noise = 0)
{
	std::mt19937_64 rng(seed);
	std::uniform_real_distribution<double> u(0, 8);
	std::normal_distribution<double> e(0, noise > 0 ? noise : 1);
	std::vector<kml_sample> out;

	for (size_t i = 0; i < n; i++) {
		kml_sample s{};
		Features x;
		s.version = KML_SAMPLE_VERSION;
		s.nr_features = KML_NR_FEATURES;
		x[0] = double(rng() % 2);
		for (size_t f = 1; f < x.size(); f++)
			x[f] = kml::from_q16(kml::to_q16(u(rng)));
		for (size_t f = 0; f < x.size(); f++)
			s.features[f] = kml::to_q16(x[f]);
		s.op = uint8_t(x[0]);
		double y = law(x) + (noise > 0 ? e(rng) : 0);
		s.service_ns = uint32_t(std::lround(1000 * std::exp2(y)));
		s.total_ns = s.service_ns;
		out.push_back(s);
	}
	return out;
}

// y = 4 + 0.5 op + 0.25 size + 0.125 inflight - 0.0625 distance: a linear law.
inline double linear_law(const Features &x)
{
	return 4 + 0.5 * x[0] + 0.25 * x[1] - 0.0625 * x[2] + 0.125 * x[5];
}

inline void write_csv(const std::string &path, const std::vector<kml_sample> &samples)
{
	std::ofstream out(path);
	kml::write_csv_header(out);
	for (const auto &s : samples)
		kml::write_csv_row(out, s);
}

struct Result {
	int status = -1;	// exit code
	std::string out;	// stdout and stderr
};

// Run a shell command line; stderr joins stdout unless the command moves it.
inline Result run(const std::string &cmd)
{
	Result r;
	FILE *p = ::popen((cmd + " 2>&1").c_str(), "r");
	char buf[4096];
	size_t n;

	while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
		r.out.append(buf, n);
	int st = ::pclose(p);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return r;
}

} // namespace kml_test
