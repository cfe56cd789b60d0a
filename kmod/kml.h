/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the files of kml.ko. One file per concept;
 * each exports an init/exit pair called in order from kml_main.c.
 */
#ifndef KML_INTERNAL_H
#define KML_INTERNAL_H

#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/mm_types.h>
#include <linux/poll.h>
#include <linux/sysfs.h>

#include <kml/model.h>
#include "uapi/kml.h"

/* kml_main.c: libkml's self-test result ("ok" or the first mismatch) */
const char *kml_selftest_status(void);

/* kml_sysfs.c: /sys/kernel/kml/, one attribute group per part */
int kml_sysfs_init(void);
void kml_sysfs_exit(void);

/* kml_samples.c: the sample ring, its mode, its one consumer */
enum kml_mode {
	KML_MODE_DROPPING,	/* I/O never waits; a full ring drops */
	KML_MODE_BLOCKING,	/* nothing is lost; dispatch is held back */
};

int kml_samples_init(void);
void kml_samples_exit(void);
int __kml_samples_promise(u32 *ticket);
void kml_samples_unpromise(u32 ticket);
void kml_samples_emit(const struct kml_sample *s, u32 ticket);

extern bool kml_consumer;

/* A consumer reads samples: they are worth building. Any context. */
static inline bool kml_samples_wanted(void)
{
	return READ_ONCE(kml_consumer);
}

/*
 * Blocking mode, at dispatch: 0 with a ticket for kml_samples_emit(), or
 * -EAGAIN when the ring is full and the request must wait (the kick
 * callback says when to try again). Without a consumer, ticket 0 at once.
 */
static inline int kml_samples_promise(u32 *ticket)
{
	*ticket = 0;
	return kml_samples_wanted() ? __kml_samples_promise(ticket) : 0;
}
void kml_samples_set_kick(void (*kick)(void));
int kml_samples_attach(void);
void kml_samples_detach(void);
int kml_samples_mmap(struct vm_area_struct *vma);
__poll_t kml_samples_poll(struct file *file, poll_table *wait);
void kml_samples_reset_counters(void);
u32 kml_samples_nr_slots(void);
size_t kml_samples_ring_bytes(void);
extern const struct attribute_group kml_samples_attr_group;

/* kml_weights.c: the staging region and the RCU-swapped model */
struct kml_model_box {
	struct rcu_head rcu;
	u64 commit;		/* sequence number of the commit that made it */
	struct kml_model model;	/* variable size: keep last */
};

int kml_weights_init(void);
void kml_weights_exit(void);
int kml_weights_mmap(struct vm_area_struct *vma);
size_t kml_weights_region_bytes(void);
int kml_weights_commit(u32 size);
int kml_weights_rollback(void);
void kml_weights_reset_counters(void);
/* Readers: under rcu_read_lock(); NULL when no model is loaded. */
const struct kml_model_box *kml_model_current(void);
extern const struct attribute_group kml_weights_attr_group;

/* kml_dev.c: /dev/kml */
int kml_dev_init(void);
void kml_dev_exit(void);

/* kml_shadow.c: samples from disks that keep another scheduler */
int kml_shadow_init(void);
void kml_shadow_exit(void);
extern const struct attribute_group kml_shadow_attr_group;

/* kml_inject.c: debugfs sample injector, for tests */
int kml_inject_init(void);
void kml_inject_exit(void);

#endif /* KML_INTERNAL_H */
