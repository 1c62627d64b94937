/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Repaint a kept shadow (src/repaint.c): split its blocks into PTE tables,
 * as a kernel whose boot CPU had BBML2 and a secondary lacks it must
 * repaint the linear map ("mode 3"), or collapse PTE tables back into
 * blocks; with break-before-make or BBML2's no-abort sequence.
 */
#ifndef SHADOWMAP_REPAINT_H
#define SHADOWMAP_REPAINT_H

#include <linux/atomic.h>

#include "shadowmap.h"
#include "stop.h"

struct sm_shadow;

enum sm_repaint_op {
	SM_REPAINT_SPLIT,	/* blocks to PTE tables */
	SM_REPAINT_COLLAPSE,	/* PTE tables of one block's pages to blocks */
	SM_REPAINT_OP_NR
};

enum sm_repaint_seq {
	SM_SEQ_BBM,		/* clear, TLBI, then write: no BBML2 */
	SM_SEQ_BBML2,		/* write over the old entry, then TLBI */
	SM_SEQ_NR
};

extern const char * const sm_repaint_op_names[SM_REPAINT_OP_NR];
extern const char * const sm_repaint_seq_names[SM_SEQ_NR];

struct sm_repaint_args {
	enum sm_repaint_op op;
	enum sm_repaint_seq seq;
};

/* What one repaint did besides its counters. */
struct sm_repaint_out {
	u64 units;		/* blocks, contiguous groups or tables done */
	u64 unmapped_ns;	/* bbm: time its ranges were unmapped */
};

/* "[seq=bbm|bbml2]" after the command word; -EINVAL with why. */
int sm_repaint_parse(enum sm_repaint_op op, char *args,
		     struct sm_repaint_args *a, char *err, size_t errlen);
/* The units a repaint of the chunks would do; 0: nothing to do. */
u64 sm_repaint_units(struct sm_shadow *sh, const struct sm_chunk *chunks,
		     unsigned int nr, enum sm_repaint_op op);
/*
 * Repaint the chunks of @sh, counted into @st.  A unit is done whole or
 * not at all, so on a stop or -ENOMEM every entry is a valid block or a
 * valid table, and every table page is the shadow's.  @done counts units
 * for `progress` (or NULL).
 */
int sm_repaint(struct sm_shadow *sh, const struct sm_chunk *chunks,
	       unsigned int nr, const struct sm_repaint_args *a,
	       struct sm_stats *st, struct sm_stop *stop, atomic_long_t *done,
	       struct sm_repaint_out *out);

#endif /* SHADOWMAP_REPAINT_H */
