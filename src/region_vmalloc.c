// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc: the module vmallocs size bytes; the shadow maps the same VAs to
 * the same pfns with PAGE_KERNEL, as vmalloc() does.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "region.h"
#include "budget.h"
#include "walker.h"

#define SM_VMALLOC_DEFAULT_SIZE	SZ_64M

static int sm_vmalloc_check(const struct sm_run_config *cfg, char *err,
			    size_t errlen)
{
	u64 size = cfg->size ?: SM_VMALLOC_DEFAULT_SIZE;
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	if (size > ram) {
		sm_err("size=%llu: more than this machine's RAM (%llu MiB)",
		       size, ram >> 20);
		return -EINVAL;
	}
	return 0;
}

static int sm_vmalloc_prepare(const struct sm_run_config *cfg,
			      struct sm_area *area, char *err, size_t errlen)
{
	u64 size = cfg->size ?: SM_VMALLOC_DEFAULT_SIZE;
	unsigned long nr = size >> PAGE_SHIFT, i;
	/* a page's pfn and its ahead[] count, in one allocation */
	size_t per_page = sizeof(unsigned long) + sizeof(u32);
	unsigned long *pfns;
	u32 *ahead;
	char what[64];
	void *p;
	int ret;

	ret = sm_vmalloc_check(cfg, err, errlen);
	if (ret)
		return ret;
	scnprintf(what, sizeof(what), "region=vmalloc size=%lluM", size >> 20);
	ret = sm_budget_check(what, size + nr * per_page +
			      sm_budget_tables(size), err, errlen);
	if (ret)
		return ret;
	if (!sm_budget_array_ok(nr, per_page)) {
		sm_err("size=%llu: too many pages for one region", size);
		return -EINVAL;
	}
	pfns = kvmalloc_array(nr, per_page, SM_GFP);
	area->chunks = kzalloc(sizeof(*area->chunks), GFP_KERNEL);
	if (!pfns || !area->chunks)
		goto out_nomem;
	/* vmalloc gives up on a fatal signal by itself. */
	p = __vmalloc(size, SM_GFP);
	if (!p)
		goto out_nomem;
	for (i = 0; i < nr; i++) {
		ret = sm_stop_point(area->stop, i, 4096);
		if (ret) {
			sm_err("stopped while listing the pages");
			vfree(p);
			goto out_free;
		}
		pfns[i] = vmalloc_to_pfn(p + i * PAGE_SIZE);
	}
	ahead = (u32 *)(pfns + nr);
	sm_pfns_ahead(pfns, nr, ahead);

	area->chunks[0].va = (unsigned long)p;
	area->chunks[0].nr_pages = nr;
	area->chunks[0].pfns = pfns;
	area->chunks[0].ahead = ahead;
	area->nr_chunks = 1;
	area->bytes = size;
	area->largest = size;
	area->prot = PAGE_KERNEL;
	area->priv = p;
	scnprintf(area->note, sizeof(area->note), "vmalloc %lluK", size >> 10);
	return 0;

out_nomem:
	sm_err("vmalloc region of %llu bytes: out of memory, or interrupted",
	       size);
	ret = -ENOMEM;
out_free:
	kvfree(pfns);
	kfree(area->chunks);
	area->chunks = NULL;
	return ret;
}

static void sm_vmalloc_release(struct sm_area *area)
{
	if (area->nr_chunks)
		kvfree(area->chunks[0].pfns);
	vfree(area->priv);
}

const struct sm_region_ops sm_vmalloc_ops = {
	.name = "vmalloc",
	.check = sm_vmalloc_check,
	.prepare = sm_vmalloc_prepare,
	.release = sm_vmalloc_release,
};
