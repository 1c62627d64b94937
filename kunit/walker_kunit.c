// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the shadow walker, the live walker and the comparison.
 *
 * A shadow is never installed, so it can map any VA: the tests map the
 * pfns of a small vmalloc buffer at synthetic VAs placed just below a
 * contiguous-block, PMD, PUD, P4D or PGD boundary, and compare each shadow
 * page with the live mapping of the matching buffer page.  The expected
 * counters are computed here from the geometry alone (PTRS_PER_*, CONT_*
 * and the boundaries the range crosses), not from the walker's code.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "shadowmap.h"
#include "compat.h"
#include "shadowmap_kunit.h"

#define SM_TEST_PAGES	600	/* more than one PTE table at 4K */
#define SM_LAZY_SLOTS	16	/* src/walker.c */

struct sm_buf {
	void *va;
	unsigned long pfns[SM_TEST_PAGES];
};

static struct sm_buf *sm_buf_alloc(struct kunit *test)
{
	struct sm_buf *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->va = vmalloc(SM_TEST_PAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, b->va);
	for (i = 0; i < SM_TEST_PAGES; i++)
		b->pfns[i] = vmalloc_to_pfn(b->va + i * PAGE_SIZE);
	return b;
}

static void sm_buf_free(struct sm_buf *b)
{
	vfree(b->va);
}

/* Number of size-aligned blocks that [s, s + len) touches. */
static u64 sm_blocks(unsigned long s, unsigned long len, unsigned long size)
{
	return (s + len - 1) / size - s / size + 1;
}

/*
 * The closed forms, for one fresh chunk [s, s + len) and leaf=pte:
 *   tables at a level = blocks of the parent entry's span touched;
 *   remap=table|lazy: one map per table-call = one per table;
 *   remap=cont (6.1): one map per CONT_PTE block and per CONT_PMD block,
 *     one per PUD (and P4D) table-call, plus one per table for zero=separate;
 *   map = DSB + ISB; unmap = TLBI + 2 DSB + ISB; table descriptor = DSB + ISB;
 *   barrier=entry: DSB + ISB per leaf; barrier=table with remap lazy|none:
 *     DSB + ISB per PTE table; zero=combined|allocator: DSB per table.
 */
static void sm_expect(const struct sm_walker *w, unsigned long s,
		      unsigned long len, u64 *x)
{
	u64 pte_t_ = sm_blocks(s, len, PMD_SIZE);
	u64 pmd_t_ = sm_pmd_present() ? sm_blocks(s, len, PUD_SIZE) : 0;
	u64 pud_t_ = sm_pud_present() ? sm_blocks(s, len, P4D_SIZE) : 0;
	u64 p4d_t_ = sm_p4d_present() ? sm_blocks(s, len, PGDIR_SIZE) : 0;
	u64 tables = pte_t_ + pmd_t_ + pud_t_ + p4d_t_;
	u64 pages = len >> PAGE_SHIFT, maps, unmaps, flushes, descs, extra;

	memset(x, 0, SM_CNT_NR * sizeof(*x));
	x[SM_CNT_TABLE_PGD] = 1;
	x[SM_CNT_TABLE_P4D] = p4d_t_;
	x[SM_CNT_TABLE_PUD] = pud_t_;
	x[SM_CNT_TABLE_PMD] = pmd_t_;
	x[SM_CNT_TABLE_PTE] = pte_t_;
	x[SM_CNT_DESC_PGD] = p4d_t_;
	x[SM_CNT_DESC_P4D] = pud_t_;
	x[SM_CNT_DESC_PUD] = pmd_t_;
	x[SM_CNT_DESC_PMD] = pte_t_;
	x[SM_CNT_PTE] = pages;
	x[SM_CNT_BYTES_ZEROED] = tables * PAGE_SIZE;
	x[SM_CNT_TABLE_BYTES] = (tables + 1) * PAGE_SIZE;
	descs = tables;

	switch (w->remap) {
	case SM_REMAP_CONT:
		maps = sm_blocks(s, len, CONT_PTE_SIZE) + pud_t_ + p4d_t_ +
		       (sm_pmd_present() ? sm_blocks(s, len, CONT_PMD_SIZE) : 0);
		break;
	case SM_REMAP_NONE:
		maps = 0;
		break;
	default:
		maps = tables;
		break;
	}
	if (w->zero == SM_ZERO_SEPARATE && w->remap != SM_REMAP_NONE)
		maps += tables;
	unmaps = maps;
	flushes = w->remap == SM_REMAP_LAZY ? 0 : unmaps;

	extra = 0;
	if (w->barrier == SM_BARRIER_ENTRY)
		extra = pages;
	else if (w->remap == SM_REMAP_LAZY || w->remap == SM_REMAP_NONE)
		extra = pte_t_;
	x[SM_CNT_REMAP_MAP] = maps;
	x[SM_CNT_REMAP_UNMAP] = unmaps;
	x[SM_CNT_TLBI] = flushes;
	x[SM_CNT_DSB] = maps + 2 * flushes + descs + extra +
			(w->zero == SM_ZERO_SEPARATE ? 0 : tables);
	x[SM_CNT_ISB] = maps + flushes + descs + extra;
}

