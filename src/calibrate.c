// SPDX-License-Identifier: GPL-2.0
/*
 * Calibration: the cost of each operation the walker counts, measured here
 * with the walker's own code (the remap slots of src/fixmap.c, the counted
 * barriers of src/counted.h, the leaf loop of src/walker.c), for a cost
 * model that multiplies a run's exact counters by them.
 *
 * Each cost is @samples samples; a sample is the mean of a batch of
 * operations sized, once per cost, to take at least SM_CAL_BATCH_NS, and is
 * kept in picoseconds per operation, so that sub-nanosecond costs keep
 * their precision.  Preemption stays enabled; batches are short, and
 * between samples the calibration reschedules and checks its stop.  An
 * operation the walker issues with a TLB-cold or cache-cold table has a
 * _cold variant measured so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "calibrate.h"
#include "budget.h"
#include "counted.h"
#include "fixmap.h"
#include "walker.h"
#include "shadow.h"
#include "model.h"
#include "compat.h"

/* A sample is a batch of operations that takes at least this long. */
#define SM_CAL_BATCH_NS		20000
/* The largest batch of any cost, in its units (operations or tables). */
#define SM_CAL_BATCH_MAX	BIT(20)
/* Table pages one table_alloc batch holds at once. */
#define SM_CAL_ALLOC_MAX	1024
/*
 * And at least: a walk allocates hundreds of tables before it frees one, so
 * the per-CPU lists refill from the buddy allocator and the pages come cold;
 * a few allocated and freed again would reuse the same hot pages.
 */
#define SM_CAL_ALLOC_MIN	256
/* clear_page_cold's pool: larger than the last-level caches we know of. */
#define SM_CAL_POOL		SZ_16M
/* The remap slot set calibration takes; the lab lock keeps runs out. */
#define SM_CAL_SET		0

/* sm_cal_entries()'s variants */
#define SM_CAL_CHECK		BIT(0)	/* check=kernel */
#define SM_CAL_NOSYNC		BIT(1)	/* barrier=table */
#define SM_CAL_COLD		BIT(2)	/* through a fresh remap slot */
#define SM_CAL_STEPPED		BIT(3)	/* fill=stepped */
#define SM_CAL_LISTED		BIT(4)	/* the pfns from a list */

const char * const sm_cost_names[] = {
	[SM_COST_REMAP_PAIR]		= "remap_pair",
	[SM_COST_REMAP_MAP]		= "remap_map",
	[SM_COST_LAZY_FLUSH]		= "lazy_flush",
	[SM_COST_TLBI]			= "tlbi",
	[SM_COST_FLUSH]			= "flush",
	[SM_COST_SYNC]			= "sync",
	[SM_COST_DESC]			= "desc",
	[SM_COST_ENTRY_ENTRY_KERNEL]	= "entry_entry_kernel",
	[SM_COST_ENTRY_ENTRY_NONE]	= "entry_entry_none",
	[SM_COST_ENTRY_TABLE_KERNEL]	= "entry_table_kernel",
	[SM_COST_ENTRY_TABLE_NONE]	= "entry_table_none",
	[SM_COST_ENTRY_ENTRY_KERNEL_COLD] = "entry_entry_kernel_cold",
	[SM_COST_ENTRY_ENTRY_NONE_COLD]	= "entry_entry_none_cold",
	[SM_COST_ENTRY_TABLE_KERNEL_COLD] = "entry_table_kernel_cold",
	[SM_COST_ENTRY_TABLE_NONE_COLD]	= "entry_table_none_cold",
	[SM_COST_ENTRY_STEPPED]		= "entry_stepped",
	[SM_COST_ENTRY_STEPPED_COLD]	= "entry_stepped_cold",
	[SM_COST_ENTRY_TABLE_NONE_LISTED] = "entry_table_none_listed",
	[SM_COST_ENTRY_STEPPED_LISTED]	= "entry_stepped_listed",
	[SM_COST_CLEAR_PAGE]		= "clear_page",
	[SM_COST_CLEAR_PAGE_COLD]	= "clear_page_cold",
	[SM_COST_FILL_PAGE]		= "fill_page",
	[SM_COST_TABLE_ALLOC]		= "table_alloc",
	[SM_COST_TABLE_ALLOC_ZERO]	= "table_alloc_zero",
	[SM_COST_BUILD_FIXED]		= "build_fixed",
	[SM_COST_TABLE_REST_CONT]	= "table_rest_cont",
	[SM_COST_TABLE_REST_TABLE]	= "table_rest_table",
	[SM_COST_TABLE_REST_LAZY]	= "table_rest_lazy",
	[SM_COST_TABLE_REST_NONE]	= "table_rest_none",
	[SM_COST_BLOCK_REST]		= "block_rest",
};

static_assert(ARRAY_SIZE(sm_cost_names) == SM_COST_NR);

