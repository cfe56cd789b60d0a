// SPDX-License-Identifier: GPL-2.0 OR MIT
// Samples as CSV with a header: the fields of struct kml_sample, then the
// features as reals named after enum kd_feature. Q16 features print
// exactly, so a file read back gives the very samples that were written.
#pragma once

#include <filesystem>
#include <ostream>
#include <span>
#include <vector>

#include <uapi/kml.h>

namespace kml {

void write_csv_header(std::ostream &out);
void write_csv_row(std::ostream &out, const kml_sample &s);

// Throws std::runtime_error naming the file and line of the first bad row.
std::vector<kml_sample> read_samples_csv(const std::filesystem::path &path);

} // namespace kml
