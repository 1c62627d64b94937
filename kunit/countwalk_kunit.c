// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the count walk (src/countwalk.c): for every preset, axis
 * mix, leaf kind, shadow flags and threads=1, 2 and 4 (3 too where chunks
 * share tables), the real walker builds a shadow of some chunks and the
 * count walk of the same chunks must give every counter exactly; a split
 * build must also count as threads=1 wherever sm_split_same() says so.
 *
 * The walker never touches the pages it maps, only the tables, so most
 * chunks here are made up: a "physically contiguous" chunk is a pfn
 * chosen so that the PA is aligned like the VA (cont hints and blocks) or
 * one page off (neither), at any VA.  Others are the pfns of a vmalloc
 * buffer, or this machine's RAM at its linear-map VA.  .exit frees the
 * shadow, the geometry and the buffer, so a failed assertion leaks nothing.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "shadowmap.h"
#include "compat.h"
#include "countwalk.h"
#include "shadow.h"
#include "walker.h"
#include "split.h"
#include "shadowmap_kunit.h"

/* As walker_kunit.c: a full PTE table and 88 pages more, at most 64 MiB. */
#define SM_CW_PAGES_MAX		(SZ_64M / PAGE_SIZE)
#define SM_CW_PAGES		(PTRS_PER_PTE + 88 < SM_CW_PAGES_MAX ? \
				 PTRS_PER_PTE + 88 : SM_CW_PAGES_MAX)
/* Made-up chunks: at most 2 GiB, a PUD and more at 4K. */
#define SM_CW_FAKE_PAGES_MAX	(SZ_2G / PAGE_SIZE)
/* PA of made-up chunks: aligned past any block or contiguous range. */
#define SM_CW_PA_ALIGN		PUD_SIZE
#define SM_CW_PA_BASE		PUD_SIZE
#define SM_CW_MAX_CHUNKS	8
/* 4 TiB: SZ_4T is 6.3+ */
#define SM_CW_SYNTHETIC		(4ULL << 40)

struct sm_cw_test {
	void *buf;			/* vmalloc'ed, SM_CW_PAGES pages */
	unsigned long *pfns;		/* buf's pfns, page by page */
	u32 *ahead;			/* their sm_pfns_ahead() */
	struct sm_shadow *sh;		/* the real walker's shadow, or NULL */
	struct sm_stats st;		/* its counters */
	struct sm_stats cw;		/* the count walk's */
	struct sm_geom g;		/* the geometry counted */
	struct sm_chunk ch[SM_CW_MAX_CHUNKS];
};

static int sm_cw_init(struct kunit *test)
{
	struct sm_cw_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned long i;

	if (!t)
		return -ENOMEM;
	test->priv = t;
	t->pfns = kunit_kcalloc(test, SM_CW_PAGES, sizeof(*t->pfns),
				GFP_KERNEL);
	t->buf = vmalloc(SM_CW_PAGES * PAGE_SIZE);
	t->ahead = kunit_kcalloc(test, SM_CW_PAGES, sizeof(*t->ahead),
				 GFP_KERNEL);
	if (!t->pfns || !t->ahead || !t->buf)
		return -ENOMEM;
	for (i = 0; i < SM_CW_PAGES; i++)
		t->pfns[i] = vmalloc_to_pfn(t->buf + i * PAGE_SIZE);
	sm_pfns_ahead(t->pfns, SM_CW_PAGES, t->ahead);
	return 0;
}

static void sm_cw_drop_shadow(struct sm_cw_test *t)
{
	if (t->sh)
		sm_shadow_destroy(t->sh);
	t->sh = NULL;
}

static void sm_cw_exit(struct kunit *test)
{
	struct sm_cw_test *t = test->priv;

	if (!t)
		return;
	sm_cw_drop_shadow(t);
	sm_geom_free(&t->g);
	vfree(t->buf);
}

/* A split build's counts @many against threads=1's count walk of @g. */
static void sm_cw_expect_split(struct kunit *test, const struct sm_walker *w,
			       int flags, const struct sm_geom *g,
			       const struct sm_stats *many, const char *what)
{
	struct sm_walker one = *w;
	struct sm_stats st;
	char name[96];
	int i;

	one.threads = 1;
	sm_format_walker(w, name, sizeof(name));
	KUNIT_ASSERT_EQ(test, sm_count_walk(&one, flags, g->ext, g->nr, &st),
			0);
	for (i = 0; i < SM_CNT_NR; i++)
		if (sm_split_same(w, flags, i))
			KUNIT_EXPECT_EQ_MSG(test, many->cnt[i], st.cnt[i],
					    "threads=1 %s: %s flags=%d %s",
					    sm_counter_names[i], name, flags,
					    what);
}