static const char * const sm_cal_origin_names[] = {
	[SM_CAL_AT_LOAD]	= "at load",
	[SM_CAL_COMMAND]	= "by calibrate",
	[SM_CAL_ON_DEMAND]	= "on demand",
};

static_assert(ARRAY_SIZE(sm_cal_origin_names) == SM_CAL_ORIGIN_NR);

/* One cost's result. */
struct sm_cost_stat {
	u64 min_ps;
	u64 median_ps;
	u64 max_ps;
	unsigned int samples;
	unsigned int batch;		/* operations per sample */
};

/* What `costs` shows; copied under sm_costs_lock, held only to copy. */
struct sm_costs_state {
	bool valid;
	bool running;			/* a calibration is in progress */
	enum sm_cal_origin origin;
	enum sm_cal_origin running_origin;
	u64 when_ns;			/* boot time at the end */
	u64 took_ns;
	char note[SM_ERR_LEN];
	struct sm_cost_stat c[SM_COST_NR];
};

static DEFINE_MUTEX(sm_costs_lock);
static struct sm_costs_state sm_costs_cur;

/* One calibration's scratch; freed on every path. */
struct sm_cal {
	struct sm_stats st;		/* the counted barriers' sink */
	struct sm_fixmap fm;
	struct page *scratch;		/* a table page */
	u64 *table;			/* its linear-map address */
	unsigned long *pfns;		/* a list of PTRS_PER_PTE pfns */
	struct page **pool;		/* clear_page_cold's */
	unsigned int pool_nr;
	unsigned int pool_next;
	struct page **pages;		/* a table_alloc batch */
	u64 *samples;
	char note[SM_ERR_LEN];
};

/*
 * A batch: @k units of the cost (operations, or tables of PTRS_PER_PTE
 * entries); the time of the operations alone in *@ns.
 */
struct sm_cost_def {
	int (*batch)(struct sm_cal *cal, unsigned int arg, unsigned int k,
		     u64 *ns);
	unsigned int arg;
	unsigned int unit;		/* operations per unit */
	unsigned int min;		/* units per batch at least */
	unsigned int max;		/* units per batch at most */
	bool wall;			/* sized by the batch's wall time */
};

static phys_addr_t sm_cal_phys(struct sm_cal *cal)
{
	return page_to_phys(cal->scratch);
}

/* remap=table: map, write one u64 through the slot, unmap (one-page flush) */
static int sm_cal_remap_pair(struct sm_cal *cal, unsigned int arg,
			     unsigned int k, u64 *ns)
{
	unsigned int i;
	u64 t0, *p;

	sm_fixmap_get(&cal->fm, SM_CAL_SET, SM_REMAP_TABLE, &cal->st);
	t0 = ktime_get_ns();
	for (i = 0; i < k; i++) {
		p = sm_fixmap_map(&cal->fm, SM_LVL_PTE, sm_cal_phys(cal));
		WRITE_ONCE(p[i % PTRS_PER_PTE], i);
		sm_fixmap_unmap(&cal->fm, SM_LVL_PTE);
	}
	*ns = ktime_get_ns() - t0;
	sm_fixmap_put(&cal->fm);
	return 0;
}

/*
 * remap=lazy: map, write, unmap, which flushes nothing; timed a ring at a
 * time, whose flush (when the set is given back) is lazy_flush's.
 */
static int sm_cal_remap_map(struct sm_cal *cal, unsigned int arg,
			    unsigned int k, u64 *ns)
{
	unsigned int i, n, done;
	u64 t0, *p;

	*ns = 0;
	for (done = 0; done < k; done += n) {
		n = min_t(unsigned int, k - done, SM_LAZY_SLOTS);
		sm_fixmap_get(&cal->fm, SM_CAL_SET, SM_REMAP_LAZY, &cal->st);
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++) {
			p = sm_fixmap_map(&cal->fm, SM_LVL_PTE,
					  sm_cal_phys(cal));
			WRITE_ONCE(p[i], i);
			sm_fixmap_unmap(&cal->fm, SM_LVL_PTE);
		}
		*ns += ktime_get_ns() - t0;
		sm_fixmap_put(&cal->fm);
	}
	return 0;
}

/* remap=lazy: the flush of a whole ring of released slots */
static int sm_cal_lazy_flush(struct sm_cal *cal, unsigned int arg,
			     unsigned int k, u64 *ns)
{
	unsigned int i, j;
	u64 t0, *p;

	*ns = 0;
	for (i = 0; i < k; i++) {
		sm_fixmap_get(&cal->fm, SM_CAL_SET, SM_REMAP_LAZY, &cal->st);
		for (j = 0; j < SM_LAZY_SLOTS; j++) {
			p = sm_fixmap_map(&cal->fm, SM_LVL_PTE,
					  sm_cal_phys(cal));
			WRITE_ONCE(p[j], j);
			sm_fixmap_unmap(&cal->fm, SM_LVL_PTE);
		}
		t0 = ktime_get_ns();
		sm_fixmap_put(&cal->fm);	/* the ring's one flush */
		*ns += ktime_get_ns() - t0;
	}
	return 0;
}

