// SPDX-License-Identifier: GPL-2.0
/*
 * The "hotplug" region: every range of memory that comes online while the
 * module is loaded, whatever added it (virtio-mem, ACPI, dax/kmem,
 * add_memory_driver_managed()), as the memory notifier reports it.
 *
 * A memory block comes online in one MEM_ONLINE event.  Blocks that one
 * arch_add_memory() call added (src/probes.c saw it) and that come online
 * one after the other are merged into one range, so that a range is what the
 * kernel mapped in one call; without the probes every block is its own range.
 *
 * Going offline: MEM_GOING_OFFLINE marks the overlapping ranges as going,
 * then takes sm_lock, which every run, verify and ptdump holds throughout:
 * so a run in progress finishes first, and a shadow kept from an earlier run
 * whose chunks overlap the range is freed (sm_run_free()) before the kernel
 * can remove the memory and free its live page tables.  Runs that start
 * later refuse a going range with -EBUSY.  MEM_OFFLINE drops the ranges,
 * MEM_CANCEL_OFFLINE keeps them.  A run never takes mem_hotplug_lock, which
 * the notifier runs under.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "hotplug.h"
#include "region.h"

struct sm_hp_range {
	struct list_head node;
	unsigned int index;
	unsigned long start_pfn;
	unsigned long nr_pages;
	unsigned int add_event;	/* live add event, 0 if unknown */
	bool going;		/* between MEM_GOING_OFFLINE and MEM_OFFLINE */
};

/* Protects everything below; never held while waiting for runs. */
static DEFINE_MUTEX(sm_hp_lock);
static LIST_HEAD(sm_hp_ranges);		/* oldest first */
static unsigned int sm_hp_nr;
static unsigned int sm_hp_next_index = 1;
static bool sm_hp_overflow_warned;
static unsigned int sm_hp_dropped;	/* ranges not recorded */
/* The range going offline now (offlining is serialized by the kernel). */
static unsigned long sm_hp_going_pfn, sm_hp_going_nr;
/* The area a hotplug or ram run prepared and has not released; sm_lock. */
static const struct sm_area *sm_hp_area;

static bool sm_pfns_overlap(unsigned long a, unsigned long an,
			    unsigned long b, unsigned long bn)
{
	return a < b + bn && b < a + an;
}

void sm_extents_free(struct sm_extents *e)
{
	kvfree(e->ext);
	e->ext = NULL;
	e->nr = 0;
	e->bytes = 0;
}
EXPORT_SYMBOL_GPL(sm_extents_free);

/* Under sm_lock: a ram or hotplug region's area is in use until released. */
void sm_hotplug_area_set(const struct sm_area *area)
{
	sm_hp_area = area;
}

/* The .release of both regions: the area is no longer in use. */
void sm_hotplug_area_release(struct sm_area *area)
{
	sm_hp_area = NULL;
}

static bool sm_area_overlaps(const struct sm_area *area, unsigned long pfn,
			     unsigned long nr)
{
	unsigned int i;

	for (i = 0; i < area->nr_chunks; i++)
		if (sm_pfns_overlap(area->chunks[i].pfn,
				    area->chunks[i].nr_pages, pfn, nr))
			return true;
	return false;
}

static void sm_hp_online(unsigned long pfn, unsigned long nr)
{
	unsigned int add = sm_probes_add_event(PFN_PHYS(pfn), PFN_PHYS(nr));
	struct sm_hp_range *last, *r;

	mutex_lock(&sm_hp_lock);
	last = list_empty(&sm_hp_ranges) ? NULL :
	       list_last_entry(&sm_hp_ranges, struct sm_hp_range, node);
	if (last && add && last->add_event == add && !last->going &&
	    last->start_pfn + last->nr_pages == pfn) {
		last->nr_pages += nr;
		goto out_unlock;
	}
	if (sm_hp_nr >= SM_HOTPLUG_MAX_RANGES) {
		if (!sm_hp_overflow_warned)
			pr_warn("hotplug: more than %d ranges online, not recording more\n",
				SM_HOTPLUG_MAX_RANGES);
		sm_hp_overflow_warned = true;
		sm_hp_dropped++;
		goto out_unlock;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		sm_hp_dropped++;
		goto out_unlock;
	}
	r->index = sm_hp_next_index++;
	r->start_pfn = pfn;
	r->nr_pages = nr;
	r->add_event = add;
	list_add_tail(&r->node, &sm_hp_ranges);
	sm_hp_nr++;
out_unlock:
	mutex_unlock(&sm_hp_lock);
}

static void sm_hp_going_offline(unsigned long pfn, unsigned long nr)
{
	struct sm_hp_range *r;

	mutex_lock(&sm_hp_lock);
	sm_hp_going_pfn = pfn;
	sm_hp_going_nr = nr;
	list_for_each_entry(r, &sm_hp_ranges, node)
		if (sm_pfns_overlap(r->start_pfn, r->nr_pages, pfn, nr))
			r->going = true;
	mutex_unlock(&sm_hp_lock);

	/* Wait for a run in progress; later ones see "going". */
	mutex_lock(&sm_lock);
	if (sm_hp_area && sm_area_overlaps(sm_hp_area, pfn, nr)) {
		pr_info("hotplug: memory going offline: freeing the kept shadow that maps it\n");
		sm_run_free();
		sm_run_set_error(-ENODEV,
				 "the kept shadow was freed: its memory went offline");
	}
	mutex_unlock(&sm_lock);
}

