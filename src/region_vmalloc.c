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

#define SM_VMALLOC_DEFAULT_SIZE	SZ_64M

static int sm_vmalloc_prepare(const struct sm_run_config *cfg,
			      struct sm_area *area, char *err, size_t errlen)
{
	u64 size = cfg->size ?: SM_VMALLOC_DEFAULT_SIZE;
	unsigned long nr = size >> PAGE_SHIFT, i;
	unsigned long *pfns;
	void *p;

	if (nr != size >> PAGE_SHIFT || size > totalram_pages() * PAGE_SIZE) {
		sm_err("size=%llu: more than this machine's RAM", size);
		return -EINVAL;
	}
	pfns = kvmalloc_array(nr, sizeof(*pfns), GFP_KERNEL);
	area->chunks = kzalloc(sizeof(*area->chunks), GFP_KERNEL);
	if (!pfns || !area->chunks)
		goto out_nomem;
	p = __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!p)
		goto out_nomem;
	for (i = 0; i < nr; i++)
		pfns[i] = vmalloc_to_pfn(p + i * PAGE_SIZE);

	area->chunks[0].va = (unsigned long)p;
	area->chunks[0].nr_pages = nr;
	area->chunks[0].pfns = pfns;
	area->nr_chunks = 1;
	area->bytes = size;
	area->largest = size;
	area->prot = PAGE_KERNEL;
	area->priv = p;
	scnprintf(area->note, sizeof(area->note), "vmalloc %lluK", size >> 10);
	return 0;

out_nomem:
	kvfree(pfns);
	kfree(area->chunks);
	area->chunks = NULL;
	sm_err("vmalloc region of %llu bytes: out of memory", size);
	return -ENOMEM;
}

static void sm_vmalloc_release(struct sm_area *area)
{
	if (area->nr_chunks)
		kvfree(area->chunks[0].pfns);
	vfree(area->priv);
}

const struct sm_region_ops sm_vmalloc_ops = {
	.name = "vmalloc",
	.prepare = sm_vmalloc_prepare,
	.release = sm_vmalloc_release,
};