/* flags for sm_cw_expect_same(): the walker's own, from its leaf axis */
#define SM_CW_OWN_FLAGS		(-1)

/*
 * Build @nr chunks with the real walker as src/run.c does, count-walk the
 * same chunks, and expect every counter equal.  @what names the geometry.
 */
static void sm_cw_expect_same(struct kunit *test, const struct sm_walker *w,
			      int flags, const struct sm_chunk *ch,
			      unsigned int nr, const char *what)
{
	struct sm_cw_test *t = test->priv;
	long held = sm_pages_held();
	char name[96];
	unsigned int i;
	int ret = 0;

	sm_format_walker(w, name, sizeof(name));
	sm_cw_drop_shadow(t);
	memset(&t->st, 0, sizeof(t->st));
	t->sh = sm_shadow_create(w, PAGE_KERNEL, &t->st);
	KUNIT_ASSERT_NOT_NULL(test, t->sh);
	KUNIT_EXPECT_EQ_MSG(test, t->sh->flags, sm_walker_flags(w), "%s",
			    name);
	if (flags != SM_CW_OWN_FLAGS)
		t->sh->flags = flags;
	if (w->threads > 1)
		ret = sm_shadow_map_threads(t->sh, ch, nr, w->threads);
	else
		for (i = 0; i < nr && !ret; i++)
			ret = sm_shadow_map(t->sh, &ch[i]);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s %s", what, name);

	sm_geom_free(&t->g);
	KUNIT_ASSERT_EQ(test, sm_geom_from_chunks(ch, nr, &t->g), 0);
	KUNIT_ASSERT_EQ(test, sm_count_walk(w, t->sh->flags, t->g.ext,
					    t->g.nr, &t->cw), 0);
	for (i = 0; i < SM_CNT_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, t->cw.cnt[i], t->st.cnt[i],
				    "%s: %s flags=%d %s", sm_counter_names[i],
				    name, t->sh->flags, what);
	KUNIT_EXPECT_EQ_MSG(test, (u64)sm_shadow_tables(t->sh) * PAGE_SIZE,
			    t->cw.cnt[SM_CNT_TABLE_BYTES], "%s %s", what, name);
	if (w->threads > 1)
		sm_cw_expect_split(test, w, t->sh->flags, &t->g, &t->cw, what);
	sm_cw_drop_shadow(t);
	KUNIT_EXPECT_EQ(test, sm_pages_held(), held);
}

/* Where a range sits: @below pages under a @boundary-aligned VA. */
struct sm_cw_place {
	const char *name;
	unsigned long boundary;	/* 0: the buffer's own VA */
	unsigned long below;
	unsigned long pages;
};

/* For the vmalloc buffer's pfns: no more than SM_CW_PAGES pages. */
static const struct sm_cw_place sm_cw_buf_places[] = {
	{ "natural", 0, 0, 83 },
	{ "one-page", 0, 0, 1 },
	{ "cont", CONT_PTE_SIZE, 5, 37 },
	{ "pmd", PMD_SIZE, 37, 83 },
	{ "pmd-full", PMD_SIZE, 0, PTRS_PER_PTE },
	{ "cont-pmd", CONT_PMD_SIZE, 3, 300 },
	{ "pud", PUD_SIZE, 37, SM_CW_PAGES },
	{ "p4d", P4D_SIZE, 101, 211 },
	{ "pgd", PGDIR_SIZE, 300, 301 },
};

/* For made-up contiguous chunks: whole blocks of every kind inside. */
static const struct sm_cw_place sm_cw_fake_places[] = {
	{ "cont", CONT_PTE_SIZE, 5, 3 * CONT_PTES + 9 },
	{ "pmd-exact", PMD_SIZE, 0, PTRS_PER_PTE },
	{ "pmd", PMD_SIZE, CONT_PTES + 3, 2 * PTRS_PER_PTE + 11 },
	{ "cont-pmd", CONT_PMD_SIZE, PTRS_PER_PTE + 1,
	  CONT_PMD_SIZE / PAGE_SIZE + 2 * PTRS_PER_PTE + 5 },
	{ "pud", PUD_SIZE, PTRS_PER_PTE + 7,
	  PUD_SIZE / PAGE_SIZE + PTRS_PER_PTE + 9 },
	{ "p4d", P4D_SIZE, 101, 211 },
	{ "pgd", PGDIR_SIZE, 300, 601 },
};

static unsigned long sm_cw_place_va(struct sm_cw_test *t,
				    const struct sm_cw_place *p)
{
	unsigned long va = (unsigned long)t->buf;

	if (!p->boundary)
		return va;
	return ALIGN_DOWN(va, p->boundary) - p->below * PAGE_SIZE;
}

