// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own linear-map creation for hot-added memory, measured live.
 *
 * kretprobes on arch_add_memory() and arch_remove_memory() time each event
 * from entry to return and name the task doing it.  A kprobe on
 * __set_fixmap() counts the fixmap maps (flags != 0) and clears (flags == 0)
 * that this task makes meanwhile; every clear is followed by one
 * flush_tlb_kernel_range() of one page, so clears are the TLBIs.  A
 * kretprobe on __create_pgd_mapping() and one on
 * __create_pgd_mapping_locked() time the page-table part alone and count the
 * fixmap calls inside it (the outermost of the two that is a real call
 * counts: 6.12 inlines the first everywhere, Debian's 6.1 inlines it into
 * arch_add_memory() and keeps a copy for other callers).  A kprobe on
 * __pgd_pgtable_alloc() counts the tables it allocates.
 *
 * Hot-add and hot-remove are serialized by mem_hotplug_lock, so there is one
 * event in flight at most.  A symbol that is missing or cannot be probed is
 * reported as unavailable; the module loads without it.
 *
 * The probes cost time: one trap per __set_fixmap() and __pgd_pgtable_alloc()
 * call, which time_ns and map_ns include.  At load the cost of one trap is
 * measured on a function of this module (sm_probe_hit_ns: the same kprobe
 * path, a handler that does the same work), and each event reports
 * map_probe_ns, the estimated share of its map_ns; map_ns - map_probe_ns
 * estimates the kernel's own time.
 *
 * The __set_fixmap probe traps on every text patch too (static keys, ftrace,
 * BPF), and the counting probes (__set_fixmap, __pgd_pgtable_alloc) trap
 * inside the page-table loops, whose time is what a study measures.  So
 * they are armed only on request: live_fixmap=1, at load or at run time,
 * before a hot-add or hot-remove study.  They disarm themselves
 * live_fixmap_idle seconds after the last event, or after arming if none
 * comes.  Disarmed, events say counted=0 and count no tables or TLBIs;
 * their map_ns carries only the return trap of each map call.  A study
 * counts one hot-add armed and times another disarmed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/lockdep.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "probes.h"

static bool live_probes = true;
module_param(live_probes, bool, 0444);
MODULE_PARM_DESC(live_probes, "Probe the kernel's own hot-add/hot-remove (default 1)");

static bool live_fixmap;
static int sm_live_fixmap_set(const char *val, const struct kernel_param *kp);
static const struct kernel_param_ops sm_live_fixmap_ops = {
	.set = sm_live_fixmap_set,
	.get = param_get_bool,
};
module_param_cb(live_fixmap, &sm_live_fixmap_ops, &live_fixmap, 0644);
MODULE_PARM_DESC(live_fixmap, "Arm the counting probes (__set_fixmap, __pgd_pgtable_alloc), to count the kernel's fixmap maps/clears and tables during hot-add/remove (default 0; they slow the page-table loops, and every text patch traps while armed; they disarm after live_fixmap_idle seconds without a hot-add/remove)");

static unsigned int live_fixmap_idle = 30;
module_param(live_fixmap_idle, uint, 0644);
MODULE_PARM_DESC(live_fixmap_idle, "Seconds without a hot-add/remove after which the armed __set_fixmap probe disarms itself (default 30)");

static void sm_fixmap_disarm_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(sm_fixmap_disarm_work, sm_fixmap_disarm_fn);

static unsigned long sm_fixmap_idle_jiffies(void)
{
	return max(1U, READ_ONCE(live_fixmap_idle)) * HZ;
}

/* The event in flight: written only by its task, or under sm_live_lock. */
struct sm_live_cur {
	struct task_struct *task;
	struct sm_live_event ev;
	u64 t0;
	u64 map_t0;
	u64 map_maps0;
	u64 map_clears0;
	u64 map_pgtables0;
	unsigned int map_depth;
};

const char * const sm_live_kind_names[] = {
	[SM_LIVE_ADD] = "add",
	[SM_LIVE_REMOVE] = "remove",
};

static_assert(ARRAY_SIZE(sm_live_kind_names) == SM_LIVE_NR);

