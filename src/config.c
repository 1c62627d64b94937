// SPDX-License-Identifier: GPL-2.0
/*
 * Run configuration: the lists the module publishes (presets, axes,
 * regions, levels, counters, phases; debugfs shows them and the scripts
 * read them from there) and the "key=value" grammar shared by the debugfs
 * control file and the module parameters.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/ctype.h>
#include <linux/utsname.h>

#include "shadowmap.h"

const char * const sm_remap_names[] = {
	[SM_REMAP_CONT] = "cont",
	[SM_REMAP_TABLE] = "table",
	[SM_REMAP_LAZY] = "lazy",
	[SM_REMAP_NONE] = "none",
};
EXPORT_SYMBOL_NS_GPL(sm_remap_names, SM_NS);

const char * const sm_barrier_names[] = {
	[SM_BARRIER_ENTRY] = "entry",
	[SM_BARRIER_TABLE] = "table",
};
EXPORT_SYMBOL_NS_GPL(sm_barrier_names, SM_NS);

const char * const sm_zero_names[] = {
	[SM_ZERO_SEPARATE] = "separate",
	[SM_ZERO_COMBINED] = "combined",
	[SM_ZERO_ALLOCATOR] = "allocator",
};
EXPORT_SYMBOL_NS_GPL(sm_zero_names, SM_NS);

const char * const sm_leaf_names[] = {
	[SM_LEAF_PTE] = "pte",
	[SM_LEAF_CONT] = "cont",
	[SM_LEAF_BLOCK] = "block",
};
EXPORT_SYMBOL_NS_GPL(sm_leaf_names, SM_NS);

const char * const sm_check_names[] = {
	[SM_CHECK_KERNEL] = "kernel",
	[SM_CHECK_NONE] = "none",
};
EXPORT_SYMBOL_NS_GPL(sm_check_names, SM_NS);

const char * const sm_fill_names[] = {
	[SM_FILL_KERNEL] = "kernel",
	[SM_FILL_STEPPED] = "stepped",
};
EXPORT_SYMBOL_NS_GPL(sm_fill_names, SM_NS);

const char * const sm_region_names[] = {
	[SM_REGION_VMALLOC] = "vmalloc",
	[SM_REGION_CONTIG] = "contig",
	[SM_REGION_RAM] = "ram",
	[SM_REGION_HOTPLUG] = "hotplug",
};
EXPORT_SYMBOL_NS_GPL(sm_region_names, SM_NS);

const char * const sm_preset_names[] = {
	[SM_PRESET_V6_1] = "v6.1",
	[SM_PRESET_V6_1_LATE] = "v6.1-late",
	[SM_PRESET_V6_10] = "v6.10",
	[SM_PRESET_LAZY] = "lazy",
	[SM_PRESET_DIRECT] = "direct",
	[SM_PRESET_BBML2] = "bbml2",
	[SM_PRESET_STEPPED] = "stepped",
};
EXPORT_SYMBOL_NS_GPL(sm_preset_names, SM_NS);

/*
 * The kernel's presets do its per-entry check (check=kernel); the steps
 * beyond drop it, as a walker that only ever fills empty tables may.
 */
