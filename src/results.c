// SPDX-License-Identifier: GPL-2.0
/*
 * Results: what a run measured, summarised (min/median/max per phase), the
 * region's geometry for the host's counter formulas, the history, and the
 * `last`, `history` and `ptdump` files' text.  No kernel addresses: a
 * mismatch is located as chunk and offset.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/utsname.h>

#include "lab.h"
#include "shadow.h"
#include "fixmap.h"
#include "ptdump.h"
#include "compat.h"
#include "model.h"

static int sm_u64_cmp(const void *a, const void *b)
{
	const u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static void sm_summarise(u64 *s, unsigned int n, u64 out[3])
{
	if (!n)
		return;
	sort(s, n, sizeof(*s), sm_u64_cmp, NULL);
	out[0] = s[0];
	out[1] = n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	out[2] = s[n - 1];
}

/* @samples holds each phase's r->samples[p] samples at p * n. */
void sm_result_summarise(struct sm_result *r, u64 *samples, unsigned int n)
{
	unsigned int p;

	for (p = 0; p < SM_PHASE_NR; p++)
		sm_summarise(samples + p * n, r->samples[p], r->ns[p]);
}

/* Where the first mismatch is, as chunk and offset. */
void sm_result_verified(struct sm_result *r, const struct sm_area *area)
{
	const struct sm_chunk *c;
	unsigned int i;

	for (i = 0; i < area->nr_chunks; i++) {
		c = &area->chunks[i];
		if (r->cmp.bad_va >= c->va &&
		    r->cmp.bad_va - c->va < c->nr_pages * PAGE_SIZE) {
			r->bad_chunk = i;
			r->bad_offset = r->cmp.bad_va - c->va;
			break;
		}
	}
}

/* Aligned blocks of @size that [va, va + len) touches. */
static u64 sm_blocks_touched(unsigned long va, unsigned long len,
			     unsigned long size)
{
	return (va + len - 1) / size - va / size + 1;
}

/*
 * The region's geometry, for the counter formulas of docs/counters.md: the 6.1
 * walker remaps once per CONT_PTE and per CONT_PMD block it touches.  These
 * are counts, not addresses, so they may be shown.
 */
static void sm_count_spans(struct sm_result *r, const struct sm_area *area)
{
	unsigned int i;

	r->cont_pte_blocks = 0;
	r->cont_pmd_blocks = 0;
	for (i = 0; i < area->nr_chunks; i++) {
		const struct sm_chunk *ch = &area->chunks[i];
		unsigned long len = ch->nr_pages << PAGE_SHIFT;

		r->cont_pte_blocks += sm_blocks_touched(ch->va, len,
							CONT_PTE_SIZE);
		r->cont_pmd_blocks += sm_blocks_touched(ch->va, len,
							CONT_PMD_SIZE);
	}
}

/* The run is over: describe its walker and region. */
/*
 * The model's prediction from the first build's counters.  threads>1 split
 * the same work over at most one CPU each, so the wall time shrinks by that
 * many at best: the prediction assumes the best.
 */
static void sm_result_predict(struct sm_result *r, const struct sm_area *area)
{
	unsigned int ways = min(r->cfg.walker.threads, num_online_cpus());
	/* a region's pfns come from a list in every chunk or in none */
	bool listed = area->nr_chunks && area->chunks[0].pfns;
	struct sm_costs costs;
	int p;

	r->predicted = sm_costs_get(&costs);
	if (!r->predicted)
		return;
	sm_model_predict(&costs, &r->cfg.walker, &r->cnt, listed, &r->pred);
	for (p = 0; p <= SM_PHASE_BUILD; p++)
		r->pred.ns[p] /= max(ways, 1U);
}

