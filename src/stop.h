/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stop request for the command in progress: `cancel`, memory going
 * offline under it, or its task's fatal signal (Ctrl-C, kill).  The lab owns
 * one (src/lab.c); the region, the walker and compare check it at least
 * once per page table or per few thousand pages, and unwind with its errno.
 * A NULL stop (KUnit) never stops.
 */
#ifndef SHADOWMAP_STOP_H
#define SHADOWMAP_STOP_H

#include <linux/atomic.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

struct sm_stop {
	atomic_t err;			/* 0, or the errno to stop with */
	struct task_struct *owner;	/* whose fatal signal stops it */
};

/* Ask the command to stop with @err; the first request wins. */
static inline void sm_stop_request(struct sm_stop *s, int err)
{
	atomic_cmpxchg(&s->err, 0, err);
}

/* 0, or the errno to unwind with; call from the owner or a helper thread. */
static inline int sm_stop_check(struct sm_stop *s)
{
	if (!s)
		return 0;
	if (s->owner == current && fatal_signal_pending(current))
		sm_stop_request(s, -EINTR);
	return atomic_read(&s->err);
}

/* Resched, and check for a stop, every @every iterations of a long loop. */
static inline int sm_stop_point(struct sm_stop *s, unsigned long i,
				unsigned long every)
{
	if (i % every)
		return 0;
	cond_resched();
	return sm_stop_check(s);
}

#endif /* SHADOWMAP_STOP_H */