const struct sm_walker sm_preset_walkers[] = {
	/* 6.1 __create_pgd_mapping() at boot: early_pgtable_alloc() */
	[SM_PRESET_V6_1] = { SM_REMAP_CONT, SM_BARRIER_ENTRY, SM_ZERO_SEPARATE,
			     SM_LEAF_PTE, SM_CHECK_KERNEL, 1 },
	/* 6.1 after boot (memory hot-add): tables come zeroed from the buddy */
	[SM_PRESET_V6_1_LATE] = { SM_REMAP_CONT, SM_BARRIER_ENTRY,
				  SM_ZERO_ALLOCATOR, SM_LEAF_PTE,
				  SM_CHECK_KERNEL, 1 },
	/* v6.10 (and 6.12, early and late): all three patches */
	[SM_PRESET_V6_10] = { SM_REMAP_TABLE, SM_BARRIER_TABLE,
			      SM_ZERO_COMBINED, SM_LEAF_PTE, SM_CHECK_KERNEL,
			      1 },
	/* v1/v2 patch 4 of the series, dropped upstream */
	[SM_PRESET_LAZY] = { SM_REMAP_LAZY, SM_BARRIER_TABLE, SM_ZERO_COMBINED,
			     SM_LEAF_PTE, SM_CHECK_NONE, 1 },
	/* no remap at all: write tables through the linear map */
	[SM_PRESET_DIRECT] = { SM_REMAP_NONE, SM_BARRIER_TABLE,
			       SM_ZERO_COMBINED, SM_LEAF_PTE, SM_CHECK_NONE,
			       1 },
	/* direct plus block mappings, as BBML2 allows under rodata=full */
	[SM_PRESET_BBML2] = { SM_REMAP_NONE, SM_BARRIER_TABLE,
			      SM_ZERO_COMBINED, SM_LEAF_BLOCK, SM_CHECK_NONE,
			      1 },
	/* direct, its PTEs written the fastest way found: make bench's floor */
	[SM_PRESET_STEPPED] = { .remap = SM_REMAP_NONE,
				.barrier = SM_BARRIER_TABLE,
				.zero = SM_ZERO_COMBINED, .leaf = SM_LEAF_PTE,
				.check = SM_CHECK_NONE, .threads = 1,
				.fill = SM_FILL_STEPPED },
};
EXPORT_SYMBOL_NS_GPL(sm_preset_walkers, SM_NS);

/*
 * The upstream series' steps.  Each of its three patches, merged in
 * v6.10-rc1, changes one axis of the step before, and .commit names it, so
 * that a row can be checked against the tree.  base is 6.1 before the
 * series, not a commit of it.  lazy-unmap was patch 4 of v1 and v2,
 * dropped upstream, so no commit has it; it keeps the kernel's per-entry
 * check, which the lazy preset drops, so that the row changes the remap
 * alone.  direct and bbml2 are beyond the series: no commit made them.
 */
const struct sm_step_desc sm_steps[] = {
	[SM_STEP_BASE] = {
		.name = "base",
		.walker = {
			.remap = SM_REMAP_CONT, .barrier = SM_BARRIER_ENTRY,
			.zero = SM_ZERO_SEPARATE, .leaf = SM_LEAF_PTE,
			.check = SM_CHECK_KERNEL, .fill = SM_FILL_KERNEL,
			.threads = 1,
		},
	},
	[SM_STEP_NO_CONT_REMAP] = {
		.name = "no-cont-remap",
		/* arm64: mm: Don't remap pgtables per-cont(pte|pmd) block */
		.commit = "5c63db59c5f8",
		.walker = {
			.remap = SM_REMAP_TABLE, .barrier = SM_BARRIER_ENTRY,
			.zero = SM_ZERO_SEPARATE, .leaf = SM_LEAF_PTE,
			.check = SM_CHECK_KERNEL, .fill = SM_FILL_KERNEL,
			.threads = 1,
		},
	},
	[SM_STEP_BATCH_BARRIERS] = {
		.name = "batch-barriers",
		/* arm64: mm: Batch dsb and isb when populating pgtables */
		.commit = "1fcb7cea8a5f",
		.walker = {
			.remap = SM_REMAP_TABLE, .barrier = SM_BARRIER_TABLE,
			.zero = SM_ZERO_SEPARATE, .leaf = SM_LEAF_PTE,
			.check = SM_CHECK_KERNEL, .fill = SM_FILL_KERNEL,
			.threads = 1,
		},
	},
	[SM_STEP_NO_ALLOC_REMAP] = {
		.name = "no-alloc-remap",
		/* arm64: mm: Don't remap pgtables for allocate vs populate */
		.commit = "0e9df1c905d8",
		.walker = {
			.remap = SM_REMAP_TABLE, .barrier = SM_BARRIER_TABLE,
			.zero = SM_ZERO_COMBINED, .leaf = SM_LEAF_PTE,
			.check = SM_CHECK_KERNEL, .fill = SM_FILL_KERNEL,
			.threads = 1,
		},
	},
	[SM_STEP_LAZY_UNMAP] = {
		.name = "lazy-unmap",
		.walker = {
			.remap = SM_REMAP_LAZY, .barrier = SM_BARRIER_TABLE,
			.zero = SM_ZERO_COMBINED, .leaf = SM_LEAF_PTE,
			.check = SM_CHECK_KERNEL, .fill = SM_FILL_KERNEL,
			.threads = 1,
		},
	},
	[SM_STEP_DIRECT] = {
		.name = "direct",
		.walker = {
			.remap = SM_REMAP_NONE, .barrier = SM_BARRIER_TABLE,
			.zero = SM_ZERO_COMBINED, .leaf = SM_LEAF_PTE,
			.check = SM_CHECK_NONE, .fill = SM_FILL_KERNEL,
			.threads = 1,
		},
	},
	[SM_STEP_BBML2] = {
		.name = "bbml2",
		.walker = {
			.remap = SM_REMAP_NONE, .barrier = SM_BARRIER_TABLE,
			.zero = SM_ZERO_COMBINED, .leaf = SM_LEAF_BLOCK,
			.check = SM_CHECK_NONE, .fill = SM_FILL_KERNEL,
			.threads = 1,
		},
	},
};
EXPORT_SYMBOL_NS_GPL(sm_steps, SM_NS);