/* A made-up contiguous chunk at @va: PA aligned like it, or @off pages off */
static struct sm_chunk sm_cw_fake(unsigned long va, unsigned long pages,
				  unsigned long off)
{
	phys_addr_t pa = SM_CW_PA_BASE + (va & (SM_CW_PA_ALIGN - 1)) +
			 off * PAGE_SIZE;

	return (struct sm_chunk){ .va = va, .nr_pages = pages,
				  .pfn = PHYS_PFN(pa) };
}

/*
 * The walkers: every preset, then every remap x barrier x zero mix (the
 * other axes from v6.10).  The parameter's offset in this array is the
 * walker; the elements themselves are never read.
 */
#define SM_CW_MIXES		(SM_REMAP_NR * SM_BARRIER_NR * SM_ZERO_NR)
static const u8 sm_cw_walkers[SM_PRESET_NR + SM_CW_MIXES];

static void sm_cw_param_walker(const u8 *param, struct sm_walker *w)
{
	unsigned int i = param - sm_cw_walkers;

	if (i < SM_PRESET_NR) {
		*w = sm_preset_walkers[i];
		w->preset = sm_preset_names[i];
		return;
	}
	i -= SM_PRESET_NR;
	*w = sm_preset_walkers[SM_PRESET_V6_10];
	w->preset = NULL;
	w->zero = i % SM_ZERO_NR;
	i /= SM_ZERO_NR;
	w->barrier = i % SM_BARRIER_NR;
	w->remap = i / SM_BARRIER_NR;
}