/* flush_tlb_kernel_range() over @arg pages of the slot area */
static u64 sm_cal_flushes(struct sm_cal *cal, unsigned int pages,
			  unsigned int k)
{
	unsigned int i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < k; i++)
		sm_fixmap_flush_ring(&cal->fm, pages);
	return ktime_get_ns() - t0;
}

static int sm_cal_flush(struct sm_cal *cal, unsigned int arg, unsigned int k,
			u64 *ns)
{
	sm_fixmap_get(&cal->fm, SM_CAL_SET, SM_REMAP_TABLE, &cal->st);
	*ns = sm_cal_flushes(cal, 1, k);
	sm_fixmap_put(&cal->fm);
	return 0;
}

/* A ring flush less a one-page flush: SM_LAZY_SLOTS - 1 more TLBIs. */
static int sm_cal_tlbi(struct sm_cal *cal, unsigned int arg, unsigned int k,
		       u64 *ns)
{
	u64 ring, one;

	sm_fixmap_get(&cal->fm, SM_CAL_SET, SM_REMAP_TABLE, &cal->st);
	ring = sm_cal_flushes(cal, SM_LAZY_SLOTS, k);
	one = sm_cal_flushes(cal, 1, k);
	sm_fixmap_put(&cal->fm);
	*ns = ring > one ? ring - one : 0;
	return 0;
}

/* set_pte()'s barriers: the walker's sm_entry_sync() */
static int sm_cal_sync(struct sm_cal *cal, unsigned int arg, unsigned int k,
		       u64 *ns)
{
	unsigned int i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < k; i++)
		sm_entry_sync(&cal->st);
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* sm_populate(): a table descriptor and its barriers */
static int sm_cal_desc(struct sm_cal *cal, unsigned int arg, unsigned int k,
		       u64 *ns)
{
	u64 desc = __phys_to_pte_val(sm_cal_phys(cal)) | PMD_TYPE_TABLE;
	unsigned int i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < k; i++) {
		WRITE_ONCE(cal->table[i % PTRS_PER_PTE], desc);
		sm_entry_sync(&cal->st);
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/*
 * The populate loop over @k fresh (zeroed) tables of PTRS_PER_PTE entries,
 * through the linear map (TLB-warm) or, with SM_CAL_COLD, through the
 * remap=table slot mapped just after the previous unmap's flush, as the
 * walker writes its tables.  Zeroing, map and unmap are not timed.
 */
static int sm_cal_entries(struct sm_cal *cal, unsigned int arg,
			  unsigned int k, u64 *ns)
{
	enum sm_barrier barrier = arg & SM_CAL_NOSYNC ? SM_BARRIER_TABLE :
						       SM_BARRIER_ENTRY;
	bool cold = arg & SM_CAL_COLD;
	void *table = cal->table;
	unsigned int i;
	int ret = 0;
	u64 t;

	*ns = 0;
	if (cold)
		sm_fixmap_get(&cal->fm, SM_CAL_SET, SM_REMAP_TABLE, &cal->st);
	for (i = 0; i < k && !ret; i++) {
		clear_page(cal->table);
		if (cold)
			table = sm_fixmap_map(&cal->fm, SM_LVL_PTE,
					      sm_cal_phys(cal));
		ret = sm_walker_bench_entries(table, PTRS_PER_PTE, barrier,
					      arg & SM_CAL_CHECK,
					      arg & SM_CAL_STEPPED ?
					      SM_FILL_STEPPED : SM_FILL_KERNEL,
					      arg & SM_CAL_LISTED ?
					      cal->pfns : NULL,
					      &cal->st,
					      &t);
		if (cold)
			sm_fixmap_unmap(&cal->fm, SM_LVL_PTE);
		*ns += t;
	}
	if (cold)
		sm_fixmap_put(&cal->fm);
	return ret;
}

/* clear_page() of the same page (warm), or of the pool's next (cold) */
static int sm_cal_clear_page(struct sm_cal *cal, unsigned int arg,
			     unsigned int k, u64 *ns)
{
	unsigned int i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < k; i++) {
		if (arg && cal->pool_nr) {
			clear_page(page_address(cal->pool[cal->pool_next]));
			if (++cal->pool_next == cal->pool_nr)
				cal->pool_next = 0;
		} else {
			clear_page(cal->table);
		}
	}
	*ns = ktime_get_ns() - t0;
	return 0;
}

/*
 * memset() of the same page with a valid-looking entry byte: the floor of
 * writing a table's entries (make bench's `floor:`), beside clear_page.
 */
static int sm_cal_fill_page(struct sm_cal *cal, unsigned int arg,
			    unsigned int k, u64 *ns)
{
	unsigned int i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < k; i++)
		memset(cal->table, 0x03, PAGE_SIZE);
	*ns = ktime_get_ns() - t0;
	return 0;
}

