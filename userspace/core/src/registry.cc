// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/registry.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/core.h>
#include <unistd.h>

#include <kml/dataset.hpp>
#include <kml/files.hpp>
#include <kml/kml.hpp>

namespace kml {

namespace fs = std::filesystem;
using Kind = RegistryError::Kind;

namespace {

constexpr const char *blob_file = "model.blob";
constexpr const char *meta_file = "meta.json";
constexpr const char *lock_file = ".lock";
constexpr size_t max_id_length = 64;

// Ids become folder names: letters, digits, '.', '_', '-', not hidden.
void check_id(const std::string &id)
{
	bool ok = !id.empty() && id.size() <= max_id_length && id[0] != '.' &&
		  std::ranges::all_of(id, [](unsigned char c) {
			  return std::isalnum(c) || c == '.' || c == '_' || c == '-';
		  });
	if (!ok)
		throw RegistryError(Kind::bad_name,
				    fmt::format("bad model id '{}': use letters, digits, '.', '_', '-'", id));
}

std::optional<uint32_t> parse_vid(std::string_view s)
{
	uint32_t v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);

	if (ec != std::errc() || end != s.data() + s.size() || v == 0)
		return std::nullopt;
	return v;
}

nlohmann::json blob_json(const std::vector<uint8_t> &blob)
{
	int err = 0;
	auto m = Model::load(blob, err);
	const kml_model *k = m->get();
	std::vector<unsigned> shape = {k->n_in};

	for (size_t l = 0; l < k->n_layers; l++)
		shape.push_back(k->layer[l].n_out);
	return {{"kind", k->kind == KML_MODEL_LINEAR ? "linear" : "mlp"},
		{"shape", shape},
		{"wtype", k->wtype == KML_WTYPE_Q16 ? "q16" : "int8"},
		{"blob_bytes", blob.size()},
		{"blob_version", k->version}};
}

nlohmann::json features_json()
{
	return {{"sample_version", KML_SAMPLE_VERSION},
		{"nr_features", KML_NR_FEATURES},
		{"names", feature_names},
		{"label", label_name}};
}

std::string now_utc()
{
	return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)));
}

void fsync_dir(const fs::path &dir)
{
	UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));

	if (fd.get() >= 0)
		::fsync(fd.get());
}

} // namespace

fs::path Registry::dir_of(const std::string &id) const
{
	check_id(id);
	return root_ / id;
}

std::vector<std::string> Registry::ids() const
{
	std::vector<std::string> out;

	if (!fs::is_directory(root_))
		return out;
	for (const auto &e : fs::directory_iterator(root_)) {
		auto name = e.path().filename().string();
		if (e.is_directory() && name[0] != '.')
			out.push_back(name);
	}
	std::ranges::sort(out);
	return out;
}

std::vector<uint32_t> Registry::versions(const std::string &id) const
{
	auto dir = dir_of(id);
	std::vector<uint32_t> out;

	if (!fs::is_directory(dir))
		throw RegistryError(Kind::not_found,
				    fmt::format("unknown model '{}' in {} (see: kmlctl model list)",
						id, root_.string()));
	for (const auto &e : fs::directory_iterator(dir))
		if (auto vid = parse_vid(e.path().filename().string()); vid && e.is_directory())
			out.push_back(*vid);
	std::ranges::sort(out);
	return out;
}

std::optional<uint32_t> Registry::read_pointer(const std::string &id, const char *which) const
{
	auto path = dir_of(id) / which;

	if (!fs::exists(path))
		return std::nullopt;
	auto text = read_file(path);
	auto vid = parse_vid(std::string_view(text).substr(0, text.find_last_not_of("\n") + 1));
	if (!vid)
		throw RegistryError(Kind::corrupt,
				    fmt::format("{}: not a version number", path.string()));
	return vid;
}

void Registry::write_pointer(const std::string &id, const char *which, uint32_t vid)
{
	write_file_atomic(dir_of(id) / which, fmt::format("{}\n", vid));
}

