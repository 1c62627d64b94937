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
 *   remap map   = __set_fixmap(): set_pte() of a valid kernel PTE
 *                 = 1 DSB ISHST + 1 ISB
 *   remap unmap = clear_fixmap(): pte_clear() (no barrier, the entry is
 *                 invalid) + flush_tlb_kernel_range(one page)
 *                 = DSB ISHST, TLBI VAALE1IS, DSB ISH, ISB
 *                 = 1 TLBI + 2 DSB + 1 ISB
 *   lazy unmap  = pte_clear() only; when the ring is exhausted, one
 *                 flush_tlb_kernel_range() over the ring
 *                 = SM_LAZY_SLOTS TLBI + 2 DSB + 1 ISB
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
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/atomic.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/spinlock.h>
#include <asm/tlbflush.h>
#include <asm/barrier.h>

#include "shadowmap.h"
#include "compat.h"

#define SM_LAZY_SLOTS		16
#define SM_ZERO_SLOT		SM_LVL_NR	/* 6.1 zeroes through FIX_PTE */
#define SM_NR_SLOTS		(SM_LVL_NR + SM_LAZY_SLOTS)
/* one set of slots per walker thread, as each CPU would need its own fixmap */
#define SM_SLOT_SETS		SM_MAX_THREADS
#define SM_ALL_SLOTS		(SM_SLOT_SETS * SM_NR_SLOTS)

/* Hierarchical bits of table descriptors; the same at every level. */
#define SM_TABLE_DESC		(PMD_TYPE_TABLE | PMD_TABLE_UXN | PMD_TABLE_PXN)

/* __create_pgd_mapping() flags, as map_mem() and rodata=full use them */
#define SM_NO_BLOCK		BIT(0)
#define SM_NO_CONT		BIT(1)

enum sm_slot_state {
	SM_SLOT_FREE,		/* unmapped, no stale TLB entry */
	SM_SLOT_HELD,		/* mapped */
	SM_SLOT_DIRTY,		/* unmapped, TLB not yet invalidated (lazy) */
};

/* A page of kernel VA owned by the module: its private fixmap slot. */
struct sm_slot {
	unsigned long va;
	pte_t *ptep;
	pte_t orig;
	enum sm_slot_state state;
};

struct sm_shadow {
	pgd_t *pgd;
	spinlock_t lock;		/* tables, nr_tables: walker threads */
	struct list_head tables;	/* every table page, pgd included */
	unsigned long nr_tables;
	struct sm_walker w;
	pgprot_t prot;
	int flags;
	struct sm_stats *st;
};

/* One call of sm_shadow_map(): the walker's context. */
struct sm_ctx {
	struct sm_shadow *sh;
	struct sm_stats *st;
	const struct sm_chunk *chunk;
	struct sm_slot *slots;		/* this thread's set */
	struct sm_slot *held[SM_LVL_NR + 1];
	unsigned int lazy_next;
};

const char * const sm_level_names[SM_LVL_NR] = {
	[SM_LVL_PGD] = "pgd",
	[SM_LVL_P4D] = "p4d",
	[SM_LVL_PUD] = "pud",
	[SM_LVL_PMD] = "pmd",
	[SM_LVL_PTE] = "pte",
};
EXPORT_SYMBOL_GPL(sm_level_names);

const char * const sm_counter_names[] = {
	[SM_CNT_TABLE_PGD] = "tables_pgd",
	[SM_CNT_TABLE_P4D] = "tables_p4d",
	[SM_CNT_TABLE_PUD] = "tables_pud",
	[SM_CNT_TABLE_PMD] = "tables_pmd",
	[SM_CNT_TABLE_PTE] = "tables_pte",
	[SM_CNT_DESC_PGD] = "desc_pgd",
	[SM_CNT_DESC_P4D] = "desc_p4d",
	[SM_CNT_DESC_PUD] = "desc_pud",
	[SM_CNT_DESC_PMD] = "desc_pmd",
	[SM_CNT_PTE] = "leaf_pte",
	[SM_CNT_PTE_CONT] = "leaf_pte_cont",
	[SM_CNT_PMD_BLOCK] = "leaf_pmd_block",
	[SM_CNT_PMD_BLOCK_CONT] = "leaf_pmd_block_cont",
	[SM_CNT_PUD_BLOCK] = "leaf_pud_block",
	[SM_CNT_REMAP_MAP] = "remap_maps",
	[SM_CNT_REMAP_UNMAP] = "remap_unmaps",
	[SM_CNT_TLBI] = "tlbi",
	[SM_CNT_DSB] = "dsb",
	[SM_CNT_ISB] = "isb",
	[SM_CNT_BYTES_ZEROED] = "bytes_zeroed",
	[SM_CNT_TABLE_BYTES] = "table_bytes",
};
EXPORT_SYMBOL_GPL(sm_counter_names);

