// SPDX-License-Identifier: GPL-2.0
/*
 * Runs: prepare the region, build the shadow `repeat` times (each build is
 * verified against the live tables and all but the last torn down), keep
 * the last shadow for `verify` and `ptdump`, and record the results.
 * Everything here runs under sm_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>

#include "shadowmap.h"
#include "region.h"
#include "compat.h"

#define SM_HISTORY		64
#define SM_HISTORY_LEN		320
#define SM_HW_SAMPLES		64

struct sm_result {
	bool valid;
	unsigned int seq;
	struct sm_run_config cfg;
	char walker[96];
	char note[96];
	u64 bytes;
	u64 largest;
	u64 cont_pte_blocks;		/* CONT_PTE_SIZE blocks the chunks touch */
	u64 cont_pmd_blocks;		/* CONT_PMD_SIZE blocks the chunks touch */
	unsigned int chunks;
	struct sm_stats cnt;		/* the first build's counters */
	bool stable;			/* every build counted the same */
	u64 ns[SM_PHASE_NR][3];		/* min, median, max */
	unsigned int samples[SM_PHASE_NR];
	struct sm_compare_result cmp;
	unsigned long bad_chunk;	/* first mismatch: chunk and offset */
	unsigned long bad_offset;
	unsigned long hw_checked;
	unsigned long hw_bad;
};

/* Serialises runs, results and the kept shadow: debugfs and load time. */
DEFINE_MUTEX(sm_lock);

static struct sm_area sm_cur_area;
static enum sm_region sm_cur_region;
static struct sm_shadow *sm_cur;
static struct sm_stats sm_cur_stats;	/* the kept shadow's */
static struct sm_result sm_last;
static unsigned int sm_seq;
static int sm_last_errno;
static char sm_last_error[SM_ERR_LEN];
static char (*sm_history)[SM_HISTORY_LEN];
static unsigned int sm_history_nr;

void sm_run_set_error(int ret, const char *err)
{
	sm_last_errno = ret;
	strscpy(sm_last_error, ret ? err : "", sizeof(sm_last_error));
}

void sm_run_free(void)
{
	if (sm_cur) {
		sm_shadow_destroy(sm_cur);
		sm_cur = NULL;
	}
	sm_area_release(sm_cur_region, &sm_cur_area);
}

void sm_run_reset(void)
{
	sm_run_free();
	memset(&sm_last, 0, sizeof(sm_last));
	sm_history_nr = 0;
	sm_run_set_error(0, "");
}

void sm_run_exit(void)
{
	sm_run_free();
	kfree(sm_history);
	sm_history = NULL;
}

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

/* Where the first mismatch is, as chunk and offset: no kernel addresses. */
static void sm_locate_mismatch(struct sm_result *r)
{
	const struct sm_chunk *c;
	unsigned int i;

	for (i = 0; i < sm_cur_area.nr_chunks; i++) {
		c = &sm_cur_area.chunks[i];
		if (r->cmp.bad_va >= c->va &&
		    r->cmp.bad_va - c->va < c->nr_pages * PAGE_SIZE) {
			r->bad_chunk = i;
			r->bad_offset = r->cmp.bad_va - c->va;
			break;
		}
	}
}

static void sm_verify_live(struct sm_result *r)
{
	const struct sm_chunk *c = &sm_cur_area.chunks[0];

	r->hw_checked = 0;
	r->hw_bad = 0;
	sm_check_live(c->va, c->nr_pages * PAGE_SIZE, SM_HW_SAMPLES,
		      &r->hw_checked, &r->hw_bad);
}

static u64 sm_remaps(const struct sm_stats *st)
{
	return st->cnt[SM_CNT_REMAP_MAP];
}

/* Aligned blocks of @size that [va, va + len) touches. */
static u64 sm_blocks_touched(unsigned long va, unsigned long len,
			     unsigned long size)
{
	return (va + len - 1) / size - va / size + 1;
}

