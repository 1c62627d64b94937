// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow walker: builds a private kernel page-table tree that is never
 * installed in TTBR, the way arm64's __create_pgd_mapping() builds the
 * linear map, with each step of the v6.10 speedup selectable on its own.
 *
 * remap=cont is 6.1's structure (arch/arm64/mm/mmu.c, 6.1):
 *   alloc_init_pud() remaps the PUD table once per call; alloc_init_cont_pmd()
 *   calls init_pmd() per contiguous-PMD block and init_pmd() remaps the PMD
 *   table each time; alloc_init_cont_pte() calls init_pte() per contiguous-PTE
 *   block and init_pte() remaps the PTE table each time.  The top level is
 *   written directly.
 * remap=table|lazy|none is 6.12's structure: each alloc_init_*() remaps its
 *   table once per call (none: no remap, the linear map is used).
 *
 * Operation costs, exactly as the kernel issues them (6.1 and 6.12 alike):
 *   remap map and unmap: see src/fixmap.c
 *   table descriptor = set_pmd()/set_pud()/set_p4d()/set_pgd() = 1 DSB + 1 ISB
 *   leaf, barrier=entry = set_pte() (6.1) = 1 DSB + 1 ISB
 *   leaf, barrier=table = __set_pte_nosync() (6.12) = none; the table's
 *                 barrier comes from its unmap's TLBI sequence, or, when the
 *                 unmap issues none (lazy, none), from 1 DSB + 1 ISB after
 *                 the table's entries
 *   zero=separate = 6.1 early_pgtable_alloc(): map through the PTE slot,
 *                 memset(), unmap
 *   zero=combined = 6.12 init_clear_pgtable(): clear_page() while mapped
 *                 for populate, then 1 DSB
 *   zero=allocator = 6.1 __pgd_pgtable_alloc(): __GFP_ZERO, then 1 DSB
 *
 * A TLBI on CPUs with the repeat-TLBI erratum issues one more TLBI and DSB
 * inside __tlbi_sync_s1ish(); the counters count the architectural sequence.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/math64.h>
#include <asm/arch_timer.h>

#include "walker.h"
#include "shadow.h"
#include "fixmap.h"
#include "counted.h"
#include "compat.h"
#include "budget.h"

/* Tables a walk makes are handed to its shadow this many at a time. */
#define SM_OWN_BATCH		64

/* One walk over part of a chunk: the walker's context. */
struct sm_ctx {
	struct sm_shadow *sh;
	struct sm_stats *st;
	const struct sm_chunk *chunk;
	struct sm_fixmap fm;		/* this walk's slots */
	struct sm_pieces *upper;	/* split: stop at PMD tables, note them */
	struct list_head made;		/* tables not yet handed to sh */
	unsigned long nr_made;
	u64 alloc_ticks, zero_ticks;	/* the phases, in counter ticks */
};

/*
 * The phases' clock: the counter that ktime_get_ns() reads, read directly
 * (with the kernel's erratum workarounds), so that timing a table costs a
 * few instructions rather than a clocksource read; its ticks become ns
 * once per walk (sm_walk_done()).
 */
static __always_inline u64 sm_ticks(void)
{
	u64 t;

	/* the erratum check reads a per-CPU pointer */
	preempt_disable_notrace();
	t = __arch_counter_get_cntvct_stable();
	preempt_enable_notrace();
	return t;
}

/* Hand the tables made so far to the shadow (which frees them with it). */
static void sm_own_made(struct sm_ctx *c)
{
	sm_shadow_own_tables(c->sh, &c->made, c->nr_made);
	c->nr_made = 0;
}

static u64 sm_ticks_to_ns(u64 ticks)
{
	return mul_u64_u32_div(ticks, NSEC_PER_SEC, arch_timer_get_cntfrq());
}

/* The end of a walk, however it ends: its tables and its phases' times. */
static void sm_walk_done(struct sm_ctx *c)
{
	sm_own_made(c);
	c->st->ns[SM_PHASE_ALLOC] += sm_ticks_to_ns(c->alloc_ticks);
	c->st->ns[SM_PHASE_ZERO] += sm_ticks_to_ns(c->zero_ticks);
}

static void *sm_map(struct sm_ctx *c, int idx, phys_addr_t phys)
{
	return sm_fixmap_map(&c->fm, idx, phys);
}

static void sm_unmap(struct sm_ctx *c, int idx)
{
	sm_fixmap_unmap(&c->fm, idx);
}

/* End of a table's entries: barrier=table's one barrier, then unmap. */
static void sm_table_done(struct sm_ctx *c, int idx, bool nosync)
{
	if (nosync && !sm_fixmap_unmap_syncs(c->sh->w.remap))
		sm_entry_sync(c->st);
	sm_unmap(c, idx);
}

