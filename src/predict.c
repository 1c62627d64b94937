// SPDX-License-Identifier: GPL-2.0
/*
 * Predictions: the seeds' table for a RAM size this machine may not have.
 * Each step of the walker is counted by the count walk (src/countwalk.c)
 * over a map_mem()-shaped geometry, without allocating a table, and timed
 * by the cost model (src/model.c) with this machine's calibrated costs or
 * costs the user gives (another machine's `costs` file, or the Altra costs
 * fitted from the seeds: configs/costs-altra).
 *
 *   predict size=S [layout=synthetic|ram] [leaf=pte|cont|block] [NAME=PS...]
 *
 * layout=synthetic: S of RAM from physical address 0 (the seeds' machines
 * map it in one memblock range); ram: this machine's System RAM ranges,
 * extended past the last one when S is larger.  leaf=pte is map_mem() under
 * rodata=full, as the seeds ran.  NAME=PS: a cost in picoseconds, as the
 * `costs` file names it; given one, every cost a step uses must be given.
 * The result is the `prediction` file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "predict.h"
#include "model.h"
#include "countwalk.h"
#include "lab.h"

#define SM_PREDICTION_LEN	PAGE_SIZE

static DEFINE_MUTEX(sm_prediction_lock);
static char *sm_prediction;		/* the last prediction's text */

struct sm_predict_args {
	u64 size;
	bool ram;
	enum sm_leaf leaf;
	struct sm_costs costs;
	unsigned long given;		/* bit per enum sm_cost */
};

static int sm_predict_key(struct sm_predict_args *a, const char *key,
			  char *val, char *err, size_t errlen)
{
	unsigned int c;
	u64 ps;
	int v;

	if (!strcmp(key, "size"))
		return sm_parse_size_arg(key, val, &a->size, err, errlen);
	if (!strcmp(key, "layout")) {
		if (strcmp(val, "synthetic") && strcmp(val, "ram")) {
			sm_err("layout=%s: want synthetic or ram", val);
			return -EINVAL;
		}
		a->ram = !strcmp(val, "ram");
		return 0;
	}
	if (!strcmp(key, "leaf")) {
		v = match_string(sm_leaf_names, SM_LEAF_NR, val);
		if (v < 0) {
			sm_err("leaf=%s: want pte, cont or block", val);
			return -EINVAL;
		}
		a->leaf = v;
		return 0;
	}
	for (c = 0; c < SM_COST_NR; c++) {
		if (strcmp(key, sm_cost_names[c]))
			continue;
		if (kstrtou64(val, 0, &ps)) {
			sm_err("%s=%s: want picoseconds, a whole number",
			       key, val);
			return -EINVAL;
		}
		a->costs.ps[c] = ps;
		a->given |= BIT(c);
		return 0;
	}
	sm_err("unknown key '%s' (size, layout, leaf, or a cost of the costs file)",
	       key);
	return -EINVAL;
}

int sm_predict_parse(char *args, struct sm_predict_args **out, char *err,
		     size_t errlen)
{
	struct sm_predict_args *a;
	char *key, *val;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->leaf = SM_LEAF_PTE;
	while ((ret = sm_next_word(&args, &key, &val, err, errlen)) > 0) {
		ret = sm_predict_key(a, key, val, err, errlen);
		if (ret)
			break;
	}
	if (!ret && !a->size) {
		sm_err("predict: size= is required, e.g. predict size=512G");
		ret = -EINVAL;
	}
	if (ret) {
		kfree(a);
		return ret;
	}
	*out = a;
	return 0;
}

void sm_predict_free_args(struct sm_predict_args *a)
{
	kfree(a);
}

