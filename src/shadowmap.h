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

enum sm_region {
	SM_REGION_VMALLOC,
	SM_REGION_CONTIG,
	SM_REGION_RAM,
	SM_REGION_HOTPLUG,
	SM_REGION_NR
};

#define SM_MAX_THREADS		16
#define SM_MAX_REPEAT		1000

struct sm_walker {
	enum sm_remap remap;
	enum sm_barrier barrier;
	enum sm_zero zero;
	enum sm_leaf leaf;
	unsigned int threads;
	const char *preset;	/* preset name, or NULL when built from axes */
};

struct sm_run_config {
	enum sm_region region;
	u64 size;		/* bytes; 0 means the region's default */
	unsigned int index;	/* hotplug: which recorded range */
	unsigned int repeat;
	struct sm_walker walker;
};

extern const char * const sm_remap_names[SM_REMAP_NR];
extern const char * const sm_barrier_names[SM_BARRIER_NR];
extern const char * const sm_zero_names[SM_ZERO_NR];
extern const char * const sm_leaf_names[SM_LEAF_NR];
extern const char * const sm_region_names[SM_REGION_NR];

void sm_run_config_init(struct sm_run_config *cfg);
int sm_walker_set_preset(struct sm_walker *w, const char *name);
int sm_parse_run_args(char *args, struct sm_run_config *cfg,
		      char *err, size_t errlen);
int sm_format_walker(const struct sm_walker *w, char *buf, size_t len);

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
 * wrapper that issues the instruction (see src/walker.c for the sequences).
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
	SM_PHASE_NR
};

extern const char * const sm_phase_names[SM_PHASE_NR];

/* One run of the walker: counters and phase times, in ns. */
struct sm_stats {
	u64 cnt[SM_CNT_NR];
	u64 ns[SM_PHASE_NR];
};

/* A stretch of VA mapped to contiguous physical memory or to a pfn list. */
struct sm_chunk {
	unsigned long va;
	unsigned long nr_pages;
	unsigned long pfn;		/* first pfn when pfns is NULL */
	const unsigned long *pfns;	/* per-page pfns, or NULL */
};

struct sm_shadow;

/* Comparison result: pages compared and the first mismatch. */
struct sm_leaf_info {
	u64 desc;		/* the leaf descriptor */
	u64 table_attrs;	/* hierarchical bits of the table descriptors */
	unsigned long va_base;	/* VA the leaf starts at */
	unsigned long size;	/* bytes the leaf maps */
	phys_addr_t pa;		/* output address of the looked-up page */
	int level;		/* enum sm_level, or -1 when not mapped */
};

struct sm_compare_result {
	unsigned long pages;		/* pages compared */
	unsigned long mismatches;
	unsigned long bad_va;		/* first mismatch: shadow VA */
	struct sm_leaf_info shadow;	/* first mismatch: both sides */
	struct sm_leaf_info live;
	const char *why;		/* first mismatch: which field */
};

/* Live walker, shadow walker and hardware walker (src/lookup.c). */
pgd_t *sm_live_pgd(void);
void sm_lookup(pgd_t *pgd, unsigned long va, struct sm_leaf_info *out);
int sm_hw_translate(unsigned long va, phys_addr_t *pa, u8 *attr);
u8 sm_mair_attr(u64 desc);
int sm_compare(struct sm_shadow *sh, unsigned long shadow_va,
	       unsigned long live_va, unsigned long size,
	       struct sm_compare_result *res);
int sm_compare_chunks(struct sm_shadow *sh, const struct sm_chunk *chunks,
		      unsigned int nr, struct sm_compare_result *res);
int sm_check_live(unsigned long va, unsigned long size, unsigned int nr,
		  unsigned long *checked, unsigned long *bad);
void sm_ptdump(struct seq_file *m, struct sm_shadow *sh,
	       const struct sm_chunk *chunks, unsigned int nr);

/* Shadow lifetime (src/walker.c). */
struct sm_shadow *sm_shadow_create(const struct sm_walker *w, pgprot_t prot,
				   struct sm_stats *st);
int sm_shadow_map(struct sm_shadow *sh, const struct sm_chunk *chunk);
int sm_shadow_map_threads(struct sm_shadow *sh, const struct sm_chunk *chunks,
			  unsigned int nr, unsigned int threads);
void sm_shadow_destroy(struct sm_shadow *sh);
pgd_t *sm_shadow_pgd(struct sm_shadow *sh);
unsigned long sm_shadow_tables(struct sm_shadow *sh);
long sm_pages_held(void);
int sm_shadow_corrupt(struct sm_shadow *sh, unsigned long va, u64 xor);
int sm_slots_init(void);
void sm_slots_exit(void);

/* Runs (src/run.c) */
#define SM_ERR_LEN	160
/* Say why into the caller's (char *err, size_t errlen). */
#define sm_err(fmt, ...) scnprintf(err, errlen, fmt, ##__VA_ARGS__)

int sm_run(struct sm_run_config *cfg, char *err, size_t errlen);
int sm_run_verify(char *err, size_t errlen);
void sm_run_free(void);
void sm_run_reset(void);
void sm_run_show_last(struct seq_file *m);
void sm_run_show_history(struct seq_file *m);
void sm_run_show_ptdump(struct seq_file *m);
void sm_run_set_error(int ret, const char *err);
void sm_run_exit(void);
extern struct mutex sm_lock;

/* debugfs/ */
int sm_debugfs_init(void);
void sm_debugfs_exit(void);

#endif /* SHADOWMAP_H */
