/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What kml_ring.c needs from its surroundings: the kernel's atomics and
 * barriers in the module, the same names on C11-style builtins in user space
 * (tests and benchmarks build the very same ring code).
 */
#ifndef KML_RING_SYS_H
#define KML_RING_SYS_H

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <asm/barrier.h>
#else
#include <stdbool.h>
#include <string.h>
#include <kml/compat.h>

typedef struct { long counter; } atomic_long_t;
typedef struct { s64 counter; } atomic64_t;

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/* The kernel's acquire load, as a C11 memory order. */
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
/* The kernel's release store, as a C11 memory order. */
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

static inline s64 atomic64_read(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline s64 atomic64_fetch_inc(atomic64_t *v)
{
	return __atomic_fetch_add(&v->counter, 1, __ATOMIC_SEQ_CST);
}

static inline void atomic64_inc(atomic64_t *v)
{
	__atomic_fetch_add(&v->counter, 1, __ATOMIC_RELAXED);
}

static inline bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 nv)
{
	return __atomic_compare_exchange_n(&v->counter, old, nv, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

static inline long atomic_long_read(const atomic_long_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_long_add(long i, atomic_long_t *v)
{
	__atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline long atomic_long_dec_if_positive(atomic_long_t *v)
{
	long c = atomic_long_read(v);

	while (c > 0 && !__atomic_compare_exchange_n(&v->counter, &c, c - 1,
						     false, __ATOMIC_SEQ_CST,
						     __ATOMIC_RELAXED))
		;
	return c - 1;
}
#endif /* __KERNEL__ */

#endif /* KML_RING_SYS_H */
