// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for src/repaint.c: split and collapse of a shadow built with
 * blocks, each with both sequences, over four shapes (PMD blocks, one
 * contiguous group of PMD blocks, one contiguous group of PTEs, a PUD
 * block).  A shadow is never installed, so it maps synthetic pfns at a
 * synthetic VA, both aligned as the shape needs.  The expected counters
 * come from the geometry alone (PTRS_PER_*, CONT_*), as the formulas of
 * docs/repaint.md give them, and the shadow must map every page as before.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "shadowmap.h"
#include "compat.h"
#include "lookup.h"
#include "repaint.h"
#include "shadow.h"
#include "walker.h"
#include "shadowmap_kunit.h"

enum sm_rk_shape {
	SM_RK_PMD,		/* two PMD blocks, no hint */
	SM_RK_CONT_PMD,		/* one contiguous group of PMD blocks */
	SM_RK_CONT_PTE,		/* one contiguous group of PTEs */
	SM_RK_PUD,		/* one PUD block, where there are any */
};

struct sm_rk_param {
	const char *name;
	enum sm_rk_shape shape;
	enum sm_repaint_seq seq;
};

static const struct sm_rk_param sm_rk_params[] = {
	{ "pmd bbm", SM_RK_PMD, SM_SEQ_BBM },
	{ "pmd bbml2", SM_RK_PMD, SM_SEQ_BBML2 },
	{ "cont_pmd bbm", SM_RK_CONT_PMD, SM_SEQ_BBM },
	{ "cont_pmd bbml2", SM_RK_CONT_PMD, SM_SEQ_BBML2 },
	{ "cont_pte bbm", SM_RK_CONT_PTE, SM_SEQ_BBM },
	{ "cont_pte bbml2", SM_RK_CONT_PTE, SM_SEQ_BBML2 },
	{ "pud bbm", SM_RK_PUD, SM_SEQ_BBM },
	{ "pud bbml2", SM_RK_PUD, SM_SEQ_BBML2 },
};

static void sm_rk_desc(const struct sm_rk_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sm_rk, sm_rk_params, sm_rk_desc);

/* What one repaint should count: the per-unit formulas of docs/repaint.md. */
struct sm_rk_want {
	u64 units, tables_pmd, tables_pte, freed, desc_pmd, desc_pud;
	u64 leaf_pte, leaf_pmd_block, tlbi, dsb, isb, breaks;
};

/* flush_tlb_kernel_range()'s TLBIs for @pages pages */
static u64 sm_rk_tlbi(u64 pages)
{
	return pages > PTRS_PER_PTE ? 1 : pages;
}

/*
 * A split unit of @n entries that makes @tables new tables (0: a
 * contiguous PTE group, rewritten in place) for @pages pages.
 */
static void sm_rk_split_unit(struct sm_rk_want *w, bool bbm, u64 n,
			     u64 tables, u64 pages)
{
	w->units++;
	w->tlbi += sm_rk_tlbi(pages);
	w->dsb += 2 + n + (tables ? 1 : 0);
	w->isb += 1 + n;
	w->breaks += bbm ? n : 0;
}

static void sm_rk_check(struct kunit *test, const struct sm_stats *st,
			const struct sm_repaint_out *out,
			const struct sm_rk_want *w)
{
	KUNIT_EXPECT_EQ(test, out->units, w->units);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_TABLE_PMD], w->tables_pmd);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_TABLE_PTE], w->tables_pte);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_TABLES_FREED], w->freed);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_DESC_PMD], w->desc_pmd);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_DESC_PUD], w->desc_pud);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_PTE], w->leaf_pte);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_PMD_BLOCK], w->leaf_pmd_block);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_TLBI], w->tlbi);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_DSB], w->dsb);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_ISB], w->isb);
	KUNIT_EXPECT_EQ(test, st->cnt[SM_CNT_BBM_BREAKS], w->breaks);
}

/* Every page of the chunk maps pfn + i, with a leaf at @level. */
static void sm_rk_maps(struct kunit *test, struct sm_shadow *sh,
		       const struct sm_chunk *ch, int level)
{
	struct sm_leaf_info li;
	unsigned long i, bad = 0, wrong_level = 0;

	for (i = 0; i < ch->nr_pages; i++) {
		sm_lookup(sm_shadow_pgd(sh), ch->va + i * PAGE_SIZE, &li);
		if (li.pa != PFN_PHYS(ch->pfn + i))
			bad++;
		if (li.level != level)
			wrong_level++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, wrong_level, 0UL);
}