static_assert(ARRAY_SIZE(sm_counter_names) == SM_CNT_NR);

const char * const sm_phase_names[] = {
	[SM_PHASE_ALLOC] = "alloc",
	[SM_PHASE_ZERO] = "zero",
	[SM_PHASE_POPULATE] = "populate",
	[SM_PHASE_BUILD] = "build",
	[SM_PHASE_TEARDOWN] = "teardown",
	[SM_PHASE_VERIFY] = "verify",
};
EXPORT_SYMBOL_GPL(sm_phase_names);

static_assert(ARRAY_SIZE(sm_phase_names) == SM_PHASE_NR);

static struct sm_slot sm_slots[SM_ALL_SLOTS];
static struct page *sm_slot_page;
static void *sm_slot_area;
/* Serialise users of each set of slots, as fixmap_lock does in the kernel. */
static struct mutex sm_slot_lock[SM_SLOT_SETS];
static atomic_long_t sm_held = ATOMIC_LONG_INIT(0);

long sm_pages_held(void)
{
	return atomic_long_read(&sm_held);
}
EXPORT_SYMBOL_GPL(sm_pages_held);

/* Counted instructions. */
static void sm_dsb_ishst(struct sm_ctx *c)
{
	dsb(ishst);
	c->st->cnt[SM_CNT_DSB]++;
}

static void sm_isb(struct sm_ctx *c)
{
	isb();
	c->st->cnt[SM_CNT_ISB]++;
}

/* flush_tlb_kernel_range(): DSB ISHST, one TLBI per page, DSB ISH, ISB. */
static void sm_flush_tlb(struct sm_ctx *c, unsigned long va, unsigned int nr)
{
	flush_tlb_kernel_range(va, va + nr * PAGE_SIZE);
	c->st->cnt[SM_CNT_TLBI] += nr;
	c->st->cnt[SM_CNT_DSB] += 2;
	c->st->cnt[SM_CNT_ISB]++;
}

/* set_pte()/set_pmd()/... of a valid kernel entry: the barriers after it */
static void sm_entry_sync(struct sm_ctx *c)
{
	sm_dsb_ishst(c);
	sm_isb(c);
}

static bool sm_remap_flushes(const struct sm_walker *w)
{
	return w->remap == SM_REMAP_CONT || w->remap == SM_REMAP_TABLE;
}

/* The PTE that maps va in a tree, or NULL if va is not PTE-mapped. */
static pte_t *sm_ptep(pgd_t *pgd, unsigned long va)
{
	pgd_t *pgdp = pgd_offset_pgd(pgd, va);
	p4d_t *p4dp;
	pud_t *pudp;
	pmd_t *pmdp;

	if (sm_p4d_present() && pgd_none(READ_ONCE(*pgdp)))
		return NULL;
	p4dp = p4d_offset(pgdp, va);
	if (sm_pud_present() && p4d_none(READ_ONCE(*p4dp)))
		return NULL;
	pudp = pud_offset(p4dp, va);
	if (sm_pmd_present() && (pud_none(READ_ONCE(*pudp)) ||
				 pud_leaf(READ_ONCE(*pudp))))
		return NULL;
	pmdp = pmd_offset(pudp, va);
	if (pmd_none(READ_ONCE(*pmdp)) || pmd_leaf(READ_ONCE(*pmdp)))
		return NULL;
	return pte_offset_kernel(pmdp, va);
}

/*
 * The slots: one page of vmap() space per level, as FIX_PGD..FIX_PTE, plus
 * a ring for remap=lazy.  Their PTEs are found in init_mm's tables and
 * rewritten while a table is remapped; the original PTE is put back when
 * the module unloads.
 */