void sm_result_finish(struct sm_result *r, const struct sm_area *area)
{
	sm_result_predict(r, area);
	sm_format_walker(&r->cfg.walker, r->walker, sizeof(r->walker));
	strscpy(r->note, area->note, sizeof(r->note));
	r->bytes = area->bytes;
	r->largest = area->largest;
	r->chunks = area->nr_chunks;
	r->live_tables_had = area->live_tables_had;
	sm_count_spans(r, area);
	sm_result_verified(r, area);
}

static u64 sm_tables(const struct sm_stats *st)
{
	return st->cnt[SM_CNT_TABLE_BYTES] >> PAGE_SHIFT;
}

void sm_result_log(const struct sm_result *r)
{
	if (r->repaint) {
		pr_info("%s seq=%s of %s %s: %llu units in %llu ns, tables %llu made %llu freed, table memory %llu -> %llu KiB, tlbi %llu, dsb %llu, isb %llu, verify %s (%lu pages)\n",
			sm_repaint_op_names[r->rp.op],
			sm_repaint_seq_names[r->rp.seq],
			sm_region_names[r->cfg.region], r->walker,
			r->rp_out.units, r->ns[SM_PHASE_REPAINT][1],
			sm_stats_tables(&r->cnt),
			r->cnt.cnt[SM_CNT_TABLES_FREED],
			r->table_bytes_before >> 10, r->table_bytes_after >> 10,
			r->cnt.cnt[SM_CNT_TLBI], r->cnt.cnt[SM_CNT_DSB],
			r->cnt.cnt[SM_CNT_ISB],
			r->cmp.mismatches ? "FAILED" : "passed", r->cmp.pages);
		return;
	}
	pr_info("%s %s: build %llu/%llu/%llu ns (min/median/max of %u), tables %llu, remaps %llu, tlbi %llu, dsb %llu, isb %llu, verify %s (%lu pages)\n",
		sm_region_names[r->cfg.region], r->walker,
		r->ns[SM_PHASE_BUILD][0], r->ns[SM_PHASE_BUILD][1],
		r->ns[SM_PHASE_BUILD][2], r->cfg.repeat, sm_tables(&r->cnt),
		r->cnt.cnt[SM_CNT_REMAP_MAP], r->cnt.cnt[SM_CNT_TLBI],
		r->cnt.cnt[SM_CNT_DSB], r->cnt.cnt[SM_CNT_ISB],
		r->cmp.mismatches ? "FAILED" : "passed", r->cmp.pages);
}

static void sm_lab_add_history(struct sm_lab *lab, const struct sm_result *r)
{
	char *line;

	lockdep_assert_held(&lab->show_lock);
	if (!lab->history)
		lab->history = kcalloc(SM_HISTORY, SM_HISTORY_LEN, GFP_KERNEL);
	if (!lab->history)
		return;
	line = lab->history[lab->history_nr++ % SM_HISTORY];
	if (r->repaint) {
		scnprintf(line, SM_HISTORY_LEN,
			  "seq=%u command=%s sequence=%s region=%s size=%lluK walker=%s verify=%s pages=%lu units=%llu tables=%llu tables_freed=%llu tlbi=%llu dsb=%llu isb=%llu table_bytes_before=%llu table_bytes_after=%llu repaint_ns=%llu",
			  r->seq, sm_repaint_op_names[r->rp.op],
			  sm_repaint_seq_names[r->rp.seq],
			  sm_region_names[r->cfg.region], r->bytes >> 10,
			  r->walker, r->cmp.mismatches ? "FAIL" : "pass",
			  r->cmp.pages, r->rp_out.units,
			  sm_stats_tables(&r->cnt),
			  r->cnt.cnt[SM_CNT_TABLES_FREED],
			  r->cnt.cnt[SM_CNT_TLBI], r->cnt.cnt[SM_CNT_DSB],
			  r->cnt.cnt[SM_CNT_ISB], r->table_bytes_before,
			  r->table_bytes_after, r->ns[SM_PHASE_REPAINT][1]);
		return;
	}
	scnprintf(line, SM_HISTORY_LEN,
		  "seq=%u region=%s size=%lluK walker=%s repeat=%u verify=%s pages=%lu tables=%llu remaps=%llu tlbi=%llu dsb=%llu isb=%llu build_ns_median=%llu teardown_ns_median=%llu",
		  r->seq, sm_region_names[r->cfg.region], r->bytes >> 10,
		  r->walker, r->cfg.repeat,
		  r->cmp.mismatches ? "FAIL" : "pass", r->cmp.pages,
		  sm_tables(&r->cnt), r->cnt.cnt[SM_CNT_REMAP_MAP],
		  r->cnt.cnt[SM_CNT_TLBI], r->cnt.cnt[SM_CNT_DSB],
		  r->cnt.cnt[SM_CNT_ISB], r->ns[SM_PHASE_BUILD][1],
		  r->ns[SM_PHASE_TEARDOWN][1]);
}

