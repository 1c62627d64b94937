// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow's lifetime: its top-level table, the list of every table page
 * the walker allocates for it, and teardown.  sm_pages_held() counts the
 * pages of every live shadow, so a test can prove that nothing leaked.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/atomic.h>

#include "shadow.h"
#include "lookup.h"

static atomic_long_t sm_held = ATOMIC_LONG_INIT(0);

long sm_pages_held(void)
{
	return atomic_long_read(&sm_held);
}
EXPORT_SYMBOL_NS_GPL(sm_pages_held, SM_NS);

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
	sm_shadow_own_table(sh, page);
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
EXPORT_SYMBOL_NS_GPL(sm_shadow_create, SM_NS);

/*
 * @nr table pages on @pages, of @sh from now on: freed with it.  A walk
 * hands them over in batches (src/walker.c), so that it takes the lock
 * once per batch.
 */
void sm_shadow_own_tables(struct sm_shadow *sh, struct list_head *pages,
			  unsigned long nr)
{
	if (!nr)
		return;
	spin_lock(&sh->lock);
	list_splice_init(pages, &sh->tables);
	sh->nr_tables += nr;
	spin_unlock(&sh->lock);
	atomic_long_add(nr, &sm_held);
	if (sh->made)
		atomic_long_add(nr, sh->made);
}

/* A table page of @sh from now on: freed with it. */
void sm_shadow_own_table(struct sm_shadow *sh, struct page *page)
{
	LIST_HEAD(one);

	list_add(&page->lru, &one);
	sm_shadow_own_tables(sh, &one, 1);
}

/* A table page @sh no longer uses (src/repaint.c's collapse): freed now. */
void sm_shadow_free_table(struct sm_shadow *sh, struct page *page)
{
	spin_lock(&sh->lock);
	list_del(&page->lru);
	sh->nr_tables--;
	spin_unlock(&sh->lock);
	__free_page(page);
	atomic_long_dec(&sm_held);
}

void sm_shadow_destroy(struct sm_shadow *sh)
{
	struct page *page, *tmp;
	unsigned long n = 0;

	if (!sh)
		return;
	list_for_each_entry_safe(page, tmp, &sh->tables, lru) {
		list_del(&page->lru);
		__free_page(page);
		atomic_long_dec(&sm_held);
		/* a shadow of all RAM has a table per 2 MiB */
		if (!(++n % 512))
			cond_resched();
	}
	kfree(sh);
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_destroy, SM_NS);

pgd_t *sm_shadow_pgd(struct sm_shadow *sh)
{
	return sh->pgd;
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_pgd, SM_NS);

unsigned long sm_shadow_tables(struct sm_shadow *sh)
{
	return sh->nr_tables;
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_tables, SM_NS);

/* For tests: flip bits of the shadow PTE that maps va (again to undo). */
int sm_shadow_corrupt(struct sm_shadow *sh, unsigned long va, u64 xor)
{
	pte_t *ptep = sm_lookup_ptep(sh->pgd, va);

	if (!ptep)
		return -ENOENT;
	WRITE_ONCE(*ptep, __pte(pte_val(READ_ONCE(*ptep)) ^ xor));
	return 0;
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_corrupt, SM_NS);