/* The costs to use: given ones, or this machine's (calibrated now if not). */
static int sm_predict_costs(struct sm_predict_args *a, const char **source,
			    char *err, size_t errlen)
{
	unsigned long need = 0;
	unsigned int i;
	int ret;

	if (a->given) {
		for (i = 0; i < SM_STEP_NR; i++)
			need |= sm_model_terms(&sm_steps[i].walker);
		need &= ~a->given;
		if (need) {
			sm_err("predict: cost %s not given (a step uses it; give every cost the costs file names)",
			       sm_cost_names[__ffs(need)]);
			return -EINVAL;
		}
		*source = "given";
		return 0;
	}
	if (!sm_costs_get(&a->costs)) {
		ret = sm_lab_calibrate(0, SM_CAL_ON_DEMAND, err, errlen);
		if (ret)
			return ret;
		if (!sm_costs_get(&a->costs))
			return -ENODATA;
	}
	*source = "this machine's, calibrated";
	return 0;
}

/* " %<width>.1f" of @v in units of @unit, without floating point */
static int sm_print_tenths(char *buf, size_t len, int width, u64 v, u64 unit)
{
	u64 tenths = div64_u64(v * 10 + unit / 2, unit);
	char num[24];

	scnprintf(num, sizeof(num), "%llu.%llu", div_u64(tenths, 10),
		  tenths % 10);
	return scnprintf(buf, len, " %*s", width, num);
}

static int sm_print_ms(char *buf, size_t len, int width, u64 ns)
{
	return sm_print_tenths(buf, len, width, ns, NSEC_PER_MSEC);
}

/*
 * Beside the count walk's figure: what the last split and collapse of a
 * kept shadow measured on its real tables (src/repaint.c), per byte
 * mapped and at @bytes.
 */
static int sm_print_measured(char *buf, size_t len, u64 bytes)
{
	struct sm_repaint_fig f;
	int op, n = 0;
	u64 d;

	for (op = 0; op < SM_REPAINT_OP_NR; op++) {
		if (!sm_lab_repaint_fig(op, &f) || !f.bytes)
			continue;
		d = f.table_bytes_after > f.table_bytes_before ?
		    f.table_bytes_after - f.table_bytes_before :
		    f.table_bytes_before - f.table_bytes_after;
		n += scnprintf(buf + n, len - n,
			       "# tables, measured by %s of a kept shadow of %llu MiB: %llu -> %llu KiB; at this size blocks take",
			       sm_repaint_op_names[op], f.bytes >> 20,
			       f.table_bytes_before >> 10,
			       f.table_bytes_after >> 10);
		n += sm_print_tenths(buf + n, len - n, 0,
				     mul_u64_u64_div_u64(d, bytes, f.bytes),
				     SZ_1M);
		n += scnprintf(buf + n, len - n, " MiB less\n");
	}
	return n;
}

