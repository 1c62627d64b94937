// SPDX-License-Identifier: GPL-2.0
/*
 * The memory budget of a run.  Before a region allocates anything, what it
 * will take (its own pages, its arrays, and the shadow's page tables) is
 * compared with si_mem_available() less a margin, and a run that would not
 * fit is refused with -ENOMEM and both figures.  The allocations themselves
 * use __GFP_NORETRY, so that memory that shrinks meanwhile makes the run
 * fail instead of waking the OOM killer.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/pgtable.h>

#include "budget.h"

u64 sm_budget_available(void)
{
	u64 avail = (u64)si_mem_available() << PAGE_SHIFT;

	return avail > sm_budget_margin(avail) ?
	       avail - sm_budget_margin(avail) : 0;
}
EXPORT_SYMBOL_NS_GPL(sm_budget_available, SM_NS);

/*
 * Page tables for @bytes at worst: every level's tables over the span, plus
 * one of each upper level at either end.
 */
u64 sm_budget_tables(u64 bytes)
{
	u64 tables = 1 + 2 * CONFIG_PGTABLE_LEVELS;

	/* div64: PUD_SIZE is 64 GiB at 16K pages, too wide for do_div() */
	tables += div64_u64(bytes, PMD_SIZE) + 1;
	tables += div64_u64(bytes, PUD_SIZE) + 1;
	return tables * PAGE_SIZE;
}
EXPORT_SYMBOL_NS_GPL(sm_budget_tables, SM_NS);

int sm_budget_check(const char *what, u64 need, char *err, size_t errlen)
{
	u64 avail = (u64)si_mem_available() << PAGE_SHIFT;
	u64 margin = sm_budget_margin(avail);

	if (need <= avail && avail - need >= margin)
		return 0;
	scnprintf(err, errlen,
		  "%s needs %llu MiB; %llu MiB available, keeping %llu MiB free",
		  what, DIV_ROUND_UP_ULL(need, SZ_1M), avail >> 20, margin >> 20);
	return -ENOMEM;
}
EXPORT_SYMBOL_NS_GPL(sm_budget_check, SM_NS);
