// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for shadowmap.  Built as their own module so that, on 6.1,
 * where module suites run before the module's init, the code under test is
 * already loaded: these tests use symbols exported by shadowmap.ko.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/slab.h>

#include "shadowmap.h"
#include "shadowmap_kunit.h"

static int parse(struct kunit *test, const char *line,
		 struct sm_run_config *cfg, char *err, size_t errlen)
{
	/* kunit_kstrdup() is 6.2+; the parser writes into its buffer. */
	char *buf = kunit_kzalloc(test, strlen(line) + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	strscpy(buf, line, strlen(line) + 1);
	sm_run_config_init(cfg);
	return sm_parse_run_args(buf, cfg, err, errlen);
}

static void config_defaults(struct kunit *test)
{
	struct sm_run_config cfg;
	char err[128];

	KUNIT_EXPECT_EQ(test, parse(test, "", &cfg, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.region, SM_REGION_VMALLOC);
	KUNIT_EXPECT_EQ(test, cfg.repeat, 1U);
	KUNIT_EXPECT_STREQ(test, cfg.walker.preset, "v6.10");
}

static void config_presets(struct kunit *test)
{
	struct sm_run_config cfg;
	char err[128];

	KUNIT_ASSERT_EQ(test, parse(test, "walker=v6.1 size=1G repeat=5",
				    &cfg, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.size, (u64)SZ_1G);
	KUNIT_EXPECT_EQ(test, cfg.repeat, 5U);
	KUNIT_EXPECT_EQ(test, cfg.walker.remap, SM_REMAP_CONT);
	KUNIT_EXPECT_EQ(test, cfg.walker.barrier, SM_BARRIER_ENTRY);
	KUNIT_EXPECT_EQ(test, cfg.walker.zero, SM_ZERO_SEPARATE);
	KUNIT_EXPECT_EQ(test, cfg.walker.leaf, SM_LEAF_PTE);

	KUNIT_ASSERT_EQ(test, parse(test, "walker=bbml2", &cfg, err,
				    sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.walker.remap, SM_REMAP_NONE);
	KUNIT_EXPECT_EQ(test, cfg.walker.leaf, SM_LEAF_BLOCK);

	/* An axis after a preset overrides it and drops the preset name. */
	KUNIT_ASSERT_EQ(test, parse(test, "walker=v6.10 remap=lazy", &cfg, err,
				    sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.walker.remap, SM_REMAP_LAZY);
	KUNIT_EXPECT_EQ(test, cfg.walker.zero, SM_ZERO_COMBINED);
	KUNIT_EXPECT_NULL(test, cfg.walker.preset);
}

static void config_rejects_bad_input(struct kunit *test)
{
	static const char * const bad[] = {
		"walker=v5.0", "size=0", "size=12345", "size=1Q", "repeat=0",
		"repeat=1001", "threads=0", "threads=99", "region=disk",
		"remap=fast", "leaf=", "bogus=1", "novalue",
	};
	struct sm_run_config cfg;
	char err[128];
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		KUNIT_EXPECT_EQ_MSG(test, parse(test, bad[i], &cfg, err,
						sizeof(err)), -EINVAL,
				    "input '%s'", bad[i]);
		KUNIT_EXPECT_NE_MSG(test, strlen(err), 0, "no message for '%s'",
				    bad[i]);
	}
}

static struct kunit_case shadowmap_config_cases[] = {
	KUNIT_CASE(config_defaults),
	KUNIT_CASE(config_presets),
	KUNIT_CASE(config_rejects_bad_input),
	{}
};

static struct kunit_suite shadowmap_config_suite = {
	.name = "shadowmap_config",
	.test_cases = shadowmap_config_cases,
};

kunit_test_suites(&shadowmap_config_suite, &shadowmap_walker_suite,
		  &shadowmap_live_suite);

MODULE_DESCRIPTION("KUnit tests for shadowmap");
MODULE_LICENSE("GPL");
