// SPDX-License-Identifier: GPL-2.0 OR MIT
// The consumer side of the sample ring (protocol in uapi/kml.h). Works on
// any mapping of the ring: /dev/kml's, or a user-space ring in the tests.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include <uapi/kml.h>

namespace kml {

class RingReader {
public:
	RingReader(kml_ring_ctrl *ctrl, kml_sample *slots)
		: ctrl_(ctrl), slots_(slots), mask_(ctrl->nr_slots - 1),
		  tail_(std::atomic_ref(ctrl->tail).load(std::memory_order_relaxed))
	{
	}

	// Copy out up to out.size() published samples, in order, and hand
	// their slots back with one release store. Returns how many.
	size_t read(std::span<kml_sample> out)
	{
		size_t n = 0;

		for (; n < out.size(); n++) {
			kml_sample &slot = slots_[(tail_ + n) & mask_];
			uint32_t seq = std::atomic_ref(slot.seq).load(std::memory_order_acquire);
			if (seq != uint32_t(tail_ + n + 1))
				break;	// not published yet
			out[n] = slot;
		}
		if (n) {
			tail_ += n;
			std::atomic_ref(ctrl_->tail).store(tail_, std::memory_order_release);
		}
		return n;
	}

	uint64_t tail() const { return tail_; }
	uint32_t nr_slots() const { return mask_ + 1; }

private:
	kml_ring_ctrl *ctrl_;
	kml_sample *slots_;
	uint32_t mask_;
	uint64_t tail_;
};

} // namespace kml
