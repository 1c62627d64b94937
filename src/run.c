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
#include "calibrate.h"
#include "countwalk.h"

#define SM_HW_SAMPLES		64
/*
 * Up to this many extents (32 bytes each), the count walk gives `progress`
 * the tables a build makes before the first build; past it, that build.
 */
#define SM_PROGRESS_EXTENTS	65536

/* The tables each build of @area makes, by the count walk; 0: not known. */
static u64 sm_expect_tables(const struct sm_run_config *cfg,
			    const struct sm_area *area)
{
	struct sm_stats *st;
	struct sm_geom g;
	u64 n = 0;

	if (sm_geom_runs(area->chunks, area->nr_chunks) > SM_PROGRESS_EXTENTS)
		return 0;
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return 0;
	if (!sm_geom_from_chunks(area->chunks, area->nr_chunks, &g)) {
		if (!sm_count_walk(&cfg->walker, sm_walker_flags(&cfg->walker),
				   g.ext, g.nr, st))
			n = sm_stats_tables(st);
		sm_geom_free(&g);
	}
	kfree(st);
	return n;
}

/* Check the live walker on sample pages of the first chunk (lookup.c). */
static void sm_verify_live(struct sm_result *r, const struct sm_area *area)
{
	const struct sm_chunk *c = &area->chunks[0];

	r->hw_checked = 0;
	r->hw_bad = 0;
	sm_check_live(c->va, c->nr_pages * PAGE_SIZE, SM_HW_SAMPLES,
		      r->cmp.linear_may_change, &r->hw_checked, &r->hw_bad);
}

/* Build (and time) one shadow of the lab's area. */
static int sm_build(const struct sm_run_config *cfg, const struct sm_area *area,
		    struct sm_stats *st, struct sm_stop *stop,
		    struct sm_shadow **out)
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
	sh->stop = stop;
	/* the top level is made already */
	atomic_long_set(&sm_lab.tables_made, 1);
	sh->made = &sm_lab.tables_made;
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
static int sm_verify(struct sm_shadow *sh, const struct sm_area *area,
		     struct sm_result *r, struct sm_stop *stop, u64 *ns)
{
	u64 t0 = ktime_get_ns();
	int ret;

	memset(&r->cmp, 0, sizeof(r->cmp));
	/* ram, hotplug: the kernel's own linear map, which it may change */
	r->cmp.linear_may_change =
		sm_region_ops(r->cfg.region)->offlinable;
	ret = sm_compare_chunks(sm_shadow_pgd(sh), area->chunks,
				area->nr_chunks, &r->cmp, stop);
	*ns = ktime_get_ns() - t0;
	return ret == -EFAULT ? 0 : ret;
}

/* What a command that failed with @ret says, when nobody said yet. */
static void sm_run_failed(int ret, char *err, size_t errlen)
{
	if (ret == -EINTR || ret == -ECANCELED)
		sm_lab_stop_reason(ret, err, errlen);
	else if (!err[0] && ret == -ENOMEM)
		sm_err("out of memory building the shadow; everything is freed");
	else if (!err[0])
		sm_err("building the shadow failed (%d): overlapping chunks",
		       ret);
}

