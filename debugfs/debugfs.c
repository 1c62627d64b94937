// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/shadowmap/: the module's user interface, every file but
 * events and ranges (debugfs/events.c).  The interface is described in
 * docs/debugfs.md.
 *
 * presets, steps, axes and counters print the module's own lists
 * (src/config.c), which the scripts and the CLI read back instead of
 * keeping copies.  A control command's input is checked before the lab is
 * taken, so that a refused command changes nothing but last_error.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/pgtable.h>
#include <linux/utsname.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadowmap.h"
#include "debugfs.h"
#include "hotplug.h"
#include "lab.h"
#include "walker.h"
#include "calibrate.h"
#include "predict.h"
#include "repaint.h"

/* predict with every cost given is the longest command */
#define SM_CMD_MAX	1024
/*
 * control's private_data after a command was taken: the file position does
 * not move on a failed write(), so it cannot tell.
 */
#define SM_CONTROL_USED	((void *)1)

static struct dentry *sm_debugfs_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "shadowmap %s\n", SHADOWMAP_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "page_size: %lu\n", PAGE_SIZE);
	seq_printf(m, "pgtable_levels: %d\n", CONFIG_PGTABLE_LEVELS);
	/* with the leaf the kernel chose, once memory was hot-added */
	seq_printf(m, "hotplug_preset: %s%s\n",
		   sm_preset_names[sm_hotplug_preset()],
		   sm_hotplug_block_mapped(&sm_hotplug) > 0 ?
		   " leaf=block" : "");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

static int last_show(struct seq_file *m, void *v)
{
	return sm_lab_show_last(m);
}
DEFINE_SHOW_ATTRIBUTE(last);

static int history_show(struct seq_file *m, void *v)
{
	return sm_lab_show_history(m);
}
DEFINE_SHOW_ATTRIBUTE(history);

static int progress_show(struct seq_file *m, void *v)
{
	return sm_lab_show_progress(m);
}
DEFINE_SHOW_ATTRIBUTE(progress);

static int ptdump_show(struct seq_file *m, void *v)
{
	return sm_lab_show_ptdump(m);
}

static void sm_show_axes(struct seq_file *m, const struct sm_walker *w)
{
	unsigned int i;

	for (i = 0; i < SM_AXIS_NR; i++)
		seq_printf(m, " %s=%s", sm_axes[i].key,
			   sm_axes[i].names[sm_walker_axis(w, i)]);
}

