// SPDX-License-Identifier: GPL-2.0
/*
 * shadowmap: module entry.  The module parameters describe one experiment
 * that runs at load time, so that a locked-down system, whose debugfs offers
 * only 0444 files, can still run one:
 *
 *   modprobe shadowmap run=1 region=vmalloc size=1G walker=v6.1 repeat=5
 *
 * calibrate=1 measures the operation costs at load, before the run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadowmap.h"
#include "fixmap.h"
#include "walker.h"
#include "probes.h"
#include "hotplug.h"
#include "lab.h"
#include "predict.h"
#include "debugfs.h"

static bool calibrate;
module_param(calibrate, bool, 0444);
MODULE_PARM_DESC(calibrate, "Calibrate the operation costs at load (debugfs \"costs\"); a failure is logged and the load goes on");

static bool run;
module_param(run, bool, 0444);
MODULE_PARM_DESC(run, "Run the experiment described by the other parameters at load");

static char *region = "vmalloc";
module_param(region, charp, 0444);
MODULE_PARM_DESC(region, "Region to shadow-map (debugfs \"axes\" lists them)");

static char *size = "";
module_param(size, charp, 0444);
MODULE_PARM_DESC(size, "Region size in bytes, K/M/G/T/P/E allowed; empty: the region's default (vmalloc 64M, contig 64M, ram all of it)");

static char *walker = "v6.10";
module_param(walker, charp, 0444);
MODULE_PARM_DESC(walker, "Walker preset (debugfs \"presets\" lists them)");

static char *axes = "";
module_param(axes, charp, 0444);
MODULE_PARM_DESC(axes, "Axis overrides, e.g. \"remap=lazy leaf=cont threads=2\"");

static unsigned int repeat = 1;
module_param(repeat, uint, 0444);
MODULE_PARM_DESC(repeat, "Repeat the run this many times (1..20000)");

/* The load-time experiment, as parsed from the parameters. */
static struct sm_run_config sm_param_config;

/* A parameter that names one value must not smuggle in more words. */
static int sm_param_one_word(const char *name, const char *val, char *err,
			     size_t errlen)
{
	if (*val && !strpbrk(val, " \t\n="))
		return 0;
	sm_err("%s='%s': want one word", name, val);
	return -EINVAL;
}

static int sm_parse_params(struct sm_run_config *cfg)
{
	char err[128] = "";
	char *args;
	int ret;

	ret = sm_param_one_word("region", region, err, sizeof(err)) ?:
	      (*size ? sm_param_one_word("size", size, err, sizeof(err)) : 0) ?:
	      sm_param_one_word("walker", walker, err, sizeof(err));
	if (ret)
		goto out_err;
	/* No size= at all when none was given: the region's own default. */
	args = kasprintf(GFP_KERNEL, "region=%s%s%s walker=%s repeat=%u",
			 region, *size ? " size=" : "", size, walker, repeat);
	if (!args)
		return -ENOMEM;
	sm_run_config_init(cfg);
	ret = sm_parse_run_args(args, cfg, err, sizeof(err));
	kfree(args);
	if (ret)
		goto out_err;
	/* Parsed apart: axes= overrides the preset and takes nothing else. */
	args = kstrdup(axes, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	ret = sm_parse_walker_axes(args, &cfg->walker, err, sizeof(err));
	kfree(args);
	if (ret) {
		pr_err("bad module parameter axes='%s': %s\n", axes, err);
		return ret;
	}
	return 0;

out_err:
	pr_err("bad module parameter: %s\n", err);
	return ret;
}

static void sm_param_run(void)
{
	char err[SM_ERR_LEN] = "";
	int ret;

	/* Waits interruptibly: Ctrl-C on insmod stops the run too. */
	ret = sm_lab_begin("run at load",
			   sm_region_ops(sm_param_config.region)->offlinable,
			   true, err, sizeof(err));
	if (!ret) {
		ret = sm_lab_run(&sm_param_config, err, sizeof(err));
		sm_lab_end(ret, err);
	}
	if (ret)
		pr_err("run at load failed (%d): %s\n", ret, err);
}

/* Never fails the load: the module works without costs. */
static void sm_param_calibrate(void)
{
	char err[SM_ERR_LEN] = "";
	int ret;

	/* Waits interruptibly: Ctrl-C on insmod stops it too. */
	ret = sm_lab_begin("calibrate at load", false, true, err, sizeof(err));
	if (!ret) {
		ret = sm_lab_calibrate(0, SM_CAL_AT_LOAD, err, sizeof(err));
		sm_lab_end(ret, err);
	}
	if (ret)
		pr_warn("calibrate at load failed (%d): %s; loaded without costs\n",
			ret, err);
}

static int __init shadowmap_init(void)
{
	int ret;

	ret = sm_parse_params(&sm_param_config);
	if (ret)
		return ret;

	ret = sm_fixmap_init();
	if (ret)
		return ret;

	ret = sm_threads_init();
	if (ret)
		goto out_fixmap_exit;

	ret = sm_probes_init();
	if (ret)
		goto out_threads_exit;

	ret = sm_hotplug_register(sm_lab_going_offline);
	if (ret)
		goto out_probes_exit;

	ret = sm_debugfs_init();
	if (ret)
		goto out_hotplug_unregister;

	pr_info("version %s loaded\n", SHADOWMAP_VERSION);
	if (calibrate)
		sm_param_calibrate();
	if (run)
		sm_param_run();
	return 0;

out_hotplug_unregister:
	sm_hotplug_unregister();
out_probes_exit:
	sm_probes_exit();
out_threads_exit:
	sm_threads_exit();
out_fixmap_exit:
	sm_fixmap_exit();
	return ret;
}

static void __exit shadowmap_exit(void)
{
	sm_debugfs_exit();
	sm_lab_exit();
	sm_predict_exit();
	sm_hotplug_unregister();
	sm_probes_exit();
	sm_threads_exit();
	sm_fixmap_exit();
	pr_info("unloaded\n");
}

module_init(shadowmap_init);
module_exit(shadowmap_exit);

MODULE_DESCRIPTION("Shadow kernel page tables for arm64 remapping experiments");
MODULE_AUTHOR("shadowmap developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SHADOWMAP_VERSION);
