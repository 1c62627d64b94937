// SPDX-License-Identifier: GPL-2.0
/*
 * The ranges of memory that come online while the module is loaded,
 * whatever added them (virtio-mem, ACPI, dax/kmem,
 * add_memory_driver_managed()), as the memory notifier reports them: what
 * the "hotplug" region (src/region_hotplug.c) maps.
 *
 * A memory block comes online in one MEM_ONLINE event.  Blocks that one
 * arch_add_memory() call added (src/probes.c saw it) and that come online
 * one after the other are merged into one range, so that a range is what the
 * kernel mapped in one call; without the probes every block is its own range.
 *
 * Going offline: MEM_GOING_OFFLINE marks the overlapping ranges as going,
 * then calls the set's going_offline(), which for the module's set is the
 * lab's: it waits for a run in progress and frees a kept shadow whose chunks
 * overlap the range, before the kernel can remove the memory and free its
 * live page tables (src/lab.c).  Runs that start later refuse a going range
 * with -EBUSY.  MEM_OFFLINE drops the ranges, MEM_CANCEL_OFFLINE keeps them.
 * A run never takes mem_hotplug_lock, which the notifier runs under.
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
#include "extents.h"
#include "lookup.h"
#include "probes.h"
#include "shadowmap.h"

struct sm_hp_range {
	struct list_head node;
	unsigned int index;
	unsigned long start_pfn;
	unsigned long nr_pages;
	unsigned int add_event;	/* live add event, 0 if unknown */
	bool going;		/* between MEM_GOING_OFFLINE and MEM_OFFLINE */
};

struct sm_hotplug sm_hotplug;

static bool sm_pfns_overlap(unsigned long a, unsigned long an,
			    unsigned long b, unsigned long bn)
{
	return a < b + bn && b < a + an;
}

static void sm_hp_online(struct sm_hotplug *hp, unsigned long pfn,
			 unsigned long nr)
{
	unsigned int add = sm_probes_add_event(PFN_PHYS(pfn), PFN_PHYS(nr));
	struct sm_hp_range *last, *r;

	mutex_lock(&hp->lock);
	last = list_empty(&hp->ranges) ? NULL :
	       list_last_entry(&hp->ranges, struct sm_hp_range, node);
	if (last && add && last->add_event == add && !last->going &&
	    last->start_pfn + last->nr_pages == pfn) {
		last->nr_pages += nr;
		goto out_unlock;
	}
	if (hp->nr >= SM_HOTPLUG_MAX_RANGES) {
		if (!hp->overflow_warned)
			pr_warn("hotplug: more than %d ranges online, not recording more\n",
				SM_HOTPLUG_MAX_RANGES);
		hp->overflow_warned = true;
		hp->dropped++;
		goto out_unlock;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		hp->dropped++;
		goto out_unlock;
	}
	r->index = hp->next_index++;
	r->start_pfn = pfn;
	r->nr_pages = nr;
	r->add_event = add;
	list_add_tail(&r->node, &hp->ranges);
	hp->nr++;
out_unlock:
	mutex_unlock(&hp->lock);
}

static void sm_hp_going_offline(struct sm_hotplug *hp, unsigned long pfn,
				unsigned long nr)
{
	struct sm_hp_range *r;

	mutex_lock(&hp->lock);
	hp->going_pfn = pfn;
	hp->going_nr = nr;
	list_for_each_entry(r, &hp->ranges, node)
		if (sm_pfns_overlap(r->start_pfn, r->nr_pages, pfn, nr))
			r->going = true;
	mutex_unlock(&hp->lock);

	/* Runs that start from now on see "going". */
	if (hp->going_offline)
		hp->going_offline(pfn, nr);
}

static void sm_hp_offline_done(struct sm_hotplug *hp, unsigned long pfn,
			       unsigned long nr, bool offline)
{
	struct sm_hp_range *r, *tmp;

	mutex_lock(&hp->lock);
	hp->going_pfn = 0;
	hp->going_nr = 0;
	list_for_each_entry_safe(r, tmp, &hp->ranges, node) {
		if (!sm_pfns_overlap(r->start_pfn, r->nr_pages, pfn, nr))
			continue;
		r->going = false;
		if (!offline)
			continue;
		/* A range partly offline is dropped whole: never half-mapped. */
		list_del(&r->node);
		hp->nr--;
		kfree(r);
	}
	mutex_unlock(&hp->lock);
}

void sm_hotplug_event(struct sm_hotplug *hp, unsigned long action,
		      unsigned long pfn, unsigned long nr)
{
	switch (action) {
	case MEM_ONLINE:
		sm_hp_online(hp, pfn, nr);
		break;
	case MEM_GOING_OFFLINE:
		sm_hp_going_offline(hp, pfn, nr);
		break;
	case MEM_OFFLINE:
		sm_hp_offline_done(hp, pfn, nr, true);
		break;
	case MEM_CANCEL_OFFLINE:
		sm_hp_offline_done(hp, pfn, nr, false);
		break;
	default:
		break;
	}
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_event, SM_NS);

static int sm_hp_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	const struct memory_notify *mn = data;

	sm_hotplug_event(&sm_hotplug, action, mn->start_pfn, mn->nr_pages);
	return NOTIFY_OK;
}

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