static void sm_hp_offline_done(unsigned long pfn, unsigned long nr,
			       bool offline)
{
	struct sm_hp_range *r, *tmp;

	mutex_lock(&sm_hp_lock);
	sm_hp_going_pfn = 0;
	sm_hp_going_nr = 0;
	list_for_each_entry_safe(r, tmp, &sm_hp_ranges, node) {
		if (!sm_pfns_overlap(r->start_pfn, r->nr_pages, pfn, nr))
			continue;
		r->going = false;
		if (!offline)
			continue;
		/* A range partly offline is dropped whole: never half-mapped. */
		list_del(&r->node);
		sm_hp_nr--;
		kfree(r);
	}
	mutex_unlock(&sm_hp_lock);
}

static int sm_hp_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	const struct memory_notify *mn = data;

	switch (action) {
	case MEM_ONLINE:
		sm_hp_online(mn->start_pfn, mn->nr_pages);
		break;
	case MEM_GOING_OFFLINE:
		sm_hp_going_offline(mn->start_pfn, mn->nr_pages);
		break;
	case MEM_OFFLINE:
		sm_hp_offline_done(mn->start_pfn, mn->nr_pages, true);
		break;
	case MEM_CANCEL_OFFLINE:
		sm_hp_offline_done(mn->start_pfn, mn->nr_pages, false);
		break;
	default:
		break;
	}
	return NOTIFY_OK;
}

/* For KUnit: feed the notifier an event for a range of one's choosing. */
int sm_hotplug_notify_test(unsigned long action, unsigned long pfn,
			   unsigned long nr)
{
	struct memory_notify mn = { .start_pfn = pfn, .nr_pages = nr };

	return sm_hp_notify(NULL, action, &mn);
}
EXPORT_SYMBOL_GPL(sm_hotplug_notify_test);

static struct notifier_block sm_hp_nb = {
	.notifier_call = sm_hp_notify,
};

static bool sm_hp_selected(const struct sm_hp_range *r, unsigned int index)
{
	if (index == SM_HOTPLUG_INDEX_ALL)
		return true;
	if (index & SM_HOTPLUG_INDEX_FROM)
		return r->index >= (index & ~SM_HOTPLUG_INDEX_FROM);
	return r->index == index;
}

