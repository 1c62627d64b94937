// SPDX-License-Identifier: GPL-2.0
/*
 * The "ram" region: every System RAM range at its linear-map VA, a replica
 * of map_mem().  map_mem() maps each memblock region with one
 * __create_pgd_mapping() call; arm64 registers one top-level "System RAM"
 * resource per memblock region (request_standard_resources()), and memory
 * hot-added later has its own, so the region maps one extent per resource.
 * NOMAP memory is "reserved", not System RAM, and is not in the linear map.
 *
 * Only memory that stays mapped is taken: every section must be online and
 * not going offline (src/hotplug.c; src/lab.c frees a kept shadow before
 * memory it maps can go).  Offline memory that is still in /proc/iomem could
 * be removed, and its live page tables freed, under a walk.
 *
 * Pages that the kernel changed after map_mem() are left out, counted by
 * reason in the region's note: read-only ones (the kernel image's linear
 * alias, which map_mem() maps apart and mark_linear_text_alias_ro() makes
 * read-only, and under rodata=full the aliases of set_memory_ro() memory:
 * module text, BPF), unmapped ones (KFENCE guard pages, secretmem,
 * set_direct_map_invalid_noflush()) and ones of another memory type.  The
 * test is on the live leaf's permission and type only: a live page with a
 * wrong output address stays in, so the comparison still catches it.
 *
 * Before building, the table memory is estimated, about RAM/512 for the PTE
 * tables at 4K plus the upper levels, and checked against the budget
 * (src/budget.c): the region refuses with -ENOMEM when that would not fit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pgtable.h>
#include <linux/slab.h>

#include "region.h"
#include "extents.h"
#include "hotplug.h"
#include "lookup.h"
#include "budget.h"

struct sm_ram_walk {
	struct sm_extents *out;
	unsigned int cap;
	int err;
	u64 skipped;		/* bytes of System RAM not online */
};

static int sm_ram_add(struct sm_ram_walk *w, phys_addr_t start, u64 size)
{
	struct sm_extents *e = w->out;

	if (!size)
		return 0;
	if (e->nr == w->cap) {
		unsigned int cap = w->cap ? 2 * w->cap : 16;
		struct sm_extent *n;

		n = kvmalloc_array(cap, sizeof(*n), SM_GFP);
		if (!n)
			return -ENOMEM;
		if (e->nr)
			memcpy(n, e->ext, e->nr * sizeof(*n));
		kvfree(e->ext);
		e->ext = n;
		w->cap = cap;
	}
	e->ext[e->nr].start = start;
	e->ext[e->nr].size = size;
	e->nr++;
	e->bytes += size;
	return 0;
}

/* One System RAM resource: its online sections, split where one is not. */
static int sm_ram_res(struct resource *res, void *arg)
{
	struct sm_ram_walk *w = arg;
	unsigned long pfn = PFN_UP(res->start);
	unsigned long end = PFN_DOWN(res->end + 1);
	unsigned long run = pfn, next;
	int ret;

	while (pfn < end) {
		next = min(ALIGN(pfn + 1, PAGES_PER_SECTION), end);
		if (!sm_hotplug_pfns_stable(&sm_hotplug, pfn, next - pfn)) {
			ret = sm_ram_add(w, PFN_PHYS(run), PFN_PHYS(pfn - run));
			if (ret)
				goto out_err;
			w->skipped += PFN_PHYS(next - pfn);
			run = next;
		}
		pfn = next;
	}
	ret = sm_ram_add(w, PFN_PHYS(run), PFN_PHYS(end - run));
	if (ret)
		goto out_err;
	return 0;

out_err:
	w->err = ret;
	return ret;
}

/* Why a page is left out; see the top of the file. */
enum sm_ram_skip {
	SM_RAM_KEEP,
	SM_RAM_RDONLY,
	SM_RAM_UNMAPPED,
	SM_RAM_MEMTYPE,
	SM_RAM_NR
};

static enum sm_ram_skip sm_ram_classify(pgd_t *live, unsigned long va)
{
	struct sm_leaf_info li;

	sm_lookup(live, va, &li);
	if (sm_leaf_linear_plain(&li))
		return SM_RAM_KEEP;
	if (li.level < 0)
		return SM_RAM_UNMAPPED;
	if (li.desc & PTE_RDONLY)
		return SM_RAM_RDONLY;
	return SM_RAM_MEMTYPE;
}

/*
 * Split @in around the pages the kernel changed since map_mem(); with a
 * @limit, only until that many bytes are kept.
 */
static int sm_ram_filter(const struct sm_extents *in, struct sm_extents *out,
			 unsigned long skipped[SM_RAM_NR], struct sm_stop *stop,
			 u64 limit)
{
	struct sm_ram_walk w = { .out = out };
	pgd_t *live = sm_live_pgd();
	unsigned int i;
	int ret;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < in->nr && !(limit && out->bytes >= limit); i++) {
		unsigned long pfn = PHYS_PFN(in->ext[i].start);
		unsigned long end = pfn + (in->ext[i].size >> PAGE_SHIFT);
		unsigned long run = pfn;
		enum sm_ram_skip why;

		for (; pfn < end; pfn++) {
			/* Every page, kept or not: RAM can be terabytes. */
			ret = sm_stop_point(stop, pfn, 4096);
			if (ret)
				goto out_free;
			why = sm_ram_classify(live,
					      (unsigned long)pfn_to_kaddr(pfn));
			if (why == SM_RAM_KEEP) {
				/* Enough: the run below reaches @limit. */
				if (limit && out->bytes +
				    PFN_PHYS(pfn + 1 - run) >= limit) {
					pfn++;
					break;
				}
				continue;
			}
			skipped[why]++;
			ret = sm_ram_add(&w, PFN_PHYS(run), PFN_PHYS(pfn - run));
			if (ret)
				goto out_free;
			run = pfn + 1;
		}
		ret = sm_ram_add(&w, PFN_PHYS(run), PFN_PHYS(pfn - run));
		if (ret)
			goto out_free;
	}
	sm_extents_truncate(out, limit);
	return 0;