/*
 * The preset whose walker is @step's on every axis and in threads, or
 * SM_PRESET_NR: a step run as that preset is named by it in last.
 */
enum sm_preset sm_step_preset(enum sm_step step)
{
	const struct sm_walker *w = &sm_steps[step].walker;
	enum sm_preset p;
	enum sm_axis a;

	for (p = 0; p < SM_PRESET_NR; p++) {
		if (sm_preset_walkers[p].threads != w->threads)
			continue;
		for (a = 0; a < SM_AXIS_NR; a++)
			if (sm_walker_axis(&sm_preset_walkers[p], a) !=
			    sm_walker_axis(w, a))
				break;
		if (a == SM_AXIS_NR)
			return p;
	}
	return SM_PRESET_NR;
}
EXPORT_SYMBOL_NS_GPL(sm_step_preset, SM_NS);

/*
 * The preset that models this kernel's own hot-add (arch_add_memory()):
 * v6.1-late up to 6.9, v6.10 from 6.10 on (7.3's path is the v6.10 shape,
 * counter for counter).  The running kernel's release says which.
 */
enum sm_preset sm_hotplug_preset(void)
{
	unsigned int major = 0, minor = 0;

	if (sscanf(init_utsname()->release, "%u.%u", &major, &minor) == 2 &&
	    (major < 6 || (major == 6 && minor < 10)))
		return SM_PRESET_V6_1_LATE;
	return SM_PRESET_V6_10;
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_preset, SM_NS);

const struct sm_axis_desc sm_axes[] = {
	[SM_AXIS_REMAP] = { "remap", sm_remap_names, SM_REMAP_NR },
	[SM_AXIS_BARRIER] = { "barrier", sm_barrier_names, SM_BARRIER_NR },
	[SM_AXIS_ZERO] = { "zero", sm_zero_names, SM_ZERO_NR },
	[SM_AXIS_LEAF] = { "leaf", sm_leaf_names, SM_LEAF_NR },
	[SM_AXIS_CHECK] = { "check", sm_check_names, SM_CHECK_NR },
	[SM_AXIS_FILL] = { "fill", sm_fill_names, SM_FILL_NR },
};
EXPORT_SYMBOL_NS_GPL(sm_axes, SM_NS);