static void repaint_split_collapse(struct kunit *test)
{
	const struct sm_rk_param *p = test->param_value;
	struct sm_repaint_args a = { .seq = p->seq };
	bool bbm = p->seq == SM_SEQ_BBM;
	/* far from anything (a shadow is never live); at 64K CONT_PMD is 16G */
	unsigned long off = ALIGN(8 * (unsigned long)SZ_1G, CONT_PMD_SIZE);
	unsigned long base = PAGE_OFFSET + off;
	struct sm_chunk ch = { .pfn = PHYS_PFN(off) };
	struct sm_rk_want w = {}, c = {};
	struct sm_repaint_out out;
	struct sm_stats st = {}, rst;
	struct sm_walker walker;
	struct sm_shadow *sh;
	long held;

	switch (p->shape) {
	case SM_RK_PMD:
		/* PMD-aligned, not a contiguous group's start */
		ch.va = base + PMD_SIZE;
		ch.pfn += PHYS_PFN(PMD_SIZE);
		ch.nr_pages = 2 * PTRS_PER_PTE;
		sm_rk_split_unit(&w, bbm, 1, 1, PTRS_PER_PTE);
		sm_rk_split_unit(&w, bbm, 1, 1, PTRS_PER_PTE);
		w.tables_pte = 2;
		w.desc_pmd = 2;
		w.leaf_pte = 2 * PTRS_PER_PTE;
		break;
	case SM_RK_CONT_PMD:
		ch.va = base;
		ch.nr_pages = CONT_PMD_SIZE / PAGE_SIZE;
		sm_rk_split_unit(&w, bbm, CONT_PMDS, CONT_PMDS,
				 ch.nr_pages);
		w.tables_pte = CONT_PMDS;
		w.desc_pmd = CONT_PMDS;
		w.leaf_pte = ch.nr_pages;
		break;
	case SM_RK_CONT_PTE:
		/* inside a PTE table: no block, one contiguous group */
		ch.va = base + CONT_PTE_SIZE;
		ch.pfn += CONT_PTES;
		ch.nr_pages = CONT_PTES;
		sm_rk_split_unit(&w, bbm, CONT_PTES, 0, CONT_PTES);
		w.leaf_pte = CONT_PTES;
		break;
	case SM_RK_PUD:
		if (!pud_sect_supported() || !sm_pmd_present())
			kunit_skip(test, "no PUD blocks with %luK pages",
				   PAGE_SIZE >> 10);
		ch.va = base;
		ch.nr_pages = PUD_SIZE / PAGE_SIZE;
		sm_rk_split_unit(&w, bbm, 1, 1, ch.nr_pages);
		w.tables_pmd = 1;
		w.tables_pte = PTRS_PER_PMD;
		w.desc_pmd = PTRS_PER_PMD;
		w.desc_pud = 1;
		w.leaf_pte = ch.nr_pages;
		break;
	}
	/* collapse: a unit per PTE table split made */
	c.units = w.tables_pte;
	c.freed = w.tables_pte;
	c.leaf_pmd_block = w.tables_pte;
	c.tlbi = w.tables_pte * (sm_rk_tlbi(PTRS_PER_PTE) + 1);
	c.dsb = w.tables_pte * 5;
	c.isb = w.tables_pte * 3;
	c.breaks = bbm ? w.tables_pte : 0;

	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(&walker, "bbml2"), 0);
	sh = sm_shadow_create(&walker, PAGE_KERNEL, &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	held = sm_pages_held();
	if (sm_shadow_map(sh, &ch)) {
		sm_shadow_destroy(sh);
		KUNIT_FAIL(test, "the shadow could not be built");
		return;
	}
	KUNIT_EXPECT_EQ(test, sm_repaint_units(sh, &ch, 1, SM_REPAINT_SPLIT),
			w.units);

	a.op = SM_REPAINT_SPLIT;
	memset(&rst, 0, sizeof(rst));
	KUNIT_EXPECT_EQ(test, sm_repaint(sh, &ch, 1, &a, &rst, NULL, NULL,
					 &out), 0);
	sm_rk_check(test, &rst, &out, &w);
	sm_rk_maps(test, sh, &ch, SM_LVL_PTE);
	KUNIT_EXPECT_EQ(test, sm_repaint_units(sh, &ch, 1, SM_REPAINT_SPLIT),
			0ULL);

	a.op = SM_REPAINT_COLLAPSE;
	KUNIT_EXPECT_EQ(test,
			sm_repaint_units(sh, &ch, 1, SM_REPAINT_COLLAPSE),
			c.units);
	memset(&rst, 0, sizeof(rst));
	KUNIT_EXPECT_EQ(test, sm_repaint(sh, &ch, 1, &a, &rst, NULL, NULL,
					 &out), 0);
	sm_rk_check(test, &rst, &out, &c);
	if (p->shape != SM_RK_CONT_PTE)
		sm_rk_maps(test, sh, &ch, SM_LVL_PMD);
	/* split made tables_pmd + tables_pte pages, collapse freed the PTEs */
	KUNIT_EXPECT_EQ(test, sm_pages_held() - held,
			(long)(st.cnt[SM_CNT_TABLE_BYTES] >> PAGE_SHIFT) - 1 +
			(long)w.tables_pmd);
	sm_shadow_destroy(sh);
}

static void repaint_parse(struct kunit *test)
{
	struct sm_repaint_args a;
	char err[SM_ERR_LEN];
	char ok[] = "seq=bbml2", bad[] = "seq=fast", key[] = "when=now";
	char twice[] = "seq=bbm seq=bbml2", none[] = "";

	KUNIT_EXPECT_EQ(test, sm_repaint_parse(SM_REPAINT_SPLIT, none, &a, err,
					       sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, a.seq, SM_SEQ_BBM);
	KUNIT_EXPECT_EQ(test, sm_repaint_parse(SM_REPAINT_COLLAPSE, ok, &a, err,
					       sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, a.seq, SM_SEQ_BBML2);
	KUNIT_EXPECT_EQ(test, a.op, SM_REPAINT_COLLAPSE);
	KUNIT_EXPECT_EQ(test, sm_repaint_parse(SM_REPAINT_SPLIT, bad, &a, err,
					       sizeof(err)), -EINVAL);
	KUNIT_EXPECT_EQ(test, sm_repaint_parse(SM_REPAINT_SPLIT, key, &a, err,
					       sizeof(err)), -EINVAL);
	KUNIT_EXPECT_EQ(test, sm_repaint_parse(SM_REPAINT_SPLIT, twice, &a,
					       err, sizeof(err)), -EINVAL);
}

static struct kunit_case shadowmap_repaint_cases[] = {
	KUNIT_CASE(repaint_parse),
	KUNIT_CASE_PARAM(repaint_split_collapse, sm_rk_gen_params),
	{}
};

struct kunit_suite shadowmap_repaint_suite = {
	.name = "shadowmap_repaint",
	.test_cases = shadowmap_repaint_cases,
};
