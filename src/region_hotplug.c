// SPDX-License-Identifier: GPL-2.0
/*
 * The hotplug region: memory hot-added since the module was loaded
 * (src/hotplug.c records it), at its linear-map VA.
 */
#include <linux/kernel.h>
#include <linux/mm.h>

#include "region.h"
#include "budget.h"
#include "extents.h"
#include "hotplug.h"

/*
 * Region "hotplug": one chunk per recorded range, in the order they came
 * online, each mapped by its own call into one shadow, as arch_add_memory()
 * mapped each into swapper_pg_dir.  With size=, only the first size bytes
 * of them, in that order.
 */
/* The ranges asked for exist and none is going offline. */
static int sm_hotplug_check(const struct sm_run_config *cfg, char *err,
			    size_t errlen)
{
	unsigned int picked = 0;
	struct sm_extents e;
	int ret;

	ret = sm_hotplug_extents(&sm_hotplug, cfg->index, &e, &picked, err,
				 errlen);
	if (!ret)
		sm_extents_free(&e);
	return ret;
}

static int sm_hotplug_prepare(const struct sm_run_config *cfg,
			      struct sm_area *area, char *err, size_t errlen)
{
	const char *cut = cfg->size ? " (first, size=)" : "";
	unsigned int picked = 0;
	struct sm_extents e;
	int ret;

	ret = sm_hotplug_extents(&sm_hotplug, cfg->index, &e, &picked, err,
				 errlen);
	if (ret)
		return ret;
	sm_extents_truncate(&e, cfg->size);
	ret = sm_budget_check("region=hotplug tables",
			      sm_budget_tables(e.bytes) + e.nr * PAGE_SIZE,
			      err, errlen) ?:
	      sm_area_from_extents(&e, area, err, errlen);
	sm_extents_free(&e);
	if (ret)
		return ret;
	if (cfg->index == SM_HOTPLUG_INDEX_ALL)
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=all: %u ranges, %lluM%s",
			  area->nr_chunks, area->bytes >> 20, cut);
	else if (cfg->index & SM_HOTPLUG_INDEX_FROM)
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=%u+: %u ranges, %lluM%s",
			  cfg->index & ~SM_HOTPLUG_INDEX_FROM,
			  area->nr_chunks, area->bytes >> 20, cut);
	else
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=%u: %lluM%s",
			  picked, area->bytes >> 20, cut);
	return 0;
}

const struct sm_region_ops sm_hotplug_ops = {
	.name = "hotplug",
	.check = sm_hotplug_check,
	.prepare = sm_hotplug_prepare,
	.offlinable = true,
};
