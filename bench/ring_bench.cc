// SPDX-License-Identifier: GPL-2.0 OR MIT
// Sample ring throughput: the kernel's producer code (kmod/kml_ring.c built
// for user space) with P producer threads and one consumer, against the
// obvious alternative, a mutex around a std::deque. Items = samples moved.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

extern "C" {
#include "kml_ring.h"
}
#include <kml/ring_reader.hpp>

namespace {

constexpr uint64_t kSamples = 1 << 21;	// per iteration, all producers together
constexpr uint32_t kSlots = 16384;	// the module's default ring

kml_sample sample(uint32_t i)
{
	kml_sample s{};
	s.version = KML_SAMPLE_VERSION;
	s.features[0] = int32_t(i);
	return s;
}

// One round: @producers threads push kSamples in total through @push (which
// must not drop), the calling thread takes them out through @pop in batches
// of 256 and yields when it finds nothing.
template <typename Push, typename Pop>
void move_samples(int producers, Push push, Pop pop)
{
	const uint64_t per_producer = kSamples / producers;
	std::vector<std::thread> threads;

	for (int p = 0; p < producers; p++)
		threads.emplace_back([&push, per_producer] {
			for (uint64_t i = 0; i < per_producer; i++)
				push(sample(uint32_t(i)));
		});
	std::vector<kml_sample> out(256);
	for (uint64_t got = 0; got < per_producer * producers;) {
		size_t n = pop(out);
		if (!n)
			std::this_thread::yield();
		got += n;
		benchmark::DoNotOptimize(out.data());
	}
	for (auto &t : threads)
		t.join();
}

// Dropping mode: a producer that finds the ring full retries after a
// yield, as a bench must not drop.
void BM_Ring(benchmark::State &state)
{
	const size_t bytes = 4096 + kSlots * sizeof(kml_sample);
	std::unique_ptr<char, decltype(&std::free)> mem(
		static_cast<char *>(std::aligned_alloc(4096, bytes)), &std::free);

	for (auto _ : state) {
		std::memset(mem.get(), 0, bytes);
		kml_ring ring{};
		auto *ctrl = reinterpret_cast<kml_ring_ctrl *>(mem.get());
		auto *slots = reinterpret_cast<kml_sample *>(mem.get() + 4096);
		kml_ring_init(&ring, ctrl, slots, kSlots);
		kml::RingReader reader(ctrl, slots);

		move_samples(
			int(state.range(0)),
			[&ring](const kml_sample &s) {
				while (!kml_ring_promise(&ring))
					std::this_thread::yield();
				kml_ring_emit(&ring, &s, true);
			},
			[&reader](std::vector<kml_sample> &out) {
				return reader.read(out);
			});
	}
	state.SetItemsProcessed(int64_t(state.iterations() * kSamples));
	state.SetLabel("kml_ring");
}

// The same bound (kSlots) and the same retry-after-yield when full.
void BM_MutexDeque(benchmark::State &state)
{
	for (auto _ : state) {
		std::mutex lock;
		std::deque<kml_sample> q;

		move_samples(
			int(state.range(0)),
			[&](const kml_sample &s) {
				for (;;) {
					{
						std::lock_guard g(lock);
						if (q.size() < kSlots) {
							q.push_back(s);
							return;
						}
					}
					std::this_thread::yield();
				}
			},
			[&](std::vector<kml_sample> &out) {
				std::lock_guard g(lock);
				size_t n = 0;
				for (; n < out.size() && !q.empty(); n++) {
					out[n] = q.front();
					q.pop_front();
				}
				return n;
			});
	}
	state.SetItemsProcessed(int64_t(state.iterations() * kSamples));
	state.SetLabel("mutex+deque");
}

BENCHMARK(BM_Ring)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MutexDeque)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
