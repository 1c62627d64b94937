/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calibration (src/calibrate.c): what each operation the walker counts
 * costs on this machine, in picoseconds, for a cost model that multiplies
 * a run's exact counters by them.  Each cost is the min, median and max of
 * samples, each the mean of a batch of operations.
 */
#ifndef SHADOWMAP_CALIBRATE_H
#define SHADOWMAP_CALIBRATE_H

#include "shadowmap.h"
#include "stop.h"

struct seq_file;

/* The costs, in the order `costs` prints them (names: sm_cost_names). */
enum sm_cost {
	SM_COST_REMAP_PAIR,	/* remap=table map, write a u64, unmap+flush */
	SM_COST_REMAP_MAP,	/* remap=lazy map, write a u64, unmap: no flush */
	SM_COST_LAZY_FLUSH,	/* the lazy ring's flush: SM_LAZY_SLOTS pages */
	SM_COST_TLBI,		/* one more page (TLBI) in a range flush */
	SM_COST_FLUSH,		/* flush_tlb_kernel_range() of one page */
	SM_COST_SYNC,		/* dsb(ishst) + isb() */
	SM_COST_DESC,		/* table descriptor: WRITE_ONCE + dsb + isb */
	SM_COST_ENTRY_ENTRY_KERNEL,	/* per leaf: barrier=entry check=kernel */
	SM_COST_ENTRY_ENTRY_NONE,
	SM_COST_ENTRY_TABLE_KERNEL,
	SM_COST_ENTRY_TABLE_NONE,
	SM_COST_ENTRY_ENTRY_KERNEL_COLD,	/* the same, through a fresh */
	SM_COST_ENTRY_ENTRY_NONE_COLD,		/* remap slot (TLB-cold) */
	SM_COST_ENTRY_TABLE_KERNEL_COLD,
	SM_COST_ENTRY_TABLE_NONE_COLD,
	SM_COST_ENTRY_STEPPED,		/* per leaf: fill=stepped (barrier=table, */
	SM_COST_ENTRY_STEPPED_COLD,	/* check=none), warm and TLB-cold */
	SM_COST_ENTRY_TABLE_NONE_LISTED,	/* entry_table_none, each pfn */
						/* read from a list (vmalloc) */
	SM_COST_ENTRY_STEPPED_LISTED,	/* entry_stepped, the same way */
	SM_COST_CLEAR_PAGE,	/* clear_page(), the same page: cache-warm */
	SM_COST_CLEAR_PAGE_COLD,	/* a different page of a large pool */
	SM_COST_FILL_PAGE,	/* memset() of a page with non-zero bytes */
	SM_COST_TABLE_ALLOC,	/* alloc_page(SM_GFP) + __free_page() */
	SM_COST_TABLE_ALLOC_ZERO,	/* the same with __GFP_ZERO */
	/*
	 * Measured last, from real builds: a build's fixed part (the top
	 * table, the slot set, the walk's set-up), then per PTE table, per remap
	 * mode, what a build takes beyond what the costs above explain (the
	 * walker's bookkeeping; under TCG mostly the soft TLB refilling after
	 * each flush); last, what a block leaf takes beyond an entry.
	 */
	SM_COST_BUILD_FIXED,	/* a build's part that no size changes */
	SM_COST_TABLE_REST_CONT,
	SM_COST_TABLE_REST_TABLE,
	SM_COST_TABLE_REST_LAZY,
	SM_COST_TABLE_REST_NONE,
	SM_COST_BLOCK_REST,	/* per block leaf (leaf=block), beyond entry */
	SM_COST_NR
};

extern const char * const sm_cost_names[SM_COST_NR];

/* Who calibrated the costs there are. */
enum sm_cal_origin {
	SM_CAL_AT_LOAD,		/* the calibrate=1 module parameter */
	SM_CAL_COMMAND,		/* `calibrate` written to control */
	SM_CAL_ON_DEMAND,	/* a caller in the module, sm_calibrate() */
	SM_CAL_ORIGIN_NR
};

#define SM_CAL_SAMPLES		15	/* samples per cost by default */
#define SM_CAL_SAMPLES_MIN	3
#define SM_CAL_SAMPLES_MAX	10000

/* The medians, in picoseconds per operation. */
struct sm_costs {
	u64 ps[SM_COST_NR];
};

/*
 * Calibrate every cost, @samples samples each (0: SM_CAL_SAMPLES), and
 * publish them, with the lab lock held (sm_lab_begin()).  Stops with
 * -ECANCELED or -EINTR for @stop, -ENOMEM; the costs published before stay
 * then, and @err says why.
 */
int sm_calibrate(struct sm_stop *stop, unsigned int samples,
		 enum sm_cal_origin origin, char *err, size_t errlen);
/* The medians of the last calibration; false when there was none. */
bool sm_costs_get(struct sm_costs *out);
/* The `costs` file; never waits for a calibration. */
int sm_costs_show(struct seq_file *m);
/* The arguments of the calibrate command: "" or "samples=N". */
int sm_calibrate_parse(char *args, unsigned int *samples, char *err,
		       size_t errlen);

#endif /* SHADOWMAP_CALIBRATE_H */
