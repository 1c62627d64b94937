// SPDX-License-Identifier: GPL-2.0
/*
 * The remap slots: the module's own fixmap.  The kernel's fixmap is not
 * exported to modules, so the module owns pages of kernel VA and rewrites
 * their PTEs as __set_fixmap() does:
 *   map   = set_pte() of a valid kernel PTE = 1 DSB ISHST + 1 ISB;
 *   unmap = pte_clear() (no barrier, the entry is invalid) +
 *           flush_tlb_kernel_range(one page)
 *         = DSB ISHST, TLBI VAALE1IS, DSB ISH, ISB = 1 TLBI + 2 DSB + 1 ISB;
 *   lazy unmap = pte_clear() only; when the ring is exhausted, one
 *           flush_tlb_kernel_range() over the ring
 *         = SM_LAZY_SLOTS TLBI + 2 DSB + 1 ISB.
 * The same instruction sequence as the kernel's, so on real hardware its
 * cost is the real cost.
 *
 * There is one slot per level, as FIX_PGD..FIX_PTE, plus a ring for
 * remap=lazy, in SM_SLOT_SETS sets, one per walker thread.  Their PTEs are
 * found in the live tables at load and put back exactly at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "fixmap.h"
#include "counted.h"
#include "lookup.h"

#define SM_NR_SLOTS		(SM_LVL_NR + SM_LAZY_SLOTS)
#define SM_ALL_SLOTS		(SM_SLOT_SETS * SM_NR_SLOTS)

enum sm_slot_state {
	SM_SLOT_FREE,		/* unmapped, no stale TLB entry */
	SM_SLOT_HELD,		/* mapped */
	SM_SLOT_DIRTY,		/* unmapped, TLB not yet invalidated (lazy) */
};

/* A page of kernel VA owned by the module. */
struct sm_slot {
	unsigned long va;
	pte_t *ptep;
	pte_t orig;
	enum sm_slot_state state;
};

static struct sm_slot sm_slots[SM_ALL_SLOTS];
static struct page *sm_slot_page;
static void *sm_slot_area;
/* Serialise users of each set of slots, as fixmap_lock does in the kernel. */
static struct mutex sm_slot_lock[SM_SLOT_SETS];

static void sm_slots_flush_all(void)
{
	flush_tlb_kernel_range((unsigned long)sm_slot_area,
			       (unsigned long)sm_slot_area +
			       SM_ALL_SLOTS * PAGE_SIZE);
}

/*
 * QEMU TCG turns a one-page TLBI into a flush of its whole TLB when the page
 * lies in the window it keeps around every block mapping it has cached: the
 * kernel image's.  The kernel's fixmap is far from the image; vmap() space
 * starts just after it.  So the slots are put past a hole of this size,
 * vmapped for the moment the slots are taken and then given back: on
 * hardware that costs nothing, and under TCG a slot's TLBI costs what the
 * fixmap's does.
 */
#define SM_SLOT_HOLE		(SZ_256M / PAGE_SIZE)

/* vmap() @nr pages of @page, or NULL. */
static void *sm_vmap_repeated(struct page *page, unsigned int nr)
{
	struct page **pages;
	unsigned int i;
	void *va;

	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN |
			 __GFP_NORETRY);
	if (!pages)
		return NULL;
	for (i = 0; i < nr; i++)
		pages[i] = page;
	va = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	return va;
}

/* Take SM_ALL_SLOTS pages of vmap() space until unload, unmapped. */
int sm_fixmap_init(void)
{
	struct sm_leaf_info li;
	int i, ret = -ENOMEM;
	void *hole;

	sm_slot_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!sm_slot_page)
		return -ENOMEM;
	/* Without the hole only TCG's times suffer. */
	hole = sm_vmap_repeated(sm_slot_page, SM_SLOT_HOLE);
	sm_slot_area = sm_vmap_repeated(sm_slot_page, SM_ALL_SLOTS);
	if (hole)
		vunmap(hole);
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
		s->ptep = sm_lookup_ptep(sm_live_pgd(), s->va);
		s->orig = READ_ONCE(*s->ptep);
	}
	for (i = 0; i < SM_ALL_SLOTS; i++) {
		WRITE_ONCE(*sm_slots[i].ptep, __pte(0));
		sm_slots[i].state = SM_SLOT_FREE;
	}
	sm_slots_flush_all();
	for (i = 0; i < SM_SLOT_SETS; i++)
		mutex_init(&sm_slot_lock[i]);
	return 0;

out_vunmap:
	vunmap(sm_slot_area);
out_free_page:
	__free_page(sm_slot_page);
	return ret;
}

