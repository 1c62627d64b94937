// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the hotplug and ram regions: the memory notifier's range
 * records, range selection, "index=" parsing, the ram region's ranges and
 * its table estimate.
 *
 * Each run gets a private set of range records from .init, fed with
 * made-up events far above any RAM, and never touches the module's own set
 * (sm_hotplug), which the real memory notifier feeds.  .exit frees the set
 * and any extents the run still holds.
 */
#include <kunit/test.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadowmap.h"
#include "extents.h"
#include "hotplug.h"
#include "region.h"
#include "shadowmap_kunit.h"

/* 64 TiB at 4K, far above the RAM of any test machine. */
#define SM_FAKE_PFN	(1UL << (36 - PAGE_SHIFT + 10))
#define SM_FAKE_PAGES	(SZ_128M >> PAGE_SHIFT)

struct sm_hp_test {
	struct sm_hotplug hp;		/* private: never the module's */
	struct sm_extents e;		/* the last sm_hp_test_extents() */
	unsigned int picked;
	char err[SM_ERR_LEN];
};

/*
 * The going-offline callback takes no context, and suites run one case
 * at a time: it records its calls here, for the running case.
 */
static struct {
	unsigned int calls;
	unsigned long pfn, nr;
} sm_going_seen;

static void sm_going_record(unsigned long pfn, unsigned long nr)
{
	sm_going_seen.calls++;
	sm_going_seen.pfn = pfn;
	sm_going_seen.nr = nr;
}

static int sm_hp_test_init(struct kunit *test)
{
	struct sm_hp_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	memset(&sm_going_seen, 0, sizeof(sm_going_seen));
	sm_hotplug_init(&t->hp, sm_going_record);
	test->priv = t;
	return 0;
}

static void sm_hp_test_exit(struct kunit *test)
{
	struct sm_hp_test *t = test->priv;

	if (!t)
		return;
	sm_extents_free(&t->e);
	sm_hotplug_destroy(&t->hp);
}

/* sm_hotplug_extents() on the private set; the result stays in t->e. */
static int sm_hp_test_extents(struct kunit *test, unsigned int index)
{
	struct sm_hp_test *t = test->priv;

	sm_extents_free(&t->e);
	t->picked = 0;
	t->err[0] = '\0';
	return sm_hotplug_extents(&t->hp, index, &t->e, &t->picked, t->err,
				  sizeof(t->err));
}

static void sm_hp_test_event(struct kunit *test, unsigned long action,
			     unsigned int block)
{
	struct sm_hp_test *t = test->priv;

	sm_hotplug_event(&t->hp, action, SM_FAKE_PFN + block * SM_FAKE_PAGES,
			 SM_FAKE_PAGES);
}

static void sm_expect_going_seen(struct kunit *test, unsigned int calls,
				 unsigned long pfn, unsigned long nr)
{
	KUNIT_EXPECT_EQ(test, sm_going_seen.calls, calls);
	KUNIT_EXPECT_EQ(test, sm_going_seen.pfn, pfn);
	KUNIT_EXPECT_EQ(test, sm_going_seen.nr, nr);
}

