// SPDX-License-Identifier: GPL-2.0 OR MIT
// Exit codes of kmld and kmlctl (docs/kmld.md lists them): errors travel as
// exceptions and become one of these in main().
#pragma once

#include <exception>
#include <functional>
#include <string_view>

namespace kml {

enum ExitCode : int {
	exit_ok = 0,
	exit_failure = 1,		// anything not below
	exit_usage = 2,			// bad flags or names
	exit_not_loaded = 3,		// no /sys/kernel/kml
	exit_permission = 4,		// not root
	exit_not_found = 5,		// unknown model name or version
	exit_abi_mismatch = 6,		// module, tools or model disagree on the ABI
	exit_busy = 7,			// another process has /dev/kml open
	exit_corrupt = 8,		// a registry entry fails validation
	exit_already_running = 9,	// kmld: another instance holds the lock
};

ExitCode exit_code_for(const std::exception &e);

// Run @body; print "@prog: error: what" for an exception and map it.
int run_main(std::string_view prog, const std::function<int()> &body);

} // namespace kml