const char * const sm_level_names[] = {
	[SM_LVL_PGD] = "pgd",
	[SM_LVL_P4D] = "p4d",
	[SM_LVL_PUD] = "pud",
	[SM_LVL_PMD] = "pmd",
	[SM_LVL_PTE] = "pte",
};
EXPORT_SYMBOL_NS_GPL(sm_level_names, SM_NS);

const char * const sm_counter_names[] = {
	[SM_CNT_TABLE_PGD] = "tables_pgd",
	[SM_CNT_TABLE_P4D] = "tables_p4d",
	[SM_CNT_TABLE_PUD] = "tables_pud",
	[SM_CNT_TABLE_PMD] = "tables_pmd",
	[SM_CNT_TABLE_PTE] = "tables_pte",
	[SM_CNT_DESC_PGD] = "desc_pgd",
	[SM_CNT_DESC_P4D] = "desc_p4d",
	[SM_CNT_DESC_PUD] = "desc_pud",
	[SM_CNT_DESC_PMD] = "desc_pmd",
	[SM_CNT_PTE] = "leaf_pte",
	[SM_CNT_PTE_CONT] = "leaf_pte_cont",
	[SM_CNT_PMD_BLOCK] = "leaf_pmd_block",
	[SM_CNT_PMD_BLOCK_CONT] = "leaf_pmd_block_cont",
	[SM_CNT_PUD_BLOCK] = "leaf_pud_block",
	[SM_CNT_REMAP_MAP] = "remap_maps",
	[SM_CNT_REMAP_UNMAP] = "remap_unmaps",
	[SM_CNT_TLBI] = "tlbi",
	[SM_CNT_DSB] = "dsb",
	[SM_CNT_ISB] = "isb",
	[SM_CNT_BYTES_ZEROED] = "bytes_zeroed",
	[SM_CNT_TABLE_BYTES] = "table_bytes",
	[SM_CNT_TABLES_FREED] = "tables_freed",
	[SM_CNT_BBM_BREAKS] = "bbm_breaks",
};
EXPORT_SYMBOL_NS_GPL(sm_counter_names, SM_NS);

const char * const sm_phase_names[] = {
	[SM_PHASE_ALLOC] = "alloc",
	[SM_PHASE_ZERO] = "zero",
	[SM_PHASE_POPULATE] = "populate",
	[SM_PHASE_BUILD] = "build",
	[SM_PHASE_TEARDOWN] = "teardown",
	[SM_PHASE_VERIFY] = "verify",
	[SM_PHASE_REPAINT] = "repaint",
};
EXPORT_SYMBOL_NS_GPL(sm_phase_names, SM_NS);

/* Every names[] array has one entry per value of its enum. */
static_assert(ARRAY_SIZE(sm_remap_names) == SM_REMAP_NR);
static_assert(ARRAY_SIZE(sm_barrier_names) == SM_BARRIER_NR);
static_assert(ARRAY_SIZE(sm_zero_names) == SM_ZERO_NR);
static_assert(ARRAY_SIZE(sm_leaf_names) == SM_LEAF_NR);
static_assert(ARRAY_SIZE(sm_check_names) == SM_CHECK_NR);
static_assert(ARRAY_SIZE(sm_fill_names) == SM_FILL_NR);
static_assert(ARRAY_SIZE(sm_region_names) == SM_REGION_NR);
static_assert(ARRAY_SIZE(sm_preset_names) == SM_PRESET_NR);
static_assert(ARRAY_SIZE(sm_preset_walkers) == SM_PRESET_NR);
static_assert(ARRAY_SIZE(sm_steps) == SM_STEP_NR);
static_assert(ARRAY_SIZE(sm_axes) == SM_AXIS_NR);
static_assert(ARRAY_SIZE(sm_level_names) == SM_LVL_NR);
static_assert(ARRAY_SIZE(sm_counter_names) == SM_CNT_NR);
static_assert(ARRAY_SIZE(sm_phase_names) == SM_PHASE_NR);