out_free:
	sm_extents_free(out);
	return ret;
}

/* Tables of span @span (bytes one table maps) that [start, end) touches. */
static u64 sm_tables_spanned(u64 start, u64 end, u64 span)
{
	return (ALIGN(end, span) - ALIGN_DOWN(start, span)) / span;
}

u64 sm_ram_table_bytes(const struct sm_extents *e, unsigned int leaf)
{
	u64 tables = 1;		/* the pgd */
	unsigned int i;

	for (i = 0; i < e->nr; i++) {
		u64 va = (u64)(unsigned long)__va(e->ext[i].start);
		u64 end = va + e->ext[i].size;

		/* PTE tables: all of them, or only at unaligned ends */
		if (leaf == SM_LEAF_BLOCK)
			tables += 2;
		else
			tables += sm_tables_spanned(va, end, PMD_SIZE);
		tables += sm_tables_spanned(va, end, PUD_SIZE);
		/* pud, p4d: at most one or two each per extent */
		tables += 4;
	}
	return tables * PAGE_SIZE;
}
EXPORT_SYMBOL_NS_GPL(sm_ram_table_bytes, SM_NS);

int sm_ram_extents(unsigned int leaf, struct sm_extents *out,
		   char *err, size_t errlen)
{
	struct sm_ram_walk w = { .out = out };
	char what[64];
	int ret;

	memset(out, 0, sizeof(*out));
	/* Its return value only says whether anything matched. */
	walk_iomem_res_desc(IORES_DESC_NONE,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
			    0, U64_MAX, &w, sm_ram_res);
	if (w.err) {
		ret = w.err;
		scnprintf(err, errlen, "region=ram: out of memory listing System RAM");
		goto out_free;
	}
	if (!out->nr) {
		ret = -ENOENT;
		scnprintf(err, errlen, "region=ram: no online System RAM found");
		goto out_free;
	}
	if (w.skipped)
		pr_info("ram: %llu MiB of System RAM is offline or going offline, not mapped\n",
			w.skipped >> 20);

	/* The tables, and the filtered copy of the extents at worst. */
	scnprintf(what, sizeof(what), "region=ram (%llu MiB of RAM)",
		  out->bytes >> 20);
	ret = sm_budget_check(what, sm_ram_table_bytes(out, leaf) +
			      2 * out->nr * sizeof(*out->ext), err, errlen);
	if (ret)
		goto out_free;
	return 0;

out_free:
	sm_extents_free(out);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_ram_extents, SM_NS);

/* Region "ram": one chunk per System RAM range. */
static int sm_ram_prepare(const struct sm_run_config *cfg,
			  struct sm_area *area, char *err, size_t errlen)
{
	unsigned long skipped[SM_RAM_NR] = {};
	struct sm_extents e, f;
	int ret;

	ret = sm_ram_extents(cfg->walker.leaf, &e, err, errlen);
	if (ret)
		return ret;
	ret = sm_ram_filter(&e, &f, skipped, area->stop, cfg->size);
	if (ret) {
		scnprintf(err, errlen, ret == -ENOMEM ?
			  "region=ram: out of memory splitting ranges" :
			  "region=ram: stopped while listing pages");
		goto out_free_extents;
	}
	ret = sm_area_from_extents(&f, area, err, errlen);
	if (ret)
		goto out_free_filtered;
	scnprintf(area->note, sizeof(area->note),
		  "ram: %u ranges, %lluM%s; left out pages: ro=%lu unmapped=%lu memtype=%lu",
		  e.nr, e.bytes >> 20, cfg->size ? ", the first size= of it" : "",
		  skipped[SM_RAM_RDONLY],
		  skipped[SM_RAM_UNMAPPED], skipped[SM_RAM_MEMTYPE]);
	pr_info("ram: %u ranges, %llu MiB; mapping %llu KiB in %u chunks, tables about %llu KiB; left out: %lu read-only, %lu unmapped, %lu other-type pages\n",
		e.nr, e.bytes >> 20, f.bytes >> 10, f.nr,
		sm_ram_table_bytes(&f, cfg->walker.leaf) >> 10,
		skipped[SM_RAM_RDONLY], skipped[SM_RAM_UNMAPPED],
		skipped[SM_RAM_MEMTYPE]);

out_free_filtered:
	sm_extents_free(&f);
out_free_extents:
	sm_extents_free(&e);
	return ret;
}

const struct sm_region_ops sm_ram_ops = {
	.name = "ram",
	.prepare = sm_ram_prepare,
	.offlinable = true,
};