static void hotplug_online_offline(struct kunit *test)
{
	struct sm_hp_test *t = test->priv;

	/* A fresh set: nothing came online */
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(&t->hp), 0U);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			-ENOENT);
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->err, "no memory came online"));

	sm_hp_test_event(test, MEM_ONLINE, 0);
	KUNIT_ASSERT_EQ(test, sm_hotplug_nr_ranges(&t->hp), 1U);
	KUNIT_ASSERT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			0);
	KUNIT_EXPECT_EQ(test, t->picked, 1U);
	KUNIT_ASSERT_EQ(test, t->e.nr, 1U);
	KUNIT_EXPECT_EQ(test, t->e.ext[0].start, PFN_PHYS(SM_FAKE_PFN));
	KUNIT_EXPECT_EQ(test, t->e.ext[0].size, (u64)SZ_128M);
	KUNIT_EXPECT_EQ(test, t->e.bytes, (u64)SZ_128M);

	/* Going offline: the callback, then refused; cancelled: back */
	sm_hp_test_event(test, MEM_GOING_OFFLINE, 0);
	sm_expect_going_seen(test, 1, SM_FAKE_PFN, SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			-EBUSY);
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->err, "going offline"));
	KUNIT_EXPECT_NULL(test, t->e.ext);
	sm_hp_test_event(test, MEM_CANCEL_OFFLINE, 0);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			0);
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(&t->hp), 1U);

	/* Offline: gone, and the set says so */
	sm_hp_test_event(test, MEM_GOING_OFFLINE, 0);
	sm_hp_test_event(test, MEM_OFFLINE, 0);
	sm_expect_going_seen(test, 2, SM_FAKE_PFN, SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(&t->hp), 0U);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			-ENOENT);
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->err, "gone offline again"));
}

static void hotplug_select(struct kunit *test)
{
	struct sm_hp_test *t = test->priv;
	unsigned int i;

	/* Three adjacent blocks no probed arch_add_memory() added: 3 ranges */
	for (i = 0; i < 3; i++)
		sm_hp_test_event(test, MEM_ONLINE, i);
	KUNIT_ASSERT_EQ(test, sm_hotplug_nr_ranges(&t->hp), 3U);

	KUNIT_ASSERT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			0);
	KUNIT_ASSERT_EQ(test, t->e.nr, 1U);
	KUNIT_EXPECT_EQ(test, t->e.ext[0].start,
			PFN_PHYS(SM_FAKE_PFN + 2 * SM_FAKE_PAGES));
	KUNIT_EXPECT_EQ(test, t->picked, 3U);

	KUNIT_ASSERT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_ALL),
			0);
	KUNIT_ASSERT_EQ(test, t->e.nr, 3U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, t->e.ext[i].start,
				PFN_PHYS(SM_FAKE_PFN + i * SM_FAKE_PAGES));
	KUNIT_EXPECT_EQ(test, t->e.bytes, 3ULL * SZ_128M);
	KUNIT_EXPECT_EQ(test, t->picked, 3U);

	/* index=2 and index=2+ */
	KUNIT_ASSERT_EQ(test, sm_hp_test_extents(test, 2), 0);
	KUNIT_ASSERT_EQ(test, t->e.nr, 1U);
	KUNIT_EXPECT_EQ(test, t->e.ext[0].start,
			PFN_PHYS(SM_FAKE_PFN + SM_FAKE_PAGES));
	KUNIT_EXPECT_EQ(test, t->picked, 2U);
	KUNIT_ASSERT_EQ(test, sm_hp_test_extents(test,
						 2 | SM_HOTPLUG_INDEX_FROM), 0);
	KUNIT_ASSERT_EQ(test, t->e.nr, 2U);
	KUNIT_EXPECT_EQ(test, t->e.ext[0].start,
			PFN_PHYS(SM_FAKE_PFN + SM_FAKE_PAGES));
	KUNIT_EXPECT_EQ(test, t->picked, 3U);

	/* No such index */
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, 4), -ENOENT);
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->err, "no range index=4 "));
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test,
						 4 | SM_HOTPLUG_INDEX_FROM),
			-ENOENT);
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->err, "index=4 or later"));
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test,
						 SM_HOTPLUG_INDEX_FROM - 1),
			-ENOENT);
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->err, "no range index="));

	/* The middle one going offline fails "all" cleanly, not the last */
	sm_hp_test_event(test, MEM_GOING_OFFLINE, 1);
	sm_expect_going_seen(test, 1, SM_FAKE_PFN + SM_FAKE_PAGES,
			     SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_ALL),
			-EBUSY);
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->err, "range 2 is going"));
	KUNIT_EXPECT_NULL(test, t->e.ext);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			0);
	sm_hp_test_event(test, MEM_OFFLINE, 1);
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(&t->hp), 2U);

	/* Indices are never reused: 2 is gone, 3 is still 3 */
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, 2), -ENOENT);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, 3), 0);
	sm_hp_test_event(test, MEM_ONLINE, 1);
	KUNIT_EXPECT_EQ(test, sm_hp_test_extents(test, SM_HOTPLUG_INDEX_LAST),
			0);
	KUNIT_EXPECT_EQ(test, t->picked, 4U);

	for (i = 0; i < 3; i++) {
		sm_hp_test_event(test, MEM_GOING_OFFLINE, i);
		sm_hp_test_event(test, MEM_OFFLINE, i);
	}
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(&t->hp), 0U);
}

