// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's state and its lock.  A command (run, verify, free, reset: from
 * debugfs or from the module parameters at load) holds the lock from
 * sm_lab_begin() to sm_lab_end(); readers of the results and the memory
 * notifier take it too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/slab.h>

#include "lab.h"
#include "shadow.h"

struct sm_lab sm_lab = {
	.lock = __MUTEX_INITIALIZER(sm_lab.lock),
};

/* Take the lab for one command: -EBUSY when another holds it and !wait. */
int sm_lab_begin(bool wait)
{
	if (!wait)
		return mutex_trylock(&sm_lab.lock) ? 0 : -EBUSY;
	mutex_lock(&sm_lab.lock);
	return 0;
}

static void sm_lab_set_error(struct sm_lab *lab, int ret, const char *err)
{
	lockdep_assert_held(&lab->lock);
	lab->last_errno = ret;
	strscpy(lab->last_error, ret ? err : "", sizeof(lab->last_error));
}

/* Record the command's outcome (the last_error line of `last`), let go. */
void sm_lab_end(int ret, const char *err)
{
	sm_lab_set_error(&sm_lab, ret, err);
	mutex_unlock(&sm_lab.lock);
}

/* Free the kept shadow and release the area it maps. */
void sm_lab_free(void)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	sm_shadow_destroy(lab->shadow);
	lab->shadow = NULL;
	sm_area_release(lab->region, &lab->area);
}

void sm_lab_reset(void)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	sm_lab_free();
	memset(&lab->last, 0, sizeof(lab->last));
	lab->history_nr = 0;
	sm_lab_set_error(lab, 0, "");
}

/*
 * The memory notifier's MEM_GOING_OFFLINE (src/hotplug.c): wait for a run
 * in progress, and free a kept shadow that maps the range before the kernel
 * can remove the memory and free its live page tables.
 */
void sm_lab_going_offline(unsigned long pfn, unsigned long nr)
{
	struct sm_lab *lab = &sm_lab;
	const struct sm_region_ops *ops;

	mutex_lock(&lab->lock);
	ops = sm_region_ops(lab->region);
	if (lab->area.chunks && ops->offlinable &&
	    sm_area_overlaps(&lab->area, pfn, nr)) {
		pr_info("hotplug: memory going offline: freeing the kept shadow that maps it\n");
		sm_lab_free();
		sm_lab_set_error(lab, -ENODEV,
				 "the kept shadow was freed: its memory went offline");
	}
	mutex_unlock(&lab->lock);
}

void sm_lab_exit(void)
{
	struct sm_lab *lab = &sm_lab;

	mutex_lock(&lab->lock);
	sm_lab_free();
	kfree(lab->history);
	lab->history = NULL;
	mutex_unlock(&lab->lock);
}
