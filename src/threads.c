// SPDX-License-Identifier: GPL-2.0
/*
 * The walker split over threads below the top level: nobody does this in
 * the kernel yet.
 *
 * threads=N: the caller makes every table down to the PMD tables, as
 * threads=1 would, noting the PMD entries still to fill; those are cut
 * into N * SM_SPLIT_UNITS spans of whole windows (src/split.c), and the
 * caller and N - 1 helpers take the spans in turn until none is left, each
 * with its own slot set and counters, summed at the end.  No two threads
 * ever touch the same table below a PMD table.  alloc and zero times are
 * then CPU time summed over the threads.
 *
 * The helpers are work items on the module's own workqueue, one on each
 * other online CPU: a kthread made per build cost more than a thread's
 * share of a 2 GiB build under TCG.  A helper's failure (an allocation,
 * fail_table) makes the others stop before their next table or span; the
 * caller's fatal signal does too, through the stop.  Either way every
 * helper is waited for, and the caller destroys the shadow.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "walker.h"
#include "shadow.h"
#include "fixmap.h"
#include "compat.h"

static struct workqueue_struct *sm_wq;

/* What the threads of one split build share. */
struct sm_split_run {
	struct sm_shadow *sh;
	const struct sm_chunk *chunks;
	const struct sm_pieces *ps;
	const struct sm_span *span;
	unsigned int units;
	atomic_t next;			/* the next span to take */
};

struct sm_thread {
	struct sm_split_run *run;
	unsigned int id;		/* and its slot set */
	struct sm_stats st;
	struct work_struct work;
	struct completion done;
	bool queued;
};

/* Take spans until none is left; the first error stops every thread. */
static void sm_thread_walk(struct sm_thread *t)
{
	struct sm_split_run *r = t->run;
	struct sm_shadow *sh = r->sh;
	unsigned int u;
	int ret;

	while (!atomic_read(&sh->failed)) {
		u = atomic_inc_return(&r->next) - 1;
		if (u >= r->units)
			break;
		/* a span of blocks alone allocates nothing: check here too */
		ret = sm_stop_check(sh->stop) ?:
		      sm_walk_pieces(sh, &t->st, r->chunks, r->ps,
				     &r->span[u], t->id);
		if (ret)
			atomic_cmpxchg(&sh->failed, 0, ret);
	}
}

static void sm_thread_work(struct work_struct *work)
{
	struct sm_thread *t = container_of(work, struct sm_thread, work);

	sm_thread_walk(t);
	complete(&t->done);
}

/* The first pass: every table down to the PMD tables, pieces noted. */
static int sm_map_upper(struct sm_shadow *sh, const struct sm_chunk *chunks,
			unsigned int nr, struct sm_pieces *ps)
{
	unsigned long bound = 0, end;
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		if (!sm_chunk_ok(&chunks[i]))
			return -EINVAL;
		bound += sm_pieces_bound(chunks[i].va, chunks[i].va +
					 chunks[i].nr_pages * PAGE_SIZE);
	}
	ret = sm_pieces_alloc(ps, bound);
	if (ret)
		return ret;
	for (i = 0; i < nr && !ret; i++) {
		ps->chunk = i;
		end = chunks[i].va + chunks[i].nr_pages * PAGE_SIZE;
		ret = sm_walk_range(sh, sh->st, &chunks[i], chunks[i].va, end,
				    0, ps);
	}
	return ret;
}

/* Queue helpers 1.. on the online CPUs after the caller's, in turn. */
static void sm_threads_start(struct sm_thread *t, unsigned int threads)
{
	unsigned int i, cpu;

	cpus_read_lock();
	cpu = raw_smp_processor_id();
	for (i = 1; i < threads; i++) {
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		INIT_WORK(&t[i].work, sm_thread_work);
		t[i].queued = queue_work_on(cpu, sm_wq, &t[i].work);
	}
	cpus_read_unlock();
}

/*
 * Wait for every helper, even past a fatal signal, which stops them.  A
 * helper touches nothing of @t after complete(), and the module's
 * workqueue is drained before unload: @t is free to go once all are done.
 */
static void sm_threads_wait(struct sm_shadow *sh, struct sm_thread *t,
			    unsigned int threads)
{
	unsigned int i;

	for (i = 1; i < threads; i++) {
		if (!t[i].queued)
			continue;
		if (!sh->stop) {
			wait_for_completion(&t[i].done);
		} else if (wait_for_completion_killable(&t[i].done)) {
			sm_stop_request(sh->stop, -EINTR);
			wait_for_completion(&t[i].done);
		}
	}
}

int sm_shadow_map_threads(struct sm_shadow *sh, const struct sm_chunk *chunks,
			  unsigned int nr, unsigned int threads)
{
	struct sm_split_run run = { .sh = sh, .chunks = chunks };
	struct sm_pieces ps = {};
	struct sm_span *span;
	struct sm_thread *t;
	unsigned int i, k;
	int ret;

	if (!threads || threads > SM_SLOT_SETS)
		return -EINVAL;
	ret = sm_map_upper(sh, chunks, nr, &ps);
	if (ret)
		goto out_free_pieces;
	ret = -ENOMEM;
	run.units = threads * SM_SPLIT_UNITS;
	span = kcalloc(run.units, sizeof(*span), GFP_KERNEL);
	if (!span)
		goto out_free_pieces;
	t = kcalloc(threads, sizeof(*t), GFP_KERNEL);
	if (!t)
		goto out_free_span;
	sm_split_cut(&ps, run.units, sm_split_gran(&sh->w, sh->flags), span);
	run.ps = &ps;
	run.span = span;
	for (i = 0; i < threads; i++) {
		t[i].run = &run;
		t[i].id = i;
		init_completion(&t[i].done);
	}
	sm_threads_start(t, threads);
	/*
	 * The caller takes spans too: its fatal signal stops it at its next
	 * table, and the stop stops the helpers at theirs.
	 */
	sm_thread_walk(&t[0]);
	sm_threads_wait(sh, t, threads);
	for (i = 0; i < threads; i++) {
		for (k = 0; k < SM_CNT_NR; k++)
			sh->st->cnt[k] += t[i].st.cnt[k];
		sh->st->ns[SM_PHASE_ALLOC] += t[i].st.ns[SM_PHASE_ALLOC];
		sh->st->ns[SM_PHASE_ZERO] += t[i].st.ns[SM_PHASE_ZERO];
	}
	ret = atomic_read(&sh->failed);
	kfree(t);
out_free_span:
	kfree(span);
out_free_pieces:
	sm_pieces_free(&ps);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_map_threads, SM_NS);

/* The helpers' workqueue: per CPU, and out of the way of other work. */
int sm_threads_init(void)
{
	sm_wq = alloc_workqueue("shadowmap",
				SM_WQ_PERCPU | WQ_HIGHPRI | WQ_CPU_INTENSIVE, 0);
	return sm_wq ? 0 : -ENOMEM;
}

void sm_threads_exit(void)
{
	destroy_workqueue(sm_wq);
}
