/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The walker: __create_pgd_mapping() into a shadow, one chunk at a time
 * (src/walker.c), or split over threads (src/split.c, src/threads.c).
 */
#ifndef SHADOWMAP_WALKER_H
#define SHADOWMAP_WALKER_H

#include <linux/fault-inject.h>

#include "shadowmap.h"
#include "split.h"

struct dentry;
struct sm_shadow;

/*
 * A fault-injection point at every table page the walker allocates, in
 * whatever task (threads>1's helpers too, which fail-nth cannot reach):
 * /sys/kernel/debug/shadowmap/fail_table/, with the knobs of
 * Documentation/fault-injection/ (space, times, probability, ...).  Only
 * with CONFIG_FAULT_INJECTION; the rig's debug kernel has it.
 */
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
extern struct fault_attr sm_fail_table;

static inline bool sm_fail_table_now(void)
{
	return should_fail(&sm_fail_table, PAGE_SIZE);
}

/* Without CONFIG_FAULT_INJECTION_DEBUG_FS, a stub makes no directory. */
static inline void sm_fail_table_debugfs(struct dentry *dir)
{
	fault_create_debugfs_attr("fail_table", dir, &sm_fail_table);
}
#else
static inline bool sm_fail_table_now(void)
{
	return false;
}

static inline void sm_fail_table_debugfs(struct dentry *dir)
{
}
#endif

bool sm_chunk_ok(const struct sm_chunk *chunk);
void sm_pfns_ahead(const unsigned long *pfns, unsigned long nr, u32 *ahead);
int sm_walk_range(struct sm_shadow *sh, struct sm_stats *st,
		  const struct sm_chunk *chunk, unsigned long addr,
		  unsigned long end, unsigned int set,
		  struct sm_pieces *upper);
int sm_walk_pieces(struct sm_shadow *sh, struct sm_stats *st,
		   const struct sm_chunk *chunks, const struct sm_pieces *ps,
		   const struct sm_span *span, unsigned int set);
/* On error the caller destroys the shadow. */
int sm_shadow_map(struct sm_shadow *sh, const struct sm_chunk *chunk);
/* Calibration (src/calibrate.c): the leaf loop alone, timed. */
int sm_walker_bench_entries(void *table, unsigned int nr,
			    enum sm_barrier barrier, bool check,
			    enum sm_fill fill, const unsigned long *pfns,
			    struct sm_stats *st, u64 *ns);
int sm_shadow_map_threads(struct sm_shadow *sh, const struct sm_chunk *chunks,
			  unsigned int nr, unsigned int threads);
int sm_threads_init(void);
void sm_threads_exit(void);

#endif /* SHADOWMAP_WALKER_H */
