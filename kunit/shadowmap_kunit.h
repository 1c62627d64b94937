/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SHADOWMAP_KUNIT_H
#define SHADOWMAP_KUNIT_H

#include <kunit/test.h>

#include "shadowmap.h"

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