void sm_fixmap_exit(void)
{
	int i;

	/* Put back each original PTE exactly, with set_pte()'s barriers. */
	for (i = 0; i < SM_ALL_SLOTS; i++)
		WRITE_ONCE(*sm_slots[i].ptep, sm_slots[i].orig);
	dsb(ishst);
	isb();
	sm_slots_flush_all();
	vunmap(sm_slot_area);
	__free_page(sm_slot_page);
}

/* Lazy: make every released slot of the ring reusable, one TLBI batch. */
static void sm_lazy_flush(struct sm_fixmap *fm)
{
	int i;

	for (i = SM_LVL_NR; i < SM_NR_SLOTS; i++)
		if (fm->slots[i].state == SM_SLOT_DIRTY)
			fm->slots[i].state = SM_SLOT_FREE;
	sm_flush_tlb(fm->st, fm->slots[SM_LVL_NR].va, SM_LAZY_SLOTS);
}

static bool sm_lazy_dirty(struct sm_fixmap *fm)
{
	int i;

	for (i = SM_LVL_NR; i < SM_NR_SLOTS; i++)
		if (fm->slots[i].state == SM_SLOT_DIRTY)
			return true;
	return false;
}

static struct sm_slot *sm_lazy_get(struct sm_fixmap *fm)
{
	unsigned int i, idx;

	for (;;) {
		for (i = 0; i < SM_LAZY_SLOTS; i++) {
			idx = SM_LVL_NR + (fm->lazy_next - SM_LVL_NR + i) %
			      SM_LAZY_SLOTS;
			if (fm->slots[idx].state == SM_SLOT_FREE) {
				fm->lazy_next = idx + 1;
				return &fm->slots[idx];
			}
		}
		sm_lazy_flush(fm);
	}
}

/* Hold slot set @set for one walk; counts go to @st. */
void sm_fixmap_get(struct sm_fixmap *fm, unsigned int set, enum sm_remap mode,
		   struct sm_stats *st)
{
	*fm = (struct sm_fixmap){ .mode = mode, .st = st, .set = set,
				  .slots = &sm_slots[set * SM_NR_SLOTS],
				  .lazy_next = SM_LVL_NR };
	mutex_lock(&sm_slot_lock[set]);
}

/* Give the set back; lazy leaves no stale translation behind the walk. */
void sm_fixmap_put(struct sm_fixmap *fm)
{
	if (fm->mode == SM_REMAP_LAZY && sm_lazy_dirty(fm))
		sm_lazy_flush(fm);
	mutex_unlock(&sm_slot_lock[fm->set]);
}

/* Make a table page writable: pte_set_fixmap() and friends. */
void *sm_fixmap_map(struct sm_fixmap *fm, int idx, phys_addr_t phys)
{
	struct sm_slot *s;

	if (fm->mode == SM_REMAP_NONE)
		return phys_to_virt(phys);

	if (fm->mode == SM_REMAP_LAZY)
		s = sm_lazy_get(fm);
	else if (idx == SM_ZERO_SLOT)
		s = &fm->slots[SM_LVL_PTE];
	else
		s = &fm->slots[idx];
	WARN_ON_ONCE(s->state != SM_SLOT_FREE);
	s->state = SM_SLOT_HELD;
	fm->held[idx] = s;
	WRITE_ONCE(*s->ptep, pfn_pte(PHYS_PFN(phys), PAGE_KERNEL));
	sm_entry_sync(fm->st);
	fm->st->cnt[SM_CNT_REMAP_MAP]++;
	return (void *)s->va;
}

/* pte_clear_fixmap() and friends */
void sm_fixmap_unmap(struct sm_fixmap *fm, int idx)
{
	struct sm_slot *s = fm->held[idx];

	if (fm->mode == SM_REMAP_NONE)
		return;

	fm->held[idx] = NULL;
	WRITE_ONCE(*s->ptep, __pte(0));
	fm->st->cnt[SM_CNT_REMAP_UNMAP]++;
	if (fm->mode == SM_REMAP_LAZY) {
		s->state = SM_SLOT_DIRTY;
		return;
	}
	sm_flush_tlb(fm->st, s->va, 1);
	s->state = SM_SLOT_FREE;
}

/*
 * flush_tlb_kernel_range() over the first @nr pages (at most SM_LAZY_SLOTS)
 * of the held set's lazy ring, whatever their state: src/calibrate.c times
 * it.  The slots' states do not change.
 */
void sm_fixmap_flush_ring(struct sm_fixmap *fm, unsigned int nr)
{
	sm_flush_tlb(fm->st, fm->slots[SM_LVL_NR].va,
		     min_t(unsigned int, nr, SM_LAZY_SLOTS));
}
