// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

extern "C" {
#include "kml_ring.h"
}
#include <kml/ring_reader.hpp>

namespace {

// A ring in user memory laid out as /dev/kml maps it: control page, slots.
struct TestRing {
	explicit TestRing(uint32_t slots)
		: mem(static_cast<char *>(std::aligned_alloc(4096, 4096 + slots * sizeof(kml_sample))))
	{
		std::memset(mem.get(), 0, 4096 + slots * sizeof(kml_sample));
		kml_ring_init(&ring, ctrl(), this->slots(), slots);
	}
	kml_ring_ctrl *ctrl() { return reinterpret_cast<kml_ring_ctrl *>(mem.get()); }
	kml_sample *slots() { return reinterpret_cast<kml_sample *>(mem.get() + 4096); }
	kml::RingReader reader() { return kml::RingReader(ctrl(), slots()); }
	struct kml_ring_stats stats()
	{
		struct kml_ring_stats st;
		kml_ring_stats(&ring, &st);
		return st;
	}

	struct Free {
		void operator()(char *p) const { std::free(p); }
	};
	std::unique_ptr<char, Free> mem;
	kml_ring ring{};
};

kml_sample make_sample(uint32_t producer, uint32_t i)
{
	kml_sample s{};
	s.version = KML_SAMPLE_VERSION;
	s.nr_features = KML_NR_FEATURES;
	s.features[0] = int32_t(i);
	s.features[1] = int32_t(producer);
	s.features[2] = int32_t(~i);
	return s;
}

TEST(Ring, EmptyRingHasNothingToRead)
{
	TestRing r(64);
	std::vector<kml_sample> out(8);
	EXPECT_EQ(r.reader().read(out), 0u);
	EXPECT_EQ(r.ctrl()->nr_slots, 64u);
	EXPECT_EQ(r.ctrl()->data_offset, 4096u);
	EXPECT_EQ(r.ctrl()->sample_size, sizeof(kml_sample));
}

TEST(Ring, SamplesComeOutInOrderWithTheirContents)
{
	TestRing r(64);
	for (uint32_t i = 0; i < 10; i++) {
		auto s = make_sample(7, i);
		ASSERT_TRUE(kml_ring_emit(&r.ring, &s, false));
	}
	std::vector<kml_sample> out(64);
	auto rd = r.reader();
	ASSERT_EQ(rd.read(out), 10u);
	for (uint32_t i = 0; i < 10; i++) {
		EXPECT_EQ(out[i].features[0], int32_t(i));
		EXPECT_EQ(out[i].features[1], 7);
		EXPECT_EQ(out[i].seq, i + 1);
	}
	EXPECT_EQ(r.ctrl()->tail, 10u);
}

TEST(Ring, FullRingDropsAndCountsExactly)
{
	TestRing r(64);
	for (uint32_t i = 0; i < 100; i++) {
		auto s = make_sample(0, i);
		EXPECT_EQ(kml_ring_emit(&r.ring, &s, false), i < 64) << i;
	}
	auto st = r.stats();
	EXPECT_EQ(st.produced, 100u);
	EXPECT_EQ(st.dropped, 36u);
	EXPECT_EQ(st.queued, 64u);
	EXPECT_EQ(st.consumed, 0u);
}

TEST(Ring, ConsumingGivesSpaceBackAcrossManyLaps)
{
	TestRing r(64);
	auto rd = r.reader();
	std::vector<kml_sample> out(64);
	uint32_t next = 0;
	for (uint32_t i = 0; i < 64 * 50; i++) {
		auto s = make_sample(0, i);
		ASSERT_TRUE(kml_ring_emit(&r.ring, &s, false)) << i;
		if (i % 48 == 47) {
			size_t n = rd.read(out);
			for (size_t k = 0; k < n; k++)
				ASSERT_EQ(out[k].features[0], int32_t(next++));
		}
	}
	auto st = r.stats();
	EXPECT_EQ(st.dropped, 0u);
	EXPECT_EQ(st.produced, st.consumed + st.queued);
}

TEST(Ring, PromisesReserveSpaceBeforeTheSampleExists)
{
	TestRing r(64);
	for (int i = 0; i < 64; i++)
		ASSERT_TRUE(kml_ring_promise(&r.ring));
	EXPECT_FALSE(kml_ring_promise(&r.ring)) << "all space is promised";
	auto s = make_sample(0, 0);
	EXPECT_FALSE(kml_ring_emit(&r.ring, &s, false)) << "unpromised sample must drop";
	for (int i = 0; i < 64; i++)
		ASSERT_TRUE(kml_ring_emit(&r.ring, &s, true)) << "a promise is always kept";
	EXPECT_EQ(r.stats().promised, 0u);
	EXPECT_EQ(r.stats().dropped, 1u);
}

TEST(Ring, UnpromiseReturnsTheCredit)
{
	TestRing r(64);
	for (int i = 0; i < 64; i++)
		ASSERT_TRUE(kml_ring_promise(&r.ring));
	kml_ring_unpromise(&r.ring);
	EXPECT_TRUE(kml_ring_promise(&r.ring));
}

TEST(Ring, LyingConsumerTailIsIgnored)
{
	TestRing r(64);
	auto s = make_sample(0, 0);
	for (int i = 0; i < 64; i++)
		ASSERT_TRUE(kml_ring_emit(&r.ring, &s, false));
	r.ctrl()->tail = 1000000;	// beyond anything produced
	EXPECT_EQ(kml_ring_reclaim(&r.ring), 0);
	EXPECT_FALSE(kml_ring_emit(&r.ring, &s, false));
	auto st = r.stats();
	EXPECT_EQ(st.produced, st.consumed + st.dropped + st.queued);
}

TEST(Ring, ResetCountsQueuedSamplesAsProduced)
{
	TestRing r(64);
	auto s = make_sample(0, 0);
	for (int i = 0; i < 80; i++)
		kml_ring_emit(&r.ring, &s, false);
	std::vector<kml_sample> out(10);
	r.reader().read(out);
	kml_ring_reset_counters(&r.ring);
	auto st = r.stats();
	EXPECT_EQ(st.produced, 54u);
	EXPECT_EQ(st.consumed, 0u);
	EXPECT_EQ(st.dropped, 0u);
	EXPECT_EQ(st.queued, 54u);
}

// Several producers, one consumer, in blocking style (promise first, spin
// when full) so that nothing may be lost: every (producer, i) exactly once
// and in order per producer.
TEST(Ring, ManyProducersOneConsumerLoseNothing)
{
	constexpr uint32_t kProducers = 4, kPerProducer = 200000;
	TestRing r(1024);
	std::atomic<bool> go{false};
	std::vector<std::thread> producers;

	for (uint32_t p = 0; p < kProducers; p++)
		producers.emplace_back([&, p] {
			while (!go.load())
				;
			for (uint32_t i = 0; i < kPerProducer; i++) {
				while (!kml_ring_promise(&r.ring))
					std::this_thread::yield();
				auto s = make_sample(p, i);
				kml_ring_emit(&r.ring, &s, true);
			}
		});

	std::vector<uint32_t> next(kProducers, 0);
	std::vector<kml_sample> out(256);
	auto rd = r.reader();
	uint64_t got = 0, bad = 0;
	go = true;
	while (got < uint64_t(kProducers) * kPerProducer) {
		size_t n = rd.read(out);
		for (size_t k = 0; k < n; k++) {
			uint32_t p = uint32_t(out[k].features[1]), i = uint32_t(out[k].features[0]);
			if (p >= kProducers || i != next[p] || out[k].features[2] != int32_t(~i))
				bad++;
			else
				next[p]++;
		}
		got += n;
	}
	for (auto &t : producers)
		t.join();
	EXPECT_EQ(bad, 0u);
	auto st = r.stats();
	EXPECT_EQ(st.dropped, 0u);
	EXPECT_EQ(st.consumed, got);
	EXPECT_EQ(st.produced, got);
}

} // namespace