static void sm_cw_walker_desc(const u8 *param, char *desc)
{
	struct sm_walker w;

	sm_cw_param_walker(param, &w);
	sm_format_walker(&w, desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sm_cw_walker, sm_cw_walkers, sm_cw_walker_desc);

/* Only the presets, for the costlier cases. */
static SM_KUNIT_GEN_PARAMS(sm_cw_preset_gen_params)
{
	const u8 *next = prev ? (const u8 *)prev + 1 : sm_cw_walkers;

	if (next >= sm_cw_walkers + SM_PRESET_NR)
		return NULL;
	sm_cw_walker_desc(next, desc);
	return next;
}

/* @w with leaf @leaf and @threads, named by its axes. */
static struct sm_walker sm_cw_variant(const struct sm_walker *w,
				      enum sm_leaf leaf, unsigned int threads)
{
	struct sm_walker v = *w;

	v.preset = NULL;
	v.leaf = leaf;
	v.threads = threads;
	return v;
}

/* The vmalloc buffer's pfns at every place, each leaf, 1, 2 and 4 threads. */
static void countwalk_vmalloc_places(struct kunit *test)
{
	struct sm_cw_test *t = test->priv;
	const struct sm_cw_place *p;
	struct sm_walker w, v;
	unsigned int leaf, threads;
	struct sm_chunk ch;

	sm_cw_param_walker(test->param_value, &w);
	for (p = sm_cw_buf_places; p < sm_cw_buf_places +
	     ARRAY_SIZE(sm_cw_buf_places); p++) {
		if (p->pages > SM_CW_PAGES)
			continue;
		ch = (struct sm_chunk){ .va = sm_cw_place_va(t, p),
					.nr_pages = p->pages,
					.pfns = t->pfns,
					.ahead = t->ahead };
		for (leaf = 0; leaf < SM_LEAF_NR; leaf++)
			for (threads = 1; threads <= SM_KUNIT_THREADS_MAX;
			     threads *= 2) {
				v = sm_cw_variant(&w, leaf, threads);
				sm_cw_expect_same(test, &v, SM_CW_OWN_FLAGS,
						  &ch, 1, p->name);
			}
	}
}

/*
 * The leaves of leaf=block with SM_NO_CONT alone on made-up chunk @ch:
 * PMD (at 4K also PUD) blocks wherever whole ones fit, never a hint.
 */
static void sm_cw_expect_leaves(struct kunit *test, const char *name,
				const struct sm_chunk *ch,
				const struct sm_stats *st)
{
	unsigned long first = ALIGN(ch->va, PMD_SIZE);
	unsigned long last = ALIGN_DOWN(ch->va + ch->nr_pages * PAGE_SIZE,
					PMD_SIZE);
	const u64 *cnt = st->cnt;

	KUNIT_EXPECT_EQ_MSG(test, cnt[SM_CNT_PTE_CONT] +
			    cnt[SM_CNT_PMD_BLOCK_CONT], 0ULL, "%s", name);
	KUNIT_EXPECT_EQ_MSG(test, cnt[SM_CNT_PMD_BLOCK] +
			    cnt[SM_CNT_PUD_BLOCK] * (PUD_SIZE / PMD_SIZE),
			    last > first ? (u64)(last - first) / PMD_SIZE : 0,
			    "%s", name);
}

/*
 * Made-up contiguous chunks at every place, PA aligned (each leaf, and
 * SM_NO_CONT alone: blocks without hints) or a page off, 1, 2 and 4
 * threads.
 */
static void countwalk_contig_places(struct kunit *test)
{
	static const int flag_sets[] = { SM_CW_OWN_FLAGS, SM_NO_CONT };
	struct sm_cw_test *t = test->priv;
	const struct sm_cw_place *p;
	unsigned int leaf, threads, f;
	struct sm_walker w, v;
	struct sm_chunk ch;

	sm_cw_param_walker(test->param_value, &w);
	for (p = sm_cw_fake_places; p < sm_cw_fake_places +
	     ARRAY_SIZE(sm_cw_fake_places); p++) {
		if (p->pages > SM_CW_FAKE_PAGES_MAX) {
			kunit_info(test, "%s: %lu pages, more than tested",
				   p->name, p->pages);
			continue;
		}
		ch = sm_cw_fake(sm_cw_place_va(t, p), p->pages, 0);
		for (leaf = 0; leaf < SM_LEAF_NR; leaf++)
			for (f = 0; f < ARRAY_SIZE(flag_sets); f++)
				for (threads = 1;
				     threads <= SM_KUNIT_THREADS_MAX;
				     threads *= 2) {
					v = sm_cw_variant(&w, leaf, threads);
					sm_cw_expect_same(test, &v,
							  flag_sets[f], &ch,
							  1, p->name);
				}
		/* not vacuous: the last build had its hints and blocks */
		sm_cw_expect_leaves(test, p->name, &ch, &t->cw);
		/* a page off: no hint, no block, whatever the leaf allows */
		ch = sm_cw_fake(sm_cw_place_va(t, p), p->pages, 1);
		for (threads = 1; threads <= SM_KUNIT_THREADS_MAX;
		     threads *= 2) {
			v = sm_cw_variant(&w, SM_LEAF_BLOCK, threads);
			sm_cw_expect_same(test, &v, SM_CW_OWN_FLAGS, &ch, 1,
					  p->name);
		}
	}
}

/*
 * Several chunks that share tables, below a top-level boundary B: buffer
 * pfns across a PMD boundary, a contiguous chunk right after them, a gap,
 * more pfns, a contiguous chunk two PMDs on, and pfns across B.
 */
static unsigned int sm_cw_shared_chunks(struct sm_cw_test *t)
{
	unsigned long top = ALIGN_DOWN((unsigned long)t->buf, PGDIR_SIZE);
	struct sm_chunk *ch = t->ch;
	unsigned long end;

	ch[0] = (struct sm_chunk){ .va = top - 4 * PMD_SIZE - 37 * PAGE_SIZE,
				   .nr_pages = 100, .pfns = t->pfns,
				   .ahead = t->ahead };
	end = ch[0].va + 100 * PAGE_SIZE;
	ch[1] = sm_cw_fake(end, 3 * CONT_PTES, 0);
	end += 3 * CONT_PTES * PAGE_SIZE;
	ch[2] = (struct sm_chunk){ .va = end + 5 * PAGE_SIZE,
				   .nr_pages = 200, .pfns = t->pfns + 100,
				   .ahead = t->ahead + 100 };
	end = ch[2].va + 200 * PAGE_SIZE;
	ch[3] = sm_cw_fake(ALIGN(end, PMD_SIZE) + PMD_SIZE + 5 * PAGE_SIZE,
			   PTRS_PER_PTE + 50, 0);
	ch[4] = (struct sm_chunk){ .va = top - 7 * PAGE_SIZE, .nr_pages = 20,
				   .pfns = t->pfns + 300,
				   .ahead = t->ahead + 300 };
	return 5;
}

static void countwalk_shared_tables(struct kunit *test)
{
	struct sm_cw_test *t = test->priv;
	unsigned int nr = sm_cw_shared_chunks(t), leaf, threads;
	struct sm_walker w, v;

	sm_cw_param_walker(test->param_value, &w);
	for (leaf = 0; leaf < SM_LEAF_NR; leaf++)
		for (threads = 1; threads <= SM_KUNIT_THREADS_MAX; threads++) {
			v = sm_cw_variant(&w, leaf, threads);
			sm_cw_expect_same(test, &v, SM_CW_OWN_FLAGS, t->ch, nr,
					  "shared");
		}
}

/* The first 64 MiB of this machine's RAM at its linear-map VA. */
static void countwalk_ram(struct kunit *test)
{
	struct sm_cw_test *t = test->priv;
	struct sm_chunk *ch;
	struct sm_walker w, v;
	unsigned int i, nr, threads;

	sm_cw_param_walker(test->param_value, &w);
	KUNIT_ASSERT_EQ(test, sm_geom_ram(SZ_64M, &t->g), 0);
	KUNIT_EXPECT_EQ(test, t->g.bytes, (u64)SZ_64M);
	nr = t->g.nr;
	ch = kunit_kcalloc(test, nr, sizeof(*ch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ch);
	for (i = 0; i < nr; i++) {
		/* one chunk per System RAM range, each one run */
		KUNIT_EXPECT_EQ(test, t->g.ext[i].chunk, i);
		ch[i] = (struct sm_chunk){ .va = t->g.ext[i].va,
					   .nr_pages = t->g.ext[i].nr_pages,
					   .pfn = PHYS_PFN(t->g.ext[i].pa) };
		KUNIT_EXPECT_EQ(test, ch[i].va,
				(unsigned long)pfn_to_kaddr(ch[i].pfn));
	}
	for (threads = 1; threads <= SM_KUNIT_THREADS_MAX; threads *= 2) {
		v = w;
		v.threads = threads;
		sm_cw_expect_same(test, &v, SM_CW_OWN_FLAGS, ch, nr, "ram");
	}
}

/* sm_geom_ram(): all of RAM, and more than there is, grown at the end. */
static void countwalk_ram_geometry(struct kunit *test)
{
	struct sm_cw_test *t = test->priv;
	struct sm_geom_extent last;
	u64 all, sum = 0;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, sm_geom_ram(0, &t->g), 0);
	KUNIT_ASSERT_GT(test, t->g.nr, 0U);
	for (i = 0; i < t->g.nr; i++) {
		sum += (u64)t->g.ext[i].nr_pages << PAGE_SHIFT;
		if (i)
			KUNIT_EXPECT_GT(test, t->g.ext[i].pa,
					t->g.ext[i - 1].pa);
	}
	KUNIT_EXPECT_EQ(test, sum, t->g.bytes);
	all = t->g.bytes;
	last = t->g.ext[t->g.nr - 1];
	sm_geom_free(&t->g);

	KUNIT_ASSERT_EQ(test, sm_geom_ram(all + SZ_1G, &t->g), 0);
	KUNIT_EXPECT_EQ(test, t->g.bytes, all + SZ_1G);
	KUNIT_EXPECT_EQ(test, t->g.ext[t->g.nr - 1].va, last.va);
	KUNIT_EXPECT_EQ(test, t->g.ext[t->g.nr - 1].nr_pages,
			last.nr_pages + SZ_1G / PAGE_SIZE);
}

/* Tables at a level for [0, size) from an aligned start: size / span. */
static u64 sm_cw_tables(bool present, u64 size, u64 span)
{
	return present ? DIV_ROUND_UP(size, span) : 0;
}

/*
 * A geometry of runs whose shifts from PUD alignment differ, for the
 * count walk's shortcuts: chunk 0 starts off alignment and is a PUD-
 * aligned run, a PMD-aligned one, a CONT_PTE-aligned one in two extents,
 * and a page-aligned one; chunk 1 follows a gap.  Each run holds three
 * whole PUDs or more, so a shortcut counts at least one by multiplying.
 */
static const struct sm_cw_run {
	unsigned long shift, puds, more, gap;
	unsigned int chunk;
} sm_cw_shortcut_runs[] = {
	{ 0, 3, 0, 0, 0 },
	{ PMD_SIZE, 3, 7 * PAGE_SIZE, 0, 0 },
	{ CONT_PTE_SIZE, 2, 0, 0, 0 },
	{ CONT_PTE_SIZE, 1, PMD_SIZE, 0, 0 },
	{ PAGE_SIZE, 3, 0, 0, 0 },
	{ 0, 4, 0, PUD_SIZE + PAGE_SIZE, 1 },
};

static void sm_cw_shortcut_geom(struct sm_geom_extent *e)
{
	unsigned long va = sm_linear_va0() + PUD_SIZE - PMD_SIZE -
			   5 * PAGE_SIZE;
	phys_addr_t delta = 8 * (phys_addr_t)PUD_SIZE;
	const struct sm_cw_run *r = sm_cw_shortcut_runs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sm_cw_shortcut_runs); i++, r++) {
		va += r->gap;
		e[i].va = va;
		e[i].pa = va - sm_linear_va0() + delta + r->shift;
		e[i].nr_pages = (r->puds * PUD_SIZE + r->more) >> PAGE_SHIFT;
		e[i].chunk = r->chunk;
		va += e[i].nr_pages << PAGE_SHIFT;
	}
}

