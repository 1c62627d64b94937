// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the shadow walker, the live walker and the comparison.
 *
 * A shadow is never installed, so it can map any VA: the tests map the
 * pfns of a vmalloc buffer at synthetic VAs placed just below a
 * contiguous-block, PMD, PUD, P4D or PGD boundary (the "places"), and
 * compare each shadow page with the live mapping of the matching buffer
 * page.  The expected counters are computed here from the geometry alone
 * (PTRS_PER_*, CONT_* and the boundaries the range crosses), not from the
 * walker's code.
 *
 * Each case runs once per preset and place, or per axis mix, as a KUnit
 * parameter.  .init gives every run the buffer; .exit frees the buffer and
 * whatever shadow or page block the run still holds, so a failed assertion
 * leaks nothing.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "shadowmap.h"
#include "compat.h"
#include "compare.h"
#include "countwalk.h"
#include "fixmap.h"
#include "lookup.h"
#include "shadow.h"
#include "walker.h"
#include "shadowmap_kunit.h"

/*
 * One full PTE table and 88 pages more (600 at 4K, 2136 at 16K), but no
 * more than 64 MiB: at 64K a PTE table alone maps 512 MiB.
 */
#define SM_TEST_PAGES_MAX	(SZ_64M / PAGE_SIZE)
#define SM_TEST_PAGES		(PTRS_PER_PTE + 88 < SM_TEST_PAGES_MAX ? \
				 PTRS_PER_PTE + 88 : SM_TEST_PAGES_MAX)

/* What a test run holds; .exit gives all of it back. */
struct sm_test {
	void *buf;			/* vmalloc'ed, SM_TEST_PAGES pages */
	unsigned long *pfns;		/* buf's pfns, page by page */
	u32 *ahead;			/* their sm_pfns_ahead() */
	struct sm_shadow *sh;		/* the shadow under test, or NULL */
	struct sm_stats st;		/* its counters */
	struct page *block;		/* physically contiguous, or NULL */
	unsigned int order;
	struct sm_geom g;		/* a count walk's geometry */
};

static int sm_test_init(struct kunit *test)
{
	struct sm_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned long i;

	if (!t)
		return -ENOMEM;
	test->priv = t;
	t->pfns = kunit_kcalloc(test, SM_TEST_PAGES, sizeof(*t->pfns),
				GFP_KERNEL);
	t->buf = vmalloc(SM_TEST_PAGES * PAGE_SIZE);
	t->ahead = kunit_kcalloc(test, SM_TEST_PAGES, sizeof(*t->ahead),
				 GFP_KERNEL);
	if (!t->pfns || !t->ahead || !t->buf)
		return -ENOMEM;
	for (i = 0; i < SM_TEST_PAGES; i++)
		t->pfns[i] = vmalloc_to_pfn(t->buf + i * PAGE_SIZE);
	sm_pfns_ahead(t->pfns, SM_TEST_PAGES, t->ahead);
	return 0;
}

static void sm_test_drop_shadow(struct sm_test *t)
{
	if (t->sh)
		sm_shadow_destroy(t->sh);
	t->sh = NULL;
}

static void sm_test_exit(struct kunit *test)
{
	struct sm_test *t = test->priv;

	if (!t)
		return;
	sm_test_drop_shadow(t);
	if (t->block)
		__free_pages(t->block, t->order);
	sm_geom_free(&t->g);
	vfree(t->buf);
}

/* A new, empty shadow for the run, with fresh counters. */
static struct sm_shadow *sm_test_shadow(struct kunit *test,
					const struct sm_walker *w,
					pgprot_t prot)
{
	struct sm_test *t = test->priv;

	sm_test_drop_shadow(t);
	memset(&t->st, 0, sizeof(t->st));
	t->sh = sm_shadow_create(w, prot, &t->st);
	KUNIT_ASSERT_NOT_NULL(test, t->sh);
	return t->sh;
}