const char * const sm_live_counter_names[] = {
	[SM_LIVE_TIME_NS] = "time_ns",
	[SM_LIVE_MAP_CALLS] = "map_calls",
	[SM_LIVE_MAP_NS] = "map_ns",
	[SM_LIVE_MAP_PROBE_NS] = "map_probe_ns",
	[SM_LIVE_FIXMAP_MAPS] = "fixmap_maps",
	[SM_LIVE_TLBI] = "tlbi",
	[SM_LIVE_MAP_FIXMAP_MAPS] = "map_fixmap_maps",
	[SM_LIVE_MAP_TLBI] = "map_tlbi",
	[SM_LIVE_PGTABLES] = "pgtables",
	[SM_LIVE_MAP_PGTABLES] = "map_pgtables",
};

static_assert(ARRAY_SIZE(sm_live_counter_names) == SM_LIVE_CNT_NR);

static DEFINE_MUTEX(sm_probes_mutex);	/* registration and live_fixmap */
static bool sm_probes_ready;
static DEFINE_SPINLOCK(sm_live_lock);	/* the ring and sm_live_cur.task */
static struct sm_live_cur sm_live;
static struct sm_live_event *sm_ring;	/* SM_LIVE_MAX_EVENTS */
static unsigned int sm_ring_total;	/* events seen; the next index - 1 */
static unsigned int sm_live_missed;	/* overlapping events not measured */
static u64 sm_probe_hit_ns;		/* one kprobe hit, measured at load */

static bool sm_is_cur(void)
{
	return in_task() && READ_ONCE(sm_live.task) == current;
}

/*
 * Start an event of @kind unless one is in flight; the range is in the
 * probed function's arguments @start_arg and @start_arg + 1.  Returns 1 to
 * skip the return probe of an event that was not started.
 */
static int sm_event_begin(struct pt_regs *regs, enum sm_live_kind kind,
			  unsigned int start_arg)
{
	unsigned long flags;
	bool busy;

	spin_lock_irqsave(&sm_live_lock, flags);
	busy = sm_live.task;
	if (!busy) {
		memset(&sm_live, 0, sizeof(sm_live));
		sm_live.ev.kind = kind;
		sm_live.ev.counted = READ_ONCE(live_fixmap);
		sm_live.ev.start = regs_get_kernel_argument(regs, start_arg);
		sm_live.ev.size = regs_get_kernel_argument(regs, start_arg + 1);
		sm_live.task = current;
	} else {
		sm_live_missed++;
	}
	spin_unlock_irqrestore(&sm_live_lock, flags);
	if (busy)
		return 1;
	sm_live.t0 = ktime_get_ns();
	return 0;
}

/* arch_add_memory(int nid, u64 start, u64 size, struct mhp_params *) */
static int sm_add_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return sm_event_begin(regs, SM_LIVE_ADD, 1);
}

/* arch_remove_memory(u64 start, u64 size, struct vmem_altmap *, ...) */
static int sm_remove_entry(struct kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	return sm_event_begin(regs, SM_LIVE_REMOVE, 0);
}

static int sm_event_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	u64 t1 = ktime_get_ns();
	unsigned long flags;

	if (READ_ONCE(sm_live.task) != current)
		return 0;
	spin_lock_irqsave(&sm_live_lock, flags);
	sm_live.ev.cnt[SM_LIVE_TIME_NS] = t1 - sm_live.t0;
	sm_live.ev.counted &= READ_ONCE(live_fixmap);
	if (sm_live.ev.kind == SM_LIVE_ADD)
		sm_live.ev.ret = (int)regs_return_value(regs);
	sm_live.ev.index = ++sm_ring_total;
	sm_ring[(sm_live.ev.index - 1) % SM_LIVE_MAX_EVENTS] = sm_live.ev;
	sm_live.task = NULL;
	spin_unlock_irqrestore(&sm_live_lock, flags);
	/* Armed for a study: stay armed while events keep coming. */
	if (READ_ONCE(live_fixmap))
		mod_delayed_work(system_wq, &sm_fixmap_disarm_work,
				 sm_fixmap_idle_jiffies());
	return 0;
}