/* What readers see from now on: @r as the last result, or none (NULL). */
void sm_lab_publish(const struct sm_result *r, bool add_history)
{
	struct sm_lab *lab = &sm_lab;

	lockdep_assert_held(&lab->lock);
	mutex_lock(&lab->show_lock);
	if (r)
		lab->last = *r;
	else
		memset(&lab->last, 0, sizeof(lab->last));
	if (r && add_history)
		sm_lab_add_history(lab, r);
	lab->kept = lab->shadow;
	mutex_unlock(&lab->show_lock);
}

/* A repaint's result, and its table memory for predict's tables line. */
void sm_lab_publish_repaint(const struct sm_result *r,
			    const struct sm_repaint_fig *fig)
{
	struct sm_lab *lab = &sm_lab;

	sm_lab_publish(r, true);
	mutex_lock(&lab->show_lock);
	lab->figs[r->rp.op] = *fig;
	mutex_unlock(&lab->show_lock);
}

/* The last verified @op's table memory: false when there was none. */
bool sm_lab_repaint_fig(enum sm_repaint_op op, struct sm_repaint_fig *f)
{
	struct sm_lab *lab = &sm_lab;

	mutex_lock(&lab->show_lock);
	*f = lab->figs[op];
	mutex_unlock(&lab->show_lock);
	return f->valid;
}

static int sm_levels(void)
{
	return 2 + sm_p4d_present() + sm_pud_present() + sm_pmd_present();
}

