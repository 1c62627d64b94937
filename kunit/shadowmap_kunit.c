// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for shadowmap.  Built as their own module so that, on 6.1,
 * where module suites run before the module's init, the code under test is
 * already loaded: these tests use symbols exported by shadowmap.ko, in its
 * own symbol namespace.
 *
 * This file holds the run configuration's suite: presets, axes and bad
 * input, each a KUnit parameter, read from the lists the module publishes.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/slab.h>

#include "shadowmap.h"
#include "shadowmap_kunit.h"

int sm_kunit_parse(struct kunit *test, const char *line,
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
	char err[SM_ERR_LEN];

	KUNIT_EXPECT_EQ(test, sm_kunit_parse(test, "", &cfg, err, sizeof(err)),
			0);
	KUNIT_EXPECT_EQ(test, cfg.region, SM_REGION_VMALLOC);
	KUNIT_EXPECT_EQ(test, cfg.repeat, 1U);
	KUNIT_EXPECT_EQ(test, cfg.walker.threads, 1U);
	KUNIT_EXPECT_STREQ(test, cfg.walker.preset, "v6.10");
}

/* Two presets' axes, written out here independently of src/config.c. */
static void config_presets(struct kunit *test)
{
	struct sm_run_config cfg;
	char err[SM_ERR_LEN];

	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "walker=v6.1 size=1G repeat=5",
					     &cfg, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.size, (u64)SZ_1G);
	KUNIT_EXPECT_EQ(test, cfg.repeat, 5U);
	KUNIT_EXPECT_EQ(test, cfg.walker.remap, SM_REMAP_CONT);
	KUNIT_EXPECT_EQ(test, cfg.walker.barrier, SM_BARRIER_ENTRY);
	KUNIT_EXPECT_EQ(test, cfg.walker.zero, SM_ZERO_SEPARATE);
	KUNIT_EXPECT_EQ(test, cfg.walker.leaf, SM_LEAF_PTE);

	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "walker=bbml2", &cfg, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.walker.remap, SM_REMAP_NONE);
	KUNIT_EXPECT_EQ(test, cfg.walker.leaf, SM_LEAF_BLOCK);

	/* An axis after a preset overrides it and drops the preset name. */
	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "walker=v6.10 remap=lazy",
					     &cfg, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.walker.remap, SM_REMAP_LAZY);
	KUNIT_EXPECT_EQ(test, cfg.walker.zero, SM_ZERO_COMBINED);
	KUNIT_EXPECT_NULL(test, cfg.walker.preset);

	/* ... wherever it stands. */
	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "remap=lazy walker=v6.10",
					     &cfg, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.walker.remap, SM_REMAP_LAZY);
	KUNIT_EXPECT_EQ(test, cfg.walker.zero, SM_ZERO_COMBINED);
	KUNIT_EXPECT_NULL(test, cfg.walker.preset);
}

/* Sizes: decimal, hex, octal, and K..E suffixes in either case. */
static void config_sizes(struct kunit *test)
{
	struct sm_run_config cfg;
	char err[SM_ERR_LEN];

	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "size=0x400000", &cfg, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.size, (u64)SZ_4M);
	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "size=020000000", &cfg, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.size, (u64)SZ_4M);
	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "size=2t", &cfg, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.size, 2ULL << 40);
	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, "size=15E", &cfg, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cfg.size, 15ULL << 60);
}

static void sm_string_desc(const char * const *name, char *desc)
{
	strscpy(desc, *name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sm_preset, sm_preset_names, sm_string_desc);

/* Every published preset parses to its published walker, and back. */
static void config_preset_round_trip(struct kunit *test)
{
	const char * const *name = test->param_value;
	const struct sm_walker *want;
	struct sm_run_config cfg;
	char line[64], err[SM_ERR_LEN];
	enum sm_axis a;

	want = &sm_preset_walkers[name - sm_preset_names];
	snprintf(line, sizeof(line), "walker=%s", *name);
	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, line, &cfg, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_STREQ(test, cfg.walker.preset, *name);
	KUNIT_EXPECT_EQ(test, cfg.walker.threads, 1U);
	for (a = 0; a < SM_AXIS_NR; a++)
		KUNIT_EXPECT_EQ_MSG(test, sm_walker_axis(&cfg.walker, a),
				    sm_walker_axis(want, a), "%s",
				    sm_axes[a].key);
	sm_format_walker(&cfg.walker, line, sizeof(line));
	KUNIT_EXPECT_STREQ(test, line, *name);
}

/*
 * Every value of every axis: the parameter's offset in this array counts
 * through sm_axes[], axis by axis.
 */
static const u8 sm_axis_values[SM_REMAP_NR + SM_BARRIER_NR + SM_ZERO_NR +
			       SM_LEAF_NR];

static enum sm_axis sm_param_axis_value(const u8 *param, unsigned int *value)
{
	unsigned int i = param - sm_axis_values;
	enum sm_axis a = 0;

	while (a < SM_AXIS_NR - 1 && i >= sm_axes[a].nr)
		i -= sm_axes[a++].nr;
	*value = i;
	return a;
}

static void sm_axis_value_desc(const u8 *param, char *desc)
{
	unsigned int v;
	enum sm_axis a = sm_param_axis_value(param, &v);

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s=%s", sm_axes[a].key,
		 sm_axes[a].names[v]);
}