static void sm_zero_combined(struct sm_ctx *c, void *table)
{
	u64 t0 = sm_ticks();

	clear_page(table);
	sm_dsb_ishst(c->st);
	c->st->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
	c->zero_ticks += sm_ticks() - t0;
}

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
DECLARE_FAULT_ATTR(sm_fail_table);
#endif

/* pgtable_alloc(): early_pgtable_alloc() or pgd_pgtable_alloc() */
static int sm_alloc_table(struct sm_ctx *c, int level, phys_addr_t *phys)
{
	enum sm_zero zero = c->sh->w.zero;
	struct page *page;
	u64 t0 = sm_ticks();
	void *p;
	int ret;

	/* Once per table: resched, and stop for a cancel, a fatal signal
	 * or memory going offline.
	 */
	cond_resched();
	ret = sm_stop_check(c->sh->stop) ?: atomic_read(&c->sh->failed);
	if (ret)
		return ret;
	page = sm_fail_table_now() ? NULL :
		alloc_page(SM_GFP | (zero == SM_ZERO_ALLOCATOR ? __GFP_ZERO : 0));
	c->alloc_ticks += sm_ticks() - t0;
	if (!page)
		return -ENOMEM;
	list_add(&page->lru, &c->made);
	if (++c->nr_made == SM_OWN_BATCH)
		sm_own_made(c);
	c->st->cnt[SM_CNT_TABLE_PGD + level]++;
	c->st->cnt[SM_CNT_TABLE_BYTES] += PAGE_SIZE;
	*phys = page_to_phys(page);

	if (zero == SM_ZERO_ALLOCATOR) {
		/* __pgd_pgtable_alloc(): make the zeroes visible to walkers */
		sm_dsb_ishst(c->st);
		c->st->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
	} else if (zero == SM_ZERO_SEPARATE) {
		t0 = sm_ticks();
		p = sm_map(c, SM_ZERO_SLOT, *phys);
		memset(p, 0, PAGE_SIZE);
		sm_unmap(c, SM_ZERO_SLOT);
		c->st->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
		c->zero_ticks += sm_ticks() - t0;
	}
	return 0;
}

static __always_inline phys_addr_t sm_phys(struct sm_ctx *c,
					   unsigned long addr)
{
	unsigned long i = (addr - c->chunk->va) >> PAGE_SHIFT;

	if (c->chunk->pfns)
		return PFN_PHYS(c->chunk->pfns[i]);
	return PFN_PHYS(c->chunk->pfn + i);
}

/* Cont and block leaves only where the pfns are physically contiguous. */
static __always_inline bool sm_contig(struct sm_ctx *c, unsigned long addr,
				      unsigned long end)
{
	unsigned long i = (addr - c->chunk->va) >> PAGE_SHIFT;

	return !c->chunk->pfns ||
	       c->chunk->ahead[i] >= (end - addr) >> PAGE_SHIFT;
}

/*
 * A table descriptor: __pXd_populate() with set_pXd()'s barriers.  Every
 * level's descriptor is one u64.
 */
static void sm_populate(struct sm_ctx *c, int level, void *ptr, u64 val)
{
	WRITE_ONCE(*(u64 *)ptr, val);
	sm_entry_sync(c->st);
	c->st->cnt[SM_CNT_DESC_PGD + level]++;
}

/*
 * pgattr_change_is_safe() of 6.12's arch/arm64/mm/mmu.c (6.1's has no pfn
 * test and no software bits in the mask; neither changes what it says of
 * a shadow's entries).  Out of line, as the kernel's is: check=kernel pays
 * for a call per entry, as the kernel does.
 */
static noinline bool sm_pgattr_change_is_safe(u64 old, u64 new)
{
	u64 mask = PTE_PXN | PTE_RDONLY | PTE_WRITE | PTE_NG | SM_PTE_SWBITS;
	u64 normal = PTE_ATTRINDX(MT_NORMAL);
	u64 tagged = PTE_ATTRINDX(MT_NORMAL_TAGGED);
	u64 old_type = old & PTE_ATTRINDX_MASK, new_type = new & PTE_ATTRINDX_MASK;

	if (!pte_valid(__pte(old)) || !pte_valid(__pte(new)))
		return true;
	if (pte_pfn(__pte(old)) != pte_pfn(__pte(new)))
		return false;
	if ((old | new) & PTE_CONT)
		return false;
	if (old & ~new & PTE_NG)
		return false;
	if ((old_type == normal || old_type == tagged) &&
	    (new_type == normal || new_type == tagged))
		mask |= PTE_ATTRINDX_MASK;
	return ((old ^ new) & ~mask) == 0;
}