static void sm_test_compare(struct sm_test *t, unsigned long sva,
			    unsigned long live_va, unsigned long size,
			    struct sm_compare_result *res)
{
	memset(res, 0, sizeof(*res));
	sm_compare(sm_shadow_pgd(t->sh), sva, live_va, size, res);
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

/* The lazy ring's TLBIs, DSBs and ISBs depend on where the ring wraps. */
static bool sm_counter_lazy(enum sm_counter i)
{
	return i == SM_CNT_TLBI || i == SM_CNT_DSB || i == SM_CNT_ISB;
}

/*
 * Where a test range sits: @below pages under a @boundary-aligned VA (or
 * at the buffer's own VA), @pages long.  It needs @level to exist.
 */
struct sm_place {
	const char *name;
	unsigned long boundary;	/* 0: the buffer's own VA */
	unsigned long below;	/* pages below the boundary */
	unsigned long pages;
	enum sm_level level;	/* the level whose boundary it crosses */
};

enum sm_place_id {
	SM_PLACE_NATURAL,
	SM_PLACE_ONE_PAGE,
	SM_PLACE_CONT,
	SM_PLACE_PMD,
	SM_PLACE_PMD_FULL,
	SM_PLACE_CONT_PMD,
	SM_PLACE_PUD,
	SM_PLACE_P4D,
	SM_PLACE_PGD,
	SM_PLACE_NR
};

static const struct sm_place sm_places[] = {
	[SM_PLACE_NATURAL] = { "natural", 0, 0, 83, SM_LVL_PTE },
	[SM_PLACE_ONE_PAGE] = { "one-page", 0, 0, 1, SM_LVL_PTE },
	[SM_PLACE_CONT] = { "cont", CONT_PTE_SIZE, 5, 37, SM_LVL_PTE },
	[SM_PLACE_PMD] = { "pmd", PMD_SIZE, 37, 83, SM_LVL_PMD },
	[SM_PLACE_PMD_FULL] = { "pmd-full", PMD_SIZE, 0, PTRS_PER_PTE,
				SM_LVL_PMD },
	[SM_PLACE_CONT_PMD] = { "cont-pmd", CONT_PMD_SIZE, 3, 300,
				SM_LVL_PMD },
	[SM_PLACE_PUD] = { "pud", PUD_SIZE, 37, SM_TEST_PAGES, SM_LVL_PUD },
	[SM_PLACE_P4D] = { "p4d", P4D_SIZE, 101, 211, SM_LVL_P4D },
	[SM_PLACE_PGD] = { "pgd", PGDIR_SIZE, 300, 301, SM_LVL_PGD },
};

static_assert(ARRAY_SIZE(sm_places) == SM_PLACE_NR);

static bool sm_level_present(enum sm_level level)
{
	switch (level) {
	case SM_LVL_P4D:
		return sm_p4d_present();
	case SM_LVL_PUD:
		return sm_pud_present();
	case SM_LVL_PMD:
		return sm_pmd_present();
	default:
		return true;
	}
}

/* Skip, saying why, where this kernel's geometry has no such place. */
static void sm_place_require(struct kunit *test, const struct sm_place *p)
{
	if (!sm_level_present(p->level))
		kunit_skip(test, "%s: the %s level is folded (%d levels)",
			   p->name, sm_level_names[p->level],
			   2 + sm_pmd_present() + sm_pud_present() +
			   sm_p4d_present());
	if (p->pages > SM_TEST_PAGES)
		kunit_skip(test, "%s: %lu pages, more than the %lu-page buffer",
			   p->name, p->pages, (unsigned long)SM_TEST_PAGES);
}

static unsigned long sm_place_va(struct sm_test *t, const struct sm_place *p)
{
	unsigned long va = (unsigned long)t->buf;

	if (!p->boundary)
		return va;
	return ALIGN_DOWN(va, p->boundary) - p->below * PAGE_SIZE;
}

/*
 * Presets x places.  The parameter is an element of this array and its
 * offset names both; the elements themselves are never read.
 */
static const u8 sm_preset_places[SM_PRESET_NR * SM_PLACE_NR];

static unsigned int sm_param_preset_place(const u8 *param,
					  const struct sm_place **place)
{
	unsigned int i = param - sm_preset_places;

	*place = &sm_places[i % SM_PLACE_NR];
	return i / SM_PLACE_NR;
}

static void sm_preset_place_desc(const u8 *param, char *desc)
{
	const struct sm_place *p;
	unsigned int preset = sm_param_preset_place(param, &p);

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s",
		 sm_preset_names[preset], p->name);
}

