// SPDX-License-Identifier: GPL-2.0
/*
 * A dump of a tree over a list of chunks in the format of
 * /sys/kernel/debug/kernel_page_tables: one line per run of leaves of the
 * same level and attributes, decoded through a table as
 * arch/arm64/mm/ptdump.c does.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <asm/memory.h>

#include "ptdump.h"
#include "lookup.h"

/* arch/arm64/mm/ptdump.c's attribute names, same spelling */
struct sm_prot_bits {
	u64 mask;
	u64 val;
	const char *set;
	const char *clear;
};

static const struct sm_prot_bits sm_pte_bits[] = {
	{ PTE_VALID, PTE_VALID, " ", "F" },
	{ PTE_USER, PTE_USER, "USR", "   " },
	{ PTE_RDONLY, PTE_RDONLY, "ro", "RW" },
	{ PTE_PXN, PTE_PXN, "NX", "x " },
	{ PTE_SHARED, PTE_SHARED, "SHD", "   " },
	{ PTE_AF, PTE_AF, "AF", "  " },
	{ PTE_NG, PTE_NG, "NG", "  " },
	{ PTE_CONT, PTE_CONT, "CON", "   " },
	{ SM_PTE_TABLE_BIT, SM_PTE_TABLE_BIT, "   ", "BLK" },
	{ PTE_UXN, PTE_UXN, "UXN", "   " },
	{ PTE_GP, PTE_GP, "GP", "  " },
	{ PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL_NC), "MEM/NORMAL-NC" },
	{ PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL), "MEM/NORMAL" },
	{ PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL_TAGGED),
	  "MEM/NORMAL-TAGGED" },
};

/* Level names as ptdump prints them */
static const char * const sm_ptdump_level[] = {
	[SM_LVL_PGD] = "PGD",
	[SM_LVL_P4D] = "P4D",
	[SM_LVL_PUD] = "PUD",
	[SM_LVL_PMD] = "PMD",
	[SM_LVL_PTE] = "PTE",
};

static_assert(ARRAY_SIZE(sm_ptdump_level) == SM_LVL_NR);

static void sm_ptdump_line(struct seq_file *m, unsigned long start,
			   unsigned long end, int level, u64 prot)
{
	static const char units[] = "KMGTPE";
	const char *unit = units;
	unsigned long delta;
	const char *s;
	int i;

	seq_printf(m, "0x%016lx-0x%016lx   ", start, end);
	delta = (end - start) >> 10;
	while (!(delta & 1023) && unit[1]) {
		delta >>= 10;
		unit++;
	}
	seq_printf(m, "%9lu%c %s", delta, *unit, sm_ptdump_level[level]);
	for (i = 0; i < ARRAY_SIZE(sm_pte_bits); i++) {
		s = (prot & sm_pte_bits[i].mask) == sm_pte_bits[i].val ?
		    sm_pte_bits[i].set : sm_pte_bits[i].clear;
		if (s)
			seq_printf(m, " %s", s);
	}
	/* the device types, named by their MAIR byte, as ptdump does */
	if (sm_mair_attr(prot) == 0x00)
		seq_puts(m, " DEVICE/nGnRnE");
	else if (sm_mair_attr(prot) == 0x04)
		seq_puts(m, " DEVICE/nGnRE");
	seq_puts(m, "\n");
}

/*
 * The tree over each chunk, in /sys/kernel/debug/kernel_page_tables form;
 * @stop's errno when it stopped the dump half-way (the dump says so).
 */
int sm_ptdump(struct seq_file *m, pgd_t *pgd, const struct sm_chunk *chunks,
	      unsigned int nr, struct sm_stop *stop)
{
	unsigned long va, end, start = 0;
	struct sm_leaf_info li;
	int level = -1;
	u64 prot = 0, p;
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		seq_printf(m, "---[ shadow chunk %u ]---\n", i);
		va = chunks[i].va;
		end = va + chunks[i].nr_pages * PAGE_SIZE;
		level = -1;
		while (va < end) {
			sm_lookup(pgd, va, &li);
			p = li.level < 0 ? 0 : sm_leaf_attrs(li.desc);
			if (level >= 0 && (li.level != level || p != prot)) {
				sm_ptdump_line(m, start, va, level, prot);
				level = -1;
			}
			if (level < 0 && li.level >= 0) {
				start = va;
				level = li.level;
				prot = p;
			}
			va = li.level < 0 ? va + PAGE_SIZE :
			     min(li.va_base + li.size, end);
			if (!(va & (PMD_SIZE - 1))) {
				cond_resched();
				ret = sm_stop_check(stop);
				if (ret) {
					seq_printf(m, "---[ stopped (%d) ]---\n", ret);
					return ret;
				}
			}
		}
		if (level >= 0)
			sm_ptdump_line(m, start, end, level, prot);
		cond_resched();
	}
	return 0;
}