void sm_run_config_init(struct sm_run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->region = SM_REGION_VMALLOC;
	cfg->repeat = 1;
	sm_walker_set_preset(&cfg->walker,
			     sm_preset_names[SM_PRESET_V6_10]);
}
EXPORT_SYMBOL_NS_GPL(sm_run_config_init, SM_NS);

int sm_walker_set_preset(struct sm_walker *w, const char *name)
{
	int i;

	for (i = 0; i < SM_PRESET_NR; i++) {
		if (!strcmp(sm_preset_names[i], name)) {
			*w = sm_preset_walkers[i];
			w->preset = sm_preset_names[i];
			return 0;
		}
	}
	return -EINVAL;
}
EXPORT_SYMBOL_NS_GPL(sm_walker_set_preset, SM_NS);

static int sm_match(const char * const *names, int nr, const char *val)
{
	int i;

	for (i = 0; i < nr; i++)
		if (names[i] && !strcmp(names[i], val))
			return i;
	return -EINVAL;
}

/* Render the walker as "preset" or as its axes. */
int sm_format_walker(const struct sm_walker *w, char *buf, size_t len)
{
	int i, n;

	if (w->preset && w->threads == 1)
		return scnprintf(buf, len, "%s", w->preset);
	n = scnprintf(buf, len, "%s%s", w->preset ?: "", w->preset ? "+" : "");
	for (i = 0; i < SM_AXIS_NR; i++)
		n += scnprintf(buf + n, len - n, "%s=%s,", sm_axes[i].key,
			       sm_axes[i].names[sm_walker_axis(w, i)]);
	return n + scnprintf(buf + n, len - n, "threads=%u", w->threads);
}
EXPORT_SYMBOL_NS_GPL(sm_format_walker, SM_NS);

/* The value of one axis, as an index into sm_axes[axis].names. */
unsigned int sm_walker_axis(const struct sm_walker *w, enum sm_axis axis)
{
	switch (axis) {
	case SM_AXIS_REMAP:
		return w->remap;
	case SM_AXIS_BARRIER:
		return w->barrier;
	case SM_AXIS_ZERO:
		return w->zero;
	case SM_AXIS_LEAF:
		return w->leaf;
	case SM_AXIS_FILL:
		return w->fill;
	default:
		return w->check;
	}
}
EXPORT_SYMBOL_NS_GPL(sm_walker_axis, SM_NS);

static void sm_walker_set_axis(struct sm_walker *w, enum sm_axis axis, int v)
{
	switch (axis) {
	case SM_AXIS_REMAP:
		w->remap = v;
		break;
	case SM_AXIS_BARRIER:
		w->barrier = v;
		break;
	case SM_AXIS_ZERO:
		w->zero = v;
		break;
	case SM_AXIS_LEAF:
		w->leaf = v;
		break;
	case SM_AXIS_FILL:
		w->fill = v;
		break;
	default:
		w->check = v;
		break;
	}
	/* The walker is no longer the named preset. */
	w->preset = NULL;
}

/* "key=val: unknown what, want a b ...", from the list itself */
static void sm_err_names(char *err, size_t errlen, const char *key,
			 const char *val, const char *what,
			 const char * const *names, unsigned int nr)
{
	unsigned int i;
	int n;

	n = scnprintf(err, errlen, "%s=%s: unknown %s, want", key, val, what);
	for (i = 0; i < nr; i++)
		n += scnprintf(err + n, errlen - n, " %s", names[i]);
}

static int sm_parse_axis(struct sm_walker *w, const char *key, const char *val,
			 char *err, size_t errlen)
{
	unsigned int threads;
	int i, v;

	if (!strcmp(key, "threads")) {
		if (kstrtouint(val, 0, &threads) || !threads ||
		    threads > SM_MAX_THREADS) {
			sm_err("threads=%s: want 1..%d", val, SM_MAX_THREADS);
			return -EINVAL;
		}
		w->threads = threads;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(sm_axes); i++) {
		if (strcmp(key, sm_axes[i].key))
			continue;
		v = sm_match(sm_axes[i].names, sm_axes[i].nr, val);
		if (v < 0) {
			sm_err_names(err, errlen, key, val, "value",
				     sm_axes[i].names, sm_axes[i].nr);
			return -EINVAL;
		}
		sm_walker_set_axis(w, i, v);
		return 0;
	}
	sm_err("unknown key '%s'", key);
	return -EINVAL;
}

