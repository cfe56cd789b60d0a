/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * kml user/kernel ABI: the one header included unchanged by kml.ko and by
 * user space (kmld, kmlctl, tests). Every interface of /dev/kml (the sample
 * ring, the weights region, the ioctls) is defined here and nowhere else.
 */
#ifndef _UAPI_KML_H
#define _UAPI_KML_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Release of kml.ko, shown in /sys/kernel/kml/version and modinfo. */
#define KML_VERSION		"0.1.0"

/*
 * ABI revision: bumped on any incompatible change to this header, so user
 * space can refuse to talk to a module it does not understand.
 */
#define KML_ABI_VERSION		2

/* sysfs root of the module's global state, and the character device. */
#define KML_SYSFS_DIR		"/sys/kernel/kml"
#define KML_DEV_PATH		"/dev/kml"

/*
 * One sample per completed request: what the model saw, what it said and
 * what the device did. 64 bytes, one cache line; @seq is the ring's commit
 * mark and belongs to the ring protocol, not to the sample.
 */
#define KML_SAMPLE_VERSION	1
#define KML_NR_FEATURES		9

enum kml_op {
	KML_OP_READ = 0,
	KML_OP_WRITE = 1,
	KML_OP_OTHER = 2,	/* flush, discard, ... */
};

/* kml_sample.flags */
#define KML_SAMPLE_PREDICTED	(1u << 0)	/* @predicted_ns came from a model */
#define KML_SAMPLE_INJECTED	(1u << 1)	/* from the test injector */
#define KML_SAMPLE_SHADOW	(1u << 2)	/* shadow mode: another scheduler decided */

struct kml_sample {
	__u32 seq;		/* ring: position + 1, stored last (release) */
	__u8 version;		/* KML_SAMPLE_VERSION */
	__u8 op;		/* enum kml_op */
	__u8 nr_features;	/* KML_NR_FEATURES */
	__u8 flags;		/* KML_SAMPLE_* */
	__u32 dev;		/* major << 20 | minor */
	__u32 model_version;	/* model that made @predicted_ns, 0 = none */
	__u32 predicted_ns;	/* predicted service latency */
	__u32 service_ns;	/* dispatch -> completion, saturated */
	__u32 total_ns;		/* made (shadow: inserted) -> completion, saturated */
	__s32 features[KML_NR_FEATURES];	/* Q16.16, as the model saw them */
};

/*
 * The ring, mmap'd from /dev/kml at KML_MMAP_RING: one control page, then
 * nr_slots (a power of two) samples.
 *
 * Producers (the kernel, any CPU, IRQ context included) reserve position p,
 * write slot p & (nr_slots - 1) and publish it with a release store of
 * seq = p + 1. The one consumer reads slot tail & (nr_slots - 1) once an
 * acquire load of its seq returns tail + 1 (truncated to 32 bits), copies it,
 * and hands the slot back with a release store of tail + 1 to @tail. The
 * kernel never trusts @tail beyond the ring: a consumer that writes garbage
 * there loses its own samples, nothing else.
 */
struct kml_ring_ctrl {
	__u32 abi_version;	/* KML_ABI_VERSION */
	__u32 sample_size;	/* sizeof(struct kml_sample) */
	__u32 nr_slots;
	__u32 data_offset;	/* from the start of the mapping: one page */
	__u64 reserved[6];
	/* Offset 64, a cache line of its own: written only by the consumer. */
	__u64 tail;
	__u64 reserved2[7];
};

/* mmap offsets of /dev/kml: the ring, and the weights staging region. */
#define KML_MMAP_RING		0ULL
#define KML_MMAP_WEIGHTS	(1ULL << 28)

struct kml_abi_info {
	__u32 abi_version;
	__u32 sample_size;
	__u32 nr_slots;
	__u32 ring_bytes;	/* mmap length at KML_MMAP_RING */
	__u32 weights_bytes;	/* mmap length at KML_MMAP_WEIGHTS */
	__u32 max_blob_bytes;	/* largest blob a commit accepts */
	__u32 nr_features;
	__u32 reserved;
};

/* Commit the first @size bytes of the weights region as the new model. */
struct kml_commit {
	__u32 size;
	__u32 flags;		/* none defined: 0 */
	__u64 reserved;		/* 0 */
};

#define KML_IOC_MAGIC		0xb7
#define KML_IOC_ABI_INFO	_IOR(KML_IOC_MAGIC, 1, struct kml_abi_info)
#define KML_IOC_COMMIT		_IOW(KML_IOC_MAGIC, 2, struct kml_commit)
#define KML_IOC_ROLLBACK	_IO(KML_IOC_MAGIC, 3)
#define KML_IOC_RESET_COUNTERS	_IO(KML_IOC_MAGIC, 4)

#endif /* _UAPI_KML_H */
