// SPDX-License-Identifier: GPL-2.0
/*
 * The sample channel: one ring (kml_ring.c) in vmalloc memory that the one
 * consumer maps through /dev/kml, the dropping/blocking mode, batched
 * wake-ups and the blocking-mode watchdog.
 *
 * Blocking mode holds I/O back at dispatch, never at completion: a request
 * may only be dispatched with a promise of ring space (a ticket). When none
 * is left the caller holds the request and stall_work watches the consumer:
 * it kicks the caller as soon as space comes back, and after watchdog_ms
 * without progress it switches to dropping so that I/O never hangs.
 *
 * Producers run in any context, on PREEMPT_RT also with preemption off
 * (shadow mode's tracepoint probes), where the wait queue's lock - a
 * sleeping lock there - must not be taken: the consumer is woken from an
 * irq_work, which RT runs in a thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "kml.h"
#include "kml_ring.h"

#define KML_RING_SLOTS_DEFAULT	16384
#define KML_RING_SLOTS_MIN	64
#define KML_RING_SLOTS_MAX	(1u << 20)
#define KML_WATCHDOG_MS_DEFAULT	1000
#define KML_WATCHDOG_MS_MAX	600000
/* A trickle of samples is delivered within this delay at most. */
#define KML_FLUSH_DELAY		(HZ / 50 ? HZ / 50 : 1)

struct kml_ring_box {
	struct kml_ring ring;
	void *mem;		/* vmalloc_user: control page + slots */
	size_t bytes;
	u32 ticket;		/* promises are only good on this ring */
};

static struct {
	struct kml_ring_box __rcu *box;
	struct mutex lock;		/* mode, resize, attach */
	int mode;			/* enum kml_mode */
	bool watchdog_tripped;
	unsigned int watchdog_ms;
	atomic_t mappings;		/* live mmaps of the ring */
	u32 next_ticket;
	u32 wake_batch;			/* power of two */

	wait_queue_head_t wait;
	struct irq_work wake_work;	/* a full batch: wake the consumer */
	struct delayed_work flush_work;
	struct delayed_work stall_work;
	atomic64_t stall_start_ns;	/* 0: not stalled */
	void (*kick)(void);

	atomic64_t blocked_ns;
	atomic64_t stalls;
	atomic64_t wakeups;
	atomic64_t watchdog_trips;
} kml_s;

static bool kml_blocking(void)
{
	return READ_ONCE(kml_s.mode) == KML_MODE_BLOCKING &&
	       READ_ONCE(kml_consumer);
}

static struct kml_ring_box *kml_box_alloc(u32 nr_slots)
{
	struct kml_ring_box *box;

	box = kzalloc(sizeof(*box), GFP_KERNEL);
	if (!box)
		return NULL;
	box->bytes = PAGE_ALIGN(PAGE_SIZE + (size_t)nr_slots *
				sizeof(struct kml_sample));
	box->mem = vmalloc_user(box->bytes);	/* zeroed: every seq is 0 */
	if (!box->mem) {
		kfree(box);
		return NULL;
	}
	kml_ring_init(&box->ring, box->mem, box->mem + PAGE_SIZE, nr_slots);
	return box;
}

static void kml_box_free(struct kml_ring_box *box)
{
	if (box) {
		vfree(box->mem);
		kfree(box);
	}
}

/* Under kml_s.lock, before the box is published: never 0 (= no ticket). */
static void kml_box_set_ticket(struct kml_ring_box *box)
{
	if (!++kml_s.next_ticket)
		++kml_s.next_ticket;
	box->ticket = kml_s.next_ticket;
}

static struct kml_ring_box *kml_box_locked(void)
{
	return rcu_dereference_protected(kml_s.box,
					 lockdep_is_held(&kml_s.lock));
}

/* kml_samples_promise() with a consumer attached. */
int __kml_samples_promise(u32 *ticket)
{
	struct kml_ring_box *box;
	s64 now;
	bool ok;

	*ticket = 0;
	if (!kml_blocking())
		return 0;

	rcu_read_lock();
	box = rcu_dereference(kml_s.box);
	ok = kml_ring_promise(&box->ring);
	if (ok)
		*ticket = box->ticket;
	rcu_read_unlock();
	if (ok)
		return 0;

	now = ktime_get_ns();
	if (atomic64_cmpxchg(&kml_s.stall_start_ns, 0, now) == 0) {
		atomic64_inc(&kml_s.stalls);
		queue_delayed_work(system_wq, &kml_s.stall_work, 1);
	}
	return -EAGAIN;
}

