// SPDX-License-Identifier: GPL-2.0
/*
 * Runs: prepare the region, build the shadow `repeat` times (each build is
 * verified against the live tables and all but the last torn down), keep
 * the last shadow for `verify` and `ptdump`, and record the result.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "lab.h"
#include "shadow.h"
#include "walker.h"
#include "lookup.h"

#define SM_HW_SAMPLES		64

/* Check the live walker on sample pages of the first chunk (lookup.c). */
static void sm_verify_live(struct sm_result *r, const struct sm_area *area)
{
	const struct sm_chunk *c = &area->chunks[0];

	r->hw_checked = 0;
	r->hw_bad = 0;
	sm_check_live(c->va, c->nr_pages * PAGE_SIZE, SM_HW_SAMPLES,
		      &r->hw_checked, &r->hw_bad);
}

/* Build (and time) one shadow of the lab's area. */
static int sm_build(const struct sm_run_config *cfg, const struct sm_area *area,
		    struct sm_stats *st, struct sm_shadow **out)
{
	struct sm_shadow *sh;
	unsigned int i;
	u64 t0;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	t0 = ktime_get_ns();
	sh = sm_shadow_create(&cfg->walker, area->prot, st);
	if (!sh)
		return -ENOMEM;
	if (cfg->walker.threads > 1)
		ret = sm_shadow_map_threads(sh, area->chunks, area->nr_chunks,
					    cfg->walker.threads);
	else
		for (i = 0; i < area->nr_chunks && !ret; i++)
			ret = sm_shadow_map(sh, &area->chunks[i]);
	st->ns[SM_PHASE_BUILD] = ktime_get_ns() - t0;
	if (ret) {
		sm_shadow_destroy(sh);
		return ret;
	}
	/* threads>1: alloc and zero are CPU time summed over the threads */
	if (st->ns[SM_PHASE_BUILD] > st->ns[SM_PHASE_ALLOC] + st->ns[SM_PHASE_ZERO])
		st->ns[SM_PHASE_POPULATE] = st->ns[SM_PHASE_BUILD] -
			st->ns[SM_PHASE_ALLOC] - st->ns[SM_PHASE_ZERO];
	*out = sh;
	return 0;
}

/* Compare a shadow with the live tables over the area, timed. */
static u64 sm_verify(struct sm_shadow *sh, const struct sm_area *area,
		     struct sm_result *r)
{
	u64 t0 = ktime_get_ns();

	memset(&r->cmp, 0, sizeof(r->cmp));
	sm_compare_chunks(sm_shadow_pgd(sh), area->chunks, area->nr_chunks,
			  &r->cmp);
	return ktime_get_ns() - t0;
}

int sm_lab_run(const struct sm_run_config *cfg, char *err, size_t errlen)
{
	struct sm_lab *lab = &sm_lab;
	unsigned int n = cfg->repeat, i, p;
	struct sm_result *r = &lab->last;
	struct sm_stats *st, tmp;
	struct sm_shadow *sh;
	u64 *samples, t0;
	int ret;

	lockdep_assert_held(&lab->lock);
	sm_lab_free();
	samples = kcalloc(SM_PHASE_NR * n, sizeof(*samples), GFP_KERNEL);
	if (!samples) {
		sm_err("out of memory");
		ret = -ENOMEM;
		goto out_free_samples;
	}
	ret = sm_area_prepare(cfg, &lab->area, err, errlen);
	if (ret)
		goto out_free_samples;
	lab->region = cfg->region;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->stable = true;
	for (i = 0; i < n; i++) {
		st = i == n - 1 ? &lab->shadow_stats : &tmp;
		ret = sm_build(cfg, &lab->area, st, &sh);
		if (ret) {
			sm_err("building the shadow failed (%d): out of memory or overlapping chunks",
			       ret);
			goto out_release_area;
		}
		st->ns[SM_PHASE_VERIFY] = sm_verify(sh, &lab->area, r);
		if (!i)
			r->cnt = *st;
		else if (memcmp(r->cnt.cnt, st->cnt, sizeof(st->cnt)))
			r->stable = false;
		if (i < n - 1) {
			t0 = ktime_get_ns();
			sm_shadow_destroy(sh);
			st->ns[SM_PHASE_TEARDOWN] = ktime_get_ns() - t0;
		} else {
			lab->shadow = sh;
		}
		for (p = 0; p < SM_PHASE_NR; p++) {
			if (p == SM_PHASE_TEARDOWN && i == n - 1)
				continue;
			samples[p * n + r->samples[p]++] = st->ns[p];
		}
		cond_resched();
	}
	sm_result_summarise(r, samples, n);
	r->valid = true;
	r->seq = ++lab->seq;
	sm_result_finish(r, &lab->area);
	sm_verify_live(r, &lab->area);
	sm_lab_add_history(r);
	sm_result_log(r);
	kfree(samples);
	return 0;

out_release_area:
	sm_area_release(lab->region, &lab->area);
out_free_samples:
	kfree(samples);
	/* The kept shadow is gone: `last` must not still say pass. */
	memset(r, 0, sizeof(*r));
	return ret;
}

/* Compare the kept shadow with the live tables again. */
int sm_lab_verify(char *err, size_t errlen)
{
	struct sm_lab *lab = &sm_lab;
	struct sm_result *r = &lab->last;
	u64 ns;

	lockdep_assert_held(&lab->lock);
	if (!lab->shadow) {
		sm_err("verify: no shadow is kept; run first");
		return -ENOENT;
	}
	ns = sm_verify(lab->shadow, &lab->area, r);
	r->ns[SM_PHASE_VERIFY][0] = ns;
	r->ns[SM_PHASE_VERIFY][1] = ns;
	r->ns[SM_PHASE_VERIFY][2] = ns;
	r->samples[SM_PHASE_VERIFY] = 1;
	sm_result_verified(r, &lab->area);
	sm_verify_live(r, &lab->area);
	return 0;
}