KUNIT_ARRAY_PARAM(sm_preset_place, sm_preset_places, sm_preset_place_desc);

/* This run's preset (in *w) and place, skipped where they do not apply. */
static const struct sm_place *sm_test_preset_place(struct kunit *test,
						   struct sm_walker *w)
{
	const struct sm_place *p;
	unsigned int preset = sm_param_preset_place(test->param_value, &p);

	sm_place_require(test, p);
	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(w, sm_preset_names[preset]),
			0);
	return p;
}

/* Every counter the closed forms give, and the lazy ring's batching. */
static void sm_expect_counters(struct kunit *test, const struct sm_walker *w,
			       unsigned long sva, unsigned long len)
{
	struct sm_test *t = test->priv;
	const u64 *cnt = t->st.cnt;
	u64 x[SM_CNT_NR], flushes;
	int i;

	sm_expect(w, sva, len, x);
	for (i = 0; i < SM_CNT_NR; i++) {
		if (w->remap == SM_REMAP_LAZY && sm_counter_lazy(i))
			continue;
		KUNIT_EXPECT_EQ_MSG(test, cnt[i], x[i], "%s",
				    sm_counter_names[i]);
	}
	if (w->remap != SM_REMAP_LAZY)
		return;
	/* one batched TLBI per wrap, 2 DSB + 1 ISB each */
	flushes = cnt[SM_CNT_TLBI] / SM_LAZY_SLOTS;
	KUNIT_EXPECT_EQ(test, cnt[SM_CNT_TLBI] % SM_LAZY_SLOTS, 0ULL);
	KUNIT_EXPECT_GE(test, flushes, 1ULL);
	KUNIT_EXPECT_EQ_MSG(test, cnt[SM_CNT_DSB], x[SM_CNT_DSB] + 2 * flushes,
			    "lazy dsb");
	KUNIT_EXPECT_EQ_MSG(test, cnt[SM_CNT_ISB], x[SM_CNT_ISB] + flushes,
			    "lazy isb");
}

/*
 * Build one shadow of the buffer's first pages at the place's VA, compare
 * it page by page with the buffer, check every counter and the pages held.
 */
static void walker_preset_matches_live(struct kunit *test)
{
	struct sm_test *t = test->priv;
	struct sm_compare_result res;
	struct sm_walker w;
	const struct sm_place *p = sm_test_preset_place(test, &w);
	unsigned long sva = sm_place_va(t, p);
	unsigned long len = p->pages * PAGE_SIZE;
	struct sm_chunk ch = { .va = sva, .nr_pages = p->pages,
			       .pfns = t->pfns,
			       .ahead = t->ahead };
	long held = sm_pages_held();

	sm_test_shadow(test, &w, PAGE_KERNEL);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch), 0);

	sm_test_compare(t, sva, (unsigned long)t->buf, len, &res);
	KUNIT_EXPECT_EQ(test, res.pages, p->pages);
	KUNIT_EXPECT_EQ_MSG(test, res.mismatches, 0UL, "%s at page %lu",
			    res.why ?: "-", (res.bad_va - sva) >> PAGE_SHIFT);

	/* bbml2 may use blocks where the vmalloc pfns happen to allow them */
	if (w.leaf == SM_LEAF_PTE)
		sm_expect_counters(test, &w, sva, len);

	KUNIT_EXPECT_EQ(test, sm_pages_held(),
			held + (long)(t->st.cnt[SM_CNT_TABLE_BYTES] >>
				      PAGE_SHIFT));
	sm_test_drop_shadow(t);
	KUNIT_EXPECT_EQ(test, sm_pages_held(), held);
}

/*
 * threads=N splits below the top level: over the same two chunks, the
 * same tree as threads=1 (both match the buffer), every counter the
 * count walk gives, and threads=1's wherever sm_split_same() says.
 */