static int sm_map_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (!sm_is_cur())
		return 1;
	if (!sm_live.map_depth++) {
		sm_live.ev.cnt[SM_LIVE_MAP_CALLS]++;
		sm_live.map_maps0 = sm_live.ev.cnt[SM_LIVE_FIXMAP_MAPS];
		sm_live.map_clears0 = sm_live.ev.cnt[SM_LIVE_TLBI];
		sm_live.map_pgtables0 = sm_live.ev.cnt[SM_LIVE_PGTABLES];
		sm_live.map_t0 = ktime_get_ns();
	}
	return 0;
}

static int sm_map_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	u64 *cnt = sm_live.ev.cnt, t1 = ktime_get_ns();

	if (!sm_is_cur() || !sm_live.map_depth)
		return 0;
	if (--sm_live.map_depth)
		return 0;
	cnt[SM_LIVE_MAP_NS] += t1 - sm_live.map_t0;
	cnt[SM_LIVE_MAP_FIXMAP_MAPS] += cnt[SM_LIVE_FIXMAP_MAPS] -
					sm_live.map_maps0;
	cnt[SM_LIVE_MAP_TLBI] += cnt[SM_LIVE_TLBI] - sm_live.map_clears0;
	cnt[SM_LIVE_MAP_PGTABLES] += cnt[SM_LIVE_PGTABLES] -
				     sm_live.map_pgtables0;
	/* the traps inside map_ns: each counted call, and this return's */
	cnt[SM_LIVE_MAP_PROBE_NS] = (cnt[SM_LIVE_MAP_FIXMAP_MAPS] +
				     cnt[SM_LIVE_MAP_TLBI] +
				     cnt[SM_LIVE_MAP_PGTABLES] +
				     cnt[SM_LIVE_MAP_CALLS]) * sm_probe_hit_ns;
	return 0;
}

/* __set_fixmap(enum fixed_addresses idx, phys_addr_t phys, pgprot_t flags) */
static int sm_fixmap_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (!sm_is_cur())
		return 0;
	if (regs_get_kernel_argument(regs, 2))
		sm_live.ev.cnt[SM_LIVE_FIXMAP_MAPS]++;
	else
		sm_live.ev.cnt[SM_LIVE_TLBI]++;
	return 0;
}

static int sm_pgtable_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (sm_is_cur())
		sm_live.ev.cnt[SM_LIVE_PGTABLES]++;
	return 0;
}

/* One probe: a kretprobe (@is_ret, @rp) or a plain kprobe (@kp). */
struct sm_probe {
	const char *what;		/* name in the status line */
	const char *sym;		/* the kernel function probed */
	bool is_ret;
	bool counting;			/* on the hot path: live_fixmap */
	struct kretprobe rp;
	struct kprobe kp;
	int err;			/* why it did not register */
	bool on;
};

/*
 * Registered in this order, unregistered in reverse.  The counting probes
 * trap inside the page-table loops, so live_fixmap arms and disarms them
 * together; disarmed, only the event and map return probes remain: two
 * traps per __create_pgd_mapping() call, none per table or entry.
 */
static struct sm_probe sm_probes[] = {
	{ .what = "add", .sym = "arch_add_memory", .is_ret = true,
	  .rp = { .entry_handler = sm_add_entry, .handler = sm_event_ret,
		  .maxactive = 4 } },
	{ .what = "remove", .sym = "arch_remove_memory", .is_ret = true,
	  .rp = { .entry_handler = sm_remove_entry, .handler = sm_event_ret,
		  .maxactive = 4 } },
	{ .what = "map", .sym = "__create_pgd_mapping", .is_ret = true,
	  .rp = { .entry_handler = sm_map_entry, .handler = sm_map_ret,
		  .maxactive = 4 } },
	{ .what = "map_locked", .sym = "__create_pgd_mapping_locked", .is_ret = true,
	  .rp = { .entry_handler = sm_map_entry, .handler = sm_map_ret,
		  .maxactive = 4 } },
	{ .what = "pgtable", .sym = "__pgd_pgtable_alloc", .counting = true,
	  .kp = { .pre_handler = sm_pgtable_pre } },
	{ .what = "fixmap", .sym = "__set_fixmap", .counting = true,
	  .kp = { .pre_handler = sm_fixmap_pre } },
};

