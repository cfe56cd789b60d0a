// SPDX-License-Identifier: GPL-2.0 OR MIT
// kml-fuzz: seeded random abuse of every user input kml.ko has, for the
// QEMU fuzz test (tests/qemu/fuzz.sh) and the debug kernel.
//
//   dev    /dev/kml: opens and closes, ioctls with random numbers and
//          arguments, mmaps of random offsets, lengths and protections,
//          garbage written into the ring's control page, weight blobs
//          mutated from valid ones and committed, read/write/poll.
//   sysfs  every writable file under the given folders: overlong,
//          negative, huge, non-numeric and plausible values, from several
//          threads at once.
//
// What the kernel answers is only counted (per call, per errno). The
// verdict is the kernel's own: the harness fails the run on any oops,
// KASAN report, lockdep splat or hung task, and the guest script checks
// that the module still works afterwards. Exit 1 only on what no input may
// cause: a signal while touching a mapping the kernel handed out.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <poll.h>
#include <random>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <kml/device.hpp>
#include <kml/kml.hpp>

namespace {

using Clock = std::chrono::steady_clock;
using Rng = std::mt19937_64;

// Outcome counts: "ioctl EINVAL" -> 1234. Shared by the sysfs threads.
class Tally {
public:
	void add(const std::string &what, int err)
	{
		std::lock_guard lock(mu_);
		counts_[what + " " + (err ? strerrorname_np(err) : "ok")]++;
		total_++;
	}
	void print(const char *name, double secs) const
	{
		fmt::print("{}: {} calls in {:.1f} s\n", name, total_, secs);
		for (const auto &[k, v] : counts_)
			fmt::print("  {:<28} {}\n", k, v);
	}

private:
	mutable std::mutex mu_;
	std::map<std::string, uint64_t> counts_;
	uint64_t total_ = 0;
};

template <typename T> T pick(Rng &rng, std::initializer_list<T> xs)
{
	return xs.begin()[rng() % xs.size()];
}

// A signal while touching a mapping means the kernel mapped less than it
// said: the one outcome that is a kml bug from user space's point of view.
sigjmp_buf touch_jmp;
volatile sig_atomic_t touching;

void on_fault(int sig)
{
	if (touching)
		siglongjmp(touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

// Two pages of argument space followed by a page that faults, so that a
// kernel copy running past the end of an argument gives EFAULT instead of
// corrupting this process's heap.
class GuardedBuffer {
public:
	static constexpr size_t kSize = 8192;
	GuardedBuffer()
	{
		void *p = mmap(nullptr, kSize + 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			throw kml::Error(errno, "mmap of the argument buffer");
		base_ = static_cast<uint8_t *>(p);
		mprotect(base_ + kSize, 4096, PROT_NONE);
	}
	~GuardedBuffer() { munmap(base_, kSize + 4096); }
	GuardedBuffer(const GuardedBuffer &) = delete;
	GuardedBuffer &operator=(const GuardedBuffer &) = delete;
	uint8_t *data() { return base_; }
	size_t size() const { return kSize; }

private:
	uint8_t *base_;
};

class DevFuzzer {
public:
	DevFuzzer(uint64_t seed, Tally &t) : rng_(seed), t_(t)
	{
		for (uint32_t v = 1; v <= 3; v++) {
			blobs_.push_back(kml::to_blob(
				kml::FloatModel::make(KML_MODEL_LINEAR, {KML_NR_FEATURES, 1},
						      KML_ACT_NONE, KML_ACT_NONE, v),
				KML_WTYPE_Q16, v));
			blobs_.push_back(kml::to_blob(
				kml::FloatModel::make(KML_MODEL_MLP, {KML_NR_FEATURES, 16, 1},
						      KML_ACT_RELU, KML_ACT_NONE, v),
				KML_WTYPE_I8, v));
		}
	}
	~DevFuzzer() { close_dev(); }

	void step()
	{
		if (fd_ < 0 && !open_dev())
			return;
		switch (rng_() % 10) {
		case 0: case 1: random_ioctl(); break;
		case 2: case 3: random_mmap(); break;
		case 4: case 5: commit_mutant(); break;
		case 6: scribble_ring(); break;
		case 7: rw_poll(); break;
		case 8: simple_ioctl(); break;
		default: close_dev(); break;
		}
	}

private:
	bool open_dev()
	{
		fd_ = open(KML_DEV_PATH, O_RDWR | O_CLOEXEC);
		t_.add("open", fd_ < 0 ? errno : 0);
		if (fd_ < 0) {
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
			return false;
		}
		kml_abi_info info{};
		if (ioctl(fd_, KML_IOC_ABI_INFO, &info) == 0)
			info_ = info;
		return true;
	}

	void close_dev()
	{
		unmap(ring_, ring_len_);
		unmap(weights_, weights_len_);
		if (fd_ >= 0)
			close(fd_);
		fd_ = -1;
	}

	static void unmap(void *&p, size_t len)
	{
		if (p)
			munmap(p, len);
		p = nullptr;
	}

	void *random_arg()
	{
		for (size_t i = 0; i < scratch_.size(); i++)
			scratch_.data()[i] = uint8_t(rng_());
		switch (rng_() % 5) {
		case 0: return nullptr;
		case 1: return reinterpret_cast<void *>(1);
		case 2: return reinterpret_cast<void *>(0xffffffffff600000ULL); // vsyscall page
		case 3: return scratch_.data() + scratch_.size() - 1 - rng_() % 8; // runs into the guard
		default: return scratch_.data();
		}
	}

	void random_ioctl()
	{
		unsigned long cmd;
		switch (rng_() % 4) {
		case 0: // our numbers with another direction or size
			cmd = _IOC(rng_() % 4, KML_IOC_MAGIC, 1 + rng_() % 4, rng_() % 128);
			break;
		case 1: cmd = _IOC(rng_() % 4, KML_IOC_MAGIC, rng_() % 256, rng_() % 16384); break;
		case 2: cmd = uint32_t(rng_()); break;
		default:
			cmd = pick(rng_, {KML_IOC_ABI_INFO, (unsigned long)KML_IOC_COMMIT,
					  (unsigned long)KML_IOC_ROLLBACK, (unsigned long)KML_IOC_RESET_COUNTERS});
		}
		t_.add("ioctl", ioctl(fd_, cmd, random_arg()) < 0 ? errno : 0);
	}

	void simple_ioctl()
	{
		unsigned long cmd = pick(rng_, {(unsigned long)KML_IOC_ROLLBACK,
						(unsigned long)KML_IOC_RESET_COUNTERS,
						(unsigned long)KML_IOC_ABI_INFO});
		kml_abi_info info{};
		t_.add("ioctl-known", ioctl(fd_, cmd, &info) < 0 ? errno : 0);
	}

	// Map something, touch every page of it if the kernel agreed, unmap.
	void random_mmap()
	{
		uint64_t off = pick<uint64_t>(rng_, {KML_MMAP_RING, KML_MMAP_WEIGHTS,
						     KML_MMAP_WEIGHTS + 4096, 4096,
						     (rng_() % 1024) * 4096ULL, rng_() & ~4095ULL});
		size_t len = pick<size_t>(rng_, {0, 1, 4096, info_.ring_bytes, info_.weights_bytes,
						 size_t(info_.ring_bytes) + 4096,
						 size_t(info_.weights_bytes) + 4096,
						 size_t(rng_() % (64 << 20))});
		int prot = pick(rng_, {PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE,
				       PROT_READ | PROT_EXEC, PROT_NONE});
		int flags = pick(rng_, {MAP_SHARED, MAP_SHARED, MAP_PRIVATE});
		void *p = mmap(nullptr, len, prot, flags, fd_, off);
		t_.add("mmap", p == MAP_FAILED ? errno : 0);
		if (p == MAP_FAILED)
			return;
		if (prot & PROT_READ)
			touch(p, len, prot & PROT_WRITE && off == KML_MMAP_WEIGHTS);
		munmap(p, len);
	}

	void touch(void *p, size_t len, bool write)
	{
		auto *b = static_cast<volatile uint8_t *>(p);
		touching = 1;
		int sig = sigsetjmp(touch_jmp, 1);
		if (sig) {
			touching = 0;
			fmt::print("FAIL: signal {} touching a mapping the kernel granted ({} bytes)\n",
				   sig, len);
			failed = true;
			return;
		}
		for (size_t i = 0; i < len; i += 4096) {
			uint8_t v = b[i];
			if (write)
				b[i] = uint8_t(v ^ rng_());
		}
		touching = 0;
	}

	// The consumer owns the ring's tail: write garbage there and in the
	// reserved words, as a broken consumer would.
	void scribble_ring()
	{
		if (!ring_) {
			ring_len_ = info_.ring_bytes;
			void *p = mmap(nullptr, ring_len_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
				       KML_MMAP_RING);
			t_.add("mmap-ring", p == MAP_FAILED ? errno : 0);
			if (p == MAP_FAILED)
				return;
			ring_ = p;
		}
		auto *ctrl = static_cast<kml_ring_ctrl *>(ring_);
		switch (rng_() % 4) {
		case 0: ctrl->tail = rng_(); break;
		case 1: ctrl->tail += rng_() % 64; break;
		case 2: ctrl->tail = ~0ULL - rng_() % 4; break;
		default: ctrl->reserved[rng_() % 6] = rng_(); break;
		}
		t_.add("ring-tail", 0);
	}

	// A valid blob, mutated, staged in the weights region and committed
	// with a random size.
	void commit_mutant()
	{
		if (!weights_) {
			weights_len_ = info_.weights_bytes;
			void *p = mmap(nullptr, weights_len_, PROT_READ | PROT_WRITE, MAP_SHARED,
				       fd_, KML_MMAP_WEIGHTS);
			t_.add("mmap-weights", p == MAP_FAILED ? errno : 0);
			if (p == MAP_FAILED)
				return;
			weights_ = p;
		}
		std::vector<uint8_t> b = blobs_[rng_() % blobs_.size()];
		int flips = rng_() % 4; // 0: the valid blob itself
		for (int i = 0; i < flips; i++) {
			switch (rng_() % 4) {
			case 0: b[rng_() % b.size()] ^= uint8_t(1u << (rng_() % 8)); break;
			case 1: b[rng_() % std::min<size_t>(b.size(), 64)] = uint8_t(rng_()); break;
			case 2: b.resize(rng_() % b.size()); break;
			default: b.resize(b.size() + rng_() % 256, uint8_t(rng_())); break;
			}
			if (b.empty())
				b.push_back(0);
		}
		size_t n = std::min(b.size(), weights_len_);
		std::memcpy(weights_, b.data(), n);
		kml_commit c{};
		c.size = pick<uint32_t>(rng_, {uint32_t(n), uint32_t(n), uint32_t(n - rng_() % n),
					       uint32_t(rng_()), 0, uint32_t(weights_len_ + 1)});
		if (rng_() % 8 == 0)
			c.flags = uint32_t(rng_());
		if (rng_() % 8 == 0)
			c.reserved = rng_();
		t_.add(flips ? "commit-mutant" : "commit-valid",
		       ioctl(fd_, KML_IOC_COMMIT, &c) < 0 ? errno : 0);
	}

	void rw_poll()
	{
		size_t n = rng_() % scratch_.size();
		switch (rng_() % 3) {
		case 0: t_.add("read", read(fd_, scratch_.data(), n) < 0 ? errno : 0); break;
		case 1: t_.add("write", write(fd_, scratch_.data(), n) < 0 ? errno : 0); break;
		default: {
			pollfd p{fd_, short(POLLIN | POLLOUT | POLLPRI), 0};
			t_.add("poll", poll(&p, 1, 0) < 0 ? errno : 0);
		}
		}
	}

	Rng rng_;
	Tally &t_;
	int fd_ = -1;
	kml_abi_info info_{};
	void *ring_ = nullptr, *weights_ = nullptr;
	size_t ring_len_ = 0, weights_len_ = 0;
	std::vector<std::vector<uint8_t>> blobs_;
	GuardedBuffer scratch_;

public:
	bool failed = false;
};

// Values a careless or hostile admin might write into an attribute.
std::string sysfs_value(Rng &rng)
{
	switch (rng() % 12) {
	case 0: return std::to_string(int64_t(rng()));
	case 1: return std::to_string(rng() % 100000);
	case 2: return "-" + std::to_string(rng() % 1000);
	case 3: return "18446744073709551616"; // 2^64
	case 4: return fmt::format("0x{:x}", rng());
	case 5: return std::string(4096 + rng() % 64, '9'); // longer than a page
	case 6: return "";
	case 7: return pick<std::string>(rng, {"blocking", "dropping", "on", "off", "1", "0",
					       "kml-deadline", " 1 ", "1\n2", "nan", "1e9"});
	case 8: return fmt::format("{}:{}", rng() % 300, rng() % 300);
	case 9: return fmt::format("-{}:{}", rng() % 300, rng() % 300);
	case 10: {
		std::string s(rng() % 64, '\0');
		for (auto &c : s)
			c = char(rng());
		return s;
	}
	default: return "253:0";
	}
}

// Huge watchdog values with a stalled consumer would hold I/O for minutes:
// a configuration, not a bug, and it would trip the hung-task check.
bool harmless(const std::filesystem::path &p, const std::string &v)
{
	if (p.filename() != "watchdog_ms")
		return true;
	char *end = nullptr;
	unsigned long long x = strtoull(v.c_str(), &end, 0);
	return end == v.c_str() || x <= 2000;
}

std::vector<std::filesystem::path> writable_files(const std::vector<std::string> &dirs)
{
	std::vector<std::filesystem::path> out;
	for (const auto &d : dirs) {
		std::error_code ec;
		for (auto it = std::filesystem::recursive_directory_iterator(d, ec);
		     !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
			struct stat st;
			if (lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
			    (st.st_mode & S_IWUSR))
				out.push_back(it->path());
		}
	}
	return out;
}

void fuzz_sysfs(const std::vector<std::filesystem::path> &files, uint64_t seed,
		Clock::time_point end, Tally &t)
{
	Rng rng(seed);
	while (Clock::now() < end) {
		const auto &p = files[rng() % files.size()];
		std::string v = sysfs_value(rng);
		if (!harmless(p, v)) {
			t.add("skipped", 0);
			continue;
		}
		int fd = open(p.c_str(), O_WRONLY | O_CLOEXEC);
		if (fd < 0) { // gone: the module or the scheduler was switched away
			t.add("open", errno);
			continue;
		}
		ssize_t n = write(fd, v.data(), v.size());
		t.add(p.filename().string(), n < 0 ? errno : 0);
		close(fd);
	}
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"kml-fuzz: seeded random inputs for kml.ko"};
	app.require_subcommand(1);
	double secs = 10;
	uint64_t seed = 1;
	unsigned threads = 2;
	std::vector<std::string> dirs;
	app.add_option("--seconds", secs, "how long")->check(CLI::PositiveNumber);
	app.add_option("--seed", seed, "seed of the random choices");
	auto *d = app.add_subcommand("dev", "fuzz /dev/kml");
	auto *s = app.add_subcommand("sysfs", "fuzz writable files under DIRS");
	s->add_option("dirs", dirs, "folders to walk")->required();
	s->add_option("--threads", threads, "writers at once")->check(CLI::Range(1, 16));
	CLI11_PARSE(app, argc, argv);

	auto t0 = Clock::now();
	auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(secs));
	Tally tally;
	int rc = 0;
	if (*d) {
		signal(SIGSEGV, on_fault);
		signal(SIGBUS, on_fault);
		DevFuzzer f(seed, tally);
		while (Clock::now() < end)
			f.step();
		rc = f.failed ? 1 : 0;
	} else {
		auto files = writable_files(dirs);
		if (files.empty()) {
			fmt::print(stderr, "kml-fuzz: no writable files under the given folders\n");
			return 2;
		}
		fmt::print("sysfs: {} writable files\n", files.size());
		std::vector<std::jthread> ts;
		for (unsigned i = 0; i < threads; i++)
			ts.emplace_back([&, i] { fuzz_sysfs(files, seed + i, end, tally); });
	}
	tally.print(*d ? "dev" : "sysfs", std::chrono::duration<double>(Clock::now() - t0).count());
	return rc;
}