static void walker_threads_match(struct kunit *test)
{
	long held = sm_pages_held();
	struct sm_test *t = test->priv;
	struct sm_compare_result res;
	struct sm_walker w, v;
	const struct sm_place *p = sm_test_preset_place(test, &w);
	unsigned long sva = sm_place_va(t, p);
	unsigned int i, nr, threads;
	struct sm_stats one, cw;
	struct sm_chunk ch[2];
	char name[96];

	/* two chunks: the range cut in two unequal halves */
	ch[0] = (struct sm_chunk){ .va = sva, .nr_pages = p->pages / 3 ?: 1,
				   .pfns = t->pfns,
				   .ahead = t->ahead };
	ch[1] = (struct sm_chunk){ .va = sva + ch[0].nr_pages * PAGE_SIZE,
				   .nr_pages = p->pages - ch[0].nr_pages,
				   .pfns = t->pfns + ch[0].nr_pages,
				   .ahead = t->ahead + ch[0].nr_pages };
	nr = ch[1].nr_pages ? 2 : 1;
	KUNIT_ASSERT_EQ(test, sm_geom_from_chunks(ch, nr, &t->g), 0);

	/* the same two calls, one thread */
	sm_test_shadow(test, &w, PAGE_KERNEL);
	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch[i]), 0);
	one = t->st;

	for (threads = 2; threads <= SM_KUNIT_THREADS_MAX; threads++) {
		v = w;
		v.threads = threads;
		sm_format_walker(&v, name, sizeof(name));
		sm_test_shadow(test, &v, PAGE_KERNEL);
		KUNIT_ASSERT_EQ(test, sm_shadow_map_threads(t->sh, ch, nr,
							    threads), 0);
		sm_test_compare(t, sva, (unsigned long)t->buf,
				p->pages * PAGE_SIZE, &res);
		KUNIT_EXPECT_EQ_MSG(test, res.mismatches, 0UL, "%s", name);
		KUNIT_ASSERT_EQ(test, sm_count_walk(&v, t->sh->flags, t->g.ext,
						    t->g.nr, &cw), 0);
		for (i = 0; i < SM_CNT_NR; i++) {
			KUNIT_EXPECT_EQ_MSG(test, t->st.cnt[i], cw.cnt[i],
					    "count walk %s: %s",
					    sm_counter_names[i], name);
			if (sm_split_same(&v, t->sh->flags, i))
				KUNIT_EXPECT_EQ_MSG(test, t->st.cnt[i],
						    one.cnt[i],
						    "threads=1 %s: %s",
						    sm_counter_names[i], name);
		}
	}
	sm_test_drop_shadow(t);
	KUNIT_EXPECT_EQ(test, sm_pages_held(), held);
}

/*
 * Remap x barrier x zero on a PMD-crossing range, the other axes from
 * v6.10.  The parameter's offset in this array is the mix.
 */
static const u8 sm_axis_mixes[SM_REMAP_NR * SM_BARRIER_NR * SM_ZERO_NR];

static void sm_param_axis_mix(const u8 *param, struct sm_walker *w)
{
	unsigned int i = param - sm_axis_mixes;

	*w = sm_preset_walkers[SM_PRESET_V6_10];
	w->preset = NULL;
	w->zero = i % SM_ZERO_NR;
	i /= SM_ZERO_NR;
	w->barrier = i % SM_BARRIER_NR;
	w->remap = i / SM_BARRIER_NR;
}

static void sm_axis_mix_desc(const u8 *param, char *desc)
{
	struct sm_walker w;

	sm_param_axis_mix(param, &w);
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "remap=%s barrier=%s zero=%s",
		 sm_remap_names[w.remap], sm_barrier_names[w.barrier],
		 sm_zero_names[w.zero]);
}

KUNIT_ARRAY_PARAM(sm_axis_mix, sm_axis_mixes, sm_axis_mix_desc);