/* pgattr_change_is_safe() as the kernel's init_pte() runs it (compat.h). */
static __always_inline bool sm_change_is_safe(u64 old, u64 new)
{
	if (SM_PGATTR_TEST_INLINE &&
	    (!pte_valid(__pte(old)) || !pte_valid(__pte(new))))
		return true;
	return sm_pgattr_change_is_safe(old, new);
}

/*
 * A leaf: set_pte() (@sync, barrier=entry) or __set_pte_nosync() (table).
 * With @check (check=kernel), init_pte()'s and init_pmd()'s per-entry
 * work in 6.1 and 6.12: read the old entry, write, read it back and check
 * the change.  Inlined into the entry loops, as the kernel's are, and
 * counted by the caller, once per table: a per-entry count or a call the
 * kernel does not make would be work the kernel does not do, and TCG
 * makes every memory access and pointer-authenticated call expensive.
 */
static __always_inline int sm_write_leaf(u64 *ptr, u64 val, bool check,
					 bool sync)
{
	u64 old = check ? READ_ONCE(*ptr) : 0;

	WRITE_ONCE(*ptr, val);
	/* set_pte() tests the entry first: a shadow's always passes */
	if (sync && pte_valid_not_user(__pte(val)))
		sm_entry_sync_bare();
	/* The kernel BUG()s here; put the entry back and refuse instead. */
	if (check && unlikely(!sm_change_is_safe(old, READ_ONCE(*ptr)))) {
		WRITE_ONCE(*ptr, old);
		return -EEXIST;
	}
	return 0;
}

/* @nr leaves of kind @counter written, with their barriers if synced. */
static void sm_count_leaves(struct sm_ctx *c, int counter, u64 nr)
{
	c->st->cnt[counter] += nr;
	if (c->sh->w.barrier == SM_BARRIER_ENTRY)
		sm_count_entry_syncs(c->st, nr);
}

/* One block leaf (PMD, PUD). */
static int sm_set_leaf(struct sm_ctx *c, void *ptr, u64 val, int counter)
{
	int ret = sm_write_leaf(ptr, val, c->sh->w.check == SM_CHECK_KERNEL,
				c->sh->w.barrier == SM_BARRIER_ENTRY);

	sm_count_leaves(c, counter, 1);
	return ret;
}

/* Output address of a table descriptor, any level (same format). */
static phys_addr_t sm_desc_phys(u64 val)
{
	return __pte_to_phys(__pte(val));
}

static u64 sm_table_desc(phys_addr_t phys)
{
	return __phys_to_pte_val(phys) | SM_TABLE_DESC;
}

/*
 * The first step of every alloc_init_*(): the table at 'level' under the
 * entry at entryp (one level up), allocated, zeroed and hooked in when the
 * entry is empty.  With 'map' it is mapped now, for the whole call, and
 * returned; without (remap=cont) the caller maps it per block, NULL is
 * returned, and *fresh says that a new table still needs zero=combined.
 */
static void *sm_next_table(struct sm_ctx *c, int level, void *entryp,
			   bool none, bool bad, u64 entry, bool map,
			   phys_addr_t *phys, bool *fresh)
{
	void *table = NULL;
	int ret;

	*fresh = false;
	if (!none) {
		if (bad)
			return ERR_PTR(-EEXIST);
		*phys = sm_desc_phys(entry);
		return map ? sm_map(c, level, *phys) : NULL;
	}
	ret = sm_alloc_table(c, level, phys);
	if (ret)
		return ERR_PTR(ret);
	if (map) {
		table = sm_map(c, level, *phys);
		if (c->sh->w.zero == SM_ZERO_COMBINED)
			sm_zero_combined(c, table);
	} else {
		*fresh = true;
	}
	sm_populate(c, level - 1, entryp, sm_table_desc(*phys));
	return table;
}

/* init_pte(): per entry only the kernel's work; counted after the loop */
/* Two entries with one STP: 16-byte aligned, each 8 bytes single-copy. */
static __always_inline void sm_write_pair(u64 *entry, u64 first, u64 second)
{
	asm volatile("stp %1, %2, [%0]"
		     : : "r" (entry), "r" (first), "r" (second) : "memory");
}

static __always_inline u64 sm_pte_of(const unsigned long *pfns,
				     unsigned long pfn, unsigned long n,
				     pgprot_t prot)
{
	return pte_val(pfn_pte(pfns ? pfns[n] : pfn + n, prot));
}

/*
 * fill=stepped (check=none, barrier=table): @nr entries from @entry,
 * written two per STP, nothing read back.  Where the pfns run on and the
 * encoding of the output address is linear over them (its first and last
 * entries a page apart each), each entry is the one before it plus a
 * page; else pfn_pte() each.  The table is not live: no walker sees how
 * the stores pair up.
 */
