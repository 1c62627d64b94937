/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadowmap: private ("shadow") kernel page tables built with a walker whose
 * every step of the arm64 linear-map speedup can be switched on or off.
 */
#ifndef SHADOWMAP_H
#define SHADOWMAP_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>

struct seq_file;

#define SHADOWMAP_VERSION "0.1.0"

/* SM_NS, the symbol namespace of everything exported: src/compat.h */
#include "compat.h"

/* How page-table pages are made writable while they are filled in. */
enum sm_remap {
	SM_REMAP_CONT,		/* remap per contiguous block: 6.1 */
	SM_REMAP_TABLE,		/* remap once per table: v6.10 patch 1 */
	SM_REMAP_LAZY,		/* ring of slots, one TLBI per wrap */
	SM_REMAP_NONE,		/* write through the linear map */
	SM_REMAP_NR
};

enum sm_barrier {
	SM_BARRIER_ENTRY,	/* dsb+isb after every entry: 6.1 set_pte() */
	SM_BARRIER_TABLE,	/* once per table: v6.10 patch 2 */
	SM_BARRIER_NR
};

enum sm_zero {
	SM_ZERO_SEPARATE,	/* zero through its own remap at allocation */
	SM_ZERO_COMBINED,	/* zero while remapped for populate */
	SM_ZERO_ALLOCATOR,	/* __GFP_ZERO: the page allocator's linear map */
	SM_ZERO_NR
};

enum sm_leaf {
	SM_LEAF_PTE,		/* rodata=full */
	SM_LEAF_CONT,		/* contiguous hint where aligned */
	SM_LEAF_BLOCK,		/* PMD/PUD blocks where aligned */
	SM_LEAF_NR
};

/* What the leaf loop checks per entry besides writing it. */
enum sm_check {
	SM_CHECK_KERNEL,	/* read the old entry, pgattr_change_is_safe() */
	SM_CHECK_NONE,		/* write only */
	SM_CHECK_NR
};

/* How the leaf loop writes a PTE table's entries. */
enum sm_fill {
	SM_FILL_KERNEL,		/* the kernel's: pfn_pte() and a store each */
	SM_FILL_STEPPED,	/* each the last plus a page, two per STP */
	SM_FILL_NR
};

enum sm_region {
	SM_REGION_VMALLOC,
	SM_REGION_CONTIG,
	SM_REGION_RAM,
	SM_REGION_HOTPLUG,
	SM_REGION_NR
};

#define SM_MAX_THREADS		16
/* At 64K pages a 256 MiB build takes about a millisecond under TCG. */
#define SM_MAX_REPEAT		20000

struct sm_walker {
	enum sm_remap remap;
	enum sm_barrier barrier;
	enum sm_zero zero;
	enum sm_leaf leaf;
	enum sm_check check;
	unsigned int threads;
	const char *preset;	/* preset name, or NULL when built from axes */
	enum sm_fill fill;	/* last: 0, kernel, where an initializer stops */
};

struct sm_run_config {
	enum sm_region region;
	u64 size;		/* bytes; 0 means the region's default */
	unsigned int index;	/* hotplug: which recorded range */
	unsigned int repeat;
	struct sm_walker walker;
};

/* sm_run_config.index for the hotplug region */
#define SM_HOTPLUG_INDEX_LAST	0		/* the most recent range */
#define SM_HOTPLUG_INDEX_ALL	UINT_MAX	/* every range, in order */
#define SM_HOTPLUG_INDEX_FROM	0x80000000U	/* "index=N+": N and later */

/* The historical points of the walker, and the steps beyond them. */
enum sm_preset {
	SM_PRESET_V6_1,		/* 6.1 at boot */
	SM_PRESET_V6_1_LATE,	/* 6.1 after boot: memory hot-add */
	SM_PRESET_V6_10,	/* v6.10 and 6.12 */
	SM_PRESET_LAZY,		/* v1/v2 patch 4, dropped upstream */
	SM_PRESET_DIRECT,	/* no remap: the linear map */
	SM_PRESET_BBML2,	/* direct plus block leaves */
	SM_PRESET_STEPPED,	/* direct with fill=stepped: near the floor */
	SM_PRESET_NR
};

/*
 * The upstream series' steps, cumulative in the order they were merged,
 * then the steps beyond it: the rows of predict's table and of the CLI's
 * steps, which both take them from sm_steps[].
 */
enum sm_step {
	SM_STEP_BASE,		/* 6.1 at boot */
	SM_STEP_NO_CONT_REMAP,	/* patch 1: remap once per table */
	SM_STEP_BATCH_BARRIERS,	/* patch 2: dsb and isb once per table */
	SM_STEP_NO_ALLOC_REMAP,	/* patch 3: zero while remapped: v6.10 */
	SM_STEP_LAZY_UNMAP,	/* v1/v2 patch 4, dropped upstream */
	SM_STEP_DIRECT,		/* no remap: the linear map */
	SM_STEP_BBML2,		/* direct plus block leaves */
	SM_STEP_NR
};

/*
 * A step: its one-word name, which every table uses as its label, and the
 * upstream commit that made it (12 hex digits), or NULL.  A struct tag
 * cannot repeat the enum's, hence _desc, as for sm_axis_desc.
 */
struct sm_step_desc {
	const char *name;
	const char *commit;
	struct sm_walker walker;
};

/* A walker axis: its key in "key=value" and the names of its values. */
enum sm_axis {
	SM_AXIS_REMAP,
	SM_AXIS_BARRIER,
	SM_AXIS_ZERO,
	SM_AXIS_LEAF,
	SM_AXIS_CHECK,
	SM_AXIS_FILL,
	SM_AXIS_NR
};

struct sm_axis_desc {
	const char *key;
	const char * const *names;
	unsigned int nr;
};

