// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for shadowmap.  Built as their own module so that, on 6.1,
 * where module suites run before the module's init, the code under test is
 * already loaded: these tests use symbols exported by shadowmap.ko, in its
 * own symbol namespace.
 *
 * This file holds the run configuration's suite: presets, steps, axes and
 * bad input, each a KUnit parameter, read from the lists the module
 * publishes.
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

/* The presets the steps are, written out here independently of config.c. */
static void config_step_presets(struct kunit *test)
{
	/* lazy-unmap keeps check=kernel, which the lazy preset drops */
	static const enum sm_preset want[SM_STEP_NR] = {
		[SM_STEP_BASE] = SM_PRESET_V6_1,
		[SM_STEP_NO_CONT_REMAP] = SM_PRESET_NR,
		[SM_STEP_BATCH_BARRIERS] = SM_PRESET_NR,
		[SM_STEP_NO_ALLOC_REMAP] = SM_PRESET_V6_10,
		[SM_STEP_LAZY_UNMAP] = SM_PRESET_NR,
		[SM_STEP_DIRECT] = SM_PRESET_DIRECT,
		[SM_STEP_BBML2] = SM_PRESET_BBML2,
	};
	enum sm_step i;

	for (i = 0; i < SM_STEP_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, sm_step_preset(i), want[i], "%s",
				    sm_steps[i].name);
}

static void sm_step_param_desc(const struct sm_step_desc *step, char *desc)
{
	strscpy(desc, step->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sm_step, sm_steps, sm_step_param_desc);

/* How many axes, threads counted as one, tell two walkers apart. */
static unsigned int sm_walker_diff(const struct sm_walker *a,
				   const struct sm_walker *b)
{
	unsigned int n = a->threads != b->threads;
	enum sm_axis x;

	for (x = 0; x < SM_AXIS_NR; x++)
		n += sm_walker_axis(a, x) != sm_walker_axis(b, x);
	return n;
}

/*
 * Every step: a name that is one word (the CLI and the scripts split rows
 * at blanks, CSV at commas) and no other step's, since it labels the row
 * of every table; a commit exactly for the series' patches, which run from
 * the step after base to the step that is v6.10 (as merged), each 12 hex
 * digits and changing one axis of the step before; and sm_step_preset() the
 * first preset equal to it, or none when none is.
 */
static void config_step(struct kunit *test)
{
	const struct sm_step_desc *step = test->param_value;
	enum sm_step i = step - sm_steps, j, merged = SM_STEP_NR;
	enum sm_preset p, first = SM_PRESET_NR;
	bool patch;

	KUNIT_ASSERT_NOT_NULL(test, step->name);
	KUNIT_EXPECT_GT(test, strlen(step->name), (size_t)0);
	KUNIT_EXPECT_EQ_MSG(test, strspn(step->name,
					 "abcdefghijklmnopqrstuvwxyz0123456789.-"),
			    strlen(step->name), "'%s'", step->name);
	for (j = 0; j < SM_STEP_NR; j++)
		if (j != i)
			KUNIT_EXPECT_STRNEQ(test, sm_steps[j].name, step->name);

	for (j = 0; j < SM_STEP_NR && merged == SM_STEP_NR; j++)
		if (sm_step_preset(j) == SM_PRESET_V6_10)
			merged = j;
	KUNIT_ASSERT_LT_MSG(test, merged, SM_STEP_NR, "no step is v6.10");
	patch = i > SM_STEP_BASE && i <= merged;
	KUNIT_EXPECT_EQ_MSG(test, !!step->commit, patch,
			    "%s: commit %s", step->name, step->commit ?: "none");
	if (step->commit && i > SM_STEP_BASE) {
		const struct sm_step_desc *before = &sm_steps[i - 1];

		KUNIT_EXPECT_EQ(test, strlen(step->commit), (size_t)12);
		KUNIT_EXPECT_EQ(test, strspn(step->commit, "0123456789abcdef"),
				(size_t)12);
		KUNIT_EXPECT_EQ_MSG(test,
				    sm_walker_diff(&before->walker, &step->walker),
				    1U, "%s against %s", step->name,
				    before->name);
	}

	for (p = 0; p < SM_PRESET_NR && first == SM_PRESET_NR; p++)
		if (!sm_walker_diff(&sm_preset_walkers[p], &step->walker))
			first = p;
	KUNIT_EXPECT_EQ(test, sm_step_preset(i), first);
}

/*
 * Every value of every axis, as sm_axes[] lists them: the parameter is the
 * value's slot in its axis's names[], so a new axis or value is a new case.
 */
static enum sm_axis sm_axis_of(const char * const *slot, unsigned int *value)
{
	enum sm_axis a;
	unsigned int v;

	for (a = 0; a < SM_AXIS_NR; a++)
		for (v = 0; v < sm_axes[a].nr; v++)
			if (&sm_axes[a].names[v] == slot) {
				*value = v;
				return a;
			}
	return SM_AXIS_NR;
}

static SM_KUNIT_GEN_PARAMS(sm_axis_value_gen_params)
{
	enum sm_axis a = 0;
	unsigned int v = 0;

	if (prev) {
		a = sm_axis_of(prev, &v);
		if (a < SM_AXIS_NR && ++v == sm_axes[a].nr) {
			a++;
			v = 0;
		}
	}
	if (a >= SM_AXIS_NR)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s=%s", sm_axes[a].key,
		 sm_axes[a].names[v]);
	return &sm_axes[a].names[v];
}

/*
 * key=value after a preset sets that axis only and drops the preset.  The
 * preset is the first one the value may combine with (fill=stepped wants
 * check=none and barrier=table).
 */
static void config_axis_value(struct kunit *test)
{
	struct sm_run_config cfg;
	char kv[32], line[64], err[SM_ERR_LEN], name[128];
	enum sm_preset p;
	enum sm_axis a, b;
	unsigned int v;

	a = sm_axis_of(test->param_value, &v);
	KUNIT_ASSERT_LT(test, a, SM_AXIS_NR);
	snprintf(kv, sizeof(kv), "%s=%s", sm_axes[a].key, sm_axes[a].names[v]);
	for (p = 0; p < SM_PRESET_NR; p++) {
		snprintf(line, sizeof(line), "walker=%s %s", sm_preset_names[p],
			 kv);
		if (!sm_kunit_parse(test, line, &cfg, err, sizeof(err)))
			break;
	}
	KUNIT_ASSERT_LT_MSG(test, p, SM_PRESET_NR, "%s: %s", kv, err);
	KUNIT_EXPECT_NULL(test, cfg.walker.preset);
	for (b = 0; b < SM_AXIS_NR; b++)
		KUNIT_EXPECT_EQ_MSG(test, sm_walker_axis(&cfg.walker, b),
				    b == a ? v :
				    sm_walker_axis(&sm_preset_walkers[p], b),
				    "%s", sm_axes[b].key);
	sm_format_walker(&cfg.walker, name, sizeof(name));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(name, kv), "%s", name);
}

static const char * const sm_bad_input[] = {
	"walker=v5.0", "size=0", "size=12345", "size=1Q", "repeat=0",
	"repeat=20001", "threads=0", "threads=99", "region=disk",
	"remap=fast", "leaf=", "bogus=1", "novalue",
	/* a key twice; sizes that do not fit in 64 bits */
	"size=4M size=8M", "walker=v6.1 walker=v6.10", "size=17E",
	/* axes that do not go together */
	"walker=v6.10 fill=stepped",
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
	KUNIT_CASE(config_step_presets),
	KUNIT_CASE_PARAM(config_step, sm_step_gen_params),
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