static void sm_fill_stepped(u64 *entry, const unsigned long *pfns,
			    unsigned long pfn, unsigned long nr, pgprot_t prot)
{
	u64 v = sm_pte_of(pfns, pfn, 0, prot);
	bool linear = !pfns && sm_pte_of(NULL, pfn, nr - 1, prot) ==
			       v + (nr - 1) * PAGE_SIZE;
	unsigned long n = 0;

	/* an odd first entry alone: pairs are 16-byte aligned */
	if ((unsigned long)entry & 8) {
		entry[n++] = v;
		v += PAGE_SIZE;
	}
	if (linear) {
		for (; n + 2 <= nr; n += 2, v += 2 * PAGE_SIZE)
			sm_write_pair(&entry[n], v, v + PAGE_SIZE);
	} else {
		for (; n + 2 <= nr; n += 2)
			sm_write_pair(&entry[n], sm_pte_of(pfns, pfn, n, prot),
				      sm_pte_of(pfns, pfn, n + 1, prot));
	}
	if (n < nr)
		entry[n] = sm_pte_of(pfns, pfn, n, prot);
}

/*
 * init_pte()'s loop: @nr entries from @entry, the pfns from @pfns when
 * @listed, else from @pfn on.  The callers pass @listed, @check and @sync
 * as constants, so that the loop tests none of them per entry, as the
 * kernel's compiled loop does not.  Returns the entries written; *@ret is
 * -EEXIST when the last one was refused.
 */
static __always_inline unsigned long sm_pte_loop(u64 *entry, bool listed,
						 const unsigned long *pfns,
						 unsigned long pfn,
						 unsigned long nr,
						 pgprot_t prot, bool check,
						 bool sync, int *ret)
{
	u64 *e = entry, *end = entry + nr;
	int r = 0;

	/* one pointer and one pfn stepped, as the kernel's ptep and phys */
	while (e != end) {
		pte_t pte = pfn_pte(listed ? *pfns++ : pfn++, prot);

		r = sm_write_leaf(e++, pte_val(pte), check, sync);
		if (unlikely(r))
			break;
	}
	*ret = r;
	return e - entry;
}

/* The leaf counters of one PTE table's loop, counted once at its end. */
struct sm_pte_counts {
	u64 pte;
	u64 cont;
};

/*
 * The loop of alloc_init_cont_pte() over contiguous-PTE blocks of the PTE
 * table at @phys, and init_pte() inlined into it, as the kernel has them:
 * @table is mapped already unless remap=cont, which maps it per block;
 * @fresh, it still needs zero=combined.  @has_pfns, @check, @sync and
 * @stepped (fill=stepped) are constants in each caller (sm_pte_table()).
 */
static __always_inline int sm_cont_pte_loop(struct sm_ctx *c, pte_t *table,
					    phys_addr_t phys, bool fresh,
					    unsigned long addr,
					    unsigned long end, pgprot_t prot,
					    bool has_pfns, bool check,
					    bool sync, bool stepped)
{
	const struct sm_chunk *chunk = c->chunk;
	bool per_cont = c->sh->w.remap == SM_REMAP_CONT;
	bool combined = c->sh->w.zero == SM_ZERO_COMBINED;
	bool nosync = c->sh->w.barrier == SM_BARRIER_TABLE;
	bool no_cont = c->sh->flags & SM_NO_CONT;
	struct sm_pte_counts k = { 0 };
	unsigned long next, i, n;
	pgprot_t __prot;
	int ret = 0;

	do {
		next = pte_cont_addr_end(addr, end);
		__prot = prot;
		if (!no_cont &&
		    ((addr | next | sm_phys(c, addr)) & ~CONT_PTE_MASK) == 0 &&
		    sm_contig(c, addr, next))
			__prot = __pgprot(pgprot_val(prot) | PTE_CONT);

		if (per_cont) {
			/* 6.1 init_pte(): pte_set_fixmap_offset() per block */
			table = sm_map(c, SM_LVL_PTE, phys);
			if (fresh && combined)
				sm_zero_combined(c, table);
			fresh = false;
		}
		i = (addr - chunk->va) >> PAGE_SHIFT;
		n = (next - addr) >> PAGE_SHIFT;
		if (stepped)
			sm_fill_stepped((u64 *)(table + pte_index(addr)),
					chunk->pfns ? chunk->pfns + i : NULL,
					chunk->pfn + i, n, __prot);
		else
			n = sm_pte_loop((u64 *)(table + pte_index(addr)),
					has_pfns,
					has_pfns ? chunk->pfns + i : NULL,
					chunk->pfn + i, n, __prot, check, sync,
					&ret);
		if (pgprot_val(__prot) & PTE_CONT)
			k.cont += n;
		else
			k.pte += n;
		if (per_cont)
			sm_table_done(c, SM_LVL_PTE, nosync);
		if (ret)
			break;
	} while (addr = next, addr != end);

	sm_count_leaves(c, SM_CNT_PTE, k.pte);
	sm_count_leaves(c, SM_CNT_PTE_CONT, k.cont);
	if (!per_cont)
		sm_table_done(c, SM_LVL_PTE, nosync);
	return ret;
}

