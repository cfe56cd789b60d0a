/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the 6.1 and 6.12 elevator APIs that kml-deadline
 * meets, in one place. Compile against each kernel's own private block
 * headers (scripts/build-kmod.sh): struct request and friends differ.
 *
 *   - insert_requests(): 6.1 passes "bool at_head"; 6.5 made it
 *     blk_insert_t flags with BLK_MQ_INSERT_AT_HEAD.
 *   - The flag that says rq->elv.priv[] is ours: RQF_ELVPRIV on 6.1,
 *     RQF_USE_SCHED since 6.5.
 *   - struct elevator_type lost elevator_features in 6.12 (we set none,
 *     so nothing to do).
 */
#ifndef KML_ELV_COMPAT_H
#define KML_ELV_COMPAT_H

#include <linux/version.h>
#include <linux/blk-mq.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
typedef blk_insert_t kd_insert_t;
#define KD_INSERT_AT_HEAD(flags)	((flags) & BLK_MQ_INSERT_AT_HEAD)
#define KD_RQF_PRIV			RQF_USE_SCHED
#else
typedef bool kd_insert_t;
#define KD_INSERT_AT_HEAD(at_head)	(at_head)
#define KD_RQF_PRIV			RQF_ELVPRIV
#endif

#endif /* KML_ELV_COMPAT_H */