static void sm_show_result(struct seq_file *m, const struct sm_result *r,
			   bool kept)
{
	const struct sm_run_config *c = &r->cfg;
	int i;

	seq_printf(m, "status: %s\n", r->cmp.mismatches || r->hw_bad ?
		   "fail" : "pass");
	seq_printf(m, "seq: %u\n", r->seq);
	seq_printf(m, "command: %s\n",
		   r->repaint ? sm_repaint_op_names[r->rp.op] : "run");
	if (r->repaint) {
		/* the counters and times below are the repaint's */
		seq_printf(m, "repaint_seq: %s\n",
			   sm_repaint_seq_names[r->rp.seq]);
		seq_printf(m, "repaint_units: %llu\n", r->rp_out.units);
		seq_printf(m, "repaint_unmapped_ns: %llu\n",
			   r->rp_out.unmapped_ns);
		seq_printf(m, "table_bytes_before: %llu\n",
			   r->table_bytes_before);
		seq_printf(m, "table_bytes_after: %llu\n",
			   r->table_bytes_after);
		seq_printf(m, "table_bytes_saved_by_blocks: %llu\n",
			   r->rp.op == SM_REPAINT_SPLIT ?
			   r->table_bytes_after - r->table_bytes_before :
			   r->table_bytes_before - r->table_bytes_after);
	}
	seq_printf(m, "region: %s\n", sm_region_names[c->region]);
	seq_printf(m, "size_requested: %llu\n", c->size);
	seq_printf(m, "size_mapped: %llu\n", r->bytes);
	seq_printf(m, "chunks: %u\n", r->chunks);
	seq_printf(m, "largest_chunk: %llu\n", r->largest);
	seq_printf(m, "span_cont_pte_blocks: %llu\n", r->cont_pte_blocks);
	seq_printf(m, "span_cont_pmd_blocks: %llu\n", r->cont_pmd_blocks);
	seq_printf(m, "region_note: %s\n", r->note);
	if (c->region == SM_REGION_HOTPLUG && r->live_tables_had >= 0)
		seq_printf(m, "live_tables_had: %ld\n", r->live_tables_had);
	seq_printf(m, "walker: %s\n", r->walker);
	for (i = 0; i < SM_AXIS_NR; i++)
		seq_printf(m, "%s: %s\n", sm_axes[i].key,
			   sm_axes[i].names[sm_walker_axis(&c->walker, i)]);
	seq_printf(m, "threads: %u\n", c->walker.threads);
	seq_printf(m, "lazy_ring: %d\n", SM_LAZY_SLOTS);
	seq_printf(m, "repeat: %u\n", c->repeat);
	seq_printf(m, "counters_stable: %s\n", r->stable ? "yes" : "no");
	for (i = 0; i < SM_CNT_NR; i++)
		seq_printf(m, "%s: %llu\n", sm_counter_names[i], r->cnt.cnt[i]);
	for (i = 0; i < SM_PHASE_NR; i++) {
		seq_printf(m, "%s_samples: %u\n", sm_phase_names[i],
			   r->samples[i]);
		seq_printf(m, "%s_ns_min: %llu\n", sm_phase_names[i],
			   r->ns[i][0]);
		seq_printf(m, "%s_ns_median: %llu\n", sm_phase_names[i],
			   r->ns[i][1]);
		seq_printf(m, "%s_ns_max: %llu\n", sm_phase_names[i],
			   r->ns[i][2]);
	}
	/* counts x this machine's costs (src/model.c), beside the medians */
	for (i = 0; i <= SM_PHASE_BUILD && !r->repaint; i++) {
		if (r->predicted)
			seq_printf(m, "predicted_%s_ns: %llu\n", sm_phase_names[i],
				   r->pred.ns[i]);
		else
			seq_printf(m, "predicted_%s_ns: none (not calibrated)\n",
				   sm_phase_names[i]);
	}
	seq_printf(m, "verify_pages: %lu\n", r->cmp.pages);
	seq_printf(m, "verify_mismatches: %lu\n", r->cmp.mismatches);
	seq_printf(m, "verify_changed_since_run: %lu\n", r->cmp.changed);
	seq_printf(m, "verify_percent: %lu\n", r->cmp.pages ?
		   (r->cmp.pages - r->cmp.mismatches) * 100 / r->cmp.pages : 0);
	if (r->cmp.mismatches) {
		seq_printf(m, "verify_first_mismatch: chunk=%lu offset=0x%lx field=%s\n",
			   r->bad_chunk, r->bad_offset, r->cmp.why);
		seq_printf(m, "verify_shadow_leaf: level=%d attrs=0x%llx\n",
			   r->cmp.shadow.level,
			   r->cmp.shadow.desc & ~(u64)PTE_ADDR_LOW);
		seq_printf(m, "verify_live_leaf: level=%d attrs=0x%llx\n",
			   r->cmp.live.level,
			   r->cmp.live.desc & ~(u64)PTE_ADDR_LOW);
	}
	seq_printf(m, "live_checked: %lu\n", r->hw_checked);
	seq_printf(m, "live_mismatches: %lu\n", r->hw_bad);
	seq_printf(m, "kept: %s\n", kept ? "yes" : "no");
}

