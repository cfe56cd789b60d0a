/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the elevator APIs of the kernels kml supports -
 * 5.15 (Jetson Linux 36), 6.1 (Debian 12), 6.6, 6.12 (Raspberry Pi OS,
 * Debian 12 backports) - that kml.ko meets, in one place. Compile against
 * each kernel's own private block headers: struct request and friends
 * differ. Built and tested: 6.1 and 6.12 (amd64, PREEMPT_RT, arm64).
 * 5.15 and 6.6: written from the upstream history, not compiled here (no
 * such tree can be obtained on Debian 12); see docs/edge.md.
 *
 *   - insert_requests(): "bool at_head" until 6.4; 6.5 made it
 *     blk_insert_t flags with BLK_MQ_INSERT_AT_HEAD.
 *   - The flag that says rq->elv.priv[] is ours: RQF_ELVPRIV until 6.4,
 *     RQF_USE_SCHED since 6.5.
 *   - limit_depth()'s operation: blk_opf_t since 6.0, unsigned int before.
 *   - The scheduler tags' sbitmap_queue: embedded in struct blk_mq_tags
 *     since 5.16, a pointer before.
 *   - The block_rq_complete tracepoint (shadow mode) passes a blk_status_t
 *     on 6.1 and later, an errno int on 5.15 (kml does not read it).
 *   - struct elevator_type lost elevator_features in 6.12 (we set none,
 *     so nothing to do).
 */
#ifndef KML_ELV_COMPAT_H
#define KML_ELV_COMPAT_H

#include <linux/version.h>
#include <linux/blk-mq.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 15, 0)
#error "kml needs Linux 5.15 or later"
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
typedef blk_insert_t kd_insert_t;
#define KD_INSERT_AT_HEAD(flags)	((flags) & BLK_MQ_INSERT_AT_HEAD)
#define KD_RQF_PRIV			RQF_USE_SCHED
#else
typedef bool kd_insert_t;
#define KD_INSERT_AT_HEAD(at_head)	(at_head)
#define KD_RQF_PRIV			RQF_ELVPRIV
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
typedef blk_opf_t kd_opf_t;
#else
typedef unsigned int kd_opf_t;
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
#define KD_SCHED_BITMAP(hctx)		(&(hctx)->sched_tags->bitmap_tags)
#else
#define KD_SCHED_BITMAP(hctx)		((hctx)->sched_tags->bitmap_tags)
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
typedef blk_status_t kd_trace_status_t;
#else
typedef int kd_trace_status_t;
#endif

#endif /* KML_ELV_COMPAT_H */
