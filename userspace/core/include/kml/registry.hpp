// SPDX-License-Identifier: GPL-2.0 OR MIT
// The model registry: a folder of trained models, named as in Owl.
//
//   <root>/<id>/<vid>/model.blob	the blob, as committed to the kernel
//   <root>/<id>/<vid>/meta.json	metrics, features, time, parent vid
//   <root>/<id>/latest, pin		a vid in a small file, replaced by rename
//   <root>/<id>/.lock			writers of one id take turns (flock)
//
// Names: "id/vid", "id/latest", "id/pin", and "id" alone (the pin if there
// is one, else latest). vids count up from 1 within an id.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kml {

class RegistryError : public std::runtime_error {
public:
	enum class Kind { not_found, corrupt, bad_name, incompatible };

	RegistryError(Kind kind, const std::string &what)
		: std::runtime_error(what), kind_(kind) {}
	Kind kind() const { return kind_; }

private:
	Kind kind_;
};

struct ModelRef {
	std::string id;
	uint32_t vid = 0;

	std::string name() const { return id + "/" + std::to_string(vid); }
};

struct ModelEntry {
	ModelRef ref;
	nlohmann::json meta;
	std::vector<uint8_t> blob;	// passed kml_blob_check()
};

// The blob of a new version, made once its vid is known (the blob carries it).
using BlobMaker = std::function<std::vector<uint8_t>(uint32_t vid)>;

class Registry {
public:
	static constexpr const char *default_root = "/var/lib/kml/models";

	explicit Registry(std::filesystem::path root) : root_(std::move(root)) {}
	const std::filesystem::path &root() const { return root_; }

	// Store a new version of @id: vid = newest + 1, parent = latest; meta.json
	// is @meta plus what the registry knows (ids, time, features, the blob's
	// shape). Then id/latest points at it. Safe with concurrent writers.
	ModelEntry add(const std::string &id, nlohmann::json meta, const BlobMaker &make_blob);

	ModelRef resolve(const std::string &name) const;
	// Resolve, read and validate (meta.json parses, the blob checks).
	ModelEntry load(const std::string &name) const;
	ModelEntry load(const ModelRef &ref) const;

	std::vector<std::string> ids() const;
	std::vector<uint32_t> versions(const std::string &id) const;	// ascending
	std::optional<uint32_t> latest(const std::string &id) const;
	std::optional<uint32_t> pinned(const std::string &id) const;

	ModelRef pin(const std::string &name);
	void unpin(const std::string &id);
	// Move id/latest back to its parent (or the next older vid); returns it.
	ModelRef rollback(const std::string &id);

private:
	std::filesystem::path dir_of(const std::string &id) const;
	std::optional<uint32_t> read_pointer(const std::string &id, const char *which) const;
	void write_pointer(const std::string &id, const char *which, uint32_t vid);

	std::filesystem::path root_;
};

// The model suits this kernel's samples (features, ABI); throws incompatible.
void require_compatible(const ModelEntry &e);

// "linear 9-1 q16" for a blob that passed kml_blob_check().
std::string describe_blob(const std::vector<uint8_t> &blob);

} // namespace kml