/*
 * The shortcuts (PTE tables and PUDs counted by multiplying) count what
 * walking every table counts, at each leaf, on 1, 2 and 4 threads.
 */
static void countwalk_shortcuts(struct kunit *test)
{
	struct sm_geom_extent e[ARRAY_SIZE(sm_cw_shortcut_runs)];
	unsigned int nr = ARRAY_SIZE(e), leaf, threads, i;
	struct sm_cw_test *t = test->priv;
	struct sm_walker w, v;
	struct sm_stats every;
	char name[96];
	int flags;

	sm_cw_shortcut_geom(e);
	sm_cw_param_walker(test->param_value, &w);
	for (leaf = 0; leaf < SM_LEAF_NR; leaf++) {
		for (threads = 1; threads <= SM_KUNIT_THREADS_MAX;
		     threads *= 2) {
			v = sm_cw_variant(&w, leaf, threads);
			flags = sm_walker_flags(&v);
			sm_format_walker(&v, name, sizeof(name));
			KUNIT_ASSERT_EQ(test, sm_count_walk(&v, flags, e, nr,
							    &t->cw), 0);
			KUNIT_ASSERT_EQ(test, sm_count_walk(&v, flags |
							    SM_CW_EVERY_TABLE,
							    e, nr, &every), 0);
			for (i = 0; i < SM_CNT_NR; i++)
				KUNIT_EXPECT_EQ_MSG(test, t->cw.cnt[i],
						    every.cnt[i], "%s: %s",
						    sm_counter_names[i], name);
		}
	}
}

