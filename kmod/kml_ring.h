/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The sample ring: many producers (any CPU, IRQ context included), one
 * consumer in user space, no locks. The protocol is in uapi/kml.h; this is
 * the producer side, built unchanged into kml.ko and into user space.
 *
 * Space is handed out as credits, one per free slot. A producer takes a
 * credit, reserves a position, fills the slot and publishes it. Blocking
 * mode takes the credit earlier, when a request is dispatched (a promise),
 * so that the completion, in IRQ context, never has to wait for space.
 * Credits come back when the consumer's tail is seen to move.
 */
#ifndef KML_RING_H
#define KML_RING_H

#include "kml_ring_sys.h"
#include "uapi/kml.h"

struct kml_ring {
	struct kml_ring_ctrl *ctrl;	/* shared with user space */
	struct kml_sample *slots;	/* shared with user space */
	u32 nr_slots;			/* power of two */

	/* Producer side: kernel memory, never mapped. */
	atomic64_t head;		/* next position to reserve */
	atomic_long_t credits;		/* free slots nobody holds */
	atomic_long_t promised;		/* credits held by dispatched requests */
	atomic64_t seen_tail;		/* consumer position already credited */
	atomic64_t dropped;

	/* Where the counters stood at the last reset. */
	s64 base_tail;
	s64 base_dropped;
};

/* produced == consumed + dropped + queued whenever no producer is mid-emit. */
struct kml_ring_stats {
	u64 produced;
	u64 consumed;
	u64 dropped;
	u64 queued;
	u64 promised;
};

void kml_ring_init(struct kml_ring *r, struct kml_ring_ctrl *ctrl,
		   struct kml_sample *slots, u32 nr_slots);
long kml_ring_reclaim(struct kml_ring *r);
bool kml_ring_promise(struct kml_ring *r);
void kml_ring_unpromise(struct kml_ring *r);
bool kml_ring_emit(struct kml_ring *r, const struct kml_sample *s,
		   bool promised);
void kml_ring_stats(struct kml_ring *r, struct kml_ring_stats *st);
void kml_ring_reset_counters(struct kml_ring *r);

/* Samples published but not yet consumed (or reserved and being written). */
static inline u64 kml_ring_queued(struct kml_ring *r)
{
	return atomic64_read(&r->head) - READ_ONCE(r->ctrl->tail);
}

#endif /* KML_RING_H */