/*
 * One PTE table's entries, with the loop specialised for this walk's
 * pfns (an array or a run), check and barrier: one test here per table,
 * none per entry.
 */
static int sm_pte_table(struct sm_ctx *c, pte_t *table, phys_addr_t phys,
			bool fresh, unsigned long addr, unsigned long end,
			pgprot_t prot)
{
	bool check = c->sh->w.check == SM_CHECK_KERNEL;
	bool sync = c->sh->w.barrier == SM_BARRIER_ENTRY;

	if (c->sh->w.fill == SM_FILL_STEPPED)
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					false, false, false, true);
	switch ((c->chunk->pfns ? 4 : 0) | (check ? 2 : 0) | (sync ? 1 : 0)) {
	case 0:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					false, false, false, false);
	case 1:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					false, false, true, false);
	case 2:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					false, true, false, false);
	case 3:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					false, true, true, false);
	case 4:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					true, false, false, false);
	case 5:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					true, false, true, false);
	case 6:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					true, true, false, false);
	default:
		return sm_cont_pte_loop(c, table, phys, fresh, addr, end, prot,
					true, true, true, false);
	}
}

/* alloc_init_cont_pte() */
static int sm_alloc_init_cont_pte(struct sm_ctx *c, pmd_t *pmdp,
				  unsigned long addr, unsigned long end,
				  pgprot_t prot)
{
	bool per_cont = c->sh->w.remap == SM_REMAP_CONT;
	pmd_t pmd = READ_ONCE(*pmdp);
	phys_addr_t phys;
	pte_t *table;
	bool fresh;

	table = sm_next_table(c, SM_LVL_PTE, pmdp, pmd_none(pmd), pmd_bad(pmd),
			      pmd_val(pmd), !per_cont, &phys, &fresh);
	if (IS_ERR(table))
		return PTR_ERR(table);
	return sm_pte_table(c, table, phys, fresh, addr, end, prot);
}

/* init_pmd(): pmdp is in the mapped PMD table */
static int sm_init_pmd(struct sm_ctx *c, pmd_t *pmdp, unsigned long addr,
		       unsigned long end, pgprot_t prot, bool *nosync)
{
	unsigned long next;
	phys_addr_t phys;
	pmd_t pmd;
	int ret;

	do {
		next = pmd_addr_end(addr, end);
		phys = sm_phys(c, addr);
		if (((addr | next | phys) & ~PMD_MASK) == 0 &&
		    !(c->sh->flags & SM_NO_BLOCK) && sm_contig(c, addr, next)) {
			pmd = pfn_pmd(PHYS_PFN(phys), mk_pmd_sect_prot(prot));
			ret = sm_set_leaf(c, pmdp, pmd_val(pmd),
					  pgprot_val(prot) & PTE_CONT ?
					  SM_CNT_PMD_BLOCK_CONT :
					  SM_CNT_PMD_BLOCK);
			*nosync |= c->sh->w.barrier == SM_BARRIER_TABLE;
		} else {
			/* 6.1 passes the CONT_PMD hint down to the PTEs */
			ret = sm_alloc_init_cont_pte(c, pmdp, addr, next, prot);
		}
		if (ret)
			return ret;
	} while (pmdp++, addr = next, addr != end);
	return 0;
}

/*
 * The loop of alloc_init_cont_pmd() over contiguous-PMD blocks of the PMD
 * table at @phys: @table is mapped already unless remap=cont, which maps
 * it per block; @fresh, it still needs zero=combined.
 */
static int sm_cont_pmd_loop(struct sm_ctx *c, pmd_t *table, phys_addr_t phys,
			    bool fresh, unsigned long addr, unsigned long end,
			    pgprot_t prot)
{
	bool per_cont = c->sh->w.remap == SM_REMAP_CONT;
	bool combined = c->sh->w.zero == SM_ZERO_COMBINED;
	bool nosync = false;
	unsigned long next;
	pgprot_t __prot;
	int ret;

	do {
		next = pmd_cont_addr_end(addr, end);
		__prot = prot;
		if (((addr | next | sm_phys(c, addr)) & ~CONT_PMD_MASK) == 0 &&
		    !(c->sh->flags & SM_NO_CONT) && sm_contig(c, addr, next))
			__prot = __pgprot(pgprot_val(prot) | PTE_CONT);

		if (per_cont) {
			/* 6.1 init_pmd(): pmd_set_fixmap_offset() per block */
			table = sm_map(c, SM_LVL_PMD, phys);
			if (fresh && combined)
				sm_zero_combined(c, table);
			fresh = false;
		}
		ret = sm_init_pmd(c, table + pmd_index(addr), addr, next,
				  __prot, &nosync);
		if (per_cont) {
			sm_table_done(c, SM_LVL_PMD, nosync);
			nosync = false;
		}
		if (ret)
			break;
	} while (addr = next, addr != end);

	if (!per_cont)
		sm_table_done(c, SM_LVL_PMD, nosync);
	return ret;
}