static void walker_axes_match_live(struct kunit *test)
{
	const struct sm_place *p = &sm_places[SM_PLACE_PMD];
	struct sm_test *t = test->priv;
	unsigned long sva = sm_place_va(t, p);
	struct sm_chunk ch = { .va = sva, .nr_pages = p->pages,
			       .pfns = t->pfns,
			       .ahead = t->ahead };
	struct sm_compare_result res;
	struct sm_walker w;

	sm_param_axis_mix(test->param_value, &w);
	sm_place_require(test, p);
	sm_test_shadow(test, &w, PAGE_KERNEL);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch), 0);
	sm_test_compare(t, sva, (unsigned long)t->buf, p->pages * PAGE_SIZE,
			&res);
	KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
	sm_expect_counters(test, &w, sva, p->pages * PAGE_SIZE);
}

/* Map one full PTE table with a preset: the counters sm_expect() skips. */
static const u64 *sm_map_full_pte_table(struct kunit *test,
					enum sm_preset preset)
{
	const struct sm_place *p = &sm_places[SM_PLACE_PMD_FULL];
	struct sm_test *t = test->priv;
	struct sm_chunk ch = { .va = sm_place_va(t, p), .nr_pages = p->pages,
			       .pfns = t->pfns,
			       .ahead = t->ahead };
	struct sm_walker w;

	sm_place_require(test, p);
	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(&w, sm_preset_names[preset]),
			0);
	sm_test_shadow(test, &w, PAGE_KERNEL);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch), 0);
	return t->st.cnt;
}

/* The seeds' claim: 32 remaps per full PTE table for 6.1, 1 for v6.10. */
static void counters_full_pte_table(struct kunit *test)
{
	u64 upper = sm_pmd_present() + sm_pud_present() + sm_p4d_present();
	const u64 *cnt;

	/* v6.1: CONT blocks + 1 CONT_PMD block + 1 per upper table + zeroing */
	cnt = sm_map_full_pte_table(test, SM_PRESET_V6_1);
	KUNIT_EXPECT_EQ(test, cnt[SM_CNT_TABLE_PTE], 1ULL);
	KUNIT_EXPECT_EQ(test, cnt[SM_CNT_REMAP_MAP] -
			(1 + upper) /* zeroing */ -
			(upper - sm_pmd_present()) /* pud, p4d */ -
			sm_pmd_present() /* the CONT_PMD block */,
			(u64)(PTRS_PER_PTE / CONT_PTES));
	if (PAGE_SIZE == SZ_4K)
		KUNIT_EXPECT_EQ(test, (u64)(PTRS_PER_PTE / CONT_PTES), 32ULL);

	/* v6.10: one remap per table, no separate zeroing */
	cnt = sm_map_full_pte_table(test, SM_PRESET_V6_10);
	KUNIT_EXPECT_EQ(test, cnt[SM_CNT_REMAP_MAP], 1 + upper);
	KUNIT_EXPECT_EQ(test, cnt[SM_CNT_TLBI], 1 + upper);
	KUNIT_EXPECT_EQ(test, cnt[SM_CNT_PTE], (u64)PTRS_PER_PTE);
}

/* Physically contiguous memory: cont and block leaves where aligned. */
static void walker_contig_leaves(struct kunit *test)
{
	struct sm_test *t = test->priv;
	struct sm_compare_result res;
	struct sm_walker w;
	struct sm_chunk ch;
	unsigned long va;

	t->order = PMD_SHIFT - PAGE_SHIFT;
	if (t->order > SM_MAX_ORDER)
		kunit_skip(test, "a PMD is order %u, the largest block %u",
			   t->order, SM_MAX_ORDER);
	t->block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, t->order);
	if (!t->block)
		kunit_skip(test, "no order-%u block free", t->order);
	va = (unsigned long)page_address(t->block);
	ch = (struct sm_chunk){ .va = va, .nr_pages = 1UL << t->order,
				.pfn = page_to_pfn(t->block) };

	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(&w, "bbml2"), 0);
	sm_test_shadow(test, &w, pgprot_tagged(PAGE_KERNEL));
	KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch), 0);
	KUNIT_EXPECT_EQ(test, t->st.cnt[SM_CNT_PMD_BLOCK], 1ULL);
	KUNIT_EXPECT_EQ(test, t->st.cnt[SM_CNT_TABLE_PTE], 0ULL);
	sm_test_compare(t, va, va, PMD_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);

	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(&w, "v6.10"), 0);
	w.leaf = SM_LEAF_CONT;
	sm_test_shadow(test, &w, pgprot_tagged(PAGE_KERNEL));
	KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch), 0);
	KUNIT_EXPECT_EQ(test, t->st.cnt[SM_CNT_PTE_CONT], (u64)PTRS_PER_PTE);
	KUNIT_EXPECT_EQ(test, t->st.cnt[SM_CNT_PTE], 0ULL);
	sm_test_compare(t, va, va, PMD_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
}