/*
 * pgtable_alloc()'s allocation, @k pages at once; their freeing is the
 * teardown's, so it is not timed.
 */
static int sm_cal_table_alloc(struct sm_cal *cal, unsigned int arg,
			      unsigned int k, u64 *ns)
{
	gfp_t gfp = SM_GFP | (arg ? __GFP_ZERO : 0);
	unsigned int i, n;
	u64 t0 = ktime_get_ns();

	for (n = 0; n < k; n++) {
		cal->pages[n] = alloc_page(gfp);
		if (!cal->pages[n])
			break;
	}
	*ns = ktime_get_ns() - t0;
	for (i = 0; i < n; i++)
		__free_page(cal->pages[i]);
	return n < k ? -ENOMEM : 0;
}

#define SM_CAL_ENTRIES(variant) {					\
	.batch = sm_cal_entries, .arg = (variant), .unit = PTRS_PER_PTE,\
	.max = SM_CAL_BATCH_MAX }
#define SM_CAL_OPS(fn, a, m)	{					\
	.batch = (fn), .arg = (a), .unit = 1, .max = (m) }

static const struct sm_cost_def sm_cost_defs[] = {
	[SM_COST_REMAP_PAIR] = SM_CAL_OPS(sm_cal_remap_pair, 0,
					  SM_CAL_BATCH_MAX),
	[SM_COST_REMAP_MAP] = SM_CAL_OPS(sm_cal_remap_map, 0, SM_CAL_BATCH_MAX),
	[SM_COST_LAZY_FLUSH] = SM_CAL_OPS(sm_cal_lazy_flush, 0,
					  SM_CAL_BATCH_MAX),
	/* *ns is a difference: size the batch by its whole time */
	[SM_COST_TLBI] = { .batch = sm_cal_tlbi, .unit = SM_LAZY_SLOTS - 1,
			   .max = SM_CAL_BATCH_MAX, .wall = true },
	[SM_COST_FLUSH] = SM_CAL_OPS(sm_cal_flush, 0, SM_CAL_BATCH_MAX),
	[SM_COST_SYNC] = SM_CAL_OPS(sm_cal_sync, 0, SM_CAL_BATCH_MAX),
	[SM_COST_DESC] = SM_CAL_OPS(sm_cal_desc, 0, SM_CAL_BATCH_MAX),
	[SM_COST_ENTRY_ENTRY_KERNEL] = SM_CAL_ENTRIES(SM_CAL_CHECK),
	[SM_COST_ENTRY_ENTRY_NONE] = SM_CAL_ENTRIES(0),
	[SM_COST_ENTRY_TABLE_KERNEL] =
		SM_CAL_ENTRIES(SM_CAL_NOSYNC | SM_CAL_CHECK),
	[SM_COST_ENTRY_TABLE_NONE] = SM_CAL_ENTRIES(SM_CAL_NOSYNC),
	[SM_COST_ENTRY_ENTRY_KERNEL_COLD] =
		SM_CAL_ENTRIES(SM_CAL_COLD | SM_CAL_CHECK),
	[SM_COST_ENTRY_ENTRY_NONE_COLD] = SM_CAL_ENTRIES(SM_CAL_COLD),
	[SM_COST_ENTRY_TABLE_KERNEL_COLD] =
		SM_CAL_ENTRIES(SM_CAL_COLD | SM_CAL_NOSYNC | SM_CAL_CHECK),
	[SM_COST_ENTRY_TABLE_NONE_COLD] =
		SM_CAL_ENTRIES(SM_CAL_COLD | SM_CAL_NOSYNC),
	[SM_COST_ENTRY_STEPPED] = SM_CAL_ENTRIES(SM_CAL_NOSYNC | SM_CAL_STEPPED),
	[SM_COST_ENTRY_STEPPED_COLD] =
		SM_CAL_ENTRIES(SM_CAL_COLD | SM_CAL_NOSYNC | SM_CAL_STEPPED),
	[SM_COST_ENTRY_TABLE_NONE_LISTED] =
		SM_CAL_ENTRIES(SM_CAL_NOSYNC | SM_CAL_LISTED),
	[SM_COST_ENTRY_STEPPED_LISTED] =
		SM_CAL_ENTRIES(SM_CAL_NOSYNC | SM_CAL_STEPPED | SM_CAL_LISTED),
	[SM_COST_CLEAR_PAGE] = SM_CAL_OPS(sm_cal_clear_page, 0,
					  SM_CAL_BATCH_MAX),
	[SM_COST_CLEAR_PAGE_COLD] = SM_CAL_OPS(sm_cal_clear_page, 1,
					       SM_CAL_BATCH_MAX),
	[SM_COST_FILL_PAGE] = SM_CAL_OPS(sm_cal_fill_page, 0, SM_CAL_BATCH_MAX),
	[SM_COST_TABLE_ALLOC] = { .batch = sm_cal_table_alloc, .unit = 1,
				  .min = SM_CAL_ALLOC_MIN,
				  .max = SM_CAL_ALLOC_MAX },
	[SM_COST_TABLE_ALLOC_ZERO] = { .batch = sm_cal_table_alloc, .arg = 1,
				       .unit = 1, .min = SM_CAL_ALLOC_MIN,
				       .max = SM_CAL_ALLOC_MAX },
};