/* The request that holds @ticket will not complete after all. */
void kml_samples_unpromise(u32 ticket)
{
	struct kml_ring_box *box;

	if (!ticket)
		return;
	rcu_read_lock();
	box = rcu_dereference(kml_s.box);
	if (box->ticket == ticket)
		kml_ring_unpromise(&box->ring);
	rcu_read_unlock();
}

/* Any context. Wakes the consumer once per wake_batch samples. */
void kml_samples_emit(const struct kml_sample *s, u32 ticket)
{
	struct kml_ring_box *box;
	bool wake = false, queued;

	rcu_read_lock();
	box = rcu_dereference(kml_s.box);
	/* A ticket from a ring since replaced buys nothing on this one. */
	queued = kml_ring_emit(&box->ring, s, ticket && ticket == box->ticket);
	if (queued)
		wake = (atomic64_read(&box->ring.head) &
			(READ_ONCE(kml_s.wake_batch) - 1)) == 0;
	rcu_read_unlock();

	if (!queued || !READ_ONCE(kml_consumer))
		return;
	if (wake)
		irq_work_queue(&kml_s.wake_work);
	else if (!delayed_work_pending(&kml_s.flush_work))
		queue_delayed_work(system_wq, &kml_s.flush_work,
				   KML_FLUSH_DELAY);
}

/*
 * /dev/kml is open: one consumer reads samples. Outside kml_s so that the
 * scheduler's per-request check (kml_samples_wanted()) is an inline read,
 * not a call. Not a static key: consumers come and go thousands of times in
 * a fuzz run, and each flip would patch kernel text on every CPU.
 */
bool kml_consumer;

/* The scheduler's way to be told that held-back requests may go now. */
void kml_samples_set_kick(void (*kick)(void))
{
	mutex_lock(&kml_s.lock);
	WRITE_ONCE(kml_s.kick, kick);
	mutex_unlock(&kml_s.lock);
}

static void kml_wake_consumer(void)
{
	atomic64_inc(&kml_s.wakeups);
	wake_up_interruptible(&kml_s.wait);
}

static void kml_wake_fn(struct irq_work *work)
{
	kml_wake_consumer();
}

static void kml_flush_fn(struct work_struct *work)
{
	kml_wake_consumer();
}

static void kml_stall_end(s64 start)
{
	void (*kick)(void);

	if (atomic64_cmpxchg(&kml_s.stall_start_ns, start, 0) != start)
		return;
	atomic64_add(ktime_get_ns() - start, &kml_s.blocked_ns);
	kick = READ_ONCE(kml_s.kick);
	if (kick)
		kick();
}

/* Process context: end the stall when space is back, or trip the watchdog. */
static void kml_stall_fn(struct work_struct *work)
{
	s64 start = atomic64_read(&kml_s.stall_start_ns);
	struct kml_ring_box *box;
	long credits;

	if (!start)
		return;
	rcu_read_lock();
	box = rcu_dereference(kml_s.box);
	kml_ring_reclaim(&box->ring);
	credits = atomic_long_read(&box->ring.credits);
	rcu_read_unlock();

	if (credits > 0 || !kml_blocking()) {
		kml_stall_end(start);
		return;
	}
	if (ktime_get_ns() - start >= (s64)READ_ONCE(kml_s.watchdog_ms) *
				      NSEC_PER_MSEC) {
		mutex_lock(&kml_s.lock);
		if (kml_s.mode == KML_MODE_BLOCKING) {
			WRITE_ONCE(kml_s.mode, KML_MODE_DROPPING);
			WRITE_ONCE(kml_s.watchdog_tripped, true);
			atomic64_inc(&kml_s.watchdog_trips);
			pr_warn("consumer stalled for %u ms in blocking mode: falling back to dropping\n",
				kml_s.watchdog_ms);
		}
		mutex_unlock(&kml_s.lock);
		kml_stall_end(start);
		return;
	}
	queue_delayed_work(system_wq, &kml_s.stall_work, 1);
}

/* Something changed for blocked producers: look again now. */
static void kml_stall_recheck(void)
{
	if (atomic64_read(&kml_s.stall_start_ns))
		mod_delayed_work(system_wq, &kml_s.stall_work, 0);
}

int kml_samples_attach(void)
{
	int ret = 0;

	mutex_lock(&kml_s.lock);
	if (kml_consumer)
		ret = -EBUSY;
	else
		WRITE_ONCE(kml_consumer, true);
	mutex_unlock(&kml_s.lock);
	return ret;
}

/* The consumer is gone (closed or killed): nothing may wait for it now. */
void kml_samples_detach(void)
{
	mutex_lock(&kml_s.lock);
	WRITE_ONCE(kml_consumer, false);
	mutex_unlock(&kml_s.lock);
	kml_stall_recheck();
}

static void kml_vm_open(struct vm_area_struct *vma)
{
	atomic_inc(&kml_s.mappings);
}