int sm_lab_show_last(struct seq_file *m)
{
	struct sm_lab *lab = &sm_lab;

	if (mutex_lock_interruptible(&lab->show_lock))
		return -EINTR;
	seq_printf(m, "last_error: %s\n",
		   lab->last_error[0] ? lab->last_error : "none");
	seq_printf(m, "last_errno: %d\n", lab->last_errno);
	seq_printf(m, "running: %s\n", lab->holder[0] ? lab->holder : "none");
	/* Table pages of every shadow that exists: 0 after free, or a leak. */
	seq_printf(m, "pages_held: %ld\n", sm_pages_held());
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "page_size: %lu\n", PAGE_SIZE);
	seq_printf(m, "levels: %d\n", sm_levels());
	if (lab->last.valid)
		sm_show_result(m, &lab->last, lab->kept);
	else
		seq_puts(m, "status: no run\n");
	mutex_unlock(&lab->show_lock);
	return 0;
}

static const char * const sm_state_names[] = {
	[SM_STATE_IDLE] = "idle",
	[SM_STATE_STARTED] = "started",
	[SM_STATE_CALIBRATE] = "calibrate",
	[SM_STATE_PREPARE] = "prepare",
	[SM_STATE_BUILD] = "build",
	[SM_STATE_VERIFY] = "verify",
	[SM_STATE_TEARDOWN] = "teardown",
	[SM_STATE_REPAINT] = "repaint",
};

static_assert(ARRAY_SIZE(sm_state_names) == SM_STATE_NR);

/*
 * What the command in progress is doing.  The tables made are read while
 * the build makes them: a count that is at most one behind.
 */
int sm_lab_show_progress(struct seq_file *m)
{
	struct sm_lab *lab = &sm_lab;
	const struct sm_progress *p = &lab->progress;

	if (mutex_lock_interruptible(&lab->show_lock))
		return -EINTR;
	seq_printf(m, "state: %s\n", sm_state_names[p->state]);
	if (p->state == SM_STATE_IDLE)
		goto out_unlock;
	seq_printf(m, "command: %s\n", lab->holder);
	seq_printf(m, "elapsed_ms: %llu\n",
		   div_u64(ktime_get_ns() - p->start_ns, NSEC_PER_MSEC));
	if (p->state == SM_STATE_REPAINT)
		seq_printf(m, "units: %ld/%llu\n",
			   atomic_long_read(&lab->repainted), p->units);
	if (!p->run)
		goto out_unlock;
	seq_printf(m, "region: %s\n", sm_region_names[p->region]);
	seq_printf(m, "walker: %s\n", p->walker);
	seq_printf(m, "repeat: %u/%u\n", p->build, p->builds);
	seq_printf(m, "tables: %ld/", p->state == SM_STATE_BUILD ?
		   atomic_long_read(&lab->tables_made) : 0L);
	if (p->tables_expected)
		seq_printf(m, "%llu\n", p->tables_expected);
	else
		seq_puts(m, "unknown\n");
out_unlock:
	mutex_unlock(&lab->show_lock);
	return 0;
}

int sm_lab_show_history(struct seq_file *m)
{
	struct sm_lab *lab = &sm_lab;
	unsigned int i, first;

	if (mutex_lock_interruptible(&lab->show_lock))
		return -EINTR;
	first = lab->history_nr > SM_HISTORY ? lab->history_nr - SM_HISTORY : 0;
	for (i = first; i < lab->history_nr; i++)
		seq_printf(m, "%s\n", lab->history[i % SM_HISTORY]);
	mutex_unlock(&lab->show_lock);
	return 0;
}

/* A ptdump read is a command: it walks the kept shadow. */
int sm_lab_show_ptdump(struct seq_file *m)
{
	struct sm_lab *lab = &sm_lab;
	char err[SM_ERR_LEN] = "";
	int ret;

	ret = sm_lab_begin("ptdump read", false, true, err, sizeof(err));
	if (ret)
		return ret;
	if (lab->shadow)
		ret = sm_ptdump(m, sm_shadow_pgd(lab->shadow), lab->area.chunks,
				lab->area.nr_chunks, &lab->stop);
	else
		seq_puts(m, "no shadow is kept\n");
	sm_lab_end_read();
	return ret;
}