/* The operation costs; build_fixed and the rests come after, from builds. */
#define SM_COST_OPS_NR		SM_COST_BUILD_FIXED
static_assert(ARRAY_SIZE(sm_cost_defs) == SM_COST_OPS_NR);

static int sm_cal_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Between batches: let others run, and stop when asked. */
static int sm_cal_pause(struct sm_stop *stop)
{
	cond_resched();
	return sm_stop_check(stop);
}

/*
 * The shortest of SM_CAL_TRIES batches of @k, in *@ns: a batch slowed by an
 * interrupt or by code not yet cached (or, under TCG, not yet translated)
 * must not size the samples.
 */
#define SM_CAL_TRIES		3

static int sm_cal_size_try(struct sm_cal *cal, struct sm_stop *stop,
			   const struct sm_cost_def *d, unsigned int k,
			   u64 *best)
{
	unsigned int i;
	u64 t0, ns;
	int ret;

	*best = U64_MAX;
	for (i = 0; i < SM_CAL_TRIES; i++) {
		t0 = ktime_get_ns();
		ret = d->batch(cal, d->arg, k, &ns);
		if (d->wall)
			ns = ktime_get_ns() - t0;
		ret = ret ?: sm_cal_pause(stop);
		if (ret)
			return ret;
		*best = min(*best, ns);
	}
	return 0;
}

/* One cost: size its batch, then @n samples. */
static int sm_cal_one(struct sm_cal *cal, struct sm_stop *stop,
		      enum sm_cost c, unsigned int n, struct sm_cost_stat *out)
{
	const struct sm_cost_def *d = &sm_cost_defs[c];
	unsigned int k = max(d->min, 1U), i;
	u64 ns;
	int ret;

	/* Double the batch until it takes SM_CAL_BATCH_NS. */
	for (;;) {
		ret = sm_cal_size_try(cal, stop, d, k, &ns);
		if (ret)
			return ret;
		if (ns >= SM_CAL_BATCH_NS || k >= d->max)
			break;
		k = min(k * 2, d->max);
	}
	for (i = 0; i < n; i++) {
		ret = d->batch(cal, d->arg, k, &ns);
		ret = ret ?: sm_cal_pause(stop);
		if (ret)
			return ret;
		cal->samples[i] = div64_u64(ns * 1000, (u64)k * d->unit);
	}
	sort(cal->samples, n, sizeof(*cal->samples), sm_cal_cmp, NULL);
	out->min_ps = cal->samples[0];
	out->median_ps = cal->samples[n / 2];
	out->max_ps = cal->samples[n - 1];
	out->samples = n;
	out->batch = k * d->unit;
	return 0;
}

/*
 * clear_page_cold's pool, SM_CAL_POOL of single pages (as the walker's
 * tables are), or as much as there is; cal->note says when it fell short.
 */
static int sm_cal_pool_alloc(struct sm_cal *cal, struct sm_stop *stop)
{
	unsigned int want = SM_CAL_POOL / PAGE_SIZE;
	char why[SM_ERR_LEN] = "";
	int ret;

	cal->pool = kvcalloc(want, sizeof(*cal->pool), SM_GFP);
	if (cal->pool && sm_budget_check("clear_page_cold's pool", SM_CAL_POOL,
					 why, sizeof(why)))
		want = 0;
	while (cal->pool && cal->pool_nr < want) {
		ret = sm_stop_point(stop, cal->pool_nr, 512);
		if (ret)
			return ret;
		cal->pool[cal->pool_nr] = alloc_page(SM_GFP);
		if (!cal->pool[cal->pool_nr])
			break;
		cal->pool_nr++;
	}
	if (cal->pool_nr == SM_CAL_POOL / PAGE_SIZE)
		return 0;
	if (cal->pool_nr)
		scnprintf(cal->note, sizeof(cal->note),
			  "clear_page_cold: a pool of only %u KiB of the %u MiB wanted: it may be cache-warm",
			  cal->pool_nr * (unsigned int)(PAGE_SIZE / SZ_1K),
			  SM_CAL_POOL / SZ_1M);
	else
		scnprintf(cal->note, sizeof(cal->note),
			  "clear_page_cold: no %u MiB pool (%s): measured on one page, cache-warm",
			  SM_CAL_POOL / SZ_1M, why[0] ? why : "out of memory");
	pr_warn("%s\n", cal->note);
	return 0;
}

