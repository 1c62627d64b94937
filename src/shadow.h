/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A shadow: a private kernel page-table tree that is never installed in
 * TTBR (src/shadow.c owns its pages; src/walker.c fills it).
 */
#ifndef SHADOWMAP_SHADOW_H
#define SHADOWMAP_SHADOW_H

#include <linux/list.h>
#include <linux/spinlock.h>

#include "shadowmap.h"
#include "stop.h"

/* __create_pgd_mapping() flags, as map_mem() and rodata=full use them */
#define SM_NO_BLOCK		BIT(0)
#define SM_NO_CONT		BIT(1)

/* Hierarchical bits of table descriptors; the same at every level. */
#define SM_TABLE_DESC		(PMD_TYPE_TABLE | PMD_TABLE_UXN | PMD_TABLE_PXN)

struct sm_shadow {
	pgd_t *pgd;
	spinlock_t lock;		/* tables, nr_tables: walker threads */
	struct list_head tables;	/* every table page, pgd included */
	unsigned long nr_tables;
	struct sm_walker w;
	pgprot_t prot;
	int flags;			/* SM_NO_BLOCK, SM_NO_CONT */
	struct sm_stats *st;		/* the build's counters */
	struct sm_stop *stop;		/* checked per table; NULL: never */
	atomic_long_t *made;		/* tables made, for progress; or NULL */
	atomic_t failed;		/* a split build: the first thread's error */
};

struct sm_shadow *sm_shadow_create(const struct sm_walker *w, pgprot_t prot,
				   struct sm_stats *st);
void sm_shadow_destroy(struct sm_shadow *sh);
void sm_shadow_own_table(struct sm_shadow *sh, struct page *page);
void sm_shadow_own_tables(struct sm_shadow *sh, struct list_head *pages,
			  unsigned long nr);
void sm_shadow_free_table(struct sm_shadow *sh, struct page *page);
pgd_t *sm_shadow_pgd(struct sm_shadow *sh);
unsigned long sm_shadow_tables(struct sm_shadow *sh);
int sm_shadow_corrupt(struct sm_shadow *sh, unsigned long va, u64 xor);
long sm_pages_held(void);

#endif /* SHADOWMAP_SHADOW_H */
