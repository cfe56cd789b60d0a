/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one place where libkml learns whether it is in the kernel or in user
 * space. Everything else in libkml is the same text on both sides.
 */
#ifndef KML_COMPAT_H
#define KML_COMPAT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/math64.h>
#include <linux/limits.h>
#include <linux/errno.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef int8_t s8;
typedef uint8_t u8;
typedef int16_t s16;
typedef uint16_t u16;
typedef int32_t s32;
typedef uint32_t u32;
typedef int64_t s64;
typedef uint64_t u64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * User space on x86-64 may run AVX2 clones of the bulk loops, chosen once
 * at load time (as NumPy does); integer results are the same either way.
 * The kernel has no FPU/SIMD context here and gets the plain functions,
 * never inlined, so that each keeps its own frame.
 */
#ifdef __KERNEL__
#define KML_SIMD_CLONES	noinline
#elif defined(__x86_64__)
#define KML_SIMD_CLONES	__attribute__((target_clones("avx2", "default")))
#else
#define KML_SIMD_CLONES
#endif

/* 64-bit division: a plain '/' needs libgcc helpers on 32-bit kernels. */
static inline s64 kml_div_s64(s64 n, s64 d)
{
#ifdef __KERNEL__
	return div64_s64(n, d);
#else
	return n / d;
#endif
}

static inline u64 kml_div_u64(u64 n, u64 d)
{
#ifdef __KERNEL__
	return div64_u64(n, d);
#else
	return n / d;
#endif
}

#endif /* KML_COMPAT_H */