/*
 * The next "key=value" word of *@args, split in place into *@key and *@val:
 * 1, or 0 at the end, or -EINVAL (err says why).
 */
int sm_next_word(char **args, char **key, char **val, char *err,
		 size_t errlen)
{
	char *word;

	while ((word = strsep(args, " \t\n")) != NULL) {
		if (!*word)
			continue;
		*val = strchr(word, '=');
		if (!*val || !(*val)[1]) {
			sm_err("'%s': expected key=value", word);
			return -EINVAL;
		}
		*(*val)++ = '\0';
		*key = word;
		return 1;
	}
	return 0;
}

/* More than there are keys: a longer list has an unknown or repeated one. */
#define SM_MAX_WORDS	16

struct sm_words {
	char *key[SM_MAX_WORDS];
	char *val[SM_MAX_WORDS];
	unsigned int nr;
};

/* Split @args into words; a key given twice is refused. */
static int sm_split_words(char *args, struct sm_words *w, char *err,
			  size_t errlen)
{
	unsigned int i;
	int ret;

	w->nr = 0;
	while ((ret = sm_next_word(&args, &w->key[w->nr], &w->val[w->nr],
				   err, errlen)) > 0) {
		for (i = 0; i < w->nr; i++) {
			if (!strcmp(w->key[i], w->key[w->nr])) {
				sm_err("key '%s' given twice", w->key[i]);
				return -EINVAL;
			}
		}
		if (++w->nr == SM_MAX_WORDS) {
			sm_err("more than %d key=value words", SM_MAX_WORDS - 1);
			return -EINVAL;
		}
	}
	return ret;
}

/*
 * A size: decimal, 0x hex or 0 octal, then optionally K, M, G, T, P or E
 * (either case).  -ERANGE when it does not fit in 64 bits.
 */
