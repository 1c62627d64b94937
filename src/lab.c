// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's state and its two locks (see src/lab.h).  A command (run,
 * verify, free, reset, calibrate: from debugfs or from the module
 * parameters at load; and a ptdump read) holds the lab from sm_lab_begin() to sm_lab_end() and
 * checks lab->stop as it goes.  `cancel`, the memory notifier and the readers
 * never wait for a command: they take show_lock, held only to copy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "lab.h"
#include "shadow.h"

struct sm_lab sm_lab = {
	.lock = __MUTEX_INITIALIZER(sm_lab.lock),
	.show_lock = __MUTEX_INITIALIZER(sm_lab.show_lock),
};

int sm_lab_begin(const char *what, bool offlinable, bool wait, char *err,
		 size_t errlen)
{
	struct sm_lab *lab = &sm_lab;

	if (wait && mutex_lock_interruptible(&lab->lock)) {
		scnprintf(err, errlen, "interrupted while waiting for the lab");
		return -EINTR;
	}
	if (!wait && !mutex_trylock(&lab->lock)) {
		mutex_lock(&lab->show_lock);
		scnprintf(err, errlen,
			  "busy: %s holds the lab; write 'cancel' to stop it",
			  lab->holder[0] ? lab->holder : "another command");
		mutex_unlock(&lab->show_lock);
		return -EBUSY;
	}
	atomic_set(&lab->stop.err, 0);
	lab->stop.owner = current;
	mutex_lock(&lab->show_lock);
	scnprintf(lab->holder, sizeof(lab->holder), "%s (pid %d)", what,
		  task_pid_nr(current));
	/* A kept area counts: verify and ptdump walk it. */
	lab->holder_offlinable = offlinable ||
		(lab->area_ready && sm_region_ops(lab->region)->offlinable);
	lab->stop_why[0] = '\0';
	memset(&lab->progress, 0, sizeof(lab->progress));
	lab->progress.state = SM_STATE_STARTED;
	lab->progress.start_ns = ktime_get_ns();
	mutex_unlock(&lab->show_lock);
	return 0;
}

static void sm_lab_set_error(struct sm_lab *lab, int ret, const char *err)
{
	lockdep_assert_held(&lab->show_lock);
	lab->last_errno = ret;
	strscpy(lab->last_error, ret ? err : "", sizeof(lab->last_error));
}

static void sm_lab_let_go(bool record, int ret, const char *err)
{
	struct sm_lab *lab = &sm_lab;

	mutex_lock(&lab->show_lock);
	if (record)
		sm_lab_set_error(lab, ret, err);
	lab->holder[0] = '\0';
	lab->holder_offlinable = false;
	lab->progress.state = SM_STATE_IDLE;
	lab->kept = lab->shadow;
	mutex_unlock(&lab->show_lock);
	lab->stop.owner = NULL;
	mutex_unlock(&lab->lock);
}

/* Record the command's outcome (the last_error line of `last`), let go. */
void sm_lab_end(int ret, const char *err)
{
	sm_lab_let_go(true, ret, err);
}

/* The end of a read: last_error stays the last command's. */
void sm_lab_end_read(void)
{
	sm_lab_let_go(false, 0, NULL);
}

void sm_lab_refused(int ret, const char *err)
{
	struct sm_lab *lab = &sm_lab;

	mutex_lock(&lab->show_lock);
	sm_lab_set_error(lab, ret, err);
	mutex_unlock(&lab->show_lock);
}

/* Ask the command in progress to stop: -ESRCH when there is none. */
int sm_lab_cancel(char *err, size_t errlen)
{
	struct sm_lab *lab = &sm_lab;
	int ret = 0;

	mutex_lock(&lab->show_lock);
	if (lab->holder[0]) {
		scnprintf(lab->stop_why, sizeof(lab->stop_why),
			  "cancelled: 'cancel' was written to control; everything the command held is freed");
		sm_stop_request(&lab->stop, -ECANCELED);
	} else {
		scnprintf(err, errlen, "cancel: no command is running");
		ret = -ESRCH;
	}
	mutex_unlock(&lab->show_lock);
	return ret;
}

/* Why the command stopped, for its last_error, when @ret is a stop's. */
void sm_lab_stop_reason(int ret, char *err, size_t errlen)
{
	struct sm_lab *lab = &sm_lab;

	if (ret == -EINTR) {
		scnprintf(err, errlen,
			  "interrupted: a fatal signal (Ctrl-C, kill) stopped the command; everything it held is freed");
	} else if (ret == -ECANCELED) {
		mutex_lock(&lab->show_lock);
		scnprintf(err, errlen, "%s",
			  lab->stop_why[0] ? lab->stop_why : "cancelled");
		mutex_unlock(&lab->show_lock);
	}
}

