/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SHADOWMAP_KUNIT_H
#define SHADOWMAP_KUNIT_H

#include <kunit/test.h>

/* kunit/walker_kunit.c */
extern struct kunit_suite shadowmap_walker_suite;
extern struct kunit_suite shadowmap_live_suite;

#endif /* SHADOWMAP_KUNIT_H */