/* Teardown and every error path give back every page. */
static void walker_teardown_returns_pages(struct kunit *test)
{
	struct sm_test *t = test->priv;
	long held = sm_pages_held();
	struct sm_walker w;
	struct sm_chunk ch = { .va = (unsigned long)t->buf, .nr_pages = 100,
			       .pfns = t->pfns,
			       .ahead = t->ahead };
	struct sm_chunk shifted = ch;

	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(&w, "v6.1"), 0);
	sm_test_shadow(test, &w, PAGE_KERNEL);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch), 0);
	KUNIT_EXPECT_GT(test, sm_pages_held(), held);
	KUNIT_EXPECT_EQ(test, (u64)sm_shadow_tables(t->sh) * PAGE_SIZE,
			t->st.cnt[SM_CNT_TABLE_BYTES]);
	/* the same VAs again with other pfns: refused, not BUG()ed */
	shifted.pfns = t->pfns + 1;
	shifted.ahead = t->ahead + 1;
	KUNIT_EXPECT_EQ(test, sm_shadow_map(t->sh, &shifted), -EEXIST);
	/* a pfn list without its ahead[]: refused */
	shifted.ahead = NULL;
	KUNIT_EXPECT_EQ(test, sm_shadow_map(t->sh, &shifted), -EINVAL);
	ch.nr_pages = 0;
	KUNIT_EXPECT_EQ(test, sm_shadow_map(t->sh, &ch), -EINVAL);
	sm_test_drop_shadow(t);
	KUNIT_EXPECT_EQ(test, sm_pages_held(), held);
}

/* ahead[]: each page's run of pfns one after another, to its end. */
static void walker_pfns_ahead(struct kunit *test)
{
	static const unsigned long pfns[] = { 10, 11, 12, 20, 21, 7, 8, 6 };
	static const u32 want[] = { 3, 2, 1, 2, 1, 2, 1, 1 };
	u32 ahead[ARRAY_SIZE(pfns)];
	unsigned int i;

	static_assert(ARRAY_SIZE(want) == ARRAY_SIZE(pfns));
	sm_pfns_ahead(pfns, ARRAY_SIZE(pfns), ahead);
	for (i = 0; i < ARRAY_SIZE(pfns); i++)
		KUNIT_EXPECT_EQ_MSG(test, ahead[i], want[i], "page %u", i);
	sm_pfns_ahead(pfns, 1, ahead);
	KUNIT_EXPECT_EQ(test, ahead[0], 1U);
}

static struct kunit_case shadowmap_walker_cases[] = {
	KUNIT_CASE_PARAM(walker_preset_matches_live,
			 sm_preset_place_gen_params),
	KUNIT_CASE_PARAM(walker_axes_match_live, sm_axis_mix_gen_params),
	KUNIT_CASE_PARAM(walker_threads_match, sm_preset_place_gen_params),
	KUNIT_CASE(counters_full_pte_table),
	KUNIT_CASE(walker_contig_leaves),
	KUNIT_CASE(walker_teardown_returns_pages),
	KUNIT_CASE(walker_pfns_ahead),
	{}
};

struct kunit_suite shadowmap_walker_suite = {
	.name = "shadowmap_walker",
	.init = sm_test_init,
	.exit = sm_test_exit,
	.test_cases = shadowmap_walker_cases,
};