struct sm_place {
	const char *name;
	unsigned long boundary;	/* 0: the buffer's own VA */
	unsigned long below;	/* pages below the boundary */
	unsigned long pages;
};

static void sm_places(struct sm_place *p, int *nr)
{
	int i = 0;

	p[i++] = (struct sm_place){ "natural", 0, 0, 83 };
	p[i++] = (struct sm_place){ "one page", 0, 0, 1 };
	p[i++] = (struct sm_place){ "cont", CONT_PTE_SIZE, 5, 37 };
	p[i++] = (struct sm_place){ "pmd", PMD_SIZE, 37, 83 };
	p[i++] = (struct sm_place){ "pmd-full", PMD_SIZE, 0, PTRS_PER_PTE };
	p[i++] = (struct sm_place){ "cont-pmd", CONT_PMD_SIZE, 3, 300 };
	p[i++] = (struct sm_place){ "pud", PUD_SIZE, 37, SM_TEST_PAGES };
	p[i++] = (struct sm_place){ "p4d", P4D_SIZE, 101, 211 };
	p[i++] = (struct sm_place){ "pgd", PGDIR_SIZE, 300, 301 };
	*nr = i;
}

static unsigned long sm_place_va(const struct sm_place *p, struct sm_buf *b)
{
	unsigned long va = (unsigned long)b->va;

	if (!p->boundary)
		return va;
	return ALIGN_DOWN(va, p->boundary) - p->below * PAGE_SIZE;
}

static const char * const sm_presets[] = {
	"v6.1", "v6.1-late", "v6.10", "lazy", "direct", "bbml2",
};

/* Build one shadow of b's first pages at sva; compare; check counters. */
static void sm_check_one(struct kunit *test, struct sm_buf *b,
			 const char *preset, const struct sm_place *p)
{
	struct sm_compare_result res = {};
	struct sm_walker w;
	struct sm_stats st = {};
	struct sm_chunk ch;
	struct sm_shadow *sh;
	unsigned long sva = sm_place_va(p, b);
	unsigned long len = p->pages * PAGE_SIZE;
	u64 x[SM_CNT_NR];
	long held = sm_pages_held();
	int i;

	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(&w, preset), 0);
	KUNIT_ASSERT_LE(test, p->pages, (unsigned long)SM_TEST_PAGES);
	ch = (struct sm_chunk){ .va = sva, .nr_pages = p->pages,
				.pfns = b->pfns };
	sh = sm_shadow_create(&w, PAGE_KERNEL, &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ_MSG(test, sm_shadow_map(sh, &ch), 0, "%s %s",
			    preset, p->name);

	sm_compare(sh, sva, (unsigned long)b->va, len, &res);
	KUNIT_EXPECT_EQ_MSG(test, res.pages, p->pages, "%s %s", preset,
			    p->name);
	KUNIT_EXPECT_EQ_MSG(test, res.mismatches, 0UL, "%s %s: %s at page %lu",
			    preset, p->name, res.why ?: "-",
			    (res.bad_va - sva) >> PAGE_SHIFT);

	/* bbml2 may use blocks where the vmalloc pfns happen to allow them */
	if (w.leaf == SM_LEAF_PTE) {
		sm_expect(&w, sva, len, x);
		for (i = 0; i < SM_CNT_NR; i++) {
			if (w.remap == SM_REMAP_LAZY &&
			    (i == SM_CNT_TLBI || i == SM_CNT_DSB ||
			     i == SM_CNT_ISB))
				continue;
			KUNIT_EXPECT_EQ_MSG(test, st.cnt[i], x[i],
					    "%s %s: %s", preset, p->name,
					    sm_counter_names[i]);
		}
		if (w.remap == SM_REMAP_LAZY) {
			u64 flushes = st.cnt[SM_CNT_TLBI] / SM_LAZY_SLOTS;

			/* one batched TLBI per wrap, 2 DSB + 1 ISB each */
			KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_TLBI] % SM_LAZY_SLOTS,
					0ULL);
			KUNIT_EXPECT_GE(test, flushes, 1ULL);
			KUNIT_EXPECT_EQ_MSG(test, st.cnt[SM_CNT_DSB],
					    x[SM_CNT_DSB] + 2 * flushes,
					    "%s lazy dsb", p->name);
			KUNIT_EXPECT_EQ_MSG(test, st.cnt[SM_CNT_ISB],
					    x[SM_CNT_ISB] + flushes,
					    "%s lazy isb", p->name);
		}
	}
	KUNIT_EXPECT_EQ(test, sm_pages_held(),
			held + (long)(st.cnt[SM_CNT_TABLE_BYTES] >> PAGE_SHIFT));
	sm_shadow_destroy(sh);
	KUNIT_EXPECT_EQ(test, sm_pages_held(), held);
}