int sm_slots_init(void)
{
	struct page **pages;
	struct sm_leaf_info li;
	int i, ret = -ENOMEM;

	sm_slot_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!sm_slot_page)
		return -ENOMEM;
	pages = kcalloc(SM_ALL_SLOTS, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		goto out_free_page;
	for (i = 0; i < SM_ALL_SLOTS; i++)
		pages[i] = sm_slot_page;
	sm_slot_area = vmap(pages, SM_ALL_SLOTS, VM_MAP, PAGE_KERNEL);
	kfree(pages);
	if (!sm_slot_area)
		goto out_free_page;

	for (i = 0; i < SM_ALL_SLOTS; i++) {
		struct sm_slot *s = &sm_slots[i];

		s->va = (unsigned long)sm_slot_area + i * PAGE_SIZE;
		sm_lookup(sm_live_pgd(), s->va, &li);
		if (li.level != SM_LVL_PTE || (li.desc & PTE_CONT) ||
		    PHYS_PFN(li.pa) != page_to_pfn(sm_slot_page)) {
			pr_err("remap slot is not a plain PTE mapping (level %d, desc %llx, pfn %lx/%lx)\n",
			       li.level, li.desc, (unsigned long)PHYS_PFN(li.pa),
			       page_to_pfn(sm_slot_page));
			ret = -ENXIO;
			goto out_vunmap;
		}
		s->ptep = sm_ptep(sm_live_pgd(), s->va);
		s->orig = READ_ONCE(*s->ptep);
	}
	/* Take the slots from vmap() until unload; they start unmapped. */
	for (i = 0; i < SM_ALL_SLOTS; i++) {
		WRITE_ONCE(*sm_slots[i].ptep, __pte(0));
		sm_slots[i].state = SM_SLOT_FREE;
	}
	flush_tlb_kernel_range((unsigned long)sm_slot_area,
			       (unsigned long)sm_slot_area +
			       SM_ALL_SLOTS * PAGE_SIZE);
	for (i = 0; i < SM_SLOT_SETS; i++)
		mutex_init(&sm_slot_lock[i]);
	return 0;

out_vunmap:
	vunmap(sm_slot_area);
out_free_page:
	__free_page(sm_slot_page);
	return ret;
}

void sm_slots_exit(void)
{
	int i;

	/* Put back each original PTE exactly, with set_pte()'s barriers. */
	for (i = 0; i < SM_ALL_SLOTS; i++)
		WRITE_ONCE(*sm_slots[i].ptep, sm_slots[i].orig);
	dsb(ishst);
	isb();
	flush_tlb_kernel_range((unsigned long)sm_slot_area,
			       (unsigned long)sm_slot_area +
			       SM_ALL_SLOTS * PAGE_SIZE);
	vunmap(sm_slot_area);
	__free_page(sm_slot_page);
}

/* Lazy: make every released slot of the ring reusable, one TLBI batch. */
static void sm_lazy_flush(struct sm_ctx *c)
{
	int i;

	for (i = SM_LVL_NR; i < SM_NR_SLOTS; i++)
		if (c->slots[i].state == SM_SLOT_DIRTY)
			c->slots[i].state = SM_SLOT_FREE;
	sm_flush_tlb(c, c->slots[SM_LVL_NR].va, SM_LAZY_SLOTS);
}

static bool sm_lazy_dirty(struct sm_ctx *c)
{
	int i;

	for (i = SM_LVL_NR; i < SM_NR_SLOTS; i++)
		if (c->slots[i].state == SM_SLOT_DIRTY)
			return true;
	return false;
}

static struct sm_slot *sm_lazy_get(struct sm_ctx *c)
{
	unsigned int i, idx;

	for (;;) {
		for (i = 0; i < SM_LAZY_SLOTS; i++) {
			idx = SM_LVL_NR + (c->lazy_next - SM_LVL_NR + i) %
			      SM_LAZY_SLOTS;
			if (c->slots[idx].state == SM_SLOT_FREE) {
				c->lazy_next = idx + 1;
				return &c->slots[idx];
			}
		}
		sm_lazy_flush(c);
	}
}