int sm_hotplug_extents(unsigned int index, struct sm_extents *out,
		       char *err, size_t errlen)
{
	struct sm_hp_range *r, *pick = NULL;
	unsigned int nr = 0, i = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	mutex_lock(&sm_hp_lock);
	if (list_empty(&sm_hp_ranges)) {
		if (sm_hp_next_index > 1)
			scnprintf(err, errlen,
				  "region=hotplug: every range that came online has gone offline again");
		else
			scnprintf(err, errlen,
				  "region=hotplug: no memory came online since the module was loaded");
		ret = -ENOENT;
		goto out_unlock;
	}
	list_for_each_entry(r, &sm_hp_ranges, node) {
		if (sm_hp_selected(r, index)) {
			nr++;
			pick = r;
		}
	}
	if (index == SM_HOTPLUG_INDEX_LAST) {
		pick = list_last_entry(&sm_hp_ranges, struct sm_hp_range, node);
		nr = 1;
	}
	if (!nr) {
		if (index & SM_HOTPLUG_INDEX_FROM)
			scnprintf(err, errlen,
				  "region=hotplug: no range index=%u or later (see the ranges file)",
				  index & ~SM_HOTPLUG_INDEX_FROM);
		else
			scnprintf(err, errlen,
				  "region=hotplug: no range index=%u (see the ranges file)",
				  index);
		ret = -ENOENT;
		goto out_unlock;
	}
	out->ext = kvcalloc(nr, sizeof(*out->ext), GFP_KERNEL);
	if (!out->ext) {
		scnprintf(err, errlen, "region=hotplug: out of memory");
		ret = -ENOMEM;
		goto out_unlock;
	}
	list_for_each_entry(r, &sm_hp_ranges, node) {
		if (index == SM_HOTPLUG_INDEX_LAST ? r != pick :
		    !sm_hp_selected(r, index))
			continue;
		if (r->going) {
			scnprintf(err, errlen,
				  "region=hotplug: range %u is going offline",
				  r->index);
			ret = -EBUSY;
			goto out_free_ext;
		}
		out->ext[i].start = PFN_PHYS(r->start_pfn);
		out->ext[i].size = PFN_PHYS(r->nr_pages);
		out->bytes += out->ext[i].size;
		i++;
	}
	out->nr = i;
	mutex_unlock(&sm_hp_lock);
	return 0;

out_free_ext:
	sm_extents_free(out);
out_unlock:
	mutex_unlock(&sm_hp_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(sm_hotplug_extents);

bool sm_hotplug_pfns_stable(unsigned long pfn, unsigned long nr)
{
	unsigned long p, end = pfn + nr;
	bool stable = true;

	mutex_lock(&sm_hp_lock);
	if (sm_hp_going_nr &&
	    sm_pfns_overlap(pfn, nr, sm_hp_going_pfn, sm_hp_going_nr))
		stable = false;
	mutex_unlock(&sm_hp_lock);

	for (p = pfn; stable && p < end;
	     p = ALIGN(p + 1, PAGES_PER_SECTION))
		if (!pfn_to_online_page(p))
			stable = false;
	return stable;
}
EXPORT_SYMBOL_GPL(sm_hotplug_pfns_stable);

int sm_area_from_extents(const struct sm_extents *e, struct sm_area *area,
			 char *err, size_t errlen)
{
	unsigned int i;

	area->chunks = kvcalloc(e->nr, sizeof(*area->chunks), GFP_KERNEL);
	if (!area->chunks) {
		scnprintf(err, errlen, "out of memory for %u chunks", e->nr);
		return -ENOMEM;
	}
	for (i = 0; i < e->nr; i++) {
		struct sm_chunk *c = &area->chunks[i];

		c->pfn = PHYS_PFN(e->ext[i].start);
		c->va = (unsigned long)pfn_to_kaddr(c->pfn);
		c->nr_pages = e->ext[i].size >> PAGE_SHIFT;
		area->largest = max(area->largest, e->ext[i].size);
	}
	area->nr_chunks = e->nr;
	area->bytes = e->bytes;
	/* map_mem() and arch_add_memory() (pgprot_mhp()) map it so */
	area->prot = pgprot_tagged(PAGE_KERNEL);
	return 0;
}

/*
 * Region "hotplug": one chunk per recorded range, in the order they came
 * online, each mapped by its own call into one shadow, as arch_add_memory()
 * mapped each into swapper_pg_dir.  Called under sm_lock.
 */
static int sm_hotplug_prepare(const struct sm_run_config *cfg,
			      struct sm_area *area, char *err, size_t errlen)
{
	struct sm_extents e;
	int ret;

	ret = sm_hotplug_extents(cfg->index, &e, err, errlen);
	if (ret)
		return ret;
	ret = sm_area_from_extents(&e, area, err, errlen);
	sm_extents_free(&e);
	if (ret)
		return ret;
	sm_hotplug_area_set(area);
	if (cfg->index == SM_HOTPLUG_INDEX_ALL)
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=all: %u ranges, %lluM",
			  area->nr_chunks, area->bytes >> 20);
	else if (cfg->index & SM_HOTPLUG_INDEX_FROM)
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=%u+: %u ranges, %lluM",
			  cfg->index & ~SM_HOTPLUG_INDEX_FROM,
			  area->nr_chunks, area->bytes >> 20);
	else
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=%u: %lluM",
			  cfg->index ?: sm_hp_next_index - 1, area->bytes >> 20);
	return 0;
}

const struct sm_region_ops sm_hotplug_ops = {
	.name = "hotplug",
	.prepare = sm_hotplug_prepare,
	.release = sm_hotplug_area_release,
};

unsigned int sm_hotplug_nr_ranges(void)
{
	unsigned int nr;

	mutex_lock(&sm_hp_lock);
	nr = sm_hp_nr;
	mutex_unlock(&sm_hp_lock);
	return nr;
}
EXPORT_SYMBOL_GPL(sm_hotplug_nr_ranges);

void sm_hotplug_show_ranges(struct seq_file *m)
{
	struct sm_hp_range *r;

	mutex_lock(&sm_hp_lock);
	if (sm_hp_dropped)
		seq_printf(m, "# %u ranges not recorded (out of memory or too many)\n",
			   sm_hp_dropped);
	seq_puts(m, "# index start end size add_event state\n");
	list_for_each_entry(r, &sm_hp_ranges, node)
		seq_printf(m, "index=%u start=%#llx end=%#llx size=%llu add_event=%u state=%s\n",
			   r->index, (u64)PFN_PHYS(r->start_pfn),
			   (u64)PFN_PHYS(r->start_pfn + r->nr_pages),
			   (u64)PFN_PHYS(r->nr_pages), r->add_event,
			   r->going ? "going-offline" : "online");
	mutex_unlock(&sm_hp_lock);
}

int sm_hotplug_init(void)
{
	int ret;

	ret = register_memory_notifier(&sm_hp_nb);
	if (ret)
		pr_err("hotplug: register_memory_notifier: %d\n", ret);
	return ret;
}

void sm_hotplug_exit(void)
{
	struct sm_hp_range *r, *tmp;

	unregister_memory_notifier(&sm_hp_nb);
	mutex_lock(&sm_hp_lock);
	list_for_each_entry_safe(r, tmp, &sm_hp_ranges, node) {
		list_del(&r->node);
		kfree(r);
	}
	sm_hp_nr = 0;
	mutex_unlock(&sm_hp_lock);
}
