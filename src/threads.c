// SPDX-License-Identifier: GPL-2.0
/*
 * The walker split over kthreads, at top-level boundaries: nobody does this
 * in the kernel yet.
 *
 * threads=N: the chunks are cut at top-level entry boundaries and every
 * top-level entry goes to thread (index % N), so no two threads ever touch
 * the same table below the top level; each thread has its own slots and
 * counters, summed at the end.  alloc and zero times are then CPU time
 * summed over the threads.
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
	unsigned int nr, id, threads;
	struct sm_stats st;
	int ret;
	struct completion done;
};

static unsigned long sm_top_size(void)
{
	if (sm_p4d_present())
		return PGDIR_SIZE;
	if (sm_pud_present())
		return P4D_SIZE;
	return sm_pmd_present() ? PUD_SIZE : PMD_SIZE;
}

static int sm_thread_fn(void *arg)
{
	struct sm_thread *t = arg;
	unsigned long top = sm_top_size(), addr, end, next;
	const struct sm_chunk *ch;
	unsigned int i;

	for (i = 0; i < t->nr && !t->ret; i++) {
		ch = &t->chunks[i];
		addr = ch->va;
		end = ch->va + ch->nr_pages * PAGE_SIZE;
		do {
			next = min(end - 1, (addr | (top - 1))) + 1;
			if (!next || next > end)
				next = end;
			if ((addr / top) % t->threads == t->id)
				t->ret = sm_walk_range(t->sh, &t->st, ch, addr,
						       next, t->id);
		} while (!t->ret && (addr = next, addr != end));
	}
	kthread_complete_and_exit(&t->done, 0);
}

int sm_shadow_map_threads(struct sm_shadow *sh, const struct sm_chunk *chunks,
			  unsigned int nr, unsigned int threads)
{
	struct task_struct *task;
	struct sm_thread *t;
	unsigned int i, k;
	int ret = 0;

	if (!threads || threads > SM_SLOT_SETS)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (!sm_chunk_ok(&chunks[i]))
			return -EINVAL;
	t = kcalloc(threads, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < threads; i++) {
		t[i] = (struct sm_thread){ .sh = sh, .chunks = chunks,
					   .nr = nr, .id = i,
					   .threads = threads };
		init_completion(&t[i].done);
		task = kthread_run(sm_thread_fn, &t[i], "shadowmap/%u", i);
		if (IS_ERR(task)) {
			t[i].ret = PTR_ERR(task);
			complete(&t[i].done);
		}
	}
	for (i = 0; i < threads; i++) {
		/* A fatal signal for the caller stops the threads too. */
		if (sh->stop && wait_for_completion_killable(&t[i].done))
			sm_stop_request(sh->stop, -EINTR);
		wait_for_completion(&t[i].done);
		if (t[i].ret && !ret)
			ret = t[i].ret;
		for (k = 0; k < SM_CNT_NR; k++)
			sh->st->cnt[k] += t[i].st.cnt[k];
		sh->st->ns[SM_PHASE_ALLOC] += t[i].st.ns[SM_PHASE_ALLOC];
		sh->st->ns[SM_PHASE_ZERO] += t[i].st.ns[SM_PHASE_ZERO];
	}
	kfree(t);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_shadow_map_threads, SM_NS);
