/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cost model (src/model.c): a walker's exact counters times the cost of
 * each operation (src/calibrate.h) give its predicted time, per phase.
 * The costs are this machine's calibration or the user's (another
 * machine's `costs` file, or the Altra costs fitted from the seeds).
 */
#ifndef SHADOWMAP_MODEL_H
#define SHADOWMAP_MODEL_H

#include "shadowmap.h"
#include "calibrate.h"

/* Predicted ns of the alloc, zero and populate phases, and their sum. */
struct sm_prediction {
	u64 ns[SM_PHASE_BUILD + 1];
};

/* The costs (bit per enum sm_cost) a prediction for @w uses. */
unsigned long sm_model_terms(const struct sm_walker *w);
void sm_model_predict(const struct sm_costs *costs, const struct sm_walker *w,
		      const struct sm_stats *st, bool listed,
		      struct sm_prediction *out);

#endif /* SHADOWMAP_MODEL_H */