static void sm_cal_free(struct sm_cal *cal)
{
	unsigned int i;

	for (i = 0; i < cal->pool_nr; i++)
		__free_page(cal->pool[i]);
	kvfree(cal->pool);
	kvfree(cal->samples);
	kvfree(cal->pfns);
	kfree(cal->pages);
	if (cal->scratch)
		__free_page(cal->scratch);
	kfree(cal);
}

static void sm_costs_set_running(bool running, enum sm_cal_origin origin)
{
	mutex_lock(&sm_costs_lock);
	sm_costs_cur.running = running;
	sm_costs_cur.running_origin = origin;
	mutex_unlock(&sm_costs_lock);
}

static void sm_costs_publish(const struct sm_cost_stat *c, const char *note,
			     enum sm_cal_origin origin, u64 took_ns)
{
	mutex_lock(&sm_costs_lock);
	memcpy(sm_costs_cur.c, c, sizeof(sm_costs_cur.c));
	strscpy(sm_costs_cur.note, note, sizeof(sm_costs_cur.note));
	sm_costs_cur.origin = origin;
	sm_costs_cur.when_ns = ktime_get_boottime_ns();
	sm_costs_cur.took_ns = took_ns;
	sm_costs_cur.valid = true;
	mutex_unlock(&sm_costs_lock);
}

/* PTE tables, or block leaves, in a rest build: one's noise averages out */
#define SM_CAL_REST_TABLES	64

/* The preset each remap mode's rest is measured with. */
static const enum sm_preset sm_cal_rest_preset[SM_REMAP_NR] = {
	[SM_REMAP_CONT] = SM_PRESET_V6_1,
	[SM_REMAP_TABLE] = SM_PRESET_V6_10,
	[SM_REMAP_LAZY] = SM_PRESET_LAZY,
	[SM_REMAP_NONE] = SM_PRESET_DIRECT,
};

/* What a rest build's time beyond the model is divided by. */
enum sm_cal_per {
	SM_CAL_PER_BUILD,
	SM_CAL_PER_PTE_TABLE,
	SM_CAL_PER_BLOCK,	/* block leaves, at any level */
};

static u64 sm_cal_per_count(const struct sm_stats *st, enum sm_cal_per per)
{
	switch (per) {
	case SM_CAL_PER_PTE_TABLE:
		return st->cnt[SM_CNT_TABLE_PTE];
	case SM_CAL_PER_BLOCK:
		return st->cnt[SM_CNT_PMD_BLOCK] + st->cnt[SM_CNT_PMD_BLOCK_CONT] +
		       st->cnt[SM_CNT_PUD_BLOCK];
	default:
		return 1;
	}
}

/*
 * One real build of @nr_pages, timed as a run's is: contiguous pfns from 0
 * at the start of the linear map.  The shadow is never installed, so
 * mapping pfns it does not own harms nothing.
 */
static int sm_cal_rest_build(const struct sm_walker *w, unsigned long nr_pages,
			     struct sm_stop *stop, struct sm_stats *st, u64 *ns)
{
	struct sm_chunk chunk = { .va = sm_linear_va0(), .nr_pages = nr_pages };
	struct sm_shadow *sh;
	u64 t0;
	int ret;

	memset(st, 0, sizeof(*st));
	t0 = ktime_get_ns();
	sh = sm_shadow_create(w, PAGE_KERNEL, st);
	if (!sh)
		return -ENOMEM;
	sh->stop = stop;
	ret = sm_shadow_map(sh, &chunk);
	*ns = ktime_get_ns() - t0;
	sm_shadow_destroy(sh);
	return ret;
}

/*
 * One build of @nr_pages with @w beyond the model's prediction from the
 * costs known so far (@costs), in *@rest, and its @per count in *@units.
 */
static int sm_cal_rest_of(struct sm_cal *cal, struct sm_stop *stop,
			  const struct sm_walker *w, unsigned long nr_pages,
			  enum sm_cal_per per, const struct sm_costs *costs,
			  s64 *rest, u64 *units)
{
	struct sm_prediction pred;
	u64 ns;
	int ret;

	ret = sm_cal_rest_build(w, nr_pages, stop, &cal->st, &ns);
	ret = ret ?: sm_cal_pause(stop);
	if (ret)
		return ret;
	sm_model_predict(costs, w, &cal->st, false, &pred);
	*rest = (s64)ns - (s64)pred.ns[SM_PHASE_BUILD];
	*units = sm_cal_per_count(&cal->st, per);
	return 0;
}

/*
 * @c from @n builds of @nr_pages with @w: each build's time less the
 * model's prediction from the costs known so far (@costs), per @per of
 * what it built.  With @base_pages, per the @per a build of @nr_pages has
 * beyond one of @base_pages: a slope, which no fixed part of a build
 * skews.  One build first, untimed: code not yet cached (under TCG, not
 * yet translated) must not count.
 */