static void kml_vm_close(struct vm_area_struct *vma)
{
	atomic_dec(&kml_s.mappings);
}

/* Counting mappings keeps the ring from being resized under them. */
static const struct vm_operations_struct kml_ring_vm_ops = {
	.open = kml_vm_open,
	.close = kml_vm_close,
};

int kml_samples_mmap(struct vm_area_struct *vma)
{
	struct kml_ring_box *box;
	int ret;

	mutex_lock(&kml_s.lock);
	box = kml_box_locked();
	if (vma->vm_end - vma->vm_start != box->bytes) {
		ret = -EINVAL;
	} else {
		ret = remap_vmalloc_range(vma, box->mem, 0);
		if (!ret) {
			vma->vm_ops = &kml_ring_vm_ops;
			kml_vm_open(vma);
		}
	}
	mutex_unlock(&kml_s.lock);
	return ret;
}

__poll_t kml_samples_poll(struct file *file, poll_table *wait)
{
	struct kml_ring_box *box;
	__poll_t mask = 0;

	poll_wait(file, &kml_s.wait, wait);
	kml_stall_recheck();	/* the consumer may just have made room */
	rcu_read_lock();
	box = rcu_dereference(kml_s.box);
	if (kml_ring_queued(&box->ring))
		mask = EPOLLIN | EPOLLRDNORM;
	rcu_read_unlock();
	return mask;
}

void kml_samples_reset_counters(void)
{
	mutex_lock(&kml_s.lock);
	kml_ring_reset_counters(&kml_box_locked()->ring);
	atomic64_set(&kml_s.blocked_ns, 0);
	atomic64_set(&kml_s.stalls, 0);
	atomic64_set(&kml_s.wakeups, 0);
	atomic64_set(&kml_s.watchdog_trips, 0);
	mutex_unlock(&kml_s.lock);
}

u32 kml_samples_nr_slots(void)
{
	u32 n;

	rcu_read_lock();
	n = rcu_dereference(kml_s.box)->ring.nr_slots;
	rcu_read_unlock();
	return n;
}

size_t kml_samples_ring_bytes(void)
{
	size_t n;

	rcu_read_lock();
	n = rcu_dereference(kml_s.box)->bytes;
	rcu_read_unlock();
	return n;
}

static u32 kml_wake_batch(u32 nr_slots)
{
	return min_t(u32, 64, nr_slots / 4);
}

/* Only while nobody can see the ring: no consumer, no mapping. */
static int kml_samples_resize(u32 nr_slots)
{
	struct kml_ring_box *old, *box;

	box = kml_box_alloc(nr_slots);
	if (!box)
		return -ENOMEM;
	mutex_lock(&kml_s.lock);
	if (kml_consumer || atomic_read(&kml_s.mappings)) {
		mutex_unlock(&kml_s.lock);
		kml_box_free(box);
		return -EBUSY;
	}
	old = kml_box_locked();
	kml_box_set_ticket(box);
	WRITE_ONCE(kml_s.wake_batch, kml_wake_batch(nr_slots));
	rcu_assign_pointer(kml_s.box, box);
	mutex_unlock(&kml_s.lock);
	synchronize_rcu();	/* producers inside emit() are done with old */
	kml_box_free(old);
	return 0;
}

/* --- sysfs ------------------------------------------------------------ */

static const char * const kml_mode_names[] = {
	[KML_MODE_DROPPING] = "dropping",
	[KML_MODE_BLOCKING] = "blocking",
};

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", kml_mode_names[READ_ONCE(kml_s.mode)]);
}

static ssize_t mode_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int mode = sysfs_match_string(kml_mode_names, buf);

	if (mode < 0)
		return -EINVAL;
	mutex_lock(&kml_s.lock);
	WRITE_ONCE(kml_s.mode, mode);
	WRITE_ONCE(kml_s.watchdog_tripped, false);
	mutex_unlock(&kml_s.lock);
	kml_stall_recheck();	/* leaving blocking releases held requests */
	return count;
}

static ssize_t ring_slots_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", kml_samples_nr_slots());
}

static ssize_t ring_slots_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	u32 n;
	int ret;

	ret = kstrtou32(buf, 0, &n);
	if (ret)
		return ret;
	if (n < KML_RING_SLOTS_MIN || n > KML_RING_SLOTS_MAX ||
	    !is_power_of_2(n))
		return -EINVAL;
	ret = kml_samples_resize(n);
	return ret ? ret : count;
}

static ssize_t watchdog_ms_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(kml_s.watchdog_ms));
}

static ssize_t watchdog_ms_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(buf, 0, &ms);
	if (ret)
		return ret;
	if (ms < 10 || ms > KML_WATCHDOG_MS_MAX)
		return -EINVAL;
	WRITE_ONCE(kml_s.watchdog_ms, ms);
	return count;
}