static int presets_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < SM_PRESET_NR; i++) {
		seq_puts(m, sm_preset_names[i]);
		sm_show_axes(m, &sm_preset_walkers[i]);
		seq_printf(m, " threads=%u\n", sm_preset_walkers[i].threads);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(presets);

/*
 * One line per step: its name, its commit and the preset it equals (or
 * "-"), then its axes: the CLI runs the steps from here.
 */
static int steps_show(struct seq_file *m, void *v)
{
	enum sm_preset p;
	unsigned int i;

	for (i = 0; i < SM_STEP_NR; i++) {
		p = sm_step_preset(i);
		seq_printf(m, "%s commit=%s preset=%s", sm_steps[i].name,
			   sm_steps[i].commit ?: "-",
			   p < SM_PRESET_NR ? sm_preset_names[p] : "-");
		sm_show_axes(m, &sm_steps[i].walker);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(steps);

static void sm_show_names(struct seq_file *m, const char *key,
			  const char * const *names, unsigned int nr)
{
	unsigned int i;

	seq_puts(m, key);
	for (i = 0; i < nr; i++)
		seq_printf(m, " %s", names[i]);
	seq_putc(m, '\n');
}

static int axes_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < SM_AXIS_NR; i++)
		sm_show_names(m, sm_axes[i].key, sm_axes[i].names,
			      sm_axes[i].nr);
	sm_show_names(m, "region", sm_region_names, SM_REGION_NR);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(axes);

/* The bounds of a command's numbers: "KEY MIN MAX", one a line. */
static int limits_show(struct seq_file *m, void *v)
{
	seq_printf(m, "repeat 1 %u\n", SM_MAX_REPEAT);
	seq_printf(m, "threads 1 %u\n", SM_MAX_THREADS);
	seq_printf(m, "samples %u %u\n", SM_CAL_SAMPLES_MIN,
		   SM_CAL_SAMPLES_MAX);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(limits);

static int counters_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < SM_CNT_NR; i++)
		seq_printf(m, "%s\n", sm_counter_names[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static int costs_show(struct seq_file *m, void *v)
{
	return sm_costs_show(m);
}
DEFINE_SHOW_ATTRIBUTE(costs);

static int prediction_show(struct seq_file *m, void *v)
{
	return sm_predict_show(m);
}
DEFINE_SHOW_ATTRIBUTE(prediction);

static int ptdump_open(struct inode *inode, struct file *file)
{
	/* A 1 GiB PTE shadow dumps in one line, but stay safe for more. */
	return single_open_size(file, ptdump_show, inode->i_private,
				64 * PAGE_SIZE);
}

static const struct file_operations ptdump_fops = {
	.owner = THIS_MODULE,
	.open = ptdump_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/* One command that takes the lab, run between begin and end. */
static int sm_lab_command(const char *cmd, const struct sm_run_config *cfg,
			  char *err, size_t errlen)
{
	char what[SM_HOLDER_LEN];
	int ret;

	if (cfg)
		scnprintf(what, sizeof(what), "run region=%s size=%llu repeat=%u",
			  sm_region_names[cfg->region], cfg->size, cfg->repeat);
	else
		strscpy(what, cmd, sizeof(what));
	ret = sm_lab_begin(what, cfg && sm_region_ops(cfg->region)->offlinable,
			   false, err, errlen);
	if (ret)
		return ret;
	if (cfg)
		ret = sm_lab_run(cfg, err, errlen);
	else if (!strcmp(cmd, "verify"))
		ret = sm_lab_verify(err, errlen);
	else if (!strcmp(cmd, "free"))
		sm_lab_free();
	else
		sm_lab_reset();
	if (ret && !err[0])
		scnprintf(err, errlen, "%s: %s", cmd,
			  ret == -ENOMEM ? "out of memory" : "failed");
	sm_lab_end(ret, err);
	return ret;
}

/* calibrate: takes the lab as a run does. */
static int sm_calibrate_command(unsigned int samples, char *err,
				size_t errlen)
{
	char what[SM_HOLDER_LEN];
	int ret;

	scnprintf(what, sizeof(what), "calibrate samples=%u", samples);
	ret = sm_lab_begin(what, false, false, err, errlen);
	if (ret)
		return ret;
	ret = sm_lab_calibrate(samples, SM_CAL_COMMAND, err, errlen);
	if (ret && !err[0])
		scnprintf(err, errlen, "calibrate: failed (%d)", ret);
	sm_lab_end(ret, err);
	return ret;
}

/* predict: takes the lab, since it may calibrate this machine first. */
static int sm_predict_command(struct sm_predict_args *a, char *err,
			      size_t errlen)
{
	int ret;

	ret = sm_lab_begin("predict", false, false, err, errlen);
	if (ret)
		return ret;
	ret = sm_predict_run(a, err, errlen);
	if (ret && !err[0])
		scnprintf(err, errlen, "predict: failed (%d)", ret);
	sm_lab_end(ret, err);
	return ret;
}

/* split, collapse: take the lab as verify does. */
static int sm_repaint_command(const struct sm_repaint_args *a, char *err,
			      size_t errlen)
{
	char what[SM_HOLDER_LEN];
	int ret;

	scnprintf(what, sizeof(what), "%s seq=%s",
		  sm_repaint_op_names[a->op], sm_repaint_seq_names[a->seq]);
	ret = sm_lab_begin(what, false, false, err, errlen);
	if (ret)
		return ret;
	ret = sm_lab_repaint(a, err, errlen);
	if (ret && !err[0])
		scnprintf(err, errlen, "%s: failed (%d)",
			  sm_repaint_op_names[a->op], ret);
	sm_lab_end(ret, err);
	return ret;
}

/*
 * One command.  Input is checked before the lab is taken, so a refused
 * command changes nothing but last_error; -EBUSY says who holds the lab.
 */
static int sm_command(char *buf, char *err, size_t errlen)
{
	struct sm_predict_args *pred;
	struct sm_repaint_args rp;
	struct sm_run_config cfg;
	char *cmd, *args = strim(buf);
	unsigned int samples;
	int ret;

	cmd = strsep(&args, " \t\n");
	if (!strcmp(cmd, "run")) {
		sm_run_config_init(&cfg);
		ret = sm_parse_run_args(args, &cfg, err, errlen);
		if (ret)
			goto out_refused;
		/* A run's own failure is recorded by sm_lab_end(). */
		ret = sm_lab_command(cmd, &cfg, err, errlen);
		if (ret == -EBUSY)
			goto out_refused;
		return ret;
	}
	if (!strcmp(cmd, "calibrate")) {
		ret = sm_calibrate_parse(args, &samples, err, errlen);
		if (ret)
			goto out_refused;
		ret = sm_calibrate_command(samples, err, errlen);
		if (ret == -EBUSY)
			goto out_refused;
		return ret;
	}
	if (!strcmp(cmd, "predict")) {
		ret = sm_predict_parse(args, &pred, err, errlen);
		if (ret)
			goto out_refused;
		ret = sm_predict_command(pred, err, errlen);
		sm_predict_free_args(pred);
		if (ret == -EBUSY)
			goto out_refused;
		return ret;
	}
	ret = match_string(sm_repaint_op_names, SM_REPAINT_OP_NR, cmd);
	if (ret >= 0) {
		ret = sm_repaint_parse(ret, args, &rp, err, errlen);
		if (ret)
			goto out_refused;
		ret = sm_repaint_command(&rp, err, errlen);
		if (ret == -EBUSY)
			goto out_refused;
		return ret;
	}
	if (strcmp(cmd, "verify") && strcmp(cmd, "free") &&
	    strcmp(cmd, "reset") && strcmp(cmd, "cancel")) {
		scnprintf(err, errlen,
			  "unknown command '%s' (run, verify, free, reset, cancel, calibrate, predict, split, collapse)",
			  cmd);
		ret = -EINVAL;
		goto out_refused;
	}
	if (args && *args) {
		scnprintf(err, errlen, "'%s' takes no arguments", cmd);
		ret = -EINVAL;
		goto out_refused;
	}
	if (!strcmp(cmd, "cancel")) {
		ret = sm_lab_cancel(err, errlen);
		if (ret)
			goto out_refused;
		return 0;
	}
	ret = sm_lab_command(cmd, NULL, err, errlen);
	if (ret != -EBUSY)
		return ret;
out_refused:
	sm_lab_refused(ret, err);
	return ret;
}

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char err[SM_ERR_LEN] = "";
	char *buf;
	int ret;

	if (file->private_data == SM_CONTROL_USED) {
		/* The rest of a command split over writes: never a command. */
		scnprintf(err, sizeof(err),
			  "one command per open(): write the whole command in one write()");
		ret = -EINVAL;
		goto out_refused;
	}
	if (count >= SM_CMD_MAX) {
		scnprintf(err, sizeof(err),
			  "command of %zu bytes, want fewer than %d", count,
			  SM_CMD_MAX);
		ret = -EINVAL;
		goto out_refused;
	}
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		scnprintf(err, sizeof(err), "could not copy the command (%d)",
			  ret);
		goto out_refused;
	}
	if (strlen(buf) != count) {
		/* What follows a NUL would be dropped without a word. */
		scnprintf(err, sizeof(err), "command holds a NUL byte at %zu",
			  strlen(buf));
		kfree(buf);
		ret = -EINVAL;
		goto out_refused;
	}
	ret = sm_command(buf, err, sizeof(err));
	kfree(buf);
	/* A busy or interrupted writer may try the same command again. */
	if (ret != -EBUSY && ret != -EINTR)
		file->private_data = SM_CONTROL_USED;
	return ret ? ret : count;

out_refused:
	file->private_data = SM_CONTROL_USED;
	sm_lab_refused(ret, err);
	return ret;
}

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = control_write,
	.llseek = noop_llseek,
};

int sm_debugfs_init(void)
{
	sm_debugfs_dir = debugfs_create_dir("shadowmap", NULL);
	if (IS_ERR(sm_debugfs_dir))
		return PTR_ERR(sm_debugfs_dir);
	debugfs_create_file("version", 0444, sm_debugfs_dir, NULL,
			    &version_fops);
	debugfs_create_file("control", 0200, sm_debugfs_dir, NULL,
			    &control_fops);
	debugfs_create_file("last", 0444, sm_debugfs_dir, NULL, &last_fops);
	debugfs_create_file("history", 0444, sm_debugfs_dir, NULL,
			    &history_fops);
	debugfs_create_file("ptdump", 0400, sm_debugfs_dir, NULL,
			    &ptdump_fops);
	debugfs_create_file("presets", 0444, sm_debugfs_dir, NULL,
			    &presets_fops);
	debugfs_create_file("steps", 0444, sm_debugfs_dir, NULL, &steps_fops);
	debugfs_create_file("axes", 0444, sm_debugfs_dir, NULL, &axes_fops);
	debugfs_create_file("limits", 0444, sm_debugfs_dir, NULL,
			    &limits_fops);
	debugfs_create_file("counters", 0444, sm_debugfs_dir, NULL,
			    &counters_fops);
	debugfs_create_file("costs", 0444, sm_debugfs_dir, NULL, &costs_fops);
	debugfs_create_file("prediction", 0444, sm_debugfs_dir, NULL,
			    &prediction_fops);
	debugfs_create_file("progress", 0444, sm_debugfs_dir, NULL,
			    &progress_fops);
	sm_debugfs_events_init(sm_debugfs_dir);
	sm_fail_table_debugfs(sm_debugfs_dir);
	return 0;
}

void sm_debugfs_exit(void)
{
	debugfs_remove_recursive(sm_debugfs_dir);
	sm_debugfs_dir = NULL;
}