/*
 * 4 TiB of synthetic RAM (or all the linear map holds, when less): it
 * finishes, and leaf=pte gives the closed forms.  No timing is asserted.
 */
static void countwalk_synthetic_4t(struct kunit *test)
{
	struct sm_cw_test *t = test->priv;
	u64 room = ALIGN_DOWN(PAGE_END - sm_linear_va0(), PMD_SIZE);
	u64 size = min_t(u64, SM_CW_SYNTHETIC, room);
	u64 x[SM_CNT_NR] = {}, pages;
	struct sm_stats two;
	struct sm_walker w;
	int i;

	sm_cw_param_walker(test->param_value, &w);
	if (size < SM_CW_SYNTHETIC)
		kunit_info(test, "the linear map holds %llu GiB: counting that",
			   size >> 30);
	KUNIT_ASSERT_EQ(test, sm_geom_synthetic(size, &t->g), 0);
	KUNIT_ASSERT_EQ(test, t->g.nr, 1U);
	KUNIT_EXPECT_EQ(test, t->g.ext[0].va, sm_linear_va0());
	KUNIT_ASSERT_EQ(test, sm_count_walk(&w, sm_walker_flags(&w), t->g.ext,
					    t->g.nr, &t->cw), 0);

	pages = t->cw.cnt[SM_CNT_PTE] + t->cw.cnt[SM_CNT_PTE_CONT] +
		(t->cw.cnt[SM_CNT_PMD_BLOCK] +
		 t->cw.cnt[SM_CNT_PMD_BLOCK_CONT]) * (PMD_SIZE / PAGE_SIZE) +
		t->cw.cnt[SM_CNT_PUD_BLOCK] * (PUD_SIZE / PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pages, size / PAGE_SIZE);

	if (w.leaf == SM_LEAF_PTE) {
		x[SM_CNT_PTE] = size / PAGE_SIZE;
		x[SM_CNT_TABLE_PGD] = 1;
		x[SM_CNT_TABLE_PTE] = size / PMD_SIZE;
		x[SM_CNT_TABLE_PMD] = sm_cw_tables(sm_pmd_present(), size,
						   PUD_SIZE);
		x[SM_CNT_TABLE_PUD] = sm_cw_tables(sm_pud_present(), size,
						   P4D_SIZE);
		x[SM_CNT_TABLE_P4D] = sm_cw_tables(sm_p4d_present(), size,
						   PGDIR_SIZE);
		x[SM_CNT_DESC_PMD] = x[SM_CNT_TABLE_PTE];
		x[SM_CNT_DESC_PUD] = x[SM_CNT_TABLE_PMD];
		x[SM_CNT_DESC_P4D] = x[SM_CNT_TABLE_PUD];
		x[SM_CNT_DESC_PGD] = x[SM_CNT_TABLE_P4D];
		for (i = SM_CNT_TABLE_PGD; i <= SM_CNT_PTE; i++)
			KUNIT_EXPECT_EQ_MSG(test, t->cw.cnt[i], x[i], "%s",
					    sm_counter_names[i]);
	}

	/* Split below the top level: what sm_split_same() says adds up. */
	for (w.threads = 2; w.threads <= SM_KUNIT_THREADS_MAX; w.threads *= 2) {
		KUNIT_ASSERT_EQ(test, sm_count_walk(&w, sm_walker_flags(&w),
						    t->g.ext, t->g.nr, &two),
				0);
		for (i = 0; i < SM_CNT_NR; i++)
			if (sm_split_same(&w, sm_walker_flags(&w), i))
				KUNIT_EXPECT_EQ_MSG(test, two.cnt[i],
						    t->cw.cnt[i],
						    "threads=%u: %s", w.threads,
						    sm_counter_names[i]);
	}
}