static int sm_cal_from_builds(struct sm_cal *cal, struct sm_stop *stop,
			      unsigned int n, const struct sm_walker *w,
			      unsigned long nr_pages, unsigned long base_pages,
			      enum sm_cal_per per, struct sm_costs *costs,
			      enum sm_cost c, struct sm_cost_stat *out)
{
	s64 rest, base = 0;
	u64 units = 1, base_units = 0, ns;
	unsigned int i;
	int ret;

	ret = sm_cal_rest_of(cal, stop, w, nr_pages, per, costs, &rest,
			     &units);
	for (i = 0; i < n && !ret; i++) {
		if (base_pages)
			ret = sm_cal_rest_of(cal, stop, w, base_pages, per,
					     costs, &base, &base_units);
		ret = ret ?: sm_cal_rest_of(cal, stop, w, nr_pages, per, costs,
					    &rest, &units);
		if (ret)
			break;
		units = units > base_units ? units - base_units : 1;
		ns = rest > base ? rest - base : 0;
		cal->samples[i] = div64_u64(ns * 1000, units);
	}
	if (ret)
		return ret;
	sort(cal->samples, n, sizeof(*cal->samples), sm_cal_cmp, NULL);
	out->min_ps = cal->samples[0];
	out->median_ps = cal->samples[n / 2];
	out->max_ps = cal->samples[n - 1];
	out->samples = n;
	out->batch = units;
	costs->ps[c] = out->median_ps;
	return 0;
}

/*
 * build_fixed from builds of one page (a table per level) with `direct`,
 * then each remap mode's rest from builds of SM_CAL_REST_TABLES PTE
 * tables, then block_rest from `bbml2` builds of twice SM_CAL_REST_TABLES
 * PMD blocks beside builds of SM_CAL_REST_TABLES.
 */
static int sm_cal_rest(struct sm_cal *cal, struct sm_stop *stop,
		       unsigned int n, struct sm_cost_stat *res)
{
	struct sm_costs *costs;
	unsigned int m, c;
	int ret;

	costs = kzalloc(sizeof(*costs), SM_GFP);
	if (!costs)
		return -ENOMEM;
	for (c = 0; c < SM_COST_OPS_NR; c++)
		costs->ps[c] = res[c].median_ps;
	ret = sm_cal_from_builds(cal, stop, n,
				 &sm_preset_walkers[SM_PRESET_DIRECT], 1, 0,
				 SM_CAL_PER_BUILD, costs, SM_COST_BUILD_FIXED,
				 &res[SM_COST_BUILD_FIXED]);
	for (m = 0; m < SM_REMAP_NR && !ret; m++) {
		c = SM_COST_TABLE_REST_CONT + m;
		ret = sm_cal_from_builds(cal, stop, n,
					 &sm_preset_walkers[sm_cal_rest_preset[m]],
					 SM_CAL_REST_TABLES * PTRS_PER_PTE, 0,
					 SM_CAL_PER_PTE_TABLE, costs, c, &res[c]);
	}
	/* 64 blocks more than a build of 64: at 4K, 256 MiB beside 128 */
	if (!ret)
		ret = sm_cal_from_builds(cal, stop, n,
					 &sm_preset_walkers[SM_PRESET_BBML2],
					 2 * SM_CAL_REST_TABLES * (PMD_SIZE >> PAGE_SHIFT),
					 SM_CAL_REST_TABLES * (PMD_SIZE >> PAGE_SHIFT),
					 SM_CAL_PER_BLOCK, costs, SM_COST_BLOCK_REST,
					 &res[SM_COST_BLOCK_REST]);
	kfree(costs);
	return ret;
}

static int sm_calibrate_all(struct sm_cal *cal, struct sm_stop *stop,
			    unsigned int samples, struct sm_cost_stat *res)
{
	unsigned int c;
	int ret;

	cal->samples = kvmalloc_array(samples, sizeof(*cal->samples), SM_GFP);
	cal->pages = kcalloc(SM_CAL_ALLOC_MAX, sizeof(*cal->pages), SM_GFP);
	cal->scratch = alloc_page(SM_GFP | __GFP_ZERO);
	cal->pfns = kvmalloc_array(PTRS_PER_PTE, sizeof(*cal->pfns), SM_GFP);
	if (!cal->samples || !cal->pages || !cal->scratch || !cal->pfns)
		return -ENOMEM;
	cal->table = page_address(cal->scratch);
	/* vmalloc's pfns are scattered: the loop reads each, whatever it is */
	for (c = 0; c < PTRS_PER_PTE; c++)
		cal->pfns[c] = PTRS_PER_PTE - c;
	ret = sm_cal_pool_alloc(cal, stop);
	for (c = 0; c < SM_COST_OPS_NR && !ret; c++)
		ret = sm_cal_one(cal, stop, c, samples, &res[c]);
	return ret ?: sm_cal_rest(cal, stop, samples, res);
}