/* Whether the memory notifier may read lab->area under show_lock. */
void sm_lab_set_area_ready(bool ready)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	mutex_lock(&lab->show_lock);
	lab->area_ready = ready;
	if (ready)
		lab->holder_offlinable = sm_region_ops(lab->region)->offlinable;
	mutex_unlock(&lab->show_lock);
}

/* Free the kept shadow and release the area it maps. */
void sm_lab_free(void)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	sm_lab_set_area_ready(false);
	sm_shadow_destroy(lab->shadow);
	lab->shadow = NULL;
	sm_area_release(lab->region, &lab->area);
}

void sm_lab_reset(void)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	sm_lab_free();
	mutex_lock(&lab->show_lock);
	memset(&lab->last, 0, sizeof(lab->last));
	memset(lab->figs, 0, sizeof(lab->figs));
	lab->history_nr = 0;
	mutex_unlock(&lab->show_lock);
}

/*
 * The memory notifier's MEM_GOING_OFFLINE (src/hotplug.c), under the
 * kernel's hotplug locks.  A command that maps memory that can go offline
 * and may use the range is stopped, and waited for: it stops at its next
 * table.  Any other command is not waited for.  Then a kept shadow that maps
 * the range is freed, before the kernel can remove the memory and free its
 * live page tables.
 */
void sm_lab_going_offline(unsigned long pfn, unsigned long nr)
{
	struct sm_lab *lab = &sm_lab;
	bool uses;

	if (!mutex_trylock(&lab->lock)) {
		mutex_lock(&lab->show_lock);
		/* A run still preparing its area may pick the range. */
		uses = lab->holder_offlinable &&
		       (!lab->area_ready ||
			sm_area_overlaps(&lab->area, pfn, nr));
		if (uses) {
			scnprintf(lab->stop_why, sizeof(lab->stop_why),
				  "cancelled: memory it maps (%lu MiB at pfn %#lx) is going offline",
				  nr >> (20 - PAGE_SHIFT), pfn);
			sm_stop_request(&lab->stop, -ECANCELED);
		}
		mutex_unlock(&lab->show_lock);
		if (!uses)
			return;
		mutex_lock(&lab->lock);
	}
	if (lab->area.chunks && sm_region_ops(lab->region)->offlinable &&
	    sm_area_overlaps(&lab->area, pfn, nr)) {
		pr_info("hotplug: memory going offline: freeing the kept shadow that maps it\n");
		sm_lab_free();
		mutex_lock(&lab->show_lock);
		lab->kept = false;
		sm_lab_set_error(lab, -ENODEV,
				 "the kept shadow was freed: its memory went offline");
		mutex_unlock(&lab->show_lock);
	}
	mutex_unlock(&lab->lock);
}

int sm_lab_calibrate(unsigned int samples, enum sm_cal_origin origin,
		     char *err, size_t errlen)
{
	struct sm_lab *lab = &sm_lab;
	int ret;

	lockdep_assert_held(&lab->lock);
	sm_lab_progress_state(SM_STATE_CALIBRATE, 0);
	ret = sm_calibrate(&lab->stop, samples, origin, err, errlen);
	if (ret == -EINTR || ret == -ECANCELED)
		sm_lab_stop_reason(ret, err, errlen);
	return ret;
}

void sm_lab_progress_state(enum sm_progress_state state, unsigned int build)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	if (state == SM_STATE_BUILD)
		atomic_long_set(&lab->tables_made, 0);
	if (state == SM_STATE_REPAINT)
		atomic_long_set(&lab->repainted, 0);
	mutex_lock(&lab->show_lock);
	lab->progress.state = state;
	if (build)
		lab->progress.build = build;
	mutex_unlock(&lab->show_lock);
}

void sm_lab_progress_run(const struct sm_run_config *cfg)
{
	struct sm_lab *lab = &sm_lab;
	struct sm_progress *p = &lab->progress;

	lockdep_assert_held(&lab->lock);
	mutex_lock(&lab->show_lock);
	p->run = true;
	p->region = cfg->region;
	p->builds = cfg->repeat;
	sm_format_walker(&cfg->walker, p->walker, sizeof(p->walker));
	mutex_unlock(&lab->show_lock);
}

void sm_lab_progress_expect(u64 tables)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	mutex_lock(&lab->show_lock);
	lab->progress.tables_expected = tables;
	mutex_unlock(&lab->show_lock);
}

void sm_lab_progress_repaint(u64 units)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	mutex_lock(&lab->show_lock);
	lab->progress.units = units;
	mutex_unlock(&lab->show_lock);
}

void sm_lab_exit(void)
{
	struct sm_lab *lab = &sm_lab;

	mutex_lock(&lab->lock);
	sm_lab_free();
	mutex_lock(&lab->show_lock);
	kfree(lab->history);
	lab->history = NULL;
	mutex_unlock(&lab->show_lock);
	mutex_unlock(&lab->lock);
}