/*
 * The region's geometry, for the counter formulas in the README: the 6.1
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

static void sm_add_history(const struct sm_result *r)
{
	char *line;

	if (!sm_history)
		sm_history = kcalloc(SM_HISTORY, SM_HISTORY_LEN, GFP_KERNEL);
	if (!sm_history)
		return;
	line = sm_history[sm_history_nr++ % SM_HISTORY];
	scnprintf(line, SM_HISTORY_LEN,
		  "seq=%u region=%s size=%lluK walker=%s repeat=%u verify=%s pages=%lu tables=%llu remaps=%llu tlbi=%llu dsb=%llu isb=%llu build_ns_median=%llu teardown_ns_median=%llu",
		  r->seq, sm_region_names[r->cfg.region], r->bytes >> 10,
		  r->walker, r->cfg.repeat,
		  r->cmp.mismatches ? "FAIL" : "pass", r->cmp.pages,
		  r->cnt.cnt[SM_CNT_TABLE_BYTES] >> PAGE_SHIFT,
		  sm_remaps(&r->cnt), r->cnt.cnt[SM_CNT_TLBI],
		  r->cnt.cnt[SM_CNT_DSB], r->cnt.cnt[SM_CNT_ISB],
		  r->ns[SM_PHASE_BUILD][1], r->ns[SM_PHASE_TEARDOWN][1]);
}

/* Build (and time) one shadow of the current area. */
static int sm_build(const struct sm_run_config *cfg, struct sm_stats *st,
		    struct sm_shadow **out)
{
	struct sm_shadow *sh;
	unsigned int i;
	u64 t0;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	t0 = ktime_get_ns();
	sh = sm_shadow_create(&cfg->walker, sm_cur_area.prot, st);
	if (!sh)
		return -ENOMEM;
	if (cfg->walker.threads > 1)
		ret = sm_shadow_map_threads(sh, sm_cur_area.chunks,
					    sm_cur_area.nr_chunks,
					    cfg->walker.threads);
	else
		for (i = 0; i < sm_cur_area.nr_chunks && !ret; i++)
			ret = sm_shadow_map(sh, &sm_cur_area.chunks[i]);
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

int sm_run(struct sm_run_config *cfg, char *err, size_t errlen)
{
	unsigned int n = cfg->repeat, i, p;
	struct sm_result *r = &sm_last;
	struct sm_stats *st, tmp;
	struct sm_shadow *sh;
	u64 *samples, t0;
	int ret;

	sm_run_free();
	samples = kcalloc(SM_PHASE_NR * n, sizeof(*samples), GFP_KERNEL);
	if (!samples) {
		sm_err("out of memory");
		return -ENOMEM;
	}
	ret = sm_area_prepare(cfg, &sm_cur_area, err, errlen);
	if (ret)
		goto out_free_samples;
	sm_cur_region = cfg->region;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->stable = true;
	for (i = 0; i < n; i++) {
		st = i == n - 1 ? &sm_cur_stats : &tmp;
		ret = sm_build(cfg, st, &sh);
		if (ret) {
			sm_err("building the shadow failed (%d): out of memory or overlapping chunks",
			       ret);
			goto out_release;
		}
		memset(&r->cmp, 0, sizeof(r->cmp));
		t0 = ktime_get_ns();
		sm_compare_chunks(sh, sm_cur_area.chunks, sm_cur_area.nr_chunks,
				  &r->cmp);
		st->ns[SM_PHASE_VERIFY] = ktime_get_ns() - t0;
		if (!i)
			r->cnt = *st;
		else if (memcmp(r->cnt.cnt, st->cnt, sizeof(st->cnt)))
			r->stable = false;
		if (i < n - 1) {
			t0 = ktime_get_ns();
			sm_shadow_destroy(sh);
			st->ns[SM_PHASE_TEARDOWN] = ktime_get_ns() - t0;
		} else {
			sm_cur = sh;
		}
		for (p = 0; p < SM_PHASE_NR; p++) {
			if (p == SM_PHASE_TEARDOWN && i == n - 1)
				continue;
			samples[p * n + r->samples[p]++] = st->ns[p];
		}
		cond_resched();
	}
	for (p = 0; p < SM_PHASE_NR; p++)
		sm_summarise(samples + p * n, r->samples[p], r->ns[p]);

	r->valid = true;
	r->seq = ++sm_seq;
	sm_format_walker(&cfg->walker, r->walker, sizeof(r->walker));
	strscpy(r->note, sm_cur_area.note, sizeof(r->note));
	r->bytes = sm_cur_area.bytes;
	r->largest = sm_cur_area.largest;
	r->chunks = sm_cur_area.nr_chunks;
	sm_count_spans(r, &sm_cur_area);
	sm_locate_mismatch(r);
	sm_verify_live(r);
	sm_add_history(r);
	pr_info("%s %s: build %llu/%llu/%llu ns (min/median/max of %u), tables %llu, remaps %llu, tlbi %llu, dsb %llu, isb %llu, verify %s (%lu pages)\n",
		sm_region_names[cfg->region], r->walker,
		r->ns[SM_PHASE_BUILD][0], r->ns[SM_PHASE_BUILD][1],
		r->ns[SM_PHASE_BUILD][2], n,
		r->cnt.cnt[SM_CNT_TABLE_BYTES] >> PAGE_SHIFT,
		sm_remaps(&r->cnt), r->cnt.cnt[SM_CNT_TLBI],
		r->cnt.cnt[SM_CNT_DSB], r->cnt.cnt[SM_CNT_ISB],
		r->cmp.mismatches ? "FAILED" : "passed", r->cmp.pages);
	kfree(samples);
	return 0;

out_release:
	sm_area_release(sm_cur_region, &sm_cur_area);
	memset(r, 0, sizeof(*r));
out_free_samples:
	kfree(samples);
	return ret;
}

int sm_run_verify(char *err, size_t errlen)
{
	struct sm_result *r = &sm_last;
	u64 t0;

	if (!sm_cur) {
		sm_err("verify: no shadow is kept; run first");
		return -ENOENT;
	}
	memset(&r->cmp, 0, sizeof(r->cmp));
	t0 = ktime_get_ns();
	sm_compare_chunks(sm_cur, sm_cur_area.chunks, sm_cur_area.nr_chunks,
			  &r->cmp);
	r->ns[SM_PHASE_VERIFY][0] = ktime_get_ns() - t0;
	r->ns[SM_PHASE_VERIFY][1] = r->ns[SM_PHASE_VERIFY][0];
	r->ns[SM_PHASE_VERIFY][2] = r->ns[SM_PHASE_VERIFY][0];
	r->samples[SM_PHASE_VERIFY] = 1;
	sm_locate_mismatch(r);
	sm_verify_live(r);
	return 0;
}

static int sm_levels(void)
{
	return 2 + sm_p4d_present() + sm_pud_present() + sm_pmd_present();
}

void sm_run_show_last(struct seq_file *m)
{
	const struct sm_result *r = &sm_last;
	const struct sm_run_config *c = &r->cfg;
	int i;

	seq_printf(m, "last_error: %s\n", sm_last_error[0] ? sm_last_error : "none");
	seq_printf(m, "last_errno: %d\n", sm_last_errno);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "page_size: %lu\n", PAGE_SIZE);
	seq_printf(m, "levels: %d\n", sm_levels());
	if (!r->valid) {
		seq_puts(m, "status: no run\n");
		return;
	}
	seq_printf(m, "status: %s\n", r->cmp.mismatches || r->hw_bad ?
		   "fail" : "pass");
	seq_printf(m, "seq: %u\n", r->seq);
	seq_printf(m, "region: %s\n", sm_region_names[c->region]);
	seq_printf(m, "size_requested: %llu\n", c->size);
	seq_printf(m, "size_mapped: %llu\n", r->bytes);
	seq_printf(m, "chunks: %u\n", r->chunks);
	seq_printf(m, "largest_chunk: %llu\n", r->largest);
	seq_printf(m, "span_cont_pte_blocks: %llu\n", r->cont_pte_blocks);
	seq_printf(m, "span_cont_pmd_blocks: %llu\n", r->cont_pmd_blocks);
	seq_printf(m, "region_note: %s\n", r->note);
	seq_printf(m, "walker: %s\n", r->walker);
	seq_printf(m, "remap: %s\n", sm_remap_names[c->walker.remap]);
	seq_printf(m, "barrier: %s\n", sm_barrier_names[c->walker.barrier]);
	seq_printf(m, "zero: %s\n", sm_zero_names[c->walker.zero]);
	seq_printf(m, "leaf: %s\n", sm_leaf_names[c->walker.leaf]);
	seq_printf(m, "threads: %u\n", c->walker.threads);
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
	seq_printf(m, "verify_pages: %lu\n", r->cmp.pages);
	seq_printf(m, "verify_mismatches: %lu\n", r->cmp.mismatches);
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
	seq_printf(m, "kept: %s\n", sm_cur ? "yes" : "no");
}

void sm_run_show_history(struct seq_file *m)
{
	unsigned int i, first;

	first = sm_history_nr > SM_HISTORY ? sm_history_nr - SM_HISTORY : 0;
	for (i = first; i < sm_history_nr; i++)
		seq_printf(m, "%s\n", sm_history[i % SM_HISTORY]);
}

void sm_run_show_ptdump(struct seq_file *m)
{
	if (!sm_cur) {
		seq_puts(m, "no shadow is kept\n");
		return;
	}
	sm_ptdump(m, sm_cur, sm_cur_area.chunks, sm_cur_area.nr_chunks);
}
