// SPDX-License-Identifier: GPL-2.0
/*
 * contig: as much physically contiguous memory as the page allocator gives,
 * largest orders first, down to SM_CONTIG_MIN_ORDER; physically adjacent
 * blocks are merged into one chunk each, mapped at their linear-map VA with
 * the linear map's pgprot (map_mem(): pgprot_tagged(PAGE_KERNEL)).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "region.h"
#include "compat.h"
#include "budget.h"

#define SM_CONTIG_DEFAULT_SIZE	SZ_64M

#define SM_CONTIG_MIN_ORDER	min(4, SM_MAX_ORDER)

struct sm_block {
	unsigned long pfn;
	unsigned int order;
};

struct sm_contig {
	struct sm_block *blocks;
	unsigned long nr;
};

static int sm_block_cmp(const void *a, const void *b)
{
	const struct sm_block *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static void sm_contig_free(struct sm_contig *ct)
{
	unsigned long i;

	for (i = 0; i < ct->nr; i++) {
		__free_pages(pfn_to_page(ct->blocks[i].pfn),
			     ct->blocks[i].order);
		if (!(i % 1024))
			cond_resched();
	}
	kvfree(ct->blocks);
	kfree(ct);
}

static int sm_contig_prepare(const struct sm_run_config *cfg,
			     struct sm_area *area, char *err, size_t errlen)
{
	u64 asked = cfg->size ?: SM_CONTIG_DEFAULT_SIZE, size, got = 0, bytes;
	unsigned int order = SM_MAX_ORDER, nr_chunks = 0, min_order;
	unsigned long cap, i, end_pfn = 0;
	u64 avail, overhead;
	struct sm_chunk *ch;
	struct sm_contig *ct;
	struct page *page;
	int ret;

	/* small requests may take smaller blocks */
	min_order = min_t(unsigned int, SM_CONTIG_MIN_ORDER,
			  ilog2(asked >> PAGE_SHIFT));
	/*
	 * Never drain the machine: take at most what is available less the
	 * margin, the tables and the block list (src/budget.c).
	 */
	avail = sm_budget_available();
	overhead = sm_budget_tables(asked) +
		   ((asked >> (PAGE_SHIFT + min_order)) + 1) * sizeof(*ct->blocks);
	size = avail > overhead ? min(asked, avail - overhead) : 0;
	size &= ~((PAGE_SIZE << min_order) - 1);
	if (!size)
		return sm_budget_check("region=contig", overhead +
				       (PAGE_SIZE << min_order), err, errlen);
	cap = (size >> (PAGE_SHIFT + min_order)) + 1;
	if (!sm_budget_array_ok(cap, sizeof(*ct->blocks))) {
		sm_err("contig: size=%llu: too many blocks", size);
		return -EINVAL;
	}
	ct = kzalloc(sizeof(*ct), GFP_KERNEL);
	if (!ct)
		goto out_nomem;
	ct->blocks = kvmalloc_array(cap, sizeof(*ct->blocks), SM_GFP);
	if (!ct->blocks)
		goto out_free_ct;

	while (got < size && ct->nr < cap) {
		ret = sm_stop_check(area->stop);
		if (ret) {
			sm_contig_free(ct);
			sm_err("contig: stopped while allocating");
			return ret;
		}
		while (order > min_order &&
		       (PAGE_SIZE << order) > size - got)
			order--;
		if ((PAGE_SIZE << order) > size - got)
			break;
		page = alloc_pages(SM_GFP, order);
		if (!page) {
			if (order == min_order)
				break;
			order--;
			continue;
		}
		ct->blocks[ct->nr].pfn = page_to_pfn(page);
		ct->blocks[ct->nr++].order = order;
		got += PAGE_SIZE << order;
		cond_resched();
	}
	if (!ct->nr) {
		sm_contig_free(ct);
		sm_err("contig: the page allocator gave no block of order %u",
		       min_order);
		return -ENOMEM;
	}

	sort(ct->blocks, ct->nr, sizeof(*ct->blocks), sm_block_cmp, NULL);
	for (i = 0; i < ct->nr; i++) {
		if (!i || ct->blocks[i].pfn != end_pfn)
			nr_chunks++;
		end_pfn = ct->blocks[i].pfn + (1UL << ct->blocks[i].order);
	}
	area->chunks = kvcalloc(nr_chunks, sizeof(*area->chunks), SM_GFP);
	if (!area->chunks)
		goto out_free_blocks;

	ch = area->chunks - 1;
	for (i = 0; i < ct->nr; i++) {
		if (!i || ct->blocks[i].pfn != end_pfn) {
			ch++;
			ch->pfn = ct->blocks[i].pfn;
			ch->va = (unsigned long)pfn_to_kaddr(ch->pfn);
		}
		ch->nr_pages += 1UL << ct->blocks[i].order;
		end_pfn = ct->blocks[i].pfn + (1UL << ct->blocks[i].order);
	}
	area->nr_chunks = nr_chunks;
	area->bytes = got;
	for (i = 0; i < nr_chunks; i++) {
		bytes = (u64)area->chunks[i].nr_pages << PAGE_SHIFT;
		area->largest = max(area->largest, bytes);
	}
	area->prot = pgprot_tagged(PAGE_KERNEL);
	area->priv = ct;
	scnprintf(area->note, sizeof(area->note),
		  "contig got %lluK of %lluK%s in %u chunks, largest %lluK",
		  got >> 10, asked >> 10, size < asked ? " (capped)" : "",
		  nr_chunks, area->largest >> 10);
	if (size < asked)
		pr_info("contig: asked %llu MiB, capped at %llu MiB: available memory less tables and margin\n",
			asked >> 20, size >> 20);
	return 0;

out_free_blocks:
	sm_contig_free(ct);
	goto out_err;
out_free_ct:
	kfree(ct);
out_nomem:
out_err:
	sm_err("contig region: out of memory");
	return -ENOMEM;
}

static void sm_contig_release(struct sm_area *area)
{
	sm_contig_free(area->priv);
}

const struct sm_region_ops sm_contig_ops = {
	.name = "contig",
	.prepare = sm_contig_prepare,
	.release = sm_contig_release,
};