/* Make a table page writable: pte_set_fixmap() and friends. */
static void *sm_map(struct sm_ctx *c, int idx, phys_addr_t phys)
{
	struct sm_slot *s;

	if (c->sh->w.remap == SM_REMAP_NONE)
		return phys_to_virt(phys);

	if (c->sh->w.remap == SM_REMAP_LAZY)
		s = sm_lazy_get(c);
	else if (idx == SM_ZERO_SLOT)
		s = &c->slots[SM_LVL_PTE];
	else
		s = &c->slots[idx];
	WARN_ON_ONCE(s->state != SM_SLOT_FREE);
	s->state = SM_SLOT_HELD;
	c->held[idx] = s;
	WRITE_ONCE(*s->ptep, pfn_pte(PHYS_PFN(phys), PAGE_KERNEL));
	sm_entry_sync(c);
	c->st->cnt[SM_CNT_REMAP_MAP]++;
	return (void *)s->va;
}

/* pte_clear_fixmap() and friends */
static void sm_unmap(struct sm_ctx *c, int idx)
{
	struct sm_slot *s = c->held[idx];

	if (c->sh->w.remap == SM_REMAP_NONE)
		return;

	c->held[idx] = NULL;
	WRITE_ONCE(*s->ptep, __pte(0));
	c->st->cnt[SM_CNT_REMAP_UNMAP]++;
	if (c->sh->w.remap == SM_REMAP_LAZY) {
		s->state = SM_SLOT_DIRTY;
		return;
	}
	sm_flush_tlb(c, s->va, 1);
	s->state = SM_SLOT_FREE;
}

/* End of a table's entries: barrier=table's one barrier, then unmap. */
static void sm_table_done(struct sm_ctx *c, int idx, bool nosync)
{
	if (nosync && !sm_remap_flushes(&c->sh->w))
		sm_entry_sync(c);
	sm_unmap(c, idx);
}

static void sm_zero_combined(struct sm_ctx *c, void *table)
{
	u64 t0 = ktime_get_ns();

	clear_page(table);
	sm_dsb_ishst(c);
	c->st->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
	c->st->ns[SM_PHASE_ZERO] += ktime_get_ns() - t0;
}

/* pgtable_alloc(): early_pgtable_alloc() or pgd_pgtable_alloc() */
static int sm_alloc_table(struct sm_ctx *c, int level, phys_addr_t *phys)
{
	enum sm_zero zero = c->sh->w.zero;
	struct page *page;
	u64 t0 = ktime_get_ns();
	void *p;

	page = alloc_page(GFP_KERNEL | __GFP_NOWARN |
			  (zero == SM_ZERO_ALLOCATOR ? __GFP_ZERO : 0));
	c->st->ns[SM_PHASE_ALLOC] += ktime_get_ns() - t0;
	if (!page)
		return -ENOMEM;
	spin_lock(&c->sh->lock);
	list_add(&page->lru, &c->sh->tables);
	c->sh->nr_tables++;
	spin_unlock(&c->sh->lock);
	atomic_long_inc(&sm_held);
	c->st->cnt[SM_CNT_TABLE_PGD + level]++;
	c->st->cnt[SM_CNT_TABLE_BYTES] += PAGE_SIZE;
	*phys = page_to_phys(page);

	if (zero == SM_ZERO_ALLOCATOR) {
		/* __pgd_pgtable_alloc(): make the zeroes visible to walkers */
		sm_dsb_ishst(c);
		c->st->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
	} else if (zero == SM_ZERO_SEPARATE) {
		t0 = ktime_get_ns();
		p = sm_map(c, SM_ZERO_SLOT, *phys);
		memset(p, 0, PAGE_SIZE);
		sm_unmap(c, SM_ZERO_SLOT);
		c->st->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
		c->st->ns[SM_PHASE_ZERO] += ktime_get_ns() - t0;
	}
	return 0;
}

static phys_addr_t sm_phys(struct sm_ctx *c, unsigned long addr)
{
	unsigned long i = (addr - c->chunk->va) >> PAGE_SHIFT;

	if (c->chunk->pfns)
		return PFN_PHYS(c->chunk->pfns[i]);
	return PFN_PHYS(c->chunk->pfn + i);
}

