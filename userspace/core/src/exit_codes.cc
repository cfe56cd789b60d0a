// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/exit_codes.hpp>

#include <cerrno>
#include <fmt/core.h>
#include <stdexcept>
#include <system_error>

#include <kml/registry.hpp>

namespace kml {

static ExitCode exit_code_for_errno(int err)
{
	switch (err) {
	case ENODEV:
		return exit_not_loaded;
	case EACCES:
	case EPERM:
		return exit_permission;
	case EPROTO:
		return exit_abi_mismatch;
	case EBUSY:
		return exit_busy;
	case EALREADY:
		return exit_already_running;
	default:
		return exit_failure;
	}
}

ExitCode exit_code_for(const std::exception &e)
{
	if (auto *sys = dynamic_cast<const std::system_error *>(&e))
		return exit_code_for_errno(sys->code().value());
	if (auto *reg = dynamic_cast<const RegistryError *>(&e)) {
		switch (reg->kind()) {
		case RegistryError::Kind::not_found:
			return exit_not_found;
		case RegistryError::Kind::corrupt:
			return exit_corrupt;
		case RegistryError::Kind::bad_name:
			return exit_usage;
		case RegistryError::Kind::incompatible:
			return exit_abi_mismatch;
		}
	}
	if (dynamic_cast<const std::invalid_argument *>(&e))
		return exit_usage;
	return exit_failure;
}

int run_main(std::string_view prog, const std::function<int()> &body)
{
	try {
		return body();
	} catch (const std::exception &e) {
		auto code = exit_code_for(e);
		bool say_root = code == exit_permission &&
				std::string_view(e.what()).find("root") == std::string_view::npos;
		std::string_view hint = say_root ? " (run as root)" : "";
		fmt::print(stderr, "{}: error: {}{}\n", prog, e.what(), hint);
		return code;
	}
}

} // namespace kml
