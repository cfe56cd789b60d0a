// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmld's one wait: io_uring with three requests in flight — a poll on the
// sample source, a timeout (the tick) and a poll on a signalfd — so the
// daemon sleeps until samples, time or a signal wake it. No threads.
#pragma once

#include <chrono>
#include <liburing.h>

#include <kml/device.hpp>

namespace kmld {

class EventLoop {
public:
	struct Wakeup {
		enum Kind { samples, tick, signal } kind;
		int signo = 0;
	};

	// Blocks SIGTERM, SIGINT and SIGHUP for the process: they arrive here.
	EventLoop(int samples_fd, std::chrono::milliseconds tick);
	~EventLoop();
	EventLoop(const EventLoop &) = delete;
	EventLoop &operator=(const EventLoop &) = delete;

	// Sleep until the next event. After a samples wakeup, read the source
	// until it is empty before calling again (the poll is re-armed then).
	Wakeup next();

	// A signal waits to be taken by next(); for work that runs long.
	bool signal_pending() const;

private:
	enum Tag : uint64_t { tag_samples = 1, tag_tick, tag_signal };

	void arm_poll(int fd, Tag tag);
	void arm_tick();
	void arm_missing();

	io_uring ring_{};
	int samples_fd_;
	kml::UniqueFd signal_fd_;
	__kernel_timespec tick_{};
	bool samples_armed_ = false, tick_armed_ = false, signal_armed_ = false;
};

} // namespace kmld