/* What the real walker refuses, or the count walk cannot follow. */
static void countwalk_rejects(struct kunit *test)
{
	struct sm_walker w = sm_preset_walkers[SM_PRESET_V6_10];
	unsigned long va = ALIGN_DOWN((unsigned long)PAGE_OFFSET, PMD_SIZE);
	struct sm_geom_extent e[2] = {
		{ .va = va, .pa = 0, .nr_pages = 4, .chunk = 0 },
		{ .va = va + 8 * PAGE_SIZE, .pa = SZ_1M, .nr_pages = 4,
		  .chunk = 0 },
	};
	struct sm_cw_test *t = test->priv;
	int flags = sm_walker_flags(&w);

	/* a gap inside one chunk */
	KUNIT_EXPECT_EQ(test, sm_count_walk(&w, flags, e, 2, &t->cw), -EINVAL);
	/* as two chunks it is fine; out of order it is not */
	e[1].chunk = 1;
	KUNIT_EXPECT_EQ(test, sm_count_walk(&w, flags, e, 2, &t->cw), 0);
	swap(e[0], e[1]);
	KUNIT_EXPECT_EQ(test, sm_count_walk(&w, flags, e, 2, &t->cw), -EINVAL);
	swap(e[0], e[1]);
	/* no pages, a page not aligned, too many threads */
	e[1].nr_pages = 0;
	KUNIT_EXPECT_EQ(test, sm_count_walk(&w, flags, e, 2, &t->cw), -EINVAL);
	e[1].nr_pages = 4;
	e[1].pa += 1;
	KUNIT_EXPECT_EQ(test, sm_count_walk(&w, flags, e, 2, &t->cw), -EINVAL);
	e[1].pa -= 1;
	w.threads = SM_MAX_THREADS + 1;
	KUNIT_EXPECT_EQ(test, sm_count_walk(&w, flags, e, 2, &t->cw), -EINVAL);
	/* nothing to map: the top level alone */
	w.threads = 1;
	KUNIT_EXPECT_EQ(test, sm_count_walk(&w, flags, e, 0, &t->cw), 0);
	KUNIT_EXPECT_EQ(test, t->cw.cnt[SM_CNT_TABLE_BYTES], (u64)PAGE_SIZE);
}

/* sm_geom_from_chunks() splits pfns into runs, one chunk index each. */
static void countwalk_geom_from_chunks(struct kunit *test)
{
	static const unsigned long pfns[] = { 10, 11, 12, 20, 21, 7 };
	struct sm_chunk ch[2] = {
		{ .va = PAGE_OFFSET, .nr_pages = ARRAY_SIZE(pfns),
		  .pfns = pfns },
		{ .va = PAGE_OFFSET + SZ_1M, .nr_pages = 3, .pfn = 99 },
	};
	struct sm_cw_test *t = test->priv;
	struct sm_geom *g = &t->g;

	KUNIT_ASSERT_EQ(test, sm_geom_from_chunks(ch, 2, g), 0);
	KUNIT_ASSERT_EQ(test, g->nr, 4U);
	KUNIT_EXPECT_EQ(test, g->nr_chunks, 2U);
	KUNIT_EXPECT_EQ(test, g->bytes, (u64)9 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, g->ext[0].nr_pages, 3UL);
	KUNIT_EXPECT_EQ(test, g->ext[1].va, PAGE_OFFSET + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, g->ext[1].pa, PFN_PHYS(20));
	KUNIT_EXPECT_EQ(test, g->ext[2].nr_pages, 1UL);
	KUNIT_EXPECT_EQ(test, g->ext[2].chunk, 0U);
	KUNIT_EXPECT_EQ(test, g->ext[3].chunk, 1U);
	KUNIT_EXPECT_EQ(test, g->ext[3].pa, PFN_PHYS(99));
}

/*
 * sm_split_cut(): spans of whole windows, as equal as windows allow, and
 * a window that two pieces share goes to one span.
 */
