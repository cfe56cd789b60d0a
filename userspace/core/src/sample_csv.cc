// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/sample_csv.hpp>

#include <charconv>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fstream>
#include <stdexcept>
#include <string>

#include <kml/dataset.hpp>
#include <kml/kml.hpp>

namespace kml {

namespace {

constexpr std::string_view sample_columns =
	"op,flags,dev,model_version,predicted_ns,service_ns,total_ns";
constexpr size_t nr_columns = 7 + KML_NR_FEATURES;

std::string header()
{
	return fmt::format("{},{}", sample_columns, fmt::join(feature_names, ","));
}

std::vector<std::string_view> split(std::string_view line)
{
	std::vector<std::string_view> out;

	for (size_t start = 0;;) {
		size_t comma = line.find(',', start);
		out.push_back(line.substr(start, comma - start));
		if (comma == std::string_view::npos)
			return out;
		start = comma + 1;
	}
}

template <typename T>
bool parse(std::string_view s, T &v)
{
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	return ec == std::errc() && end == s.data() + s.size();
}

bool parse_row(std::string_view line, kml_sample &s)
{
	auto f = split(line);
	uint32_t op = 0, flags = 0;
	bool ok = f.size() == nr_columns && parse(f[0], op) && op <= KML_OP_OTHER &&
		  parse(f[1], flags) && flags <= 0xff && parse(f[2], s.dev) &&
		  parse(f[3], s.model_version) && parse(f[4], s.predicted_ns) &&
		  parse(f[5], s.service_ns) && parse(f[6], s.total_ns);

	for (size_t i = 0; ok && i < KML_NR_FEATURES; i++) {
		double v = 0;
		ok = parse(f[7 + i], v);
		s.features[i] = to_q16(v);
	}
	s.op = uint8_t(op);
	s.flags = uint8_t(flags);
	s.version = KML_SAMPLE_VERSION;
	s.nr_features = KML_NR_FEATURES;
	return ok;
}

} // namespace

void write_csv_header(std::ostream &out)
{
	out << header() << '\n';
}

void write_csv_row(std::ostream &out, const kml_sample &s)
{
	fmt::print(out, "{},{},{},{},{},{},{}", s.op, s.flags, s.dev, s.model_version,
		   s.predicted_ns, s.service_ns, s.total_ns);
	for (auto q : s.features)
		fmt::print(out, ",{}", from_q16(q));
	out << '\n';
}

std::vector<kml_sample> read_samples_csv(const std::filesystem::path &path)
{
	std::ifstream in(path);
	std::string line;
	std::vector<kml_sample> out;

	if (!in)
		throw std::runtime_error("cannot open " + path.string());
	if (!std::getline(in, line) || line != header())
		throw std::runtime_error(fmt::format("{}: the first line must be the header '{}'",
						     path.string(), header()));
	for (size_t n = 2; std::getline(in, line); n++) {
		kml_sample s{};
		if (line.empty())
			continue;
		if (!parse_row(line, s))
			throw std::runtime_error(fmt::format("{}:{}: expected {} numbers: {}",
							     path.string(), n, nr_columns, line));
		out.push_back(s);
	}
	return out;
}

} // namespace kml
