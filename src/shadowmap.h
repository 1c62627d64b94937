/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadowmap: private ("shadow") kernel page tables built with a walker whose
 * every step of the arm64 linear-map speedup can be switched on or off.
 */
#ifndef SHADOWMAP_H
#define SHADOWMAP_H

#include <linux/types.h>

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

/* debugfs/ */
int sm_debugfs_init(void);
void sm_debugfs_exit(void);

#endif /* SHADOWMAP_H */