static void countwalk_split_cut(struct kunit *test)
{
	unsigned long b = ALIGN((unsigned long)PAGE_OFFSET, PUD_SIZE);
	struct sm_span span[SM_KUNIT_THREADS_MAX];
	struct sm_piece p[3];
	struct sm_pieces ps = { .p = p, .nr = 2, .cap = ARRAY_SIZE(p) };
	unsigned long va, end;

	/* 16 PMDs in two pieces, four spans: four PMDs each */
	p[0] = (struct sm_piece){ .va = b, .end = b + 8 * PMD_SIZE };
	p[1] = (struct sm_piece){ .va = p[0].end, .end = b + 16 * PMD_SIZE };
	sm_split_cut(&ps, 4, PMD_SIZE, span);
	KUNIT_EXPECT_TRUE(test, span[0].any && span[3].any);
	KUNIT_EXPECT_EQ(test, span[0].lo, 0UL);
	KUNIT_EXPECT_EQ(test, span[1].lo, b + 4 * PMD_SIZE);
	KUNIT_EXPECT_EQ(test, span[2].lo, b + 8 * PMD_SIZE);
	KUNIT_EXPECT_EQ(test, span[3].lo, b + 12 * PMD_SIZE);
	KUNIT_EXPECT_EQ(test, span[2].hi, b + 12 * PMD_SIZE - 1);
	KUNIT_EXPECT_EQ(test, span[3].hi, ULONG_MAX);
	KUNIT_EXPECT_TRUE(test, sm_span_clip(&span[1], &p[0], &va, &end));
	KUNIT_EXPECT_FALSE(test, sm_span_clip(&span[2], &p[0], &va, &end));
	KUNIT_EXPECT_TRUE(test, sm_span_clip(&span[3], &p[1], &va, &end));
	KUNIT_EXPECT_EQ(test, va, b + 12 * PMD_SIZE);
	KUNIT_EXPECT_EQ(test, end, p[1].end);

	/*
	 * Half a PMD, then the rest of its window and two more PMDs: the
	 * middle falls in the shared window, so span 1 starts past it.
	 */
	p[0] = (struct sm_piece){ .va = b, .end = b + PMD_SIZE / 2 };
	p[1] = (struct sm_piece){ .va = p[0].end + PAGE_SIZE,
				  .end = b + 3 * PMD_SIZE };
	sm_split_cut(&ps, 2, PMD_SIZE, span);
	KUNIT_EXPECT_EQ(test, span[1].lo, b + 2 * PMD_SIZE);
	/* more spans than windows: the ones left over get nothing */
	ps.nr = 1;
	sm_split_cut(&ps, 4, PMD_SIZE, span);
	KUNIT_EXPECT_TRUE(test, span[0].any);
	KUNIT_EXPECT_FALSE(test, span[1].any || span[2].any || span[3].any);
	KUNIT_EXPECT_EQ(test, span[0].hi, ULONG_MAX);
}

/*
 * The matrices, 100 s together under KASAN and TCG: marked slow, so that
 * the debug kernel leaves them to the plain ones (kunit.filter=speed>slow,
 * scripts/check.sh).  KUNIT_CASE_PARAM_ATTR and its speed attribute are
 * 6.6+; before that they are plain cases.
 */
#ifdef KUNIT_CASE_PARAM_ATTR
#define SM_CW_CASE_SLOW(test, gen) \
	KUNIT_CASE_PARAM_ATTR(test, gen, { .speed = KUNIT_SPEED_SLOW })
#else
#define SM_CW_CASE_SLOW(test, gen)	KUNIT_CASE_PARAM(test, gen)
#endif

static struct kunit_case shadowmap_countwalk_cases[] = {
	KUNIT_CASE(countwalk_geom_from_chunks),
	KUNIT_CASE(countwalk_rejects),
	KUNIT_CASE(countwalk_split_cut),
	SM_CW_CASE_SLOW(countwalk_vmalloc_places, sm_cw_walker_gen_params),
	SM_CW_CASE_SLOW(countwalk_shared_tables, sm_cw_walker_gen_params),
	SM_CW_CASE_SLOW(countwalk_contig_places, sm_cw_preset_gen_params),
	KUNIT_CASE_PARAM(countwalk_ram, sm_cw_preset_gen_params),
	KUNIT_CASE(countwalk_ram_geometry),
	SM_CW_CASE_SLOW(countwalk_shortcuts, sm_cw_walker_gen_params),
	SM_CW_CASE_SLOW(countwalk_synthetic_4t, sm_cw_preset_gen_params),
	{}
};

struct kunit_suite shadowmap_countwalk_suite = {
	.name = "shadowmap_countwalk",
	.init = sm_cw_init,
	.exit = sm_cw_exit,
	.test_cases = shadowmap_countwalk_cases,
};
