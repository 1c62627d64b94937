// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the hotplug and ram regions: the memory notifier's
 * bookkeeping (fed made-up events far above any RAM), range selection,
 * "index=" parsing, the ram region's ranges and its table estimate.
 */
#include <kunit/test.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadowmap.h"
#include "hotplug.h"

/* 64 TiB, far above the RAM of any test machine. */
#define SM_FAKE_PFN	(1UL << (36 - PAGE_SHIFT + 10))
#define SM_FAKE_PAGES	(SZ_128M >> PAGE_SHIFT)

static void hotplug_online_offline(struct kunit *test)
{
	unsigned int base = sm_hotplug_nr_ranges();
	struct sm_extents e;
	char err[SM_ERR_LEN];

	sm_hotplug_notify_test(MEM_ONLINE, SM_FAKE_PFN, SM_FAKE_PAGES);
	KUNIT_ASSERT_EQ(test, sm_hotplug_nr_ranges(), base + 1);
	KUNIT_ASSERT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_LAST, &e,
						 err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, e.nr, 1U);
	KUNIT_EXPECT_EQ(test, e.ext[0].start, PFN_PHYS(SM_FAKE_PFN));
	KUNIT_EXPECT_EQ(test, e.ext[0].size, (u64)SZ_128M);
	KUNIT_EXPECT_EQ(test, e.bytes, (u64)SZ_128M);
	sm_extents_free(&e);

	/* Going offline: refused; cancelled: back; offline: gone. */
	sm_hotplug_notify_test(MEM_GOING_OFFLINE, SM_FAKE_PFN, SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_LAST, &e,
						 err, sizeof(err)), -EBUSY);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "going offline"));
	KUNIT_EXPECT_NULL(test, e.ext);
	sm_hotplug_notify_test(MEM_CANCEL_OFFLINE, SM_FAKE_PFN, SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_LAST, &e,
						 err, sizeof(err)), 0);
	sm_extents_free(&e);
	sm_hotplug_notify_test(MEM_GOING_OFFLINE, SM_FAKE_PFN, SM_FAKE_PAGES);
	sm_hotplug_notify_test(MEM_OFFLINE, SM_FAKE_PFN, SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(), base);

	/* Nothing left (the rig's KUnit guests hot-add nothing real) */
	if (!base) {
		KUNIT_EXPECT_EQ(test,
				sm_hotplug_extents(SM_HOTPLUG_INDEX_LAST, &e,
						   err, sizeof(err)), -ENOENT);
		KUNIT_EXPECT_NOT_NULL(test, strstr(err, "gone offline again"));
	}
}

static void hotplug_select(struct kunit *test)
{
	unsigned int base = sm_hotplug_nr_ranges(), first;
	struct sm_extents e;
	char err[SM_ERR_LEN];
	int i;

	/* Three adjacent blocks no probed arch_add_memory() added: 3 ranges */
	for (i = 0; i < 3; i++)
		sm_hotplug_notify_test(MEM_ONLINE,
				       SM_FAKE_PFN + i * SM_FAKE_PAGES,
				       SM_FAKE_PAGES);
	KUNIT_ASSERT_EQ(test, sm_hotplug_nr_ranges(), base + 3);
	KUNIT_ASSERT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_LAST, &e,
						 err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, e.ext[0].start,
			PFN_PHYS(SM_FAKE_PFN + 2 * SM_FAKE_PAGES));
	sm_extents_free(&e);

	KUNIT_ASSERT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_ALL, &e,
						 err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, e.nr, base + 3);
	first = e.nr - 3;
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, e.ext[first + i].start,
				PFN_PHYS(SM_FAKE_PFN + i * SM_FAKE_PAGES));
	sm_extents_free(&e);

	/* No such index, ever: indices are never reused */
	KUNIT_EXPECT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_FROM - 1, &e,
						 err, sizeof(err)), -ENOENT);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "no range index="));

	/* The middle one going offline fails "all" cleanly, not the last */
	sm_hotplug_notify_test(MEM_GOING_OFFLINE, SM_FAKE_PFN + SM_FAKE_PAGES,
			       SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_ALL, &e,
						 err, sizeof(err)), -EBUSY);
	KUNIT_EXPECT_EQ(test, sm_hotplug_extents(SM_HOTPLUG_INDEX_LAST, &e,
						 err, sizeof(err)), 0);
	sm_extents_free(&e);
	sm_hotplug_notify_test(MEM_OFFLINE, SM_FAKE_PFN + SM_FAKE_PAGES,
			       SM_FAKE_PAGES);
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(), base + 2);

	for (i = 0; i < 3; i += 2) {
		sm_hotplug_notify_test(MEM_GOING_OFFLINE,
				       SM_FAKE_PFN + i * SM_FAKE_PAGES,
				       SM_FAKE_PAGES);
		sm_hotplug_notify_test(MEM_OFFLINE,
				       SM_FAKE_PFN + i * SM_FAKE_PAGES,
				       SM_FAKE_PAGES);
	}
	KUNIT_EXPECT_EQ(test, sm_hotplug_nr_ranges(), base);
}