int sm_hotplug_extents(struct sm_hotplug *hp, unsigned int index,
		       struct sm_extents *out, unsigned int *picked,
		       char *err, size_t errlen)
{
	struct sm_hp_range *r, *pick = NULL;
	unsigned int nr = 0, i = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	mutex_lock(&hp->lock);
	if (list_empty(&hp->ranges)) {
		if (hp->next_index > 1)
			scnprintf(err, errlen,
				  "region=hotplug: every range that came online has gone offline again");
		else
			scnprintf(err, errlen,
				  "region=hotplug: no memory came online since the module was loaded");
		ret = -ENOENT;
		goto out_unlock;
	}
	list_for_each_entry(r, &hp->ranges, node) {
		if (sm_hp_selected(r, index)) {
			nr++;
			pick = r;
		}
	}
	if (index == SM_HOTPLUG_INDEX_LAST) {
		pick = list_last_entry(&hp->ranges, struct sm_hp_range, node);
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
	list_for_each_entry(r, &hp->ranges, node) {
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
		*picked = r->index;
		i++;
	}
	out->nr = i;
	mutex_unlock(&hp->lock);
	return 0;

out_free_ext:
	sm_extents_free(out);
out_unlock:
	mutex_unlock(&hp->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_extents, SM_NS);

bool sm_hotplug_pfns_stable(struct sm_hotplug *hp, unsigned long pfn,
			    unsigned long nr)
{
	unsigned long p, end = pfn + nr;
	bool stable = true;

	mutex_lock(&hp->lock);
	if (hp->going_nr &&
	    sm_pfns_overlap(pfn, nr, hp->going_pfn, hp->going_nr))
		stable = false;
	mutex_unlock(&hp->lock);

	for (p = pfn; stable && p < end;
	     p = ALIGN(p + 1, PAGES_PER_SECTION))
		if (!pfn_to_online_page(p))
			stable = false;
	return stable;
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_pfns_stable, SM_NS);

unsigned int sm_hotplug_nr_ranges(struct sm_hotplug *hp)
{
	unsigned int nr;

	mutex_lock(&hp->lock);
	nr = hp->nr;
	mutex_unlock(&hp->lock);
	return nr;
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_nr_ranges, SM_NS);

/*
 * Whether the kernel mapped the oldest recorded range with blocks: its
 * hot-add does where it may split them later (7.x: force_pte_mapping()
 * false; 6.x: can_set_direct_map() false, as with rodata=noalias and an
 * early KFENCE pool), and page by page otherwise.  -ENOENT with no range.
 * A range not going offline stays online, and its tables with it, while
 * the lock is held.
 */
int sm_hotplug_block_mapped(struct sm_hotplug *hp)
{
	struct sm_hp_range *r;
	struct sm_leaf_info li;
	int ret = -ENOENT;

	mutex_lock(&hp->lock);
	r = list_first_entry_or_null(&hp->ranges, struct sm_hp_range, node);
	if (r && !r->going) {
		sm_lookup(sm_live_pgd(),
			  (unsigned long)__va(PFN_PHYS(r->start_pfn)), &li);
		ret = li.level >= 0 && li.level < SM_LVL_PTE;
	}
	mutex_unlock(&hp->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_block_mapped, SM_NS);

void sm_hotplug_show_ranges(struct sm_hotplug *hp, struct seq_file *m)
{
	struct sm_hp_range *r;

	mutex_lock(&hp->lock);
	if (hp->dropped)
		seq_printf(m, "# %u ranges not recorded (out of memory or too many)\n",
			   hp->dropped);
	seq_puts(m, "# index start end size add_event state\n");
	list_for_each_entry(r, &hp->ranges, node)
		seq_printf(m, "index=%u start=%#llx end=%#llx size=%llu add_event=%u state=%s\n",
			   r->index, (u64)PFN_PHYS(r->start_pfn),
			   (u64)PFN_PHYS(r->start_pfn + r->nr_pages),
			   (u64)PFN_PHYS(r->nr_pages), r->add_event,
			   r->going ? "going-offline" : "online");
	mutex_unlock(&hp->lock);
}

void sm_hotplug_init(struct sm_hotplug *hp, sm_hotplug_going_fn going)
{
	*hp = (struct sm_hotplug){ .next_index = 1, .going_offline = going };
	mutex_init(&hp->lock);
	INIT_LIST_HEAD(&hp->ranges);
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_init, SM_NS);

void sm_hotplug_destroy(struct sm_hotplug *hp)
{
	struct sm_hp_range *r, *tmp;

	mutex_lock(&hp->lock);
	list_for_each_entry_safe(r, tmp, &hp->ranges, node) {
		list_del(&r->node);
		kfree(r);
	}
	hp->nr = 0;
	mutex_unlock(&hp->lock);
	mutex_destroy(&hp->lock);
}
EXPORT_SYMBOL_NS_GPL(sm_hotplug_destroy, SM_NS);

int sm_hotplug_register(sm_hotplug_going_fn going)
{
	int ret;

	sm_hotplug_init(&sm_hotplug, going);
	ret = register_memory_notifier(&sm_hp_nb);
	if (ret) {
		pr_err("hotplug: register_memory_notifier: %d\n", ret);
		sm_hotplug_destroy(&sm_hotplug);
	}
	return ret;
}

void sm_hotplug_unregister(void)
{
	unregister_memory_notifier(&sm_hp_nb);
	sm_hotplug_destroy(&sm_hotplug);
}
