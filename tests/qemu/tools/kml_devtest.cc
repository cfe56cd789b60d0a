// SPDX-License-Identifier: GPL-2.0 OR MIT
// kml-devtest: the user-space half of the /dev/kml tests in tests/qemu/.
// Each subcommand does one thing and says what it saw; the guest scripts
// decide pass or fail from its exit status and output.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <liburing.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <kml/device.hpp>
#include <kml/kml.hpp>

namespace {

using namespace std::chrono_literals;

// Read until @want injector samples arrived, @timeout_s passed, or nothing
// came for @idle_s; check that they are the injector's sequence 0, 1, 2, ...
// exactly once each (gaps count the places where samples were dropped).
int consume(uint64_t want, double timeout_s, double idle_s, double stall_s,
	    uint64_t stall_after, bool flags)
{
	kml::Device dev;
	std::vector<kml_sample> buf(4096);
	uint64_t got = 0, bad = 0, gaps = 0, shadow = 0, predicted = 0;
	uint32_t expect = 0;
	auto deadline = std::chrono::steady_clock::now() +
			std::chrono::duration<double>(timeout_s);
	bool stalled = stall_after == 0;
	auto last = std::chrono::steady_clock::now();
	auto idle = std::chrono::duration<double>(idle_s);

	while (got < want && std::chrono::steady_clock::now() < deadline) {
		if (!stalled && got >= stall_after) {
			fmt::print("stalling for {} s after {} samples\n", stall_s, got);
			std::fflush(stdout);
			std::this_thread::sleep_for(std::chrono::duration<double>(stall_s));
			stalled = true;
		}
		size_t n = dev.read(std::span(buf).first(std::min<uint64_t>(buf.size(), want - got)));
		if (!n) {
			if (idle_s > 0 && got && std::chrono::steady_clock::now() - last > idle)
				break;
			dev.wait(50ms);
			continue;
		}
		last = std::chrono::steady_clock::now();
		for (size_t i = 0; i < n; i++) {
			const kml_sample &s = buf[i];
			uint32_t seq = uint32_t(s.features[0]);
			if (s.version != KML_SAMPLE_VERSION || !(s.flags & KML_SAMPLE_INJECTED) ||
			    uint32_t(s.features[1]) != ~seq)
				bad++;
			if (seq != expect)
				gaps++;
			shadow += !!(s.flags & KML_SAMPLE_SHADOW);
			predicted += !!(s.flags & KML_SAMPLE_PREDICTED) && s.predicted_ns;
			expect = seq + 1;
		}
		got += n;
	}
	fmt::print("consumed {} torn {} gaps {}\n", got, bad, gaps);
	if (flags)
		fmt::print("flags: shadow {} predicted {}\n", shadow, predicted);
	return got == want && bad == 0 ? 0 : 1;
}

// Open /dev/kml (and map it) and keep it for @secs: a consumer that reads
// nothing, or one that holds the module.
int hold(double secs)
{
	kml::Device dev;
	fmt::print("holding /dev/kml for {} s\n", secs);
	std::fflush(stdout);
	std::this_thread::sleep_for(std::chrono::duration<double>(secs));
	return 0;
}

// Try to open and print the errno name: the script compares it.
int try_open()
{
	try {
		kml::Device dev;
		fmt::print("ok\n");
	} catch (const kml::Error &e) {
		fmt::print("{}\n", strerrorname_np(e.code().value()));
	}
	return 0;
}

// Every malformed mapping must fail with EINVAL.
int bad_mmaps()
{
	kml::Device dev;
	const auto &info = dev.info();
	struct Case {
		const char *what;
		uint64_t off;
		size_t len;
		int prot, flags;
	} cases[] = {
		{ "ring, short", KML_MMAP_RING, info.ring_bytes - 4096, PROT_READ, MAP_SHARED },
		{ "ring, long", KML_MMAP_RING, info.ring_bytes + 4096, PROT_READ, MAP_SHARED },
		{ "ring, private", KML_MMAP_RING, info.ring_bytes, PROT_READ, MAP_PRIVATE },
		{ "ring, exec", KML_MMAP_RING, info.ring_bytes, PROT_READ | PROT_EXEC, MAP_SHARED },
		{ "weights, short", KML_MMAP_WEIGHTS, info.weights_bytes - 4096, PROT_READ, MAP_SHARED },
		{ "unknown offset", KML_MMAP_RING + 4096, 4096, PROT_READ, MAP_SHARED },
		{ "offset past weights", KML_MMAP_WEIGHTS * 2, 4096, PROT_READ, MAP_SHARED },
	};
	int fails = 0;

	for (const auto &c : cases) {
		void *p = ::mmap(nullptr, c.len, c.prot, c.flags, dev.fd(), off_t(c.off));
		int err = p == MAP_FAILED ? errno : 0;
		if (p != MAP_FAILED)
			::munmap(p, c.len);
		bool ok = err == EINVAL;
		fmt::print("{}: {} ({})\n", ok ? "ok" : "FAIL", c.what,
			   err ? strerrorname_np(err) : "mapped");
		fails += !ok;
	}
	return fails ? 1 : 0;
}

std::vector<uint8_t> model_blob(const std::string &kind, uint32_t version)
{
	if (kind == "linear")
		return kml::to_blob(kml::FloatModel::make(KML_MODEL_LINEAR, {KML_NR_FEATURES, 1},
							  KML_ACT_NONE, KML_ACT_NONE, version),
				    KML_WTYPE_Q16, version);
	return kml::to_blob(kml::FloatModel::make(KML_MODEL_MLP, {KML_NR_FEATURES, 16, 1},
						  KML_ACT_RELU, KML_ACT_NONE, version),
			    KML_WTYPE_I8, version);
}

// With task-filtered fault injection (the debug kernel's failslab and
// fail_page_alloc), only this process's allocations while it is set fail:
// just the one system call under test. Two things keep the faults there:
// every page of the process is faulted in and locked first (a failed fault
// on a text page read over 9p is a SIGBUS, and it left the file unusable for
// later execs), and the flag goes off through a descriptor opened before it
// went on (opening /proc/self/make-it-fail allocates, so it may fail too).
class MakeItFail {
public:
	explicit MakeItFail(bool on)
	{
		if (!on)
			return;
		fd_ = kml::UniqueFd(open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC));
		if (fd_.get() < 0)
			throw kml::Error(errno, "/proc/self/make-it-fail");
		if (mlockall(MCL_CURRENT | MCL_FUTURE))
			throw kml::Error(errno, "mlockall");
		if (!set('1')) {
			munlockall();
			throw kml::Error(errno, "/proc/self/make-it-fail");
		}
	}
	~MakeItFail()
	{
		if (fd_.get() < 0)
			return;
		if (!set('0'))
			// Every later allocation of ours would fail: stop here.
			_exit(3);
		munlockall();
	}
	MakeItFail(const MakeItFail &) = delete;
	MakeItFail &operator=(const MakeItFail &) = delete;

private:
	bool set(char v)
	{
		return pwrite(fd_.get(), &v, 1, 0) == 1;
	}
	kml::UniqueFd fd_;
};