static void walker_presets_match_live(struct kunit *test)
{
	struct sm_place places[16];
	struct sm_buf *b = sm_buf_alloc(test);
	int i, j, nr;

	sm_places(places, &nr);
	for (i = 0; i < ARRAY_SIZE(sm_presets); i++)
		for (j = 0; j < nr; j++)
			sm_check_one(test, b, sm_presets[i], &places[j]);
	sm_buf_free(b);
}

/* One remap x barrier x zero combination on a PMD-crossing range. */
static void sm_check_axes(struct kunit *test, struct sm_buf *b,
			  const struct sm_walker *w)
{
	struct sm_place p = { "axes", PMD_SIZE, 37, 83 };
	unsigned long sva = sm_place_va(&p, b);
	struct sm_chunk ch = { .va = sva, .nr_pages = p.pages,
			       .pfns = b->pfns };
	struct sm_compare_result res = {};
	struct sm_stats st = {};
	struct sm_shadow *sh;
	u64 x[SM_CNT_NR];
	char name[96];

	sm_format_walker(w, name, sizeof(name));
	sh = sm_shadow_create(w, PAGE_KERNEL, &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ_MSG(test, sm_shadow_map(sh, &ch), 0, "%s", name);
	sm_compare(sh, sva, (unsigned long)b->va, p.pages * PAGE_SIZE, &res);
	KUNIT_EXPECT_EQ_MSG(test, res.mismatches, 0UL, "%s", name);
	sm_expect(w, sva, p.pages * PAGE_SIZE, x);
	KUNIT_EXPECT_EQ_MSG(test, st.cnt[SM_CNT_REMAP_MAP],
			    x[SM_CNT_REMAP_MAP], "%s", name);
	if (w->remap != SM_REMAP_LAZY) {
		KUNIT_EXPECT_EQ_MSG(test, st.cnt[SM_CNT_TLBI], x[SM_CNT_TLBI],
				    "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, st.cnt[SM_CNT_DSB], x[SM_CNT_DSB],
				    "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, st.cnt[SM_CNT_ISB], x[SM_CNT_ISB],
				    "%s", name);
	}
	sm_shadow_destroy(sh);
}

static void walker_axes_match_live(struct kunit *test)
{
	struct sm_buf *b = sm_buf_alloc(test);
	struct sm_walker w;
	int r, ba, z;

	sm_walker_set_preset(&w, "v6.10");
	w.preset = NULL;
	for (r = 0; r < SM_REMAP_NR; r++) {
		for (ba = 0; ba < SM_BARRIER_NR; ba++) {
			for (z = 0; z < SM_ZERO_NR; z++) {
				w.remap = r;
				w.barrier = ba;
				w.zero = z;
				sm_check_axes(test, b, &w);
			}
		}
	}
	sm_buf_free(b);
}

/* The seeds' claim: 32 remaps per full PTE table for 6.1, 1 for v6.10. */
static void counters_full_pte_table(struct kunit *test)
{
	struct sm_place p = { "pmd-full", PMD_SIZE, 0, PTRS_PER_PTE };
	struct sm_buf *b = sm_buf_alloc(test);
	unsigned long sva = sm_place_va(&p, b);
	struct sm_chunk ch = { .va = sva, .nr_pages = p.pages,
			       .pfns = b->pfns };
	u64 upper = sm_pmd_present() + sm_pud_present() + sm_p4d_present();
	struct sm_stats st = {};
	struct sm_shadow *sh;
	struct sm_walker w;

	KUNIT_ASSERT_LE(test, (unsigned long)PTRS_PER_PTE,
			(unsigned long)SM_TEST_PAGES);
	/* v6.1: CONT blocks + 1 CONT_PMD block + 1 per upper table + zeroing */
	sm_walker_set_preset(&w, "v6.1");
	sh = sm_shadow_create(&w, PAGE_KERNEL, &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch), 0);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_TABLE_PTE], 1ULL);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_REMAP_MAP] -
			(1 + upper) /* zeroing */ -
			(upper - sm_pmd_present()) /* pud, p4d */ -
			sm_pmd_present() /* the CONT_PMD block */,
			(u64)(PTRS_PER_PTE / CONT_PTES));
	if (PAGE_SIZE == SZ_4K)
		KUNIT_EXPECT_EQ(test, (u64)(PTRS_PER_PTE / CONT_PTES), 32ULL);
	sm_shadow_destroy(sh);

	/* v6.10: one remap per table, no separate zeroing */
	memset(&st, 0, sizeof(st));
	sm_walker_set_preset(&w, "v6.10");
	sh = sm_shadow_create(&w, PAGE_KERNEL, &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch), 0);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_REMAP_MAP], 1 + upper);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_TLBI], 1 + upper);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_PTE], (u64)PTRS_PER_PTE);
	sm_shadow_destroy(sh);
	sm_buf_free(b);
}