/*
 * A split build's first pass: the PMD table made (and, for remap=cont,
 * zeroed now: its threads must find it zeroed), its entries noted for the
 * threads, and given back.
 */
static int sm_upper_pmd(struct sm_ctx *c, pmd_t *table, phys_addr_t phys,
			bool fresh, unsigned long addr, unsigned long end)
{
	int ret;

	if (fresh && c->sh->w.zero == SM_ZERO_COMBINED) {
		table = sm_map(c, SM_LVL_PMD, phys);
		sm_zero_combined(c, table);
	}
	ret = sm_pieces_add(c->upper, addr, end, phys);
	if (table)
		sm_unmap(c, SM_LVL_PMD);
	return ret;
}

/* alloc_init_cont_pmd() */
static int sm_alloc_init_cont_pmd(struct sm_ctx *c, pud_t *pudp,
				  unsigned long addr, unsigned long end,
				  pgprot_t prot)
{
	bool per_cont = c->sh->w.remap == SM_REMAP_CONT;
	pud_t pud = READ_ONCE(*pudp);
	bool fresh, nosync = false;
	phys_addr_t phys;
	pmd_t *table;

	if (!sm_pmd_present()) {	/* 2 levels: the PMD is the PUD */
		if (c->upper)
			return sm_pieces_add(c->upper, addr, end, 0);
		return sm_init_pmd(c, pmd_offset(pudp, addr), addr, end, prot,
				   &nosync);
	}

	table = sm_next_table(c, SM_LVL_PMD, pudp, pud_none(pud), pud_bad(pud),
			      pud_val(pud), !per_cont, &phys, &fresh);
	if (IS_ERR(table))
		return PTR_ERR(table);
	if (c->upper)
		return sm_upper_pmd(c, table, phys, fresh, addr, end);
	return sm_cont_pmd_loop(c, table, phys, fresh, addr, end, prot);
}

/* The loop of alloc_init_pud() over PUD entries */
static int sm_init_pud(struct sm_ctx *c, pud_t *pudp, unsigned long addr,
		       unsigned long end, bool *nosync)
{
	unsigned long next;
	phys_addr_t phys;
	int ret;

	do {
		next = pud_addr_end(addr, end);
		phys = sm_phys(c, addr);
		if (pud_sect_supported() &&
		    ((addr | next | phys) & ~PUD_MASK) == 0 &&
		    !(c->sh->flags & SM_NO_BLOCK) && sm_contig(c, addr, next)) {
			ret = sm_set_leaf(c, pudp,
					  pud_val(pfn_pud(PHYS_PFN(phys),
							  mk_pud_sect_prot(c->sh->prot))),
					  SM_CNT_PUD_BLOCK);
			*nosync |= c->sh->w.barrier == SM_BARRIER_TABLE;
		} else {
			ret = sm_alloc_init_cont_pmd(c, pudp, addr, next,
						     c->sh->prot);
		}
		if (ret)
			return ret;
	} while (pudp++, addr = next, addr != end);
	return 0;
}

/* alloc_init_pud(): the PUD table is remapped once per call, 6.1 and 6.12 */
static int sm_alloc_init_pud(struct sm_ctx *c, p4d_t *p4dp,
			     unsigned long addr, unsigned long end)
{
	p4d_t p4d = READ_ONCE(*p4dp);
	bool fresh, nosync = false;
	phys_addr_t phys;
	pud_t *table;
	int ret;

	if (!sm_pud_present())		/* 3 levels: the PUD is the P4D */
		return sm_init_pud(c, pud_offset(p4dp, addr), addr, end,
				   &nosync);

	table = sm_next_table(c, SM_LVL_PUD, p4dp, p4d_none(p4d), p4d_bad(p4d),
			      p4d_val(p4d), true, &phys, &fresh);
	if (IS_ERR(table))
		return PTR_ERR(table);
	ret = sm_init_pud(c, table + pud_index(addr), addr, end, &nosync);
	sm_table_done(c, SM_LVL_PUD, nosync);
	return ret;
}