int sm_lab_run(const struct sm_run_config *cfg, char *err, size_t errlen)
{
	struct sm_lab *lab = &sm_lab;
	unsigned int n = cfg->repeat, i, p;
	struct sm_stats *st, tmp;
	struct sm_costs costs;
	struct sm_shadow *sh;
	struct sm_result *r;
	u64 *samples, t0;
	int ret;

	lockdep_assert_held(&lab->lock);
	/* What the region refuses anyway leaves the kept shadow alone. */
	ret = sm_area_check(cfg, err, errlen);
	if (ret)
		return ret;
	sm_lab_free();
	sm_lab_progress_run(cfg);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	samples = kvcalloc(SM_PHASE_NR * n, sizeof(*samples), GFP_KERNEL);
	if (!samples || !r) {
		ret = -ENOMEM;
		goto out_free_samples;
	}
	/*
	 * The first run calibrates, so that every `last` has its prediction
	 * from costs measured in this boot.  Without costs (no memory for the
	 * calibration) the run goes on unpredicted; a stop stops it.
	 */
	if (!sm_costs_get(&costs)) {
		ret = sm_lab_calibrate(0, SM_CAL_ON_DEMAND, err, errlen);
		if (ret == -EINTR || ret == -ECANCELED)
			goto out_free_samples;
		err[0] = '\0';
	}
	sm_lab_progress_state(SM_STATE_PREPARE, 0);
	ret = sm_area_prepare(cfg, &lab->area, &lab->stop, err, errlen);
	if (ret)
		goto out_free_samples;
	lab->region = cfg->region;
	sm_lab_set_area_ready(true);
	sm_lab_progress_expect(sm_expect_tables(cfg, &lab->area));

	r->cfg = *cfg;
	r->stable = true;
	for (i = 0; i < n; i++) {
		st = i == n - 1 ? &lab->shadow_stats : &tmp;
		sm_lab_progress_state(SM_STATE_BUILD, i + 1);
		ret = sm_build(cfg, &lab->area, st, &lab->stop, &sh);
		if (ret)
			goto out_release_area;
		sm_lab_progress_state(SM_STATE_VERIFY, 0);
		ret = sm_verify(sh, &lab->area, r, &lab->stop,
				&st->ns[SM_PHASE_VERIFY]);
		if (ret) {
			sm_shadow_destroy(sh);
			goto out_release_area;
		}
		if (!i) {
			r->cnt = *st;
			sm_lab_progress_expect(sm_stats_tables(st));
		} else if (memcmp(r->cnt.cnt, st->cnt, sizeof(st->cnt))) {
			r->stable = false;
		}
		if (i < n - 1) {
			sm_lab_progress_state(SM_STATE_TEARDOWN, 0);
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
	sm_lab_publish(r, true);
	sm_result_log(r);
	kvfree(samples);
	kfree(r);
	return 0;

out_release_area:
	sm_lab_set_area_ready(false);
	sm_area_release(lab->region, &lab->area);
out_free_samples:
	kvfree(samples);
	kfree(r);
	sm_run_failed(ret, err, errlen);
	/* The kept shadow is gone: `last` must not still say pass. */
	sm_lab_publish(NULL, false);
	return ret;
}

/* A copy of the published last result, for verify or a repaint to amend. */
static struct sm_result *sm_lab_last_dup(struct sm_lab *lab)
{
	struct sm_result *r = kmalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return NULL;
	mutex_lock(&lab->show_lock);
	*r = lab->last;
	mutex_unlock(&lab->show_lock);
	return r;
}

/* A phase measured once: its min, median and max are all @ns. */
static void sm_result_one_sample(struct sm_result *r, enum sm_phase phase,
				 u64 ns)
{
	r->ns[phase][0] = ns;
	r->ns[phase][1] = ns;
	r->ns[phase][2] = ns;
	r->samples[phase] = 1;
}

/* Compare the kept shadow with the live tables again. */
int sm_lab_verify(char *err, size_t errlen)
{
	struct sm_lab *lab = &sm_lab;
	struct sm_result *r;
	u64 ns;
	int ret;

	lockdep_assert_held(&lab->lock);
	if (!lab->shadow) {
		sm_err("verify: no shadow is kept; run first");
		return -ENOENT;
	}
	r = sm_lab_last_dup(lab);
	if (!r)
		return -ENOMEM;
	sm_lab_progress_state(SM_STATE_VERIFY, 0);
	ret = sm_verify(lab->shadow, &lab->area, r, &lab->stop, &ns);
	if (ret) {
		/* A stopped verify leaves the last result as it was. */
		sm_run_failed(ret, err, errlen);
		kfree(r);
		return ret;
	}
	sm_result_one_sample(r, SM_PHASE_VERIFY, ns);
	sm_result_verified(r, &lab->area);
	sm_verify_live(r, &lab->area);
	sm_lab_publish(r, false);
	kfree(r);
	return 0;
}

/* Why a stopped or failed repaint stopped; the shadow stays consistent. */
static void sm_repaint_failed(const struct sm_repaint_args *a, int ret,
			      u64 done, u64 units, char *err, size_t errlen)
{
	const char *op = sm_repaint_op_names[a->op];

	if (ret == -ECANCELED)
		sm_err("%s cancelled after %llu of %llu units; the kept shadow is consistent (verify checks it)",
		       op, done, units);
	else if (ret == -EINTR)
		sm_err("%s interrupted by a fatal signal after %llu of %llu units; the kept shadow is consistent",
		       op, done, units);
	else if (ret == -ENOMEM)
		sm_err("%s: out of memory after %llu of %llu units; the kept shadow is consistent",
		       op, done, units);
	else
		sm_err("%s failed (%d)", op, ret);
}

/*
 * split or collapse the kept shadow (src/repaint.c), then verify every page
 * of it against the live tables, and publish both as the last result.
 */
int sm_lab_repaint(const struct sm_repaint_args *a, char *err, size_t errlen)
{
	const char *op = sm_repaint_op_names[a->op];
	struct sm_lab *lab = &sm_lab;
	struct sm_repaint_fig fig;
	struct sm_result *r;
	u64 units, ns;
	int ret;

	lockdep_assert_held(&lab->lock);
	if (!lab->shadow) {
		sm_err("%s: no shadow is kept; run first (e.g. run region=contig walker=bbml2)",
		       op);
		return -ENOENT;
	}
	units = sm_repaint_units(lab->shadow, lab->area.chunks,
				 lab->area.nr_chunks, a->op);
	if (!units) {
		if (a->op == SM_REPAINT_SPLIT)
			sm_err("split: the kept shadow has no blocks to split (leaf=pte, or nothing block-aligned)");
		else
			sm_err("collapse: no PTE table of the kept shadow maps one aligned contiguous block");
		return -ENODATA;
	}
	r = sm_lab_last_dup(lab);
	if (!r)
		return -ENOMEM;
	memset(&r->cnt, 0, sizeof(r->cnt));
	memset(r->ns, 0, sizeof(r->ns));
	memset(r->samples, 0, sizeof(r->samples));
	r->repaint = true;
	r->rp = *a;
	r->predicted = false;
	r->stable = true;
	r->table_bytes_before = sm_shadow_tables(lab->shadow) * PAGE_SIZE;

	sm_lab_progress_repaint(units);
	sm_lab_progress_state(SM_STATE_REPAINT, 0);
	ret = sm_repaint(lab->shadow, lab->area.chunks, lab->area.nr_chunks,
			 a, &r->cnt, &lab->stop, &lab->repainted, &r->rp_out);
	if (ret) {
		sm_repaint_failed(a, ret, r->rp_out.units, units, err, errlen);
		kfree(r);
		return ret;
	}
	r->table_bytes_after = r->cnt.cnt[SM_CNT_TABLE_BYTES];
	sm_lab_progress_state(SM_STATE_VERIFY, 0);
	ret = sm_verify(lab->shadow, &lab->area, r, &lab->stop, &ns);
	if (ret) {
		/* the repaint is done; only its verify stopped */
		if (ret == -ECANCELED || ret == -EINTR)
			sm_err("%s done (%llu units), then its verify was %s; the kept shadow is consistent (verify checks it)",
			       op, units,
			       ret == -EINTR ? "interrupted" : "cancelled");
		else
			sm_run_failed(ret, err, errlen);
		kfree(r);
		return ret;
	}
	r->cnt.ns[SM_PHASE_VERIFY] = ns;
	sm_result_one_sample(r, SM_PHASE_REPAINT, r->cnt.ns[SM_PHASE_REPAINT]);
	sm_result_one_sample(r, SM_PHASE_VERIFY, ns);
	r->seq = ++lab->seq;
	sm_result_verified(r, &lab->area);
	sm_verify_live(r, &lab->area);
	fig.valid = !r->cmp.mismatches;
	fig.bytes = r->bytes;
	fig.table_bytes_before = r->table_bytes_before;
	fig.table_bytes_after = r->table_bytes_after;
	sm_lab_publish_repaint(r, &fig);
	sm_result_log(r);
	kfree(r);
	return 0;
}
