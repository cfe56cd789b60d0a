// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/dataset.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include <kml/kml.hpp>

namespace kml {

double log2_us(uint32_t ns)
{
	return std::log2(std::max(ns, 1000u) / 1000.0);
}

bool usable_for_training(const kml_sample &s)
{
	return s.version == KML_SAMPLE_VERSION && s.nr_features == KML_NR_FEATURES &&
	       !(s.flags & KML_SAMPLE_INJECTED);
}

void Dataset::add(const kml_sample &s)
{
	std::vector<double> f(KML_NR_FEATURES);

	std::ranges::transform(s.features, f.begin(), from_q16);
	x.push_back(std::move(f));
	y.push_back(log2_us(s.service_ns));
	bool predicted = (s.flags & KML_SAMPLE_PREDICTED) && s.predicted_ns;
	running.push_back(predicted ? log2_us(s.predicted_ns)
				    : std::numeric_limits<double>::quiet_NaN());
	running_version.push_back(s.model_version);
}

Dataset Dataset::from(std::span<const kml_sample> samples)
{
	Dataset d;

	for (const auto &s : samples)
		d.add(s);
	return d;
}

} // namespace kml
