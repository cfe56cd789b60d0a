// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmld: the trainer daemon. Consumes the sample ring, trains, checks the
// quantized model on held-out samples and pushes it. See docs/kmld.md.
#include <cerrno>
#include <fmt/core.h>
#include <string>
#include <unistd.h>

#include <kml/exit_codes.hpp>
#include <kml/files.hpp>

#include "daemon.hpp"
#include "options.hpp"

namespace {

constexpr const char *default_daemon_log = "/var/log/kmld.log";

// One kmld at a time: the lock lives as long as the process (and passes to
// the child when it detaches).
kml::FileLock lock_instance(const std::string &path)
{
	auto lock = kml::FileLock::try_acquire(path);

	if (!lock) {
		std::string pid = kml::read_file(path);
		throw kml::Error(EALREADY, fmt::format("another kmld is running (pid {}, lock {})",
						       pid.substr(0, pid.find('\n')), path));
	}
	return std::move(*lock);
}

void write_pid(const kml::FileLock &lock, const std::string &path)
{
	std::string pid = fmt::format("{}\n", ::getpid());

	if (::ftruncate(lock.fd(), 0) < 0 || ::pwrite(lock.fd(), pid.data(), pid.size(), 0) < 0)
		throw kml::Error(errno, "write pid to " + path);
}

int serve(kmld::Options &opt)
{
	kmld::Log log;

	if (!opt.sysfs_root.empty())
		kml::set_sysfs_root(opt.sysfs_root);
	bool detach = !opt.foreground && !opt.once;
	if (!opt.log.empty() || detach)
		log.open(opt.log.empty() ? default_daemon_log : opt.log);
	// Lock and open the device before detaching, so errors reach the terminal.
	auto lock = lock_instance(opt.lock);
	auto source = opt.replay.empty() ? kmld::open_device(opt.device)
					 : kmld::open_replay(opt.replay);
	if (detach && ::daemon(1, 0) < 0)
		throw kml::Error(errno, "daemon");
	write_pid(lock, opt.lock);
	return kmld::Daemon(opt, std::move(source), log).run();
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"kmld: learns kml-deadline's latency model from the sample ring and "
		     "pushes better models into the kernel"};
	kmld::Options opt;

	kmld::add_options(app, opt);
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) == 0 ? kml::exit_ok : kml::exit_usage;
	}
	return kml::run_main("kmld", [&] { return serve(opt); });
}
