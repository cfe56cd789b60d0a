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

// Dropping mode: a producer that finds the ring full retries after a
// yield, as a bench must not drop. The consumer reads in batches of 256.
void BM_Ring(benchmark::State &state)
{
	const int producers = int(state.range(0));
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

		std::vector<std::thread> threads;
		for (int p = 0; p < producers; p++)
			threads.emplace_back([&ring, producers] {
				for (uint64_t i = 0; i < kSamples / producers; i++) {
					kml_sample s = sample(uint32_t(i));
					while (!kml_ring_promise(&ring))
						std::this_thread::yield();
					kml_ring_emit(&ring, &s, true);
				}
			});
		std::vector<kml_sample> out(256);
		uint64_t got = 0;
		while (got < kSamples / producers * producers) {
			size_t n = reader.read(out);
			if (!n)
				std::this_thread::yield();
			got += n;
			benchmark::DoNotOptimize(out.data());
		}
		for (auto &t : threads)
			t.join();
	}
	state.SetItemsProcessed(int64_t(state.iterations() * kSamples));
	state.SetLabel("kml_ring");
}

void BM_MutexDeque(benchmark::State &state)
{
	const int producers = int(state.range(0));

	for (auto _ : state) {
		std::mutex lock;
		std::deque<kml_sample> q;
		std::vector<std::thread> threads;
		for (int p = 0; p < producers; p++)
			threads.emplace_back([&, producers] {
				for (uint64_t i = 0; i < kSamples / producers; i++) {
					kml_sample s = sample(uint32_t(i));
					for (;;) {
						std::unique_lock g(lock);
						if (q.size() < kSlots) {
							q.push_back(s);
							break;
						}
						g.unlock();
						std::this_thread::yield();
					}
				}
			});
		std::vector<kml_sample> out(256);
		uint64_t got = 0;
		while (got < kSamples / producers * producers) {
			size_t n = 0;
			{
				std::lock_guard g(lock);
				while (n < out.size() && !q.empty()) {
					out[n++] = q.front();
					q.pop_front();
				}
			}
			if (!n)
				std::this_thread::yield();
			got += n;
			benchmark::DoNotOptimize(out.data());
		}
		for (auto &t : threads)
			t.join();
	}
	state.SetItemsProcessed(int64_t(state.iterations() * kSamples));
	state.SetLabel("mutex+deque");
}

BENCHMARK(BM_Ring)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MutexDeque)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