/* The live walker agrees with vmalloc_to_pfn(), __pa() and AT S1E1R. */
static void live_agrees_with_kernel_and_hw(struct kunit *test)
{
	struct sm_test *t = test->priv;
	unsigned long va = (unsigned long)t->buf;
	unsigned long checked = 0, bad = 0;
	struct sm_leaf_info li;
	phys_addr_t pa;
	void *lin;
	u8 attr;

	sm_check_live(va, SM_TEST_PAGES * PAGE_SIZE, 64, false, &checked,
		      &bad);
	KUNIT_EXPECT_GE(test, checked, 64UL);
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	lin = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	checked = 0;
	bad = 0;
	sm_check_live((unsigned long)lin, PAGE_SIZE, 1, false, &checked, &bad);
	KUNIT_EXPECT_EQ(test, checked, 1UL);
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	sm_lookup(sm_live_pgd(), va, &li);
	KUNIT_EXPECT_EQ(test, li.level, (int)SM_LVL_PTE);
	KUNIT_EXPECT_EQ(test, PHYS_PFN(li.pa), t->pfns[0]);
	KUNIT_EXPECT_EQ(test, sm_hw_translate(va, &pa, &attr), 0);
	KUNIT_EXPECT_EQ(test, pa, li.pa);
	KUNIT_EXPECT_EQ(test, attr, sm_mair_attr(li.desc));
}

/* A corrupted shadow entry must be caught, and for the right reason. */
struct sm_corruption {
	const char *bit;
	u64 xor;
	const char *why;	/* NULL: documented as ignored */
};

static const struct sm_corruption sm_corruptions[] = {
	{ "PTE_RDONLY", PTE_RDONLY, "permissions" },
	{ "PTE_USER", PTE_USER, "permissions" },  /* PXN: PXNTable masks it */
	{ "PTE_NG", PTE_NG, "permissions" },
	{ "PTE_ATTRINDX(1)", PTE_ATTRINDX_MASK & PTE_ATTRINDX(1),
	  "memory type" },
	{ "PAGE_SIZE", PAGE_SIZE, "output address" },
	{ "PTE_VALID", PTE_VALID, "shadow unmapped" },
	{ "PTE_AF", PTE_AF, NULL },
};

static void sm_corruption_desc(const struct sm_corruption *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s", c->bit,
		 c->why ?: "ignored");
}

KUNIT_ARRAY_PARAM(sm_corruption, sm_corruptions, sm_corruption_desc);

static void compare_catches_corruption(struct kunit *test)
{
	const struct sm_corruption *c = test->param_value;
	struct sm_test *t = test->priv;
	unsigned long va = (unsigned long)t->buf;
	unsigned long bad_va = va + 5 * PAGE_SIZE;
	struct sm_compare_result res;
	struct sm_walker w;
	struct sm_chunk ch = { .va = va, .nr_pages = 64, .pfns = t->pfns,
			       .ahead = t->ahead };

	KUNIT_ASSERT_EQ(test, sm_walker_set_preset(&w, "v6.10"), 0);
	sm_test_shadow(test, &w, PAGE_KERNEL);
	KUNIT_ASSERT_EQ(test, sm_shadow_map(t->sh, &ch), 0);
	sm_test_compare(t, va, va, 64 * PAGE_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);

	KUNIT_ASSERT_EQ(test, sm_shadow_corrupt(t->sh, bad_va, c->xor), 0);
	sm_test_compare(t, va, va, 64 * PAGE_SIZE, &res);
	if (c->why) {
		KUNIT_EXPECT_EQ(test, res.mismatches, 1UL);
		KUNIT_EXPECT_EQ(test, res.bad_va, bad_va);
		KUNIT_EXPECT_STREQ(test, res.why ?: "", c->why);
	} else {
		KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
	}

	/* put it back: the shadow compares clean again */
	KUNIT_ASSERT_EQ(test, sm_shadow_corrupt(t->sh, bad_va, c->xor), 0);
	sm_test_compare(t, va, va, 64 * PAGE_SIZE, &res);
	KUNIT_EXPECT_EQ(test, res.mismatches, 0UL);
}

static struct kunit_case shadowmap_live_cases[] = {
	KUNIT_CASE(live_agrees_with_kernel_and_hw),
	KUNIT_CASE_PARAM(compare_catches_corruption, sm_corruption_gen_params),
	{}
};

struct kunit_suite shadowmap_live_suite = {
	.name = "shadowmap_live",
	.init = sm_test_init,
	.exit = sm_test_exit,
	.test_cases = shadowmap_live_cases,
};