static void hotplug_pfns_stable(struct kunit *test)
{
	struct sm_hp_test *t = test->priv;
	void *p = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long pfn;

	KUNIT_ASSERT_NOT_NULL(test, p);
	pfn = virt_to_pfn(p);
	KUNIT_EXPECT_TRUE(test, sm_hotplug_pfns_stable(&t->hp, pfn, 1));
	/* Not RAM at all */
	KUNIT_EXPECT_FALSE(test, sm_hotplug_pfns_stable(&t->hp, SM_FAKE_PFN,
							1));
	/* The private set's bookkeeping only: no memory really goes offline */
	sm_hotplug_event(&t->hp, MEM_GOING_OFFLINE, pfn, 1);
	sm_expect_going_seen(test, 1, pfn, 1);
	KUNIT_EXPECT_FALSE(test, sm_hotplug_pfns_stable(&t->hp, pfn, 1));
	sm_hotplug_event(&t->hp, MEM_CANCEL_OFFLINE, pfn, 1);
	KUNIT_EXPECT_TRUE(test, sm_hotplug_pfns_stable(&t->hp, pfn, 1));
}

/* "index=" in the run arguments: what it parses to, or -EINVAL. */
struct sm_index_arg {
	const char *arg;
	int ret;
	unsigned int index;
};

static const struct sm_index_arg sm_index_args[] = {
	{ "region=hotplug", 0, SM_HOTPLUG_INDEX_LAST },
	{ "index=all", 0, SM_HOTPLUG_INDEX_ALL },
	{ "index=7", 0, 7 },
	{ "index=17+", 0, 17 | SM_HOTPLUG_INDEX_FROM },
	{ "index=+", -EINVAL },
	{ "index=all+", -EINVAL },
	{ "index=x", -EINVAL },
	{ "index=2147483648", -EINVAL },
};