/* (Re-)register from a clean probe: a failed attempt leaves state behind. */
static int sm_probe_register(struct sm_probe *p)
{
	int ret;

	if (p->is_ret) {
		struct kretprobe tmpl = p->rp;

		memset(&p->rp, 0, sizeof(p->rp));
		p->rp.entry_handler = tmpl.entry_handler;
		p->rp.handler = tmpl.handler;
		p->rp.maxactive = tmpl.maxactive;
		p->rp.kp.symbol_name = p->sym;
		ret = register_kretprobe(&p->rp);
	} else {
		kprobe_pre_handler_t pre = p->kp.pre_handler;

		memset(&p->kp, 0, sizeof(p->kp));
		p->kp.pre_handler = pre;
		p->kp.symbol_name = p->sym;
		ret = register_kprobe(&p->kp);
	}
	p->err = ret;
	p->on = !ret;
	return ret;
}

static void sm_probe_unregister(struct sm_probe *p)
{
	if (!p->on)
		return;
	if (p->is_ret)
		unregister_kretprobe(&p->rp);
	else
		unregister_kprobe(&p->kp);
	p->on = false;
}

void sm_probes_show_status(struct seq_file *m)
{
	unsigned int i;

	seq_puts(m, "# probes:");
	for (i = 0; i < ARRAY_SIZE(sm_probes); i++) {
		const struct sm_probe *p = &sm_probes[i];

		if (!live_probes || (p->counting && !READ_ONCE(live_fixmap)))
			seq_printf(m, " %s=off", p->what);
		else if (p->on)
			seq_printf(m, " %s=%s", p->what, p->sym);
		else
			seq_printf(m, " %s=unavailable:%s(%d)", p->what,
				   p->sym, p->err);
	}
	seq_printf(m, " missed=%u probe_hit_ns=%llu\n",
		   READ_ONCE(sm_live_missed), sm_probe_hit_ns);
}

unsigned int sm_probes_events(struct sm_live_event *dst, unsigned int max,
			      unsigned int *total)
{
	unsigned int n, first, i;
	unsigned long flags;

	spin_lock_irqsave(&sm_live_lock, flags);
	*total = sm_ring_total;
	n = min3(sm_ring_total, (unsigned int)SM_LIVE_MAX_EVENTS, max);
	first = sm_ring_total - n;
	for (i = 0; i < n; i++)
		dst[i] = sm_ring[(first + i) % SM_LIVE_MAX_EVENTS];
	spin_unlock_irqrestore(&sm_live_lock, flags);
	return n;
}

unsigned int sm_probes_add_event(phys_addr_t start, u64 size)
{
	unsigned int n, i, found = 0;
	unsigned long flags;

	if (!sm_ring)
		return 0;
	spin_lock_irqsave(&sm_live_lock, flags);
	n = min_t(unsigned int, sm_ring_total, SM_LIVE_MAX_EVENTS);
	for (i = 0; i < n && !found; i++) {
		const struct sm_live_event *e =
			&sm_ring[(sm_ring_total - 1 - i) % SM_LIVE_MAX_EVENTS];

		if (e->kind == SM_LIVE_ADD && !e->ret && e->start <= start &&
		    start + size <= e->start + e->size)
			found = e->index;
	}
	spin_unlock_irqrestore(&sm_live_lock, flags);
	return found;
}

/* The calibration target: a call the compiler keeps, with a real entry. */
static noinline void sm_calib_target(unsigned long i)
{
	asm volatile("" : : "r" (i) : "memory");
}

static int sm_calib_pre(struct kprobe *p, struct pt_regs *regs)
{
	/* The same work as sm_fixmap_pre(); sm_live.task is never current */
	if (sm_is_cur())
		sm_live.ev.cnt[SM_LIVE_FIXMAP_MAPS]++;
	return 0;
}

#define SM_CALIB_CALLS		1000
#define SM_CALIB_ROUNDS		3

static u64 sm_calib_round(void)
{
	unsigned long i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < SM_CALIB_CALLS; i++)
		sm_calib_target(i);
	return ktime_get_ns() - t0;
}