// Write each of @values to the file @path (opened once, first) with
// allocations failing as fault injection says; print ok or the errno name
// for each.
int write_file(const std::string &path, const std::vector<std::string> &values,
	       bool make_it_fail)
{
	kml::UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
	if (fd.get() < 0)
		throw kml::Error(errno, path);
	for (const std::string &value : values) {
		ssize_t n;
		int err;
		{
			MakeItFail faults(make_it_fail);
			n = pwrite(fd.get(), value.data(), value.size(), 0);
			err = errno;
		}
		fmt::print("{}\n", n == ssize_t(value.size()) ? "ok" :
				    n < 0 ? strerrorname_np(err) : "short");
	}
	return 0;
}

// Commit a blob, well-formed or broken on purpose; print the errno name.
int commit(const std::string &what, uint32_t version, uint32_t repeat, bool make_it_fail)
{
	kml::Device dev;
	std::vector<uint8_t> blob = model_blob(what == "mlp" ? "mlp" : "linear", version);

	if (what == "garbage")
		for (size_t i = 0; i < blob.size(); i++)
			blob[i] = uint8_t(i * 131 + 7);
	else if (what == "truncated")
		blob.resize(blob.size() / 2);
	else if (what == "bad-crc")
		blob.back() ^= 0x5a, blob[blob.size() / 2] ^= 1;
	else if (what == "huge-dims")
		std::memset(blob.data() + offsetof(kml_blob_header, dim), 0xff,
			    sizeof(kml_blob_header::dim));
	else if (what == "bad-act")
		// KML_BLOB_EACT is -12, which once came back to user space as
		// ENOMEM (kml-fuzz found it): it must be EINVAL and a reject.
		blob[offsetof(kml_blob_header, hidden_act)] = 0x7f;
	else if (what == "too-big")
		blob.resize(dev.info().weights_bytes + 1);
	else if (what != "linear" && what != "mlp")
		throw CLI::ValidationError("blob", "unknown kind " + what);
	if (repeat > 1 && what != "linear" && what != "mlp")
		throw CLI::ValidationError("--repeat", "only valid blobs (linear, mlp) repeat");

	if (what == "too-big") {
		// Past the region: the library refuses, so ask the kernel directly.
		kml_commit c{uint32_t(blob.size()), 0, 0};
		int rc = ::ioctl(dev.fd(), KML_IOC_COMMIT, &c);
		fmt::print("{}\n", rc ? strerrorname_np(errno) : "ok");
		return 0;
	}
	for (uint32_t i = 0; i < repeat; i++) {
		int err = 0;
		if (i)
			blob = model_blob(what, version + i);
		{
			MakeItFail faults(make_it_fail);
			try {
				dev.commit(blob);
			} catch (const kml::Error &e) {
				err = e.code().value();
			}
		}
		fmt::print("{}\n", err ? strerrorname_np(err) : "ok");
	}
	return 0;
}

