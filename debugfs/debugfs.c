// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/shadowmap/: the module's user interface.
 *
 *   control  0200  one command per write:
 *                    run [key=value ...]   (grammar: src/config.c)
 *                    verify                compare the kept shadow again
 *                    free                  free the kept shadow and region
 *                    reset                 free, and forget last and history
 *                  errors: -EINVAL (bad input), -EBUSY (a command is
 *                  running), -ENOENT (verify without a shadow), -ENOMEM,
 *                  -EOPNOTSUPP; the reason is the last_error line of `last`.
 *   last     0444  the last run, "name: value" lines
 *   history  0444  one line per run
 *   ptdump   0400  the kept shadow, kernel_page_tables format
 *   version  0444
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/pgtable.h>
#include <linux/utsname.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadowmap.h"
#include "hotplug.h"

#define SM_CMD_MAX	512

static struct dentry *sm_debugfs_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "shadowmap %s\n", SHADOWMAP_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "page_size: %lu\n", PAGE_SIZE);
	seq_printf(m, "pgtable_levels: %d\n", CONFIG_PGTABLE_LEVELS);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

static int last_show(struct seq_file *m, void *v)
{
	mutex_lock(&sm_lock);
	sm_run_show_last(m);
	mutex_unlock(&sm_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(last);

static int history_show(struct seq_file *m, void *v)
{
	mutex_lock(&sm_lock);
	sm_run_show_history(m);
	mutex_unlock(&sm_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(history);

static int ptdump_show(struct seq_file *m, void *v)
{
	mutex_lock(&sm_lock);
	sm_run_show_ptdump(m);
	mutex_unlock(&sm_lock);
	return 0;
}

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

static int sm_command(char *buf, char *err, size_t errlen)
{
	struct sm_run_config cfg;
	char *cmd, *args = strim(buf);
	int ret;

	cmd = strsep(&args, " \t\n");
	if (!strcmp(cmd, "run")) {
		sm_run_config_init(&cfg);
		ret = sm_parse_run_args(args, &cfg, err, errlen);
		if (ret)
			return ret;
		return sm_run(&cfg, err, errlen);
	}
	if (args && *args) {
		scnprintf(err, errlen, "'%s' takes no arguments", cmd);
		return -EINVAL;
	}
	if (!strcmp(cmd, "verify"))
		return sm_run_verify(err, errlen);
	if (!strcmp(cmd, "free")) {
		sm_run_free();
		return 0;
	}
	if (!strcmp(cmd, "reset")) {
		sm_run_reset();
		return 0;
	}
	scnprintf(err, errlen, "unknown command '%s' (run, verify, free, reset)",
		  cmd);
	return -EINVAL;
}

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char err[SM_ERR_LEN] = "";
	char *buf;
	int ret;

	buf = count < SM_CMD_MAX ? memdup_user_nul(ubuf, count) : NULL;
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (!mutex_trylock(&sm_lock)) {
		kfree(buf);
		return -EBUSY;
	}
	if (buf) {
		ret = sm_command(buf, err, sizeof(err));
	} else {
		scnprintf(err, sizeof(err), "command of %zu bytes, want fewer than %d",
			  count, SM_CMD_MAX);
		ret = -EINVAL;
	}
	if (ret && !err[0])
		scnprintf(err, sizeof(err), "error %d", ret);
	sm_run_set_error(ret, err);
	mutex_unlock(&sm_lock);
	kfree(buf);
	return ret ? ret : count;
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
	sm_debugfs_events_init(sm_debugfs_dir);
	return 0;
}

void sm_debugfs_exit(void)
{
	debugfs_remove_recursive(sm_debugfs_dir);
	sm_debugfs_dir = NULL;
}
