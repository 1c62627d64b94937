/* SPDX-License-Identifier: GPL-2.0 */
/* What a run may take from the machine (src/budget.c). */
#ifndef SHADOWMAP_BUDGET_H
#define SHADOWMAP_BUDGET_H

#include <linux/gfp.h>
#include <linux/sizes.h>

#include "shadowmap.h"

/* Never let an allocation of ours wake the OOM killer or WARN. */
#define SM_GFP			(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY)

/* Available memory a run leaves free: 1/8, at least 64 MiB. */
static inline u64 sm_budget_margin(u64 avail)
{
	return max_t(u64, SZ_64M, avail / 8);
}

/* kvmalloc() refuses more than INT_MAX bytes (with a WARN without NOWARN). */
static inline bool sm_budget_array_ok(u64 nr, size_t size)
{
	return nr <= INT_MAX / size;
}

u64 sm_budget_available(void);
u64 sm_budget_tables(u64 bytes);
/* 0, or -ENOMEM with "@what needs N MiB; M MiB available, ..." in err. */
int sm_budget_check(const char *what, u64 need, char *err, size_t errlen);

#endif /* SHADOWMAP_BUDGET_H */