/* Cont and block leaves only where the pfns are physically contiguous. */
static bool sm_contig(struct sm_ctx *c, unsigned long addr, unsigned long end)
{
	unsigned long i = (addr - c->chunk->va) >> PAGE_SHIFT;
	unsigned long n = (end - addr) >> PAGE_SHIFT, k;
	const unsigned long *pfns = c->chunk->pfns;

	if (!pfns)
		return true;
	for (k = 1; k < n; k++)
		if (pfns[i + k] != pfns[i] + k)
			return false;
	return true;
}

/*
 * A table descriptor: __pXd_populate() with set_pXd()'s barriers.  Every
 * level's descriptor is one u64.
 */
static void sm_populate(struct sm_ctx *c, int level, void *ptr, u64 val)
{
	WRITE_ONCE(*(u64 *)ptr, val);
	sm_entry_sync(c);
	c->st->cnt[SM_CNT_DESC_PGD + level]++;
}

/* A leaf: set_pte() (barrier=entry) or __set_pte_nosync() (table). */
static int sm_set_leaf(struct sm_ctx *c, void *ptr, u64 val, int counter)
{
	u64 old = READ_ONCE(*(u64 *)ptr);

	/* 6.1 BUG()s on this; refuse to change a live entry instead. */
	if (old && old != val)
		return -EEXIST;
	WRITE_ONCE(*(u64 *)ptr, val);
	if (c->sh->w.barrier == SM_BARRIER_ENTRY)
		sm_entry_sync(c);
	c->st->cnt[counter]++;
	return 0;
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

static int sm_init_pte(struct sm_ctx *c, pte_t *ptep, unsigned long addr,
		       unsigned long end, pgprot_t prot)
{
	bool cont = pgprot_val(prot) & PTE_CONT;
	pte_t pte;
	int ret;

	do {
		pte = pfn_pte(PHYS_PFN(sm_phys(c, addr)), prot);
		ret = sm_set_leaf(c, ptep, pte_val(pte),
				  cont ? SM_CNT_PTE_CONT : SM_CNT_PTE);
		if (ret)
			return ret;
	} while (ptep++, addr += PAGE_SIZE, addr != end);
	return 0;
}

/* alloc_init_cont_pte() */
static int sm_alloc_init_cont_pte(struct sm_ctx *c, pmd_t *pmdp,
				  unsigned long addr, unsigned long end,
				  pgprot_t prot)
{
	bool per_cont = c->sh->w.remap == SM_REMAP_CONT;
	bool combined = c->sh->w.zero == SM_ZERO_COMBINED;
	bool nosync = c->sh->w.barrier == SM_BARRIER_TABLE;
	pmd_t pmd = READ_ONCE(*pmdp);
	phys_addr_t phys;
	unsigned long next;
	pgprot_t __prot;
	pte_t *table;
	bool fresh;
	int ret;

	table = sm_next_table(c, SM_LVL_PTE, pmdp, pmd_none(pmd), pmd_bad(pmd),
			      pmd_val(pmd), !per_cont, &phys, &fresh);
	if (IS_ERR(table))
		return PTR_ERR(table);

	do {
		next = pte_cont_addr_end(addr, end);
		__prot = prot;
		if (((addr | next | sm_phys(c, addr)) & ~CONT_PTE_MASK) == 0 &&
		    !(c->sh->flags & SM_NO_CONT) && sm_contig(c, addr, next))
			__prot = __pgprot(pgprot_val(prot) | PTE_CONT);

		if (per_cont) {
			/* 6.1 init_pte(): pte_set_fixmap_offset() per block */
			table = sm_map(c, SM_LVL_PTE, phys);
			if (fresh && combined)
				sm_zero_combined(c, table);
			fresh = false;
		}
		ret = sm_init_pte(c, table + pte_index(addr), addr, next,
				  __prot);
		if (per_cont)
			sm_table_done(c, SM_LVL_PTE, nosync);
		if (ret)
			break;
	} while (addr = next, addr != end);

	if (!per_cont)
		sm_table_done(c, SM_LVL_PTE, nosync);
	/* a 512G map_mem() replica takes seconds: let others run */
	cond_resched();
	return ret;
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

/* alloc_init_cont_pmd() */
static int sm_alloc_init_cont_pmd(struct sm_ctx *c, pud_t *pudp,
				  unsigned long addr, unsigned long end,
				  pgprot_t prot)
{
	bool per_cont = c->sh->w.remap == SM_REMAP_CONT;
	bool combined = c->sh->w.zero == SM_ZERO_COMBINED;
	pud_t pud = READ_ONCE(*pudp);
	bool fresh, nosync = false;
	phys_addr_t phys;
	unsigned long next;
	pgprot_t __prot;
	pmd_t *table;
	int ret;

	if (!sm_pmd_present())		/* 2 levels: the PMD is the PUD */
		return sm_init_pmd(c, pmd_offset(pudp, addr), addr, end, prot,
				   &nosync);

	table = sm_next_table(c, SM_LVL_PMD, pudp, pud_none(pud), pud_bad(pud),
			      pud_val(pud), !per_cont, &phys, &fresh);
	if (IS_ERR(table))
		return PTR_ERR(table);

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

struct sm_shadow *sm_shadow_create(const struct sm_walker *w, pgprot_t prot,
				   struct sm_stats *st)
{
	struct sm_shadow *sh;
	struct page *page;

	sh = kzalloc(sizeof(*sh), GFP_KERNEL);
	if (!sh)
		return NULL;
	/* A whole page: LPA2's folding indexes the top table as a page. */
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		kfree(sh);
		return NULL;
	}
	spin_lock_init(&sh->lock);
	INIT_LIST_HEAD(&sh->tables);
	list_add(&page->lru, &sh->tables);
	sh->nr_tables = 1;
	atomic_long_inc(&sm_held);
	sh->pgd = page_address(page);
	sh->w = *w;
	sh->prot = prot;
	sh->st = st;
	/* rodata=full maps with neither; rodata=on with both */
	if (w->leaf == SM_LEAF_PTE)
		sh->flags = SM_NO_BLOCK | SM_NO_CONT;
	else if (w->leaf == SM_LEAF_CONT)
		sh->flags = SM_NO_BLOCK;
	st->cnt[SM_CNT_TABLE_PGD]++;
	st->cnt[SM_CNT_TABLE_BYTES] += PAGE_SIZE;
	return sh;
}
EXPORT_SYMBOL_GPL(sm_shadow_create);

/* __create_pgd_mapping() for [addr, end) of a chunk, with slot set 'set' */
static int sm_map_range(struct sm_shadow *sh, struct sm_stats *st,
			const struct sm_chunk *chunk, unsigned long addr,
			unsigned long end, unsigned int set)
{
	struct sm_ctx c = { .sh = sh, .st = st, .chunk = chunk,
			    .slots = &sm_slots[set * SM_NR_SLOTS],
			    .lazy_next = SM_LVL_NR };
	unsigned long next;
	pgd_t *pgdp;
	int ret = 0;

	mutex_lock(&sm_slot_lock[set]);
	pgdp = pgd_offset_pgd(sh->pgd, addr);
	do {
		next = pgd_addr_end(addr, end);
		ret = sm_alloc_init_p4d(&c, pgdp, addr, next);
	} while (!ret && (pgdp++, addr = next, addr != end));
	/* Lazy: leave no stale translation behind the call. */
	if (sh->w.remap == SM_REMAP_LAZY && sm_lazy_dirty(&c))
		sm_lazy_flush(&c);
	mutex_unlock(&sm_slot_lock[set]);
	return ret;
}

static bool sm_chunk_ok(const struct sm_chunk *chunk)
{
	return chunk->nr_pages && !(chunk->va & ~PAGE_MASK) &&
	       chunk->va + chunk->nr_pages * PAGE_SIZE - 1 >= chunk->va;
}

/* __create_pgd_mapping() for one chunk; on error the caller destroys sh. */
int sm_shadow_map(struct sm_shadow *sh, const struct sm_chunk *chunk)
{
	if (!sm_chunk_ok(chunk))
		return -EINVAL;
	return sm_map_range(sh, sh->st, chunk, chunk->va,
			    chunk->va + chunk->nr_pages * PAGE_SIZE, 0);
}
EXPORT_SYMBOL_GPL(sm_shadow_map);

/*
 * threads=N: the chunks are cut at top-level entry boundaries and every
 * top-level entry goes to thread (index % N), so no two threads ever touch
 * the same table below the top level; each thread has its own slots and
 * counters, summed at the end.  alloc and zero times are then CPU time
 * summed over the threads.
 */
struct sm_thread {
	struct sm_shadow *sh;
	const struct sm_chunk *chunks;
	unsigned int nr, id, threads;
	struct sm_stats st;
	int ret;
	struct completion done;
};

static unsigned long sm_top_size(void)
{
	if (sm_p4d_present())
		return PGDIR_SIZE;
	if (sm_pud_present())
		return P4D_SIZE;
	return sm_pmd_present() ? PUD_SIZE : PMD_SIZE;
}

static int sm_thread_fn(void *arg)
{
	struct sm_thread *t = arg;
	unsigned long top = sm_top_size(), addr, end, next;
	const struct sm_chunk *ch;
	unsigned int i;

	for (i = 0; i < t->nr && !t->ret; i++) {
		ch = &t->chunks[i];
		addr = ch->va;
		end = ch->va + ch->nr_pages * PAGE_SIZE;
		do {
			next = min(end - 1, (addr | (top - 1))) + 1;
			if (!next || next > end)
				next = end;
			if ((addr / top) % t->threads == t->id)
				t->ret = sm_map_range(t->sh, &t->st, ch, addr,
						      next, t->id);
		} while (!t->ret && (addr = next, addr != end));
	}
	kthread_complete_and_exit(&t->done, 0);
}

int sm_shadow_map_threads(struct sm_shadow *sh, const struct sm_chunk *chunks,
			  unsigned int nr, unsigned int threads)
{
	struct task_struct *task;
	struct sm_thread *t;
	unsigned int i, k;
	int ret = 0;

	if (!threads || threads > SM_SLOT_SETS)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (!sm_chunk_ok(&chunks[i]))
			return -EINVAL;
	t = kcalloc(threads, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < threads; i++) {
		t[i] = (struct sm_thread){ .sh = sh, .chunks = chunks,
					   .nr = nr, .id = i,
					   .threads = threads };
		init_completion(&t[i].done);
		task = kthread_run(sm_thread_fn, &t[i], "shadowmap/%u", i);
		if (IS_ERR(task)) {
			t[i].ret = PTR_ERR(task);
			complete(&t[i].done);
		}
	}
	for (i = 0; i < threads; i++) {
		wait_for_completion(&t[i].done);
		if (t[i].ret && !ret)
			ret = t[i].ret;
		for (k = 0; k < SM_CNT_NR; k++)
			sh->st->cnt[k] += t[i].st.cnt[k];
		sh->st->ns[SM_PHASE_ALLOC] += t[i].st.ns[SM_PHASE_ALLOC];
		sh->st->ns[SM_PHASE_ZERO] += t[i].st.ns[SM_PHASE_ZERO];
	}
	kfree(t);
	return ret;
}
EXPORT_SYMBOL_GPL(sm_shadow_map_threads);

void sm_shadow_destroy(struct sm_shadow *sh)
{
	struct page *page, *tmp;

	if (!sh)
		return;
	list_for_each_entry_safe(page, tmp, &sh->tables, lru) {
		list_del(&page->lru);
		__free_page(page);
		atomic_long_dec(&sm_held);
	}
	kfree(sh);
}
EXPORT_SYMBOL_GPL(sm_shadow_destroy);

pgd_t *sm_shadow_pgd(struct sm_shadow *sh)
{
	return sh->pgd;
}
EXPORT_SYMBOL_GPL(sm_shadow_pgd);

unsigned long sm_shadow_tables(struct sm_shadow *sh)
{
	return sh->nr_tables;
}
EXPORT_SYMBOL_GPL(sm_shadow_tables);

/* For tests: flip bits of the shadow PTE that maps va (again to undo). */
int sm_shadow_corrupt(struct sm_shadow *sh, unsigned long va, u64 xor)
{
	pte_t *ptep = sm_ptep(sh->pgd, va);

	if (!ptep)
		return -ENOENT;
	WRITE_ONCE(*ptep, __pte(pte_val(READ_ONCE(*ptep)) ^ xor));
	return 0;
}
EXPORT_SYMBOL_GPL(sm_shadow_corrupt);