static void sm_index_arg_desc(const struct sm_index_arg *a, char *desc)
{
	strscpy(desc, a->arg, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sm_index_arg, sm_index_args, sm_index_arg_desc);

static void hotplug_index_parse(struct kunit *test)
{
	const struct sm_index_arg *a = test->param_value;
	struct sm_run_config cfg;
	char err[SM_ERR_LEN] = "";

	KUNIT_EXPECT_EQ(test, sm_kunit_parse(test, a->arg, &cfg, err,
					     sizeof(err)), a->ret);
	if (a->ret)
		KUNIT_EXPECT_NE(test, strlen(err), 0);
	else
		KUNIT_EXPECT_EQ(test, cfg.index, a->index);
}

/* Tables of span @span that [va, va + size) touches: the closed form. */
static u64 spanned(u64 va, u64 size, u64 span)
{
	return (va + size - 1) / span - va / span + 1;
}

static void ram_table_estimate(struct kunit *test)
{
	struct sm_extent x = { .start = PFN_PHYS(SM_FAKE_PFN), .size = SZ_1G };
	struct sm_extents e = { .ext = &x, .nr = 1, .bytes = SZ_1G };
	u64 va = (unsigned long)__va(x.start);
	u64 upper = spanned(va, SZ_1G, PUD_SIZE) + 4 + 1;

	KUNIT_EXPECT_EQ(test, sm_ram_table_bytes(&e, SM_LEAF_PTE),
			(spanned(va, SZ_1G, PMD_SIZE) + upper) * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, sm_ram_table_bytes(&e, SM_LEAF_BLOCK),
			(2 + upper) * PAGE_SIZE);
	/* About RAM/512 at 4K */
	if (PAGE_SIZE == SZ_4K)
		KUNIT_EXPECT_LE(test, sm_ram_table_bytes(&e, SM_LEAF_PTE),
				(u64)SZ_1G / 512 + 8 * PAGE_SIZE);
}

static void ram_ranges(struct kunit *test)
{
	struct sm_hp_test *t = test->priv;
	struct sm_extents *e = &t->e;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, sm_ram_extents(SM_LEAF_PTE, e, t->err,
					     sizeof(t->err)), 0);
	KUNIT_EXPECT_GE(test, e->nr, 1U);
	/* System RAM includes what the kernel reserved: at least totalram */
	KUNIT_EXPECT_GE(test, e->bytes, (u64)totalram_pages() << PAGE_SHIFT);
	for (i = 0; i < e->nr; i++) {
		KUNIT_EXPECT_EQ(test, e->ext[i].start & ~PAGE_MASK, 0ULL);
		KUNIT_EXPECT_EQ(test, e->ext[i].size & ~PAGE_MASK, 0ULL);
		KUNIT_EXPECT_GT(test, e->ext[i].size, 0ULL);
		if (i)
			KUNIT_EXPECT_GE(test, e->ext[i].start,
					e->ext[i - 1].start +
					e->ext[i - 1].size);
	}
}

/* size= keeps the first bytes of a list of extents: a prefix of it. */
static void extents_truncate(struct kunit *test)
{
	struct sm_extent x[] = {
		{ .start = SZ_1G, .size = 4 * PAGE_SIZE },
		{ .start = SZ_2G, .size = 8 * PAGE_SIZE },
		{ .start = SZ_4G, .size = 2 * PAGE_SIZE },
	};
	static const struct {
		u64 limit;
		unsigned int nr;
		u64 last_size;
	} cases[] = {
		{ 0, 3, 2 },		/* 0: all */
		{ 1, 1, 1 },		/* within the first */
		{ 4, 1, 4 },		/* exactly the first */
		{ 5, 2, 1 },		/* one page into the second */
		{ 14, 3, 2 },		/* exactly all */
		{ 100, 3, 2 },		/* more than all */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sm_extent y[ARRAY_SIZE(x)];
		struct sm_extents e = { .ext = y, .nr = ARRAY_SIZE(x),
					.bytes = 14 * PAGE_SIZE };
		u64 limit = cases[i].limit * PAGE_SIZE;

		memcpy(y, x, sizeof(x));
		sm_extents_truncate(&e, limit);
		KUNIT_EXPECT_EQ(test, e.nr, cases[i].nr);
		KUNIT_EXPECT_EQ(test, e.bytes, limit && limit < 14 * PAGE_SIZE ?
				limit : 14 * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, y[e.nr - 1].size,
				cases[i].last_size * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, y[e.nr - 1].start, x[e.nr - 1].start);
	}
}

static struct kunit_case shadowmap_hotplug_cases[] = {
	KUNIT_CASE(hotplug_online_offline),
	KUNIT_CASE(hotplug_select),
	KUNIT_CASE(hotplug_pfns_stable),
	KUNIT_CASE_PARAM(hotplug_index_parse, sm_index_arg_gen_params),
	KUNIT_CASE(ram_table_estimate),
	KUNIT_CASE(ram_ranges),
	KUNIT_CASE(extents_truncate),
	{}
};

struct kunit_suite shadowmap_hotplug_suite = {
	.name = "shadowmap_hotplug",
	.init = sm_hp_test_init,
	.exit = sm_hp_test_exit,
	.test_cases = shadowmap_hotplug_cases,
};