std::optional<uint32_t> Registry::latest(const std::string &id) const
{
	if (auto vid = read_pointer(id, "latest"))
		return vid;
	auto vs = versions(id);	// latest is written last: a writer may have died before it
	return vs.empty() ? std::nullopt : std::optional(vs.back());
}

std::optional<uint32_t> Registry::pinned(const std::string &id) const
{
	return read_pointer(id, "pin");
}

ModelRef Registry::resolve(const std::string &name) const
{
	auto slash = name.find('/');
	std::string id = name.substr(0, slash);
	std::string which = slash == std::string::npos ? "" : name.substr(slash + 1);
	std::optional<uint32_t> vid;

	versions(id);	// the id must exist
	if (which.empty())
		vid = pinned(id) ? pinned(id) : latest(id);
	else if (which == "latest")
		vid = latest(id);
	else if (which == "pin")
		vid = pinned(id);
	else if (!(vid = parse_vid(which)))
		throw RegistryError(Kind::bad_name,
				    fmt::format("bad model name '{}': use ID, ID/VID, ID/latest or ID/pin",
						name));
	if (!vid)
		throw RegistryError(Kind::not_found, which == "pin"
				    ? fmt::format("model '{}' is not pinned", id)
				    : fmt::format("model '{}' has no versions", id));
	ModelRef ref{id, *vid};
	if (!fs::is_directory(dir_of(id) / std::to_string(*vid)))
		throw RegistryError(Kind::not_found, fmt::format("unknown model '{}' in {} (from '{}')",
								 ref.name(), root_.string(), name));
	return ref;
}

ModelEntry Registry::load(const std::string &name) const
{
	return load(resolve(name));
}

ModelEntry Registry::load(const ModelRef &ref) const
{
	auto dir = dir_of(ref.id) / std::to_string(ref.vid);
	ModelEntry e{ref, {}, {}};

	if (!fs::is_directory(dir))
		throw RegistryError(Kind::not_found, fmt::format("unknown model '{}' in {}",
								 ref.name(), root_.string()));
	if (!fs::exists(dir / meta_file))
		throw RegistryError(Kind::corrupt, fmt::format("{}: missing {}", ref.name(), meta_file));
	try {
		e.meta = nlohmann::json::parse(read_file(dir / meta_file));
	} catch (const nlohmann::json::exception &x) {
		throw RegistryError(Kind::corrupt,
				    fmt::format("{}: bad {}: {}", ref.name(), meta_file, x.what()));
	}
	if (!e.meta.is_object() || e.meta.value("vid", 0u) != ref.vid)
		throw RegistryError(Kind::corrupt,
				    fmt::format("{}: {} does not describe version {}", ref.name(),
						meta_file, ref.vid));
	if (!fs::exists(dir / blob_file))
		throw RegistryError(Kind::corrupt, fmt::format("{}: missing {}", ref.name(), blob_file));
	auto bytes = read_file(dir / blob_file);
	e.blob.assign(bytes.begin(), bytes.end());
	int err = 0;
	auto model = Model::load(e.blob, err);
	if (!model)
		throw RegistryError(Kind::corrupt, fmt::format("{}: {} fails validation: {}",
							       ref.name(), blob_file,
							       kml_blob_strerror(err)));
	if (model->get()->version != ref.vid)
		throw RegistryError(Kind::corrupt, fmt::format("{}: {} carries version {}",
							       ref.name(), blob_file,
							       model->get()->version));
	return e;
}

