/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SHADOWMAP_KUNIT_H
#define SHADOWMAP_KUNIT_H

#include <kunit/test.h>

/*
 * A parameter generator of our own (not KUNIT_ARRAY_PARAM's): 6.18 passes
 * it the test as well; KUNIT_CASE_PARAM_WITH_INIT came with that change.
 */
#ifdef KUNIT_CASE_PARAM_WITH_INIT
#define SM_KUNIT_GEN_PARAMS(name) \
	const void *(name)(struct kunit *test, const void *prev, char *desc)
#else
#define SM_KUNIT_GEN_PARAMS(name) \
	const void *(name)(const void *prev, char *desc)
#endif

#include "shadowmap.h"
#include "shadow.h"

/* The thread counts the suites try: 1, and splits of 2 and 4. */
#define SM_KUNIT_THREADS_MAX	4

/*
 * Whether a split build (threads>1, src/split.c) must give counter @i
 * exactly as threads=1 does.  The tables, entries and zeroing always do.
 * remap=table and lazy map each PMD table once more per span's piece of
 * it (and lazy flushes its ring per span); remap=cont with zero=combined
 * zeroes a new PMD table through a map of its own; with no remap,
 * barrier=table syncs after PMD blocks once per span's piece with blocks.
 * Those the count walk predicts.
 */
static inline bool sm_split_same(const struct sm_walker *w, int flags, int i)
{
	bool remaps = i == SM_CNT_REMAP_MAP || i == SM_CNT_REMAP_UNMAP ||
		      i == SM_CNT_TLBI;
	bool barriers = i == SM_CNT_DSB || i == SM_CNT_ISB;

	if (!remaps && !barriers)
		return true;
	if (w->remap == SM_REMAP_CONT)
		return w->zero != SM_ZERO_COMBINED;
	if (w->remap == SM_REMAP_NONE)
		return remaps || (flags & SM_NO_BLOCK) ||
		       w->barrier == SM_BARRIER_ENTRY;
	return false;
}

/* kunit/walker_kunit.c */
extern struct kunit_suite shadowmap_walker_suite;
extern struct kunit_suite shadowmap_live_suite;

/* kunit/countwalk_kunit.c */
extern struct kunit_suite shadowmap_countwalk_suite;

/* kunit/repaint_kunit.c */
extern struct kunit_suite shadowmap_repaint_suite;

/* kunit/shadowmap_hotplug_kunit.c */
extern struct kunit_suite shadowmap_hotplug_suite;

/* kunit/shadowmap_kunit.c: sm_parse_run_args() on a copy of @line */
int sm_kunit_parse(struct kunit *test, const char *line,
		   struct sm_run_config *cfg, char *err, size_t errlen);

#endif /* SHADOWMAP_KUNIT_H */
