// SPDX-License-Identifier: GPL-2.0
/*
 * The region table: each region's prepare() and release(), by number.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "region.h"

static const struct sm_region_ops * const sm_regions[] = {
	[SM_REGION_VMALLOC] = &sm_vmalloc_ops,
	[SM_REGION_CONTIG] = &sm_contig_ops,
	[SM_REGION_RAM] = &sm_ram_ops,
	[SM_REGION_HOTPLUG] = &sm_hotplug_ops,
};

static_assert(ARRAY_SIZE(sm_regions) == SM_REGION_NR);

const struct sm_region_ops *sm_region_ops(enum sm_region region)
{
	return region < SM_REGION_NR ? sm_regions[region] : NULL;
}

int sm_area_prepare(const struct sm_run_config *cfg, struct sm_area *area,
		    struct sm_stop *stop, char *err, size_t errlen)
{
	const struct sm_region_ops *ops = sm_region_ops(cfg->region);

	memset(area, 0, sizeof(*area));
	area->stop = stop;
	area->live_tables_had = -1;
	if (!ops || !ops->prepare) {
		sm_err("region %d: unknown", cfg->region);
		return -EINVAL;
	}
	return ops->prepare(cfg, area, err, errlen);
}

int sm_area_check(const struct sm_run_config *cfg, char *err, size_t errlen)
{
	const struct sm_region_ops *ops = sm_region_ops(cfg->region);

	return ops && ops->check ? ops->check(cfg, err, errlen) : 0;
}

void sm_area_release(enum sm_region region, struct sm_area *area)
{
	const struct sm_region_ops *ops = sm_region_ops(region);

	if (!area->chunks)
		return;
	if (ops && ops->release)
		ops->release(area);
	kvfree(area->chunks);
	memset(area, 0, sizeof(*area));
}

static bool sm_pfns_overlap(unsigned long a, unsigned long an,
			    unsigned long b, unsigned long bn)
{
	return a < b + bn && b < a + an;
}

/* Whether a linear-map area maps any of [pfn, pfn + nr). */
bool sm_area_overlaps(const struct sm_area *area, unsigned long pfn,
		      unsigned long nr)
{
	unsigned int i;

	for (i = 0; i < area->nr_chunks; i++)
		if (sm_pfns_overlap(area->chunks[i].pfn,
				    area->chunks[i].nr_pages, pfn, nr))
			return true;
	return false;
}