ModelEntry Registry::add(const std::string &id, nlohmann::json meta, const BlobMaker &make_blob)
{
	static std::atomic<unsigned> seq;
	auto dir = dir_of(id);

	fs::create_directories(dir);
	auto lock = FileLock::acquire(dir / lock_file);
	auto vs = versions(id);
	uint32_t vid = vs.empty() ? 1 : vs.back() + 1;
	auto parent = latest(id);
	ModelEntry e{{id, vid}, std::move(meta), make_blob(vid)};
	int err = 0;

	if (!Model::load(e.blob, err))
		throw std::invalid_argument(fmt::format("refusing to store an invalid blob: {}",
							kml_blob_strerror(err)));
	e.meta["id"] = id;
	e.meta["vid"] = vid;
	e.meta["parent"] = parent ? nlohmann::json(*parent) : nlohmann::json(nullptr);
	e.meta["created"] = now_utc();
	e.meta["kml_abi"] = KML_ABI_VERSION;
	e.meta["features"] = features_json();
	e.meta["model"] = blob_json(e.blob);

	// Build the version in a hidden folder, then publish it with one rename.
	auto tmp = dir / fmt::format(".tmp-{}-{}-{}", vid, ::getpid(), seq++);
	fs::create_directory(tmp);
	write_file_atomic(tmp / blob_file, e.blob);
	write_file_atomic(tmp / meta_file, e.meta.dump(2) + "\n");
	fs::rename(tmp, dir / std::to_string(vid));
	fsync_dir(dir);
	write_pointer(id, "latest", vid);
	return e;
}

ModelRef Registry::pin(const std::string &name)
{
	auto ref = resolve(name);
	auto lock = FileLock::acquire(dir_of(ref.id) / lock_file);

	load(ref);	// never pin what cannot be pushed
	write_pointer(ref.id, "pin", ref.vid);
	return ref;
}

void Registry::unpin(const std::string &id)
{
	versions(id);
	auto lock = FileLock::acquire(dir_of(id) / lock_file);
	fs::remove(dir_of(id) / "pin");
}

ModelRef Registry::rollback(const std::string &id)
{
	versions(id);	// the id must exist before its lock file can
	auto lock = FileLock::acquire(dir_of(id) / lock_file);
	auto vs = versions(id);
	auto cur = latest(id);
	std::optional<uint32_t> prev;

	if (!cur)
		throw RegistryError(Kind::not_found, fmt::format("model '{}' has no versions", id));
	try {
		auto p = load(ModelRef{id, *cur}).meta.value("parent", nlohmann::json());
		if (p.is_number_unsigned() && std::ranges::count(vs, p.get<uint32_t>()))
			prev = p.get<uint32_t>();
	} catch (const RegistryError &) {
		// a corrupt latest: fall back to the next older version
	}
	if (!prev) {
		auto it = std::ranges::lower_bound(vs, *cur);
		if (it != vs.begin())
			prev = *std::prev(it);
	}
	if (!prev)
		throw RegistryError(Kind::not_found,
				    fmt::format("{}/{} is the oldest version: nothing to roll back to",
						id, *cur));
	write_pointer(id, "latest", *prev);
	return {id, *prev};
}

void require_compatible(const ModelEntry &e)
{
	const auto &f = e.meta.value("features", nlohmann::json::object());
	int err = 0;
	auto m = Model::load(e.blob, err);

	if (f.value("sample_version", 0) != KML_SAMPLE_VERSION ||
	    f.value("nr_features", 0) != KML_NR_FEATURES || m->get()->n_in != KML_NR_FEATURES ||
	    f.value("label", std::string()) != label_name)
		throw RegistryError(Kind::incompatible,
				    fmt::format("{} was trained on features v{} ({} inputs), this kml "
						"uses v{} ({} inputs, label {})", e.ref.name(),
						f.value("sample_version", 0), m->get()->n_in,
						KML_SAMPLE_VERSION, KML_NR_FEATURES, label_name));
}

std::string describe_blob(const std::vector<uint8_t> &blob)
{
	auto j = blob_json(blob);
	std::string shape;

	for (auto d : j["shape"])
		shape += (shape.empty() ? "" : "-") + std::to_string(d.get<unsigned>());
	return fmt::format("{} {} {}", j["kind"].get<std::string>(), shape,
			   j["wtype"].get<std::string>());
}

} // namespace kml
