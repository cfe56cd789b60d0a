// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Producer side of the sample ring; see kml_ring.h for the credit scheme
 * and uapi/kml.h for the protocol the consumer follows.
 *
 * Ordering, in one place:
 *  - a producer fills its slot with plain stores, then publishes it with a
 *    release store of seq; the consumer's acquire load of seq pairs with it.
 *  - the consumer releases a slot with a release store of tail after copying
 *    it out; kml_ring_reclaim() reads tail with acquire, so a producer that
 *    got the credit cannot overwrite the slot before the copy is done.
 *  - head and the credit counters are atomic read-modify-writes: they order
 *    producers among themselves and need nothing else.
 */
#include "kml_ring.h"

void kml_ring_init(struct kml_ring *r, struct kml_ring_ctrl *ctrl,
		   struct kml_sample *slots, u32 nr_slots)
{
	memset(ctrl, 0, sizeof(*ctrl));
	ctrl->abi_version = KML_ABI_VERSION;
	ctrl->sample_size = sizeof(struct kml_sample);
	ctrl->nr_slots = nr_slots;
	ctrl->data_offset = (u32)((char *)slots - (char *)ctrl);

	r->ctrl = ctrl;
	r->slots = slots;
	r->nr_slots = nr_slots;
	atomic64_set(&r->head, 0);
	atomic_long_set(&r->credits, nr_slots);
	atomic_long_set(&r->promised, 0);
	atomic64_set(&r->seen_tail, 0);
	atomic64_set(&r->dropped, 0);
	r->base_tail = 0;
	r->base_dropped = 0;
}

/*
 * Turn consumer progress into credits. Any caller may do it; the cmpxchg on
 * seen_tail makes each consumed slot count once. A tail outside
 * (seen_tail, head] is a consumer bug or a lie and is ignored.
 */
long kml_ring_reclaim(struct kml_ring *r)
{
	s64 seen = atomic64_read(&r->seen_tail);
	/* Pairs with the consumer's release of tail: its copies are done. */
	s64 tail = (s64)smp_load_acquire(&r->ctrl->tail);

	if (tail <= seen || tail > atomic64_read(&r->head))
		return 0;
	if (!atomic64_try_cmpxchg(&r->seen_tail, &seen, tail))
		return 0;	/* someone else credited it */
	atomic_long_add(tail - seen, &r->credits);
	return tail - seen;
}

static void kml_ring_drop(struct kml_ring *r)
{
	atomic64_inc(&r->dropped);
}

static bool kml_ring_take_credit(struct kml_ring *r)
{
	if (atomic_long_dec_if_positive(&r->credits) >= 0)
		return true;
	return kml_ring_reclaim(r) > 0 &&
	       atomic_long_dec_if_positive(&r->credits) >= 0;
}

/* Reserve space for a sample that kml_ring_emit(..., true) will write. */
bool kml_ring_promise(struct kml_ring *r)
{
	if (!kml_ring_take_credit(r))
		return false;
	atomic_long_add(1, &r->promised);
	return true;
}

/* The promised sample will never come (the request was requeued). */
void kml_ring_unpromise(struct kml_ring *r)
{
	atomic_long_add(-1, &r->promised);
	atomic_long_add(1, &r->credits);
}

/*
 * Publish @s. With @promised the space is already ours; without, a full
 * ring drops the sample and counts it. Safe in any context: no locks, no
 * waiting, a bounded number of atomics.
 */
bool kml_ring_emit(struct kml_ring *r, const struct kml_sample *s,
		   bool promised)
{
	struct kml_sample *slot;
	s64 pos;

	if (promised) {
		atomic_long_add(-1, &r->promised);
	} else if (!kml_ring_take_credit(r)) {
		kml_ring_drop(r);
		return false;
	}

	pos = atomic64_fetch_inc(&r->head);
	slot = &r->slots[pos & (r->nr_slots - 1)];
	/* Everything but seq, which goes last and publishes the rest. */
	memcpy((char *)slot + sizeof(slot->seq), (const char *)s + sizeof(s->seq),
	       sizeof(*s) - sizeof(s->seq));
	/* Pairs with the consumer's acquire of seq: the slot is complete. */
	smp_store_release(&slot->seq, (u32)(pos + 1));
	return true;
}

void kml_ring_stats(struct kml_ring *r, struct kml_ring_stats *st)
{
	s64 head = atomic64_read(&r->head);
	s64 tail = (s64)READ_ONCE(r->ctrl->tail);
	s64 dropped = atomic64_read(&r->dropped) - r->base_dropped;

	if (tail > head || tail < r->base_tail)	/* a lying consumer */
		tail = head;
	/* Each from its own source: head, tail and the drop counter. */
	st->produced = head - r->base_tail + dropped;
	st->consumed = tail - r->base_tail;
	st->dropped = dropped;
	st->queued = head - tail;
	st->promised = atomic_long_read(&r->promised);
}

/*
 * Start counting from now. Samples still queued count as produced after
 * the reset, so the identity of struct kml_ring_stats keeps holding.
 */
void kml_ring_reset_counters(struct kml_ring *r)
{
	s64 tail = (s64)READ_ONCE(r->ctrl->tail);

	if (tail <= atomic64_read(&r->head))
		r->base_tail = tail;
	r->base_dropped = atomic64_read(&r->dropped);
}
