// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "event_loop.hpp"

#include <cerrno>
#include <csignal>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace kmld {

namespace {

// One of each request is ever in flight.
constexpr unsigned ring_entries = 8;

sigset_t daemon_signals()
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	return set;
}

int make_signalfd()
{
	sigset_t set = daemon_signals();

	if (::sigprocmask(SIG_BLOCK, &set, nullptr) < 0)
		throw kml::Error(errno, "block signals");
	int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		throw kml::Error(errno, "signalfd");
	return fd;
}

} // namespace

EventLoop::EventLoop(int samples_fd, std::chrono::milliseconds tick)
	: samples_fd_(samples_fd), signal_fd_(make_signalfd())
{
	tick_.tv_sec = tick.count() / 1000;
	tick_.tv_nsec = (tick.count() % 1000) * 1000000;
	if (int err = io_uring_queue_init(ring_entries, &ring_, 0); err < 0)
		throw kml::Error(-err, "io_uring_queue_init");
}

EventLoop::~EventLoop()
{
	io_uring_queue_exit(&ring_);
}

void EventLoop::arm_poll(int fd, Tag tag)
{
	io_uring_sqe *sqe = io_uring_get_sqe(&ring_);

	io_uring_prep_poll_add(sqe, fd, POLLIN);
	io_uring_sqe_set_data64(sqe, tag);
}

void EventLoop::arm_tick()
{
	io_uring_sqe *sqe = io_uring_get_sqe(&ring_);

	io_uring_prep_timeout(sqe, &tick_, 0, 0);
	io_uring_sqe_set_data64(sqe, tag_tick);
}

void EventLoop::arm_missing()
{
	if (!samples_armed_)
		arm_poll(samples_fd_, tag_samples);
	if (!signal_armed_)
		arm_poll(signal_fd_.get(), tag_signal);
	if (!tick_armed_)
		arm_tick();
	samples_armed_ = signal_armed_ = tick_armed_ = true;
}

EventLoop::Wakeup EventLoop::next()
{
	for (;;) {
		arm_missing();
		int err = io_uring_submit_and_wait(&ring_, 1);
		if (err < 0 && err != -EINTR)
			throw kml::Error(-err, "io_uring_submit_and_wait");
		io_uring_cqe *cqe = nullptr;
		if (io_uring_peek_cqe(&ring_, &cqe) < 0 || !cqe)
			continue;
		uint64_t tag = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;
		io_uring_cqe_seen(&ring_, cqe);

		switch (tag) {
		case tag_samples:
			samples_armed_ = false;
			if (res < 0)
				throw kml::Error(-res, "poll on the sample source");
			return {Wakeup::samples};
		case tag_tick:
			tick_armed_ = false;	// res is -ETIME: the timeout expired
			return {Wakeup::tick};
		case tag_signal: {
			signal_armed_ = false;
			signalfd_siginfo si{};
			if (::read(signal_fd_.get(), &si, sizeof(si)) == ssize_t(sizeof(si)))
				return {Wakeup::signal, int(si.ssi_signo)};
			break;	// taken already: wait again
		}
		}
	}
}

bool EventLoop::signal_pending() const
{
	pollfd p{signal_fd_.get(), POLLIN, 0};

	return ::poll(&p, 1, 0) > 0;
}

} // namespace kmld
