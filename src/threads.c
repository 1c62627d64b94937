// SPDX-License-Identifier: GPL-2.0
/*
 * The walker split over threads below the top level: nobody does this in
 * the kernel yet.
 *
 * threads=N: the caller makes every table down to the PMD tables, as
 * threads=1 would, noting the PMD entries still to fill (src/split.c);
 * the entries are cut into N spans of whole windows, and the caller and
 * N - 1 kthreads each fill one, each with its own slot set and counters,
 * summed at the end.  No two threads ever touch the same table below a
 * PMD table.  alloc and zero times are then CPU time summed over the
 * threads.
 *
 * A thread's failure (an allocation, fail_table) makes the others stop at
 * their next table; the caller's fatal signal does too, through the stop.
 * Either way every thread is waited for, and the caller destroys the
 * shadow.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "walker.h"
#include "shadow.h"
#include "fixmap.h"
#include "compat.h"

struct sm_thread {
	struct sm_shadow *sh;
	const struct sm_chunk *chunks;
	const struct sm_pieces *ps;
	struct sm_span span;
	unsigned int id;
	struct sm_stats st;
	struct completion done;
};

/* Thread @t's share; its first error stops the other threads. */
static void sm_thread_walk(struct sm_thread *t)
{
	int ret = sm_walk_pieces(t->sh, &t->st, t->chunks, t->ps, &t->span,
				 t->id);

	if (ret)
		atomic_cmpxchg(&t->sh->failed, 0, ret);
}

static int sm_thread_fn(void *arg)
{
	struct sm_thread *t = arg;

	sm_thread_walk(t);
	kthread_complete_and_exit(&t->done, 0);
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

int sm_shadow_map_threads(struct sm_shadow *sh, const struct sm_chunk *chunks,
			  unsigned int nr, unsigned int threads)
{
	struct sm_span span[SM_MAX_THREADS];
	struct task_struct *task;
	struct sm_pieces ps = {};
	struct sm_thread *t;
	unsigned int i, k;
	int ret;

	if (!threads || threads > SM_SLOT_SETS)
		return -EINVAL;
	ret = sm_map_upper(sh, chunks, nr, &ps);
	if (ret)
		goto out_free_pieces;
	sm_split_cut(&ps, threads, sm_split_gran(&sh->w, sh->flags), span);
	ret = -ENOMEM;
	t = kcalloc(threads, sizeof(*t), GFP_KERNEL);
	if (!t)
		goto out_free_pieces;
	for (i = 0; i < threads; i++) {
		t[i] = (struct sm_thread){ .sh = sh, .chunks = chunks,
					   .ps = &ps, .span = span[i],
					   .id = i };
		init_completion(&t[i].done);
		/* thread 0 is the caller; nothing to do, no thread */
		if (!i || !span[i].any)
			continue;
		task = kthread_run(sm_thread_fn, &t[i], "shadowmap/%u", i);
		if (IS_ERR(task)) {
			atomic_cmpxchg(&sh->failed, 0, PTR_ERR(task));
			t[i].span.any = false;
		}
	}
	/*
	 * The caller's share, in the caller: its fatal signal stops it at
	 * its next table, and the stop stops the kthreads at theirs.
	 */
	sm_thread_walk(&t[0]);
	for (i = 1; i < threads; i++) {
		if (!t[i].span.any)
			continue;
		/* a fatal signal while waiting stops the kthreads too */
		if (!sh->stop) {
			wait_for_completion(&t[i].done);
		} else if (wait_for_completion_killable(&t[i].done)) {
			sm_stop_request(sh->stop, -EINTR);
			wait_for_completion(&t[i].done);
		}
	}
	for (i = 0; i < threads; i++) {
		for (k = 0; k < SM_CNT_NR; k++)
			sh->st->cnt[k] += t[i].st.cnt[k];
		sh->st->ns[SM_PHASE_ALLOC] += t[i].st.ns[SM_PHASE_ALLOC];
		sh->st->ns[SM_PHASE_ZERO] += t[i].st.ns[SM_PHASE_ZERO];
	}
	ret = atomic_read(&sh->failed);
	kfree(t);
out_free_pieces:
	sm_pieces_free(&ps);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_map_threads, SM_NS);