/* alloc_init_p4d(): 6.12 only; folded unless 5 levels run */
static int sm_alloc_init_p4d(struct sm_ctx *c, pgd_t *pgdp,
			     unsigned long addr, unsigned long end)
{
	pgd_t pgd = READ_ONCE(*pgdp);
	unsigned long next;
	phys_addr_t phys;
	p4d_t *p4dp;
	bool fresh;
	int ret = 0;

	if (!sm_p4d_present()) {
		p4dp = p4d_offset(pgdp, addr);
		do {
			next = p4d_addr_end(addr, end);
			ret = sm_alloc_init_pud(c, p4dp, addr, next);
		} while (!ret && (p4dp++, addr = next, addr != end));
		return ret;
	}

	p4dp = sm_next_table(c, SM_LVL_P4D, pgdp, pgd_none(pgd), pgd_bad(pgd),
			     pgd_val(pgd), true, &phys, &fresh);
	if (IS_ERR(p4dp))
		return PTR_ERR(p4dp);
	p4dp += sm_p4d_index(addr);
	do {
		next = p4d_addr_end(addr, end);
		ret = sm_alloc_init_pud(c, p4dp, addr, next);
	} while (!ret && (p4dp++, addr = next, addr != end));
	sm_unmap(c, SM_LVL_P4D);
	return ret;
}

/*
 * __create_pgd_mapping() for [addr, end) of a chunk, counted into @st, with
 * remap slot set @set.  With @upper, only down to the PMD tables, whose
 * entries are noted there (a split build's first pass).
 */
int sm_walk_range(struct sm_shadow *sh, struct sm_stats *st,
		  const struct sm_chunk *chunk, unsigned long addr,
		  unsigned long end, unsigned int set,
		  struct sm_pieces *upper)
{
	struct sm_ctx c = { .sh = sh, .st = st, .chunk = chunk,
			    .upper = upper, .made = LIST_HEAD_INIT(c.made) };
	unsigned long next;
	pgd_t *pgdp;
	int ret = 0;

	sm_fixmap_get(&c.fm, set, sh->w.remap, st);
	pgdp = pgd_offset_pgd(sh->pgd, addr);
	do {
		next = pgd_addr_end(addr, end);
		ret = sm_alloc_init_p4d(&c, pgdp, addr, next);
	} while (!ret && (pgdp++, addr = next, addr != end));
	sm_fixmap_put(&c.fm);
	sm_walk_done(&c);
	return ret;
}

bool sm_chunk_ok(const struct sm_chunk *chunk)
{
	return chunk->nr_pages && !(chunk->va & ~PAGE_MASK) &&
	       chunk->va + chunk->nr_pages * PAGE_SIZE - 1 >= chunk->va &&
	       (!chunk->pfns || chunk->ahead);
}

/* A chunk's ahead[] for its @nr @pfns, from the last page back. */
void sm_pfns_ahead(const unsigned long *pfns, unsigned long nr, u32 *ahead)
{
	unsigned long k = nr;
	u32 run = 0;

	while (k--) {
		if (k + 1 < nr && pfns[k + 1] != pfns[k] + 1)
			run = 0;
		if (run < U32_MAX)
			run++;
		ahead[k] = run;
	}
}
EXPORT_SYMBOL_NS_GPL(sm_pfns_ahead, SM_NS);

/* __create_pgd_mapping() for one chunk; on error the caller destroys sh. */
int sm_shadow_map(struct sm_shadow *sh, const struct sm_chunk *chunk)
{
	if (!sm_chunk_ok(chunk))
		return -EINVAL;
	return sm_walk_range(sh, sh->st, chunk, chunk->va,
			     chunk->va + chunk->nr_pages * PAGE_SIZE, 0, NULL);
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_map, SM_NS);

/* [addr, end) of piece @p: its PMD entries, as sm_alloc_init_cont_pmd(). */
static int sm_walk_piece(struct sm_ctx *c, const struct sm_piece *p,
			 unsigned long addr, unsigned long end)
{
	pgd_t *pgdp = pgd_offset_pgd(c->sh->pgd, addr);
	bool nosync = false;
	pmd_t *table = NULL;

	if (!sm_pmd_present())		/* 2 levels: in the top level */
		return sm_init_pmd(c, pmd_offset(pud_offset(p4d_offset(pgdp,
							addr), addr), addr),
				   addr, end, c->sh->prot, &nosync);
	if (c->sh->w.remap != SM_REMAP_CONT)
		table = sm_map(c, SM_LVL_PMD, p->table);
	return sm_cont_pmd_loop(c, table, p->table, false, addr, end,
				c->sh->prot);
}

/*
 * A split build's second pass, one thread's share: the noted PMD entries
 * in @span, with slot set @set, counted into @st.
 */