static ssize_t watchdog_tripped_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(kml_s.watchdog_tripped));
}

static ssize_t consumer_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(kml_consumer));
}

/* One file per ring counter, all read from one snapshot. */
enum kml_counter { KML_PRODUCED, KML_CONSUMED, KML_DROPPED, KML_QUEUED,
		   KML_PROMISED };

static ssize_t kml_ring_counter_show(char *buf, enum kml_counter c)
{
	struct kml_ring_stats st;
	u64 v[] = { 0, 0, 0, 0, 0 };

	rcu_read_lock();
	kml_ring_stats(&rcu_dereference(kml_s.box)->ring, &st);
	rcu_read_unlock();
	v[KML_PRODUCED] = st.produced;
	v[KML_CONSUMED] = st.consumed;
	v[KML_DROPPED] = st.dropped;
	v[KML_QUEUED] = st.queued;
	v[KML_PROMISED] = st.promised;
	return sysfs_emit(buf, "%llu\n", v[c]);
}

#define KML_RING_COUNTER(name, which)					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	return kml_ring_counter_show(buf, which);			\
}									\
static struct kobj_attribute kml_attr_##name = __ATTR_RO(name)

#define KML_ATOMIC_COUNTER(name)					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%lld\n", atomic64_read(&kml_s.name));	\
}									\
static struct kobj_attribute kml_attr_##name = __ATTR_RO(name)

KML_RING_COUNTER(produced, KML_PRODUCED);
KML_RING_COUNTER(consumed, KML_CONSUMED);
KML_RING_COUNTER(dropped, KML_DROPPED);
KML_RING_COUNTER(queued, KML_QUEUED);
KML_RING_COUNTER(promised, KML_PROMISED);
KML_ATOMIC_COUNTER(blocked_ns);
KML_ATOMIC_COUNTER(stalls);
KML_ATOMIC_COUNTER(wakeups);
KML_ATOMIC_COUNTER(watchdog_trips);

static struct kobj_attribute kml_attr_mode = __ATTR_RW_MODE(mode, 0644);
static struct kobj_attribute kml_attr_ring_slots = __ATTR_RW_MODE(ring_slots, 0644);
static struct kobj_attribute kml_attr_watchdog_ms = __ATTR_RW_MODE(watchdog_ms, 0644);
static struct kobj_attribute kml_attr_watchdog_tripped = __ATTR_RO(watchdog_tripped);
static struct kobj_attribute kml_attr_consumer = __ATTR_RO(consumer);

static struct attribute *kml_samples_attrs[] = {
	&kml_attr_mode.attr,
	&kml_attr_ring_slots.attr,
	&kml_attr_watchdog_ms.attr,
	&kml_attr_watchdog_tripped.attr,
	&kml_attr_consumer.attr,
	&kml_attr_produced.attr,
	&kml_attr_consumed.attr,
	&kml_attr_dropped.attr,
	&kml_attr_queued.attr,
	&kml_attr_promised.attr,
	&kml_attr_blocked_ns.attr,
	&kml_attr_stalls.attr,
	&kml_attr_wakeups.attr,
	&kml_attr_watchdog_trips.attr,
	NULL,
};

const struct attribute_group kml_samples_attr_group = {
	.attrs = kml_samples_attrs,
};

int kml_samples_init(void)
{
	struct kml_ring_box *box;

	mutex_init(&kml_s.lock);
	init_waitqueue_head(&kml_s.wait);
	init_irq_work(&kml_s.wake_work, kml_wake_fn);
	INIT_DELAYED_WORK(&kml_s.flush_work, kml_flush_fn);
	INIT_DELAYED_WORK(&kml_s.stall_work, kml_stall_fn);
	kml_s.mode = KML_MODE_DROPPING;
	kml_s.watchdog_ms = KML_WATCHDOG_MS_DEFAULT;
	kml_s.wake_batch = kml_wake_batch(KML_RING_SLOTS_DEFAULT);
	box = kml_box_alloc(KML_RING_SLOTS_DEFAULT);
	if (!box)
		return -ENOMEM;
	kml_box_set_ticket(box);
	RCU_INIT_POINTER(kml_s.box, box);
	return 0;
}

/* Called once no producer can run any more (scheduler and injector gone). */
void kml_samples_exit(void)
{
	cancel_delayed_work_sync(&kml_s.stall_work);
	cancel_delayed_work_sync(&kml_s.flush_work);
	irq_work_sync(&kml_s.wake_work);
	synchronize_rcu();
	kml_box_free(rcu_dereference_protected(kml_s.box, true));
	RCU_INIT_POINTER(kml_s.box, NULL);
}