/* The cost of one kprobe hit: the fastest rounds with and without. */
static void sm_probes_calibrate(void)
{
	struct kprobe kp = {
		.addr = (kprobe_opcode_t *)sm_calib_target,
		.pre_handler = sm_calib_pre,
	};
	u64 bare = U64_MAX, probed = U64_MAX;
	unsigned int r;
	int ret;

	for (r = 0; r < SM_CALIB_ROUNDS; r++)
		bare = min(bare, sm_calib_round());
	ret = register_kprobe(&kp);
	if (ret) {
		pr_info("live: probe calibration unavailable (%d)\n", ret);
		return;
	}
	for (r = 0; r < SM_CALIB_ROUNDS; r++)
		probed = min(probed, sm_calib_round());
	unregister_kprobe(&kp);
	if (probed > bare)
		sm_probe_hit_ns = div_u64(probed - bare, SM_CALIB_CALLS);
}

/* Arm (register or enable) or disarm the counting probes. */
static int sm_fixmap_arm(bool on)
{
	struct sm_probe *p;
	unsigned int i;
	int ret = 0;

	lockdep_assert_held(&sm_probes_mutex);
	if (!sm_probes_ready || !live_probes || on == live_fixmap)
		goto out_set;
	for (i = 0; i < ARRAY_SIZE(sm_probes) && !ret; i++) {
		p = &sm_probes[i];
		if (!p->counting)
			continue;
		if (on)
			ret = p->on ? enable_kprobe(&p->kp) :
				      sm_probe_register(p);
		else if (p->on)
			ret = disable_kprobe(&p->kp);
	}
	/* Half armed counts nothing right: put the others back. */
	while (ret && i--)
		if (sm_probes[i].counting && sm_probes[i].on)
			disable_kprobe(&sm_probes[i].kp);
out_set:
	if (!ret)
		WRITE_ONCE(live_fixmap, on);
	return ret;
}

/* Nobody hot-added or removed for live_fixmap_idle seconds: disarm. */
static void sm_fixmap_disarm_fn(struct work_struct *work)
{
	mutex_lock(&sm_probes_mutex);
	if (READ_ONCE(sm_live.task)) {
		/* an event is in flight: look again later */
		mod_delayed_work(system_wq, &sm_fixmap_disarm_work,
				 sm_fixmap_idle_jiffies());
	} else if (live_fixmap && !sm_fixmap_arm(false)) {
		pr_info("live: __set_fixmap probe disarmed after %u s without hot-add/remove\n",
			live_fixmap_idle);
	}
	mutex_unlock(&sm_probes_mutex);
}

/* live_fixmap=0/1 at run time. */
static int sm_live_fixmap_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	mutex_lock(&sm_probes_mutex);
	ret = sm_fixmap_arm(on);
	if (!ret && on && sm_probes_ready)
		mod_delayed_work(system_wq, &sm_fixmap_disarm_work,
				 sm_fixmap_idle_jiffies());
	mutex_unlock(&sm_probes_mutex);
	return ret;
}

int sm_probes_init(void)
{
	unsigned int i;

	sm_ring = kcalloc(SM_LIVE_MAX_EVENTS, sizeof(*sm_ring), GFP_KERNEL);
	if (!sm_ring)
		return -ENOMEM;
	if (!live_probes)
		return 0;
	sm_probes_calibrate();
	mutex_lock(&sm_probes_mutex);
	for (i = 0; i < ARRAY_SIZE(sm_probes); i++) {
		if (sm_probes[i].counting && !live_fixmap)
			continue;
		if (sm_probe_register(&sm_probes[i]))
			pr_info("live: %s unavailable (%d), not measured\n",
				sm_probes[i].sym, sm_probes[i].err);
	}
	sm_probes_ready = true;
	if (live_fixmap)
		mod_delayed_work(system_wq, &sm_fixmap_disarm_work,
				 sm_fixmap_idle_jiffies());
	mutex_unlock(&sm_probes_mutex);
	return 0;
}

void sm_probes_exit(void)
{
	unsigned int i = ARRAY_SIZE(sm_probes);

	mutex_lock(&sm_probes_mutex);
	sm_probes_ready = false;
	while (i--)
		sm_probe_unregister(&sm_probes[i]);
	mutex_unlock(&sm_probes_mutex);
	/* The return probes that queue it are gone: wait for it. */
	cancel_delayed_work_sync(&sm_fixmap_disarm_work);
	kfree(sm_ring);
	sm_ring = NULL;
}