static int sm_parse_size(const char *val, u64 *out)
{
	static const char suffixes[] = "KMGTPE";
	size_t n = strlen(val);
	unsigned int shift;
	char num[24], *unit;
	u64 v;
	int ret;

	/* Digits first: kstrtoull() would take a sign. */
	if (!isdigit(val[0]))
		return -EINVAL;
	/* A whole number first: "0x1E" is thirty, not 1 EiB. */
	ret = kstrtoull(val, 0, out);
	if (ret != -EINVAL)
		return ret;
	unit = n > 1 ? strchr(suffixes, toupper(val[n - 1])) : NULL;
	if (!unit || n >= sizeof(num))
		return -EINVAL;
	shift = 10 * (unit - suffixes + 1);
	memcpy(num, val, n - 1);
	num[n - 1] = '\0';
	ret = kstrtoull(num, 0, &v);
	if (ret)
		return ret;
	if (v > U64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* "@key=@val", a size: a whole number of pages, at least one. */
int sm_parse_size_arg(const char *key, const char *val, u64 *size, char *err,
		      size_t errlen)
{
	int ret = sm_parse_size(val, size);

	if (ret == -ERANGE) {
		sm_err("%s=%s: does not fit in 64 bits", key, val);
		return -EINVAL;
	}
	if (ret || !*size || *size & ~PAGE_MASK) {
		sm_err("%s=%s: want a multiple of the page size (%lu): decimal, 0x hex or 0 octal, K/M/G/T/P/E allowed",
		       key, val, PAGE_SIZE);
		return -EINVAL;
	}
	return 0;
}

static int sm_parse_run_key(struct sm_run_config *cfg, char *word, char *val,
			    char *err, size_t errlen)
{
	int v;

	if (!strcmp(word, "region")) {
		v = sm_match(sm_region_names, SM_REGION_NR, val);
		if (v < 0) {
			sm_err_names(err, errlen, "region", val, "region",
				     sm_region_names, SM_REGION_NR);
			return -EINVAL;
		}
		cfg->region = v;
	} else if (!strcmp(word, "size")) {
		return sm_parse_size_arg(word, val, &cfg->size, err, errlen);
	} else if (!strcmp(word, "index")) {
		size_t n = strlen(val);
		bool from = n > 1 && val[n - 1] == '+';

		if (from)
			val[n - 1] = '\0';
		if (!strcmp(val, "all")) {
			cfg->index = SM_HOTPLUG_INDEX_ALL;
		} else if (kstrtouint(val, 0, &cfg->index) ||
			   cfg->index & SM_HOTPLUG_INDEX_FROM) {
			sm_err("index=%s: want N, N+ (N and later) or all",
			       val);
			return -EINVAL;
		}
		if (from && cfg->index == SM_HOTPLUG_INDEX_ALL) {
			sm_err("index=all+: want N, N+ or all");
			return -EINVAL;
		}
		if (from)
			cfg->index |= SM_HOTPLUG_INDEX_FROM;
	} else if (!strcmp(word, "repeat")) {
		if (kstrtouint(val, 0, &cfg->repeat) || !cfg->repeat ||
		    cfg->repeat > SM_MAX_REPEAT) {
			sm_err("repeat=%s: want 1..%d", val, SM_MAX_REPEAT);
			return -EINVAL;
		}
	} else if (!strcmp(word, "walker")) {
		if (sm_walker_set_preset(&cfg->walker, val)) {
			sm_err_names(err, errlen, "walker", val, "preset",
				     sm_preset_names, SM_PRESET_NR);
			return -EINVAL;
		}
	} else {
		return sm_parse_axis(&cfg->walker, word, val, err, errlen);
	}
	return 0;
}

/*
 * Axes that do not go together: fill=stepped writes entries in pairs, with
 * nothing read back and no barrier between them.
 */
static int sm_walker_valid(const struct sm_walker *w, char *err,
			   size_t errlen)
{
	if (w->fill == SM_FILL_STEPPED &&
	    (w->check != SM_CHECK_NONE || w->barrier != SM_BARRIER_TABLE)) {
		sm_err("fill=stepped: needs check=none and barrier=table (it writes entries two at a time, reads none back and has no barrier between them)");
		return -EINVAL;
	}
	return 0;
}

/*
 * Parse "key=value" words separated by blanks.  Keys: region, size, index,
 * repeat, walker (a preset), and the axes remap, barrier, zero, leaf and
 * threads, which override the preset's wherever they stand.  Each key at
 * most once.  On error, err says why.
 */
int sm_parse_run_args(char *args, struct sm_run_config *cfg,
		      char *err, size_t errlen)
{
	struct sm_words w;
	unsigned int i, pass;
	int ret;

	ret = sm_split_words(args, &w, err, errlen);
	if (ret)
		return ret;
	/* walker= first, then the rest */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < w.nr; i++) {
			if (!strcmp(w.key[i], "walker") != !pass)
				continue;
			ret = sm_parse_run_key(cfg, w.key[i], w.val[i], err,
					       errlen);
			if (ret)
				return ret;
		}
	}
	return sm_walker_valid(&cfg->walker, err, errlen);
}
EXPORT_SYMBOL_NS_GPL(sm_parse_run_args, SM_NS);

/* Walker axes only, as the axes= module parameter takes them. */
int sm_parse_walker_axes(char *args, struct sm_walker *w, char *err,
			 size_t errlen)
{
	struct sm_words words;
	unsigned int i;
	int ret;

	ret = sm_split_words(args, &words, err, errlen);
	for (i = 0; i < words.nr && !ret; i++)
		ret = sm_parse_axis(w, words.key[i], words.val[i], err, errlen);
	return ret ?: sm_walker_valid(w, err, errlen);
}