int sm_calibrate(struct sm_stop *stop, unsigned int samples,
		 enum sm_cal_origin origin, char *err, size_t errlen)
{
	struct sm_cost_stat *res;
	struct sm_cal *cal;
	u64 t0 = ktime_get_ns(), took;
	int ret = -ENOMEM;

	if (!samples)
		samples = SM_CAL_SAMPLES;
	if (samples < SM_CAL_SAMPLES_MIN || samples > SM_CAL_SAMPLES_MAX) {
		sm_err("calibrate: samples=%u: want %u..%u", samples,
		       SM_CAL_SAMPLES_MIN, SM_CAL_SAMPLES_MAX);
		return -EINVAL;
	}
	res = kcalloc(SM_COST_NR, sizeof(*res), SM_GFP);
	cal = kzalloc(sizeof(*cal), SM_GFP);
	if (res && cal) {
		sm_costs_set_running(true, origin);
		ret = sm_calibrate_all(cal, stop, samples, res);
		sm_costs_set_running(false, origin);
	}
	took = ktime_get_ns() - t0;
	if (!ret) {
		sm_costs_publish(res, cal->note, origin, took);
		pr_info("calibrated %s: %u costs, %u samples each, in %llu ms\n",
			sm_cal_origin_names[origin], SM_COST_NR, samples,
			div_u64(took, NSEC_PER_MSEC));
	} else if (ret == -ENOMEM) {
		sm_err("calibrate: out of memory; the costs are as they were");
	} else if (ret == -EEXIST) {
		sm_err("calibrate: the entry check refused a change of a fresh table");
	}
	if (cal)
		sm_cal_free(cal);
	kfree(res);
	return ret;
}

bool sm_costs_get(struct sm_costs *out)
{
	unsigned int c;
	bool valid;

	mutex_lock(&sm_costs_lock);
	valid = sm_costs_cur.valid;
	for (c = 0; c < SM_COST_NR; c++)
		out->ps[c] = sm_costs_cur.c[c].median_ps;
	mutex_unlock(&sm_costs_lock);
	return valid;
}

int sm_costs_show(struct seq_file *m)
{
	struct sm_costs_state *s;
	unsigned int c;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&sm_costs_lock);
	*s = sm_costs_cur;
	mutex_unlock(&sm_costs_lock);

	seq_puts(m, "# costs in ps per operation; ");
	if (s->valid)
		seq_printf(m, "calibrated %s, %llu.%03llu s after boot, in %llu ms",
			   sm_cal_origin_names[s->origin],
			   div_u64(s->when_ns, NSEC_PER_SEC),
			   div_u64(s->when_ns % NSEC_PER_SEC, NSEC_PER_MSEC),
			   div_u64(s->took_ns, NSEC_PER_MSEC));
	else
		seq_puts(m, "not yet calibrated (write 'calibrate' to control, or load with calibrate=1)");
	/* init_on_alloc=1 zeroes every table: table_alloc is zeroed too */
	seq_printf(m, ", page_size %lu, init_on_alloc %d\n", PAGE_SIZE,
		   want_init_on_alloc(SM_GFP));
	if (s->running)
		seq_printf(m, "# calibrating now (%s)\n",
			   sm_cal_origin_names[s->running_origin]);
	if (s->valid && s->note[0])
		seq_printf(m, "# note: %s\n", s->note);
	for (c = 0; s->valid && c < SM_COST_NR; c++)
		seq_printf(m, "%s min_ps=%llu median_ps=%llu max_ps=%llu samples=%u batch=%u\n",
			   sm_cost_names[c], s->c[c].min_ps, s->c[c].median_ps,
			   s->c[c].max_ps, s->c[c].samples, s->c[c].batch);
	kfree(s);
	return 0;
}

int sm_calibrate_parse(char *args, unsigned int *samples, char *err,
		       size_t errlen)
{
	bool seen = false;
	char *word, *val;

	*samples = SM_CAL_SAMPLES;
	while ((word = strsep(&args, " \t\n"))) {
		if (!*word)
			continue;
		val = strchr(word, '=');
		if (val)
			*val++ = '\0';
		if (!val || strcmp(word, "samples")) {
			sm_err("calibrate: unknown word '%s' (calibrate [samples=%u..%u])",
			       word, SM_CAL_SAMPLES_MIN, SM_CAL_SAMPLES_MAX);
			return -EINVAL;
		}
		if (seen) {
			sm_err("calibrate: samples= given twice");
			return -EINVAL;
		}
		seen = true;
		if (kstrtouint(val, 0, samples) ||
		    *samples < SM_CAL_SAMPLES_MIN ||
		    *samples > SM_CAL_SAMPLES_MAX) {
			sm_err("calibrate: samples='%s': want %u..%u", val,
			       SM_CAL_SAMPLES_MIN, SM_CAL_SAMPLES_MAX);
			return -EINVAL;
		}
	}
	return 0;
}