int rollback()
{
	kml::Device dev;
	try {
		dev.rollback();
		fmt::print("ok\n");
	} catch (const kml::Error &e) {
		fmt::print("{}\n", strerrorname_np(e.code().value()));
	}
	return 0;
}

// The 4 KiB block at byte @off holds a word that names it.
uint64_t block_tag(uint64_t off)
{
	return off / 4096 * 0x9e3779b97f4a7c15ULL ^ 0x6b6d6c;
}

// Make the block layer merge requests at insert time, then check the data.
// Per round, one io_uring_submit() (one plug) reads A, a far block C, then
// B right after A: B's bio finds A neither in the plug's last request nor
// in the scheduler yet, so it gets its own request, and when the plug is
// flushed the elevator's insert merges B into A. Data is checked for all.
int insert_merge(const std::string &path, unsigned rounds)
{
	constexpr uint64_t kStride = 256 << 10;
	const uint64_t offs[3] = { 0, 128 << 10, 4096 };	// A, C, B
	kml::UniqueFd f(::open(path.c_str(), O_RDWR | O_DIRECT));
	if (f.get() < 0)
		throw kml::Error(errno, path);
	std::unique_ptr<uint64_t, decltype(&std::free)> buf(
		static_cast<uint64_t *>(std::aligned_alloc(4096, 3 * 4096)), &std::free);
	uint64_t *b = buf.get();

	for (unsigned r = 0; r < rounds; r++)
		for (uint64_t o : offs) {
			uint64_t off = r * kStride + o;
			std::fill(b, b + 512, block_tag(off));
			if (::pwrite(f.get(), b, 4096, off_t(off)) != 4096)
				throw kml::Error(errno, "pwrite");
		}

	io_uring ring;
	if (int rc = io_uring_queue_init(8, &ring, 0))
		throw kml::Error(-rc, "io_uring_queue_init");
	std::unique_ptr<io_uring, decltype(&io_uring_queue_exit)> guard(&ring, &io_uring_queue_exit);
	unsigned bad = 0, failed = 0;

	for (unsigned r = 0; r < rounds; r++) {
		std::fill(b, b + 3 * 512, 0);
		for (int i = 0; i < 3; i++) {
			io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, f.get(), b + i * 512, 4096, r * kStride + offs[i]);
			sqe->user_data = uint64_t(i);
		}
		if (io_uring_submit_and_wait(&ring, 3) != 3)
			throw std::runtime_error("io_uring_submit_and_wait");
		for (int done = 0; done < 3; done++) {
			io_uring_cqe *cqe;
			if (int rc = io_uring_wait_cqe(&ring, &cqe))
				throw kml::Error(-rc, "io_uring_wait_cqe");
			failed += cqe->res != 4096;
			io_uring_cqe_seen(&ring, cqe);
		}
		for (int i = 0; i < 3; i++) {
			uint64_t want = block_tag(r * kStride + offs[i]);
			bad += std::any_of(b + i * 512, b + (i + 1) * 512,
					   [want](uint64_t w) { return w != want; });
		}
	}
	fmt::print("rounds {} reads {} failed {} bad {}\n", rounds, 3 * rounds, failed, bad);
	return failed || bad ? 1 : 0;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"kml-devtest: exercise /dev/kml for the QEMU tests"};
	app.require_subcommand(1);

	uint64_t want = 0, stall_after = 0;
	double timeout_s = 60, idle_s = 0, stall_s = 0, secs = 1;
	bool flags = false;
	auto *c = app.add_subcommand("consume", "read N injector samples, check order");
	c->add_option("count", want)->required();
	c->add_option("--timeout", timeout_s, "give up after seconds");
	c->add_option("--idle", idle_s, "after the first sample, stop when nothing came for seconds");
	c->add_option("--stall-after", stall_after, "stop reading after this many samples ...");
	c->add_option("--stall", stall_s, "... for this many seconds");
	c->add_flag("--flags", flags, "also count shadow and predicted samples");

	auto *h = app.add_subcommand("hold", "open and map /dev/kml, read nothing");
	h->add_option("seconds", secs)->required();

	auto *o = app.add_subcommand("open", "try to open; print ok or the errno name");
	auto *m = app.add_subcommand("bad-mmap", "every malformed mmap must give EINVAL");

	std::string kind;
	uint32_t version = 1;
	auto *b = app.add_subcommand("commit", "commit a blob; print ok or the errno name");
	b->add_option("kind", kind, "linear mlp garbage truncated bad-crc huge-dims bad-act too-big")->required();
	b->add_option("--version", version);
	uint32_t repeat = 1;
	b->add_option("--repeat", repeat, "commit versions version, version+1, ... this many times");
	bool make_it_fail = false;
	b->add_flag("--make-it-fail", make_it_fail,
		    "fail allocations as fault injection says, during the commit only");

	auto *r = app.add_subcommand("rollback", "roll back; print ok or the errno name");

	std::string path;
	std::vector<std::string> values;
	auto *w = app.add_subcommand("write", "write values to a file; print ok or the errno name of each");
	w->add_option("file", path)->required();
	w->add_option("values", values)->required();
	w->add_flag("--make-it-fail", make_it_fail,
		    "fail allocations as fault injection says, during the write only");

	std::string disk;
	unsigned rounds = 64;
	auto *im = app.add_subcommand("insert-merge", "reads the elevator must merge at insert; check data");
	im->add_option("device", disk)->required();
	im->add_option("--rounds", rounds);

	CLI11_PARSE(app, argc, argv);
	try {
		if (*c)
			return consume(want, timeout_s, idle_s, stall_s, stall_after, flags);
		if (*h)
			return hold(secs);
		if (*o)
			return try_open();
		if (*m)
			return bad_mmaps();
		if (*b)
			return commit(kind, version, repeat, make_it_fail);
		if (*r)
			return rollback();
		if (*w)
			return write_file(path, values, make_it_fail);
		if (*im)
			return insert_merge(disk, rounds);
	} catch (const std::exception &e) {
		fmt::print(stderr, "kml-devtest: {}\n", e.what());
		return 2;
	}
	return 0;
}