/* Physically contiguous memory: cont and block leaves where aligned. */
static void walker_contig_leaves(struct kunit *test)
{
	unsigned int order = PMD_SHIFT - PAGE_SHIFT;
	struct sm_compare_result res = {};
	struct sm_stats st = {};
	struct sm_shadow *sh;
	struct sm_walker w;
	struct sm_chunk ch;
	struct page *page;
	unsigned long va;

	if (order > SM_MAX_ORDER)
		kunit_skip(test, "a PMD is larger than the largest page block");
	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
	if (!page)
		kunit_skip(test, "no order-%u block free", order);
	va = (unsigned long)page_address(page);
	ch = (struct sm_chunk){ .va = va, .nr_pages = 1UL << order,
				.pfn = page_to_pfn(page) };

	sm_walker_set_preset(&w, "bbml2");
	sh = sm_shadow_create(&w, pgprot_tagged(PAGE_KERNEL), &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch), 0);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_PMD_BLOCK], 1ULL);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_TABLE_PTE], 0ULL);
	sm_compare(sh, va, va, PMD_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
	sm_shadow_destroy(sh);

	memset(&st, 0, sizeof(st));
	memset(&res, 0, sizeof(res));
	sm_walker_set_preset(&w, "v6.10");
	w.leaf = SM_LEAF_CONT;
	sh = sm_shadow_create(&w, pgprot_tagged(PAGE_KERNEL), &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch), 0);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_PTE_CONT], (u64)PTRS_PER_PTE);
	KUNIT_EXPECT_EQ(test, st.cnt[SM_CNT_PTE], 0ULL);
	sm_compare(sh, va, va, PMD_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
	sm_shadow_destroy(sh);
	__free_pages(page, order);
}