static void hotplug_pfns_stable(struct kunit *test)
{
	void *p = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long pfn;

	KUNIT_ASSERT_NOT_NULL(test, p);
	pfn = virt_to_pfn(p);
	KUNIT_EXPECT_TRUE(test, sm_hotplug_pfns_stable(pfn, 1));
	/* Not RAM at all */
	KUNIT_EXPECT_FALSE(test, sm_hotplug_pfns_stable(SM_FAKE_PFN, 1));
	/* Our bookkeeping only: no memory really goes offline */
	sm_hotplug_notify_test(MEM_GOING_OFFLINE, pfn, 1);
	KUNIT_EXPECT_FALSE(test, sm_hotplug_pfns_stable(pfn, 1));
	sm_hotplug_notify_test(MEM_CANCEL_OFFLINE, pfn, 1);
	KUNIT_EXPECT_TRUE(test, sm_hotplug_pfns_stable(pfn, 1));
}

static int parse_index(struct kunit *test, const char *arg, unsigned int *idx)
{
	struct sm_run_config cfg;
	char err[SM_ERR_LEN];
	char *buf = kstrdup(arg, GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	sm_run_config_init(&cfg);
	ret = sm_parse_run_args(buf, &cfg, err, sizeof(err));
	kfree(buf);
	*idx = cfg.index;
	return ret;
}

static void hotplug_index_parse(struct kunit *test)
{
	unsigned int idx;

	KUNIT_EXPECT_EQ(test, parse_index(test, "region=hotplug", &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, (unsigned int)SM_HOTPLUG_INDEX_LAST);
	KUNIT_EXPECT_EQ(test, parse_index(test, "index=all", &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, (unsigned int)SM_HOTPLUG_INDEX_ALL);
	KUNIT_EXPECT_EQ(test, parse_index(test, "index=7", &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 7U);
	KUNIT_EXPECT_EQ(test, parse_index(test, "index=17+", &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 17U | SM_HOTPLUG_INDEX_FROM);
	KUNIT_EXPECT_EQ(test, parse_index(test, "index=+", &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse_index(test, "index=all+", &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse_index(test, "index=x", &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse_index(test, "index=2147483648", &idx),
			-EINVAL);
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
	struct sm_extents e;
	char err[SM_ERR_LEN];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, sm_ram_extents(SM_LEAF_PTE, &e, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_GE(test, e.nr, 1U);
	/* System RAM includes what the kernel reserved: at least totalram */
	KUNIT_EXPECT_GE(test, e.bytes, (u64)totalram_pages() << PAGE_SHIFT);
	for (i = 0; i < e.nr; i++) {
		KUNIT_EXPECT_EQ(test, e.ext[i].start & ~PAGE_MASK, 0ULL);
		KUNIT_EXPECT_EQ(test, e.ext[i].size & ~PAGE_MASK, 0ULL);
		KUNIT_EXPECT_GT(test, e.ext[i].size, 0ULL);
		if (i)
			KUNIT_EXPECT_GE(test, e.ext[i].start,
					e.ext[i - 1].start + e.ext[i - 1].size);
	}
	sm_extents_free(&e);
}

static struct kunit_case shadowmap_hotplug_cases[] = {
	KUNIT_CASE(hotplug_online_offline),
	KUNIT_CASE(hotplug_select),
	KUNIT_CASE(hotplug_pfns_stable),
	KUNIT_CASE(hotplug_index_parse),
	KUNIT_CASE(ram_table_estimate),
	KUNIT_CASE(ram_ranges),
	{}
};

static struct kunit_suite shadowmap_hotplug_suite = {
	.name = "shadowmap_hotplug",
	.test_cases = shadowmap_hotplug_cases,
};

kunit_test_suites(&shadowmap_hotplug_suite);
