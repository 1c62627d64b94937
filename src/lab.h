/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lab: runs, the shadow a run keeps, and the results.  One struct owns
 * all of the module's mutable run state.  Its fields are
 * touched only by src/lab.c (state and lock), src/run.c (runs) and
 * src/results.c (results); everyone else calls the functions below.
 */
#ifndef SHADOWMAP_LAB_H
#define SHADOWMAP_LAB_H

#include <linux/mutex.h>

#include "shadowmap.h"
#include "region.h"
#include "compare.h"
#include "stop.h"
#include "model.h"
#include "calibrate.h"
#include "repaint.h"

struct seq_file;
struct sm_shadow;

#define SM_HISTORY		64
#define SM_HISTORY_LEN		320
#define SM_HOLDER_LEN		128

/* The last run, or the last verify of its kept shadow. */
struct sm_result {
	bool valid;
	unsigned int seq;
	struct sm_run_config cfg;
	char walker[96];
	char note[96];
	u64 bytes;
	u64 largest;
	u64 cont_pte_blocks;		/* CONT_PTE_SIZE blocks the chunks touch */
	u64 cont_pmd_blocks;		/* CONT_PMD_SIZE blocks the chunks touch */
	long live_tables_had;		/* sm_area's, -1 if not counted */
	unsigned int chunks;
	struct sm_stats cnt;		/* the first build's counters */
	bool stable;			/* every build counted the same */
	u64 ns[SM_PHASE_NR][3];		/* min, median, max */
	unsigned int samples[SM_PHASE_NR];
	struct sm_compare_result cmp;
	unsigned long bad_chunk;	/* first mismatch: chunk and offset */
	unsigned long bad_offset;
	unsigned long hw_checked;
	unsigned long hw_bad;
	bool predicted;			/* costs were there: pred is set */
	struct sm_prediction pred;
	/* A split or collapse of the kept shadow: cnt and ns are its own. */
	bool repaint;
	struct sm_repaint_args rp;
	struct sm_repaint_out rp_out;
	u64 table_bytes_before;		/* the shadow's table memory */
	u64 table_bytes_after;
};

/* The last split and collapse, measured: for predict's tables line. */
struct sm_repaint_fig {
	bool valid;
	u64 bytes;			/* bytes the shadow maps */
	u64 table_bytes_before;
	u64 table_bytes_after;
};

/* What the command in progress is doing: the `progress` file. */
enum sm_progress_state {
	SM_STATE_IDLE,		/* no command */
	SM_STATE_STARTED,	/* a command that reports no state of its own */
	SM_STATE_CALIBRATE,
	SM_STATE_PREPARE,	/* the region's area */
	SM_STATE_BUILD,
	SM_STATE_VERIFY,
	SM_STATE_TEARDOWN,
	SM_STATE_REPAINT,	/* split or collapse of the kept shadow */
	SM_STATE_NR
};

struct sm_progress {
	enum sm_progress_state state;
	u64 start_ns;			/* the command's start */
	bool run;			/* a run: the fields below are set */
	enum sm_region region;
	char walker[96];
	unsigned int build, builds;	/* build (from 1) of builds */
	u64 tables_expected;		/* per build; 0: not known yet */
	u64 units;			/* a repaint's units to do */
};

/*
 * Two locks.  lock is held by a command from sm_lab_begin() to sm_lab_end():
 * a run, verify, free, reset, or a ptdump read.  show_lock guards what the
 * readers of `last` and `history` see and is held only to copy it, so a
 * reader never waits behind a run, and `cancel` and the memory notifier can
 * see what the command in progress is.
 */
struct sm_lab {
	struct mutex lock;		/* the fields down to stop */
	enum sm_region region;		/* the area's */
	struct sm_area area;		/* prepared and not yet released */
	struct sm_shadow *shadow;	/* kept from the last run, or NULL */
	struct sm_stats shadow_stats;	/* the kept shadow's build counters */
	unsigned int seq;		/* runs since load */
	struct sm_stop stop;		/* the command in progress's */

	struct mutex show_lock;		/* the fields below */
	struct sm_result last;
	bool kept;			/* a shadow is kept */
	int last_errno;
	char last_error[SM_ERR_LEN];
	char (*history)[SM_HISTORY_LEN];
	unsigned int history_nr;
	char holder[SM_HOLDER_LEN];	/* the command in progress, or "" */
	bool holder_offlinable;		/* its memory can go offline */
	bool area_ready;		/* area is prepared: the notifier reads it */
	char stop_why[SM_ERR_LEN];	/* why stop was requested */
	struct sm_progress progress;

	atomic_long_t tables_made;	/* by the build in progress */
	atomic_long_t repainted;	/* units by the repaint in progress */
	struct sm_repaint_fig figs[SM_REPAINT_OP_NR];	/* under show_lock */
};

extern struct sm_lab sm_lab;

/*
 * src/lab.c.  A command runs between begin and end, which records its
 * outcome as last_error.  When another command holds the lab, begin
 * refuses with -EBUSY and says who (or with @wait, waits interruptibly).
 * @what names the command for that; @offlinable: it may map memory that can
 * go offline.
 */
int sm_lab_begin(const char *what, bool offlinable, bool wait, char *err,
		 size_t errlen);
void sm_lab_end(int ret, const char *err);
void sm_lab_end_read(void);
/* A refused command: record why, change nothing else. */
void sm_lab_refused(int ret, const char *err);
int sm_lab_cancel(char *err, size_t errlen);
void sm_lab_free(void);
void sm_lab_reset(void);
void sm_lab_set_area_ready(bool ready);
void sm_lab_stop_reason(int ret, char *err, size_t errlen);
void sm_lab_going_offline(unsigned long pfn, unsigned long nr);
void sm_lab_exit(void);
/*
 * Calibrate the costs (src/calibrate.c) with the lab held, stopped by
 * `cancel` and fatal signals as a run is; @samples 0: the default.
 */
int sm_lab_calibrate(unsigned int samples, enum sm_cal_origin origin,
		     char *err, size_t errlen);
/* The command in progress is at @state; @build: the run's build (from 1). */
void sm_lab_progress_state(enum sm_progress_state state, unsigned int build);
void sm_lab_progress_run(const struct sm_run_config *cfg);
void sm_lab_progress_expect(u64 tables);
void sm_lab_progress_repaint(u64 units);

/* src/run.c */
int sm_lab_run(const struct sm_run_config *cfg, char *err, size_t errlen);
int sm_lab_verify(char *err, size_t errlen);
int sm_lab_repaint(const struct sm_repaint_args *a, char *err, size_t errlen);

/* src/results.c */
void sm_result_summarise(struct sm_result *r, u64 *samples, unsigned int n);
void sm_result_finish(struct sm_result *r, const struct sm_area *area);
void sm_result_log(const struct sm_result *r);
void sm_result_verified(struct sm_result *r, const struct sm_area *area);
void sm_lab_publish(const struct sm_result *r, bool add_history);
int sm_lab_show_last(struct seq_file *m);
int sm_lab_show_history(struct seq_file *m);
int sm_lab_show_progress(struct seq_file *m);
int sm_lab_show_ptdump(struct seq_file *m);
void sm_lab_publish_repaint(const struct sm_result *r,
			    const struct sm_repaint_fig *fig);
bool sm_lab_repaint_fig(enum sm_repaint_op op, struct sm_repaint_fig *f);

#endif /* SHADOWMAP_LAB_H */