/* Teardown and every error path give back every page. */
static void walker_teardown_returns_pages(struct kunit *test)
{
	struct sm_buf *b = sm_buf_alloc(test);
	long held = sm_pages_held();
	struct sm_stats st = {};
	struct sm_shadow *sh;
	struct sm_walker w;
	struct sm_chunk ch = { .va = (unsigned long)b->va, .nr_pages = 100,
			       .pfns = b->pfns };
	struct sm_chunk shifted = ch;

	sm_walker_set_preset(&w, "v6.1");
	sh = sm_shadow_create(&w, PAGE_KERNEL, &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch), 0);
	KUNIT_EXPECT_GT(test, sm_pages_held(), held);
	KUNIT_EXPECT_EQ(test, (u64)sm_shadow_tables(sh) * PAGE_SIZE,
			st.cnt[SM_CNT_TABLE_BYTES]);
	/* the same VAs again with other pfns: refused, not BUG()ed */
	shifted.pfns = b->pfns + 1;
	KUNIT_EXPECT_EQ(test, sm_shadow_map(sh, &shifted), -EEXIST);
	ch.nr_pages = 0;
	KUNIT_EXPECT_EQ(test, sm_shadow_map(sh, &ch), -EINVAL);
	sm_shadow_destroy(sh);
	KUNIT_EXPECT_EQ(test, sm_pages_held(), held);
	sm_buf_free(b);
}

/* threads=N splits at top-level entries: same tree, same counters. */
static void walker_threads_match(struct kunit *test)
{
	static const char * const presets[] = { "v6.1", "v6.10", "direct" };
	struct sm_place places[16];
	struct sm_buf *b = sm_buf_alloc(test);
	struct sm_compare_result res;
	unsigned long sva, len;
	struct sm_stats st;
	struct sm_shadow *sh;
	struct sm_walker w;
	struct sm_chunk ch[2];
	u64 x[SM_CNT_NR], y[SM_CNT_NR];
	long held = sm_pages_held();
	int i, j, k, nr;

	sm_places(places, &nr);
	for (i = 0; i < ARRAY_SIZE(presets); i++) {
		for (j = 0; j < nr; j++) {
			sva = sm_place_va(&places[j], b);
			len = places[j].pages * PAGE_SIZE;
			/* two chunks: the range cut in two unequal halves */
			ch[0] = (struct sm_chunk){ .va = sva,
				.nr_pages = places[j].pages / 3 ?: 1,
				.pfns = b->pfns };
			ch[1] = (struct sm_chunk){
				.va = sva + ch[0].nr_pages * PAGE_SIZE,
				.nr_pages = places[j].pages - ch[0].nr_pages,
				.pfns = b->pfns + ch[0].nr_pages };
			sm_walker_set_preset(&w, presets[i]);
			memset(&st, 0, sizeof(st));
			memset(&res, 0, sizeof(res));
			sh = sm_shadow_create(&w, PAGE_KERNEL, &st);
			KUNIT_ASSERT_NOT_NULL(test, sh);
			k = sm_shadow_map_threads(sh, ch, ch[1].nr_pages ? 2 : 1,
						  3);
			KUNIT_ASSERT_EQ(test, k, 0);
			sm_compare(sh, sva, (unsigned long)b->va, len, &res);
			KUNIT_EXPECT_EQ_MSG(test, res.mismatches, 0UL, "%s %s",
					    presets[i], places[j].name);
			/* the same two calls, one thread */
			memcpy(x, st.cnt, sizeof(x));
			sm_shadow_destroy(sh);
			memset(&st, 0, sizeof(st));
			sh = sm_shadow_create(&w, PAGE_KERNEL, &st);
			KUNIT_ASSERT_NOT_NULL(test, sh);
			KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch[0]), 0);
			if (ch[1].nr_pages)
				KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch[1]),
						0);
			memcpy(y, st.cnt, sizeof(y));
			sm_shadow_destroy(sh);
			for (k = 0; k < SM_CNT_NR; k++)
				KUNIT_EXPECT_EQ_MSG(test, x[k], y[k],
						    "%s %s: %s", presets[i],
						    places[j].name,
						    sm_counter_names[k]);
		}
	}
	KUNIT_EXPECT_EQ(test, sm_pages_held(), held);
	sm_buf_free(b);
}

static struct kunit_case shadowmap_walker_cases[] = {
	KUNIT_CASE(walker_presets_match_live),
	KUNIT_CASE(walker_axes_match_live),
	KUNIT_CASE(counters_full_pte_table),
	KUNIT_CASE(walker_contig_leaves),
	KUNIT_CASE(walker_teardown_returns_pages),
	KUNIT_CASE(walker_threads_match),
	{}
};