KUNIT_ARRAY_PARAM(sm_axis_value, sm_axis_values, sm_axis_value_desc);

/* key=value after a preset sets that axis only and drops the preset. */
static void config_axis_value(struct kunit *test)
{
	const struct sm_walker *base = &sm_preset_walkers[SM_PRESET_V6_10];
	struct sm_run_config cfg;
	char kv[32], line[64], err[SM_ERR_LEN], name[128];
	enum sm_axis a, b;
	unsigned int v;

	a = sm_param_axis_value(test->param_value, &v);
	snprintf(kv, sizeof(kv), "%s=%s", sm_axes[a].key, sm_axes[a].names[v]);
	snprintf(line, sizeof(line), "walker=%s %s",
		 sm_preset_names[SM_PRESET_V6_10], kv);
	KUNIT_ASSERT_EQ(test, sm_kunit_parse(test, line, &cfg, err,
					     sizeof(err)), 0);
	KUNIT_EXPECT_NULL(test, cfg.walker.preset);
	for (b = 0; b < SM_AXIS_NR; b++)
		KUNIT_EXPECT_EQ_MSG(test, sm_walker_axis(&cfg.walker, b),
				    b == a ? v : sm_walker_axis(base, b), "%s",
				    sm_axes[b].key);
	sm_format_walker(&cfg.walker, name, sizeof(name));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(name, kv), "%s", name);
}

static const char * const sm_bad_input[] = {
	"walker=v5.0", "size=0", "size=12345", "size=1Q", "repeat=0",
	"repeat=20001", "threads=0", "threads=99", "region=disk",
	"remap=fast", "leaf=", "bogus=1", "novalue",
	/* a key twice; sizes that do not fit in 64 bits */
	"size=4M size=8M", "walker=v6.1 walker=v6.10", "size=17E",
	"size=16384P", "size=0x10000000000000000", "size=99999999999999999999",
};

KUNIT_ARRAY_PARAM(sm_bad_input, sm_bad_input, sm_string_desc);

static void config_rejects_bad_input(struct kunit *test)
{
	const char * const *line = test->param_value;
	struct sm_run_config cfg;
	char err[SM_ERR_LEN] = "";

	KUNIT_EXPECT_EQ(test, sm_kunit_parse(test, *line, &cfg, err,
					     sizeof(err)), -EINVAL);
	KUNIT_EXPECT_NE_MSG(test, strlen(err), 0, "no message");
}

static struct kunit_case shadowmap_config_cases[] = {
	KUNIT_CASE(config_defaults),
	KUNIT_CASE(config_sizes),
	KUNIT_CASE(config_presets),
	KUNIT_CASE_PARAM(config_preset_round_trip, sm_preset_gen_params),
	KUNIT_CASE_PARAM(config_axis_value, sm_axis_value_gen_params),
	KUNIT_CASE_PARAM(config_rejects_bad_input, sm_bad_input_gen_params),
	{}
};

static struct kunit_suite shadowmap_config_suite = {
	.name = "shadowmap_config",
	.test_cases = shadowmap_config_cases,
};

kunit_test_suites(&shadowmap_config_suite, &shadowmap_walker_suite,
		  &shadowmap_live_suite, &shadowmap_hotplug_suite,
		  &shadowmap_countwalk_suite, &shadowmap_repaint_suite);

MODULE_DESCRIPTION("KUnit tests for shadowmap");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(SM_NS);