int sm_walk_pieces(struct sm_shadow *sh, struct sm_stats *st,
		   const struct sm_chunk *chunks, const struct sm_pieces *ps,
		   const struct sm_span *span, unsigned int set)
{
	struct sm_ctx c = { .sh = sh, .st = st,
			    .made = LIST_HEAD_INIT(c.made) };
	unsigned long addr, end;
	unsigned int i;
	int ret = 0;

	sm_fixmap_get(&c.fm, set, sh->w.remap, st);
	for (i = 0; i < ps->nr && !ret; i++) {
		if (!sm_span_clip(span, &ps->p[i], &addr, &end))
			continue;
		c.chunk = &chunks[ps->p[i].chunk];
		ret = sm_walk_piece(&c, &ps->p[i], addr, end);
	}
	sm_fixmap_put(&c.fm);
	sm_walk_done(&c);
	return ret;
}

/*
 * fill=stepped's fill, or the kernel's loop (check=none, barrier=table),
 * once per contiguous block, as sm_cont_pte_loop() calls them.
 */
static void sm_bench_blocks(u64 *table, const unsigned long *pfns,
			    unsigned int nr, bool stepped)
{
	unsigned int i, k;
	int ret;

	for (i = 0; i < nr; i += k) {
		k = min_t(unsigned int, CONT_PTES, nr - i);
		if (stepped)
			sm_fill_stepped(table + i, pfns ? pfns + i : NULL, i, k,
					PAGE_KERNEL);
		else if (pfns)
			sm_pte_loop(table + i, true, pfns + i, 0, k,
				    PAGE_KERNEL, false, false, &ret);
		else
			sm_pte_loop(table + i, false, NULL, i, k, PAGE_KERNEL,
				    false, false, &ret);
	}
}

/*
 * fill=stepped over @nr entries: the kernel's loop over them, plus what
 * the stepped fill costs beyond that loop when both are called once per
 * contiguous block.  The walker's own work per block is the same for
 * both and is table_rest's; what stepped adds per block (its linear
 * test) and saves per entry is here.
 */
static u64 sm_bench_stepped(u64 *table, const unsigned long *pfns,
			    unsigned int nr)
{
	u64 t0, stepped, blocks, whole;
	int ret;

	t0 = ktime_get_ns();
	sm_bench_blocks(table, pfns, nr, true);
	stepped = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	sm_bench_blocks(table, pfns, nr, false);
	blocks = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	if (pfns)
		sm_pte_loop(table, true, pfns, 0, nr, PAGE_KERNEL, false,
			    false, &ret);
	else
		sm_pte_loop(table, false, NULL, 0, nr, PAGE_KERNEL, false,
			    false, &ret);
	whole = ktime_get_ns() - t0;
	return stepped + whole > blocks ? stepped + whole - blocks : 0;
}

/*
 * For src/calibrate.c: the walker's own leaf loop (sm_pte_loop(), or
 * fill=stepped's), specialised as a walk's is, over @nr entries of @table
 * (mapped and writable: the linear map or a remap slot), for pfns from 0
 * or, with barrier=table and check=none, from the list @pfns, with the
 * contiguous hint off (fill=stepped: sm_bench_stepped()); the elapsed
 * time in *@ns.  barrier=table's one barrier per table is not issued: it
 * is the caller's to time.  -EEXIST when check=kernel finds an unsafe
 * change.
 */
int sm_walker_bench_entries(void *table, unsigned int nr,
			    enum sm_barrier barrier, bool check,
			    enum sm_fill fill, const unsigned long *pfns,
			    struct sm_stats *st, u64 *ns)
{
	bool sync = barrier == SM_BARRIER_ENTRY;
	unsigned long n = nr;
	u64 t0;
	int ret = 0;

	*ns = 0;
	if (!nr)
		return 0;
	if (pfns && (sync || check))
		return -EINVAL;
	if (fill == SM_FILL_STEPPED) {
		*ns = sm_bench_stepped(table, pfns, nr);
		st->cnt[SM_CNT_PTE] += nr;
		return 0;
	}
	t0 = ktime_get_ns();
	if (pfns)
		n = sm_pte_loop(table, true, pfns, 0, nr, PAGE_KERNEL,
				false, false, &ret);
	else if (check && sync)
		n = sm_pte_loop(table, false, NULL, 0, nr, PAGE_KERNEL,
				true, true, &ret);
	else if (check)
		n = sm_pte_loop(table, false, NULL, 0, nr, PAGE_KERNEL,
				true, false, &ret);
	else if (sync)
		n = sm_pte_loop(table, false, NULL, 0, nr, PAGE_KERNEL,
				false, true, &ret);
	else
		n = sm_pte_loop(table, false, NULL, 0, nr, PAGE_KERNEL,
				false, false, &ret);
	*ns = ktime_get_ns() - t0;
	st->cnt[SM_CNT_PTE] += n;
	if (sync)
		sm_count_entry_syncs(st, n);
	return ret;
}