struct kunit_suite shadowmap_walker_suite = {
	.name = "shadowmap_walker",
	.test_cases = shadowmap_walker_cases,
};

/* The live walker agrees with vmalloc_to_pfn(), __pa() and AT S1E1R. */
static void live_agrees_with_kernel_and_hw(struct kunit *test)
{
	struct sm_buf *b = sm_buf_alloc(test);
	unsigned long checked = 0, bad = 0;
	struct sm_leaf_info li;
	phys_addr_t pa;
	void *lin;
	u8 attr;

	sm_check_live((unsigned long)b->va, SM_TEST_PAGES * PAGE_SIZE, 64,
		      &checked, &bad);
	KUNIT_EXPECT_GE(test, checked, 64UL);
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	lin = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	checked = 0;
	bad = 0;
	sm_check_live((unsigned long)lin, PAGE_SIZE, 1, &checked, &bad);
	KUNIT_EXPECT_EQ(test, checked, 1UL);
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	sm_lookup(sm_live_pgd(), (unsigned long)b->va, &li);
	KUNIT_EXPECT_EQ(test, li.level, (int)SM_LVL_PTE);
	KUNIT_EXPECT_EQ(test, PHYS_PFN(li.pa), b->pfns[0]);
	KUNIT_EXPECT_EQ(test, sm_hw_translate((unsigned long)b->va, &pa,
					      &attr), 0);
	KUNIT_EXPECT_EQ(test, pa, li.pa);
	KUNIT_EXPECT_EQ(test, attr, sm_mair_attr(li.desc));
	sm_buf_free(b);
}

/* A corrupted shadow entry must be caught, and for the right reason. */
static void compare_catches_corruption(struct kunit *test)
{
	static const struct {
		u64 xor;
		const char *why;
	} cases[] = {
		{ PTE_RDONLY, "permissions" },
		{ PTE_USER, "permissions" },	/* PXN: PXNTable masks it */
		{ PTE_NG, "permissions" },
		{ PTE_ATTRINDX_MASK & PTE_ATTRINDX(1), "memory type" },
		{ PAGE_SIZE, "output address" },
		{ PTE_VALID, "shadow unmapped" },
		{ PTE_AF, NULL },	/* documented as ignored */
	};
	struct sm_buf *b = sm_buf_alloc(test);
	unsigned long va = (unsigned long)b->va;
	struct sm_compare_result res;
	struct sm_stats st = {};
	struct sm_shadow *sh;
	struct sm_walker w;
	struct sm_chunk ch = { .va = va, .nr_pages = 64, .pfns = b->pfns };
	int i;

	sm_walker_set_preset(&w, "v6.10");
	sh = sm_shadow_create(&w, PAGE_KERNEL, &st);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(sh, &ch), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&res, 0, sizeof(res));
		KUNIT_ASSERT_EQ(test, sm_shadow_corrupt(sh, va + 5 * PAGE_SIZE,
							cases[i].xor), 0);
		sm_compare(sh, va, va, 64 * PAGE_SIZE, &res);
		if (cases[i].why) {
			KUNIT_EXPECT_EQ_MSG(test, res.mismatches, 1UL,
					    "xor %llx", cases[i].xor);
			KUNIT_EXPECT_EQ(test, res.bad_va, va + 5 * PAGE_SIZE);
			KUNIT_EXPECT_STREQ(test, res.why ?: "", cases[i].why);
		} else {
			KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
		}
		/* put it back: the shadow compares clean again */
		KUNIT_ASSERT_EQ(test, sm_shadow_corrupt(sh, va + 5 * PAGE_SIZE,
							cases[i].xor), 0);
		memset(&res, 0, sizeof(res));
		sm_compare(sh, va, va, 64 * PAGE_SIZE, &res);
		KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
	}
	sm_shadow_destroy(sh);
	sm_buf_free(b);
}

static struct kunit_case shadowmap_live_cases[] = {
	KUNIT_CASE(live_agrees_with_kernel_and_hw),
	KUNIT_CASE(compare_catches_corruption),
	{}
};

struct kunit_suite shadowmap_live_suite = {
	.name = "shadowmap_live",
	.test_cases = shadowmap_live_cases,
};