/* src/config.c: every list the scripts read back from debugfs */
extern const char * const sm_remap_names[SM_REMAP_NR];
extern const char * const sm_barrier_names[SM_BARRIER_NR];
extern const char * const sm_zero_names[SM_ZERO_NR];
extern const char * const sm_leaf_names[SM_LEAF_NR];
extern const char * const sm_check_names[SM_CHECK_NR];
extern const char * const sm_fill_names[SM_FILL_NR];
extern const char * const sm_region_names[SM_REGION_NR];
extern const char * const sm_preset_names[SM_PRESET_NR];
extern const struct sm_walker sm_preset_walkers[SM_PRESET_NR];
enum sm_preset sm_hotplug_preset(void);
extern const struct sm_axis_desc sm_axes[SM_AXIS_NR];
extern const struct sm_step_desc sm_steps[SM_STEP_NR];
enum sm_preset sm_step_preset(enum sm_step step);

void sm_run_config_init(struct sm_run_config *cfg);
int sm_walker_set_preset(struct sm_walker *w, const char *name);
int sm_parse_run_args(char *args, struct sm_run_config *cfg,
		      char *err, size_t errlen);
int sm_next_word(char **args, char **key, char **val, char *err,
		 size_t errlen);
int sm_parse_size_arg(const char *key, const char *val, u64 *size, char *err,
		      size_t errlen);
int sm_parse_walker_axes(char *args, struct sm_walker *w, char *err,
			 size_t errlen);
int sm_format_walker(const struct sm_walker *w, char *buf, size_t len);
unsigned int sm_walker_axis(const struct sm_walker *w, enum sm_axis axis);

/* Page-table levels, named as in the kernel; folded levels stay empty. */
enum sm_level {
	SM_LVL_PGD,
	SM_LVL_P4D,
	SM_LVL_PUD,
	SM_LVL_PMD,
	SM_LVL_PTE,
	SM_LVL_NR
};

extern const char * const sm_level_names[SM_LVL_NR];

/*
 * Exact per-run counters.  Each barrier and TLBI counter is bumped by the
 * wrapper that issues the instruction (src/counted.h; the sequences are in
 * src/walker.c).
 */
enum sm_counter {
	SM_CNT_TABLE_PGD,	/* tables allocated, per level */
	SM_CNT_TABLE_P4D,
	SM_CNT_TABLE_PUD,
	SM_CNT_TABLE_PMD,
	SM_CNT_TABLE_PTE,
	SM_CNT_DESC_PGD,	/* table descriptors written, per level */
	SM_CNT_DESC_P4D,
	SM_CNT_DESC_PUD,
	SM_CNT_DESC_PMD,
	SM_CNT_PTE,		/* leaves: page, no contiguous hint */
	SM_CNT_PTE_CONT,	/* leaves: page with contiguous hint */
	SM_CNT_PMD_BLOCK,	/* leaves: PMD block */
	SM_CNT_PMD_BLOCK_CONT,	/* leaves: PMD block with contiguous hint */
	SM_CNT_PUD_BLOCK,	/* leaves: PUD block */
	SM_CNT_REMAP_MAP,	/* remap slot mapped */
	SM_CNT_REMAP_UNMAP,	/* remap slot unmapped */
	SM_CNT_TLBI,		/* TLBI instructions */
	SM_CNT_DSB,		/* DSB instructions */
	SM_CNT_ISB,		/* ISB instructions */
	SM_CNT_BYTES_ZEROED,	/* table bytes zeroed by the walker */
	SM_CNT_TABLE_BYTES,	/* table memory, the top level included */
	SM_CNT_TABLES_FREED,	/* table pages freed: a repaint's collapse */
	SM_CNT_BBM_BREAKS,	/* entries cleared before their remake */
	SM_CNT_NR
};

extern const char * const sm_counter_names[SM_CNT_NR];

enum sm_phase {
	SM_PHASE_ALLOC,		/* table page allocation (and __GFP_ZERO) */
	SM_PHASE_ZERO,		/* zeroing by the walker, remaps included */
	SM_PHASE_POPULATE,	/* the rest of the build */
	SM_PHASE_BUILD,		/* alloc + zero + populate */
	SM_PHASE_TEARDOWN,
	SM_PHASE_VERIFY,
	SM_PHASE_REPAINT,	/* split or collapse of a kept shadow */
	SM_PHASE_NR
};

extern const char * const sm_phase_names[SM_PHASE_NR];

/* One run of the walker: counters and phase times, in ns. */
struct sm_stats {
	u64 cnt[SM_CNT_NR];
	u64 ns[SM_PHASE_NR];
};

/* The tables a build made, every level. */
static inline u64 sm_stats_tables(const struct sm_stats *st)
{
	u64 n = 0;
	int i;

	for (i = SM_CNT_TABLE_PGD; i <= SM_CNT_TABLE_PTE; i++)
		n += st->cnt[i];
	return n;
}

/* A stretch of VA mapped to contiguous physical memory or to a pfn list. */
struct sm_chunk {
	unsigned long va;
	unsigned long nr_pages;
	unsigned long pfn;		/* first pfn when pfns is NULL */
	const unsigned long *pfns;	/* per-page pfns, or NULL */
	/*
	 * With pfns: from page k on, ahead[k] pages map pfns[k], pfns[k] + 1,
	 * ... (sm_pfns_ahead()), so that the walk tests a block's contiguity
	 * with one load, not one per page: work the kernel's walk, over its
	 * linear map, never does.
	 */
	const u32 *ahead;
};

/* Say why into the caller's (char *err, size_t errlen). */
#define SM_ERR_LEN	160
#define sm_err(fmt, ...) scnprintf(err, errlen, fmt, ##__VA_ARGS__)

#endif /* SHADOWMAP_H */