/* Runs under the lab lock (for an on-demand calibration). */
int sm_predict_run(struct sm_predict_args *a, char *err, size_t errlen)
{
	struct sm_prediction pred;
	struct sm_stats *st;
	struct sm_geom g = {};
	const char *source;
	u64 base_ns = 0, pte_bytes = 0, block_bytes = 0;
	unsigned int i;
	char *buf, *old;
	int n, ret;

	ret = sm_predict_costs(a, &source, err, errlen);
	if (ret)
		return ret;
	ret = a->ram ? sm_geom_ram(a->size, &g) : sm_geom_synthetic(a->size, &g);
	if (ret) {
		sm_err("predict: no %s layout of %llu bytes (%d)%s",
		       a->ram ? "ram" : "synthetic", a->size, ret,
		       ret == -ERANGE ? ": larger than the linear map" : "");
		return ret;
	}
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	buf = kzalloc(SM_PREDICTION_LEN, GFP_KERNEL);
	if (!st || !buf) {
		ret = -ENOMEM;
		goto out_free;
	}
	n = scnprintf(buf, SM_PREDICTION_LEN,
		      "# predicted map_mem(): %llu MiB, layout=%s (%u ranges), leaf=%s, page_size %lu, %d levels\n# costs: %s\n",
		      g.bytes >> 20, a->ram ? "ram" : "synthetic", g.nr_chunks,
		      sm_leaf_names[a->leaf], PAGE_SIZE, CONFIG_PGTABLE_LEVELS,
		      source);
	n += scnprintf(buf + n, SM_PREDICTION_LEN - n,
		       "%-26s %10s %10s %10s %10s %12s %10s %10s %12s %10s %8s\n",
		       "step", "tables", "table_mib", "remaps", "tlbi", "isb",
		       "alloc_ms", "zero_ms", "populate_ms", "total_ms",
		       "vs_base");
	for (i = 0; i < SM_STEP_NR; i++) {
		struct sm_walker w = sm_steps[i].walker;
		/* A block step maps blocks whatever leaf= says. */
		bool block = w.leaf == SM_LEAF_BLOCK;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			sm_err("predict: interrupted");
			goto out_free;
		}
		if (!block)
			w.leaf = a->leaf;
		ret = sm_count_walk(&w, sm_walker_flags(&w), g.ext, g.nr, st);
		if (ret) {
			sm_err("predict: count walk of %s failed (%d)",
			       sm_steps[i].name, ret);
			goto out_free;
		}
		sm_model_predict(&a->costs, &w, st, false, &pred);
		if (!i)
			base_ns = max_t(u64, pred.ns[SM_PHASE_BUILD], 1);
		if (!i)
			pte_bytes = st->cnt[SM_CNT_TABLE_BYTES];
		if (block)
			block_bytes = st->cnt[SM_CNT_TABLE_BYTES];
		n += scnprintf(buf + n, SM_PREDICTION_LEN - n, "%-26s %10llu",
			       sm_steps[i].name, sm_stats_tables(st));
		n += sm_print_tenths(buf + n, SM_PREDICTION_LEN - n, 10,
				     st->cnt[SM_CNT_TABLE_BYTES], SZ_1M);
		n += scnprintf(buf + n, SM_PREDICTION_LEN - n,
			       " %10llu %10llu %12llu",
			       st->cnt[SM_CNT_REMAP_MAP], st->cnt[SM_CNT_TLBI],
			       st->cnt[SM_CNT_ISB]);
		n += sm_print_ms(buf + n, SM_PREDICTION_LEN - n, 10,
				 pred.ns[SM_PHASE_ALLOC]);
		n += sm_print_ms(buf + n, SM_PREDICTION_LEN - n, 10,
				 pred.ns[SM_PHASE_ZERO]);
		n += sm_print_ms(buf + n, SM_PREDICTION_LEN - n, 12,
				 pred.ns[SM_PHASE_POPULATE]);
		n += sm_print_ms(buf + n, SM_PREDICTION_LEN - n, 10,
				 pred.ns[SM_PHASE_BUILD]);
		n += scnprintf(buf + n, SM_PREDICTION_LEN - n, " %7llu%%\n",
			       div64_u64(pred.ns[SM_PHASE_BUILD] * 100,
					 base_ns));
	}
	/* The seed's "about 500 MB more free at 256 GiB" with blocks */
	if (block_bytes && pte_bytes > block_bytes) {
		n += scnprintf(buf + n, SM_PREDICTION_LEN - n,
			       "# tables: blocks take");
		n += sm_print_tenths(buf + n, SM_PREDICTION_LEN - n, 0,
				     pte_bytes - block_bytes, SZ_1M);
		n += scnprintf(buf + n, SM_PREDICTION_LEN - n,
			       " MiB less than the base row's leaf=%s\n",
			       sm_leaf_names[a->leaf]);
	}
	n += sm_print_measured(buf + n, SM_PREDICTION_LEN - n, g.bytes);
	mutex_lock(&sm_prediction_lock);
	old = sm_prediction;
	sm_prediction = buf;
	mutex_unlock(&sm_prediction_lock);
	buf = old;
out_free:
	kfree(buf);
	kfree(st);
	sm_geom_free(&g);
	return ret;
}

int sm_predict_show(struct seq_file *m)
{
	mutex_lock(&sm_prediction_lock);
	if (sm_prediction)
		seq_puts(m, sm_prediction);
	else
		seq_puts(m, "# no prediction yet: write 'predict size=512G' to control\n");
	mutex_unlock(&sm_prediction_lock);
	return 0;
}

void sm_predict_exit(void)
{
	kfree(sm_prediction);
	sm_prediction = NULL;
}
