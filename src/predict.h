/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Predictions (src/predict.c): the seeds' step table for any RAM size, from
 * the count walk and the cost model; the `predict` command and the
 * `prediction` file.
 */
#ifndef SHADOWMAP_PREDICT_H
#define SHADOWMAP_PREDICT_H

#include <linux/types.h>

struct seq_file;
struct sm_predict_args;

/* Checked before the lab is taken; sm_predict_free_args() after. */
int sm_predict_parse(char *args, struct sm_predict_args **out, char *err,
		     size_t errlen);
void sm_predict_free_args(struct sm_predict_args *a);
/* With the lab held: it may calibrate this machine first. */
int sm_predict_run(struct sm_predict_args *a, char *err, size_t errlen);
int sm_predict_show(struct seq_file *m);
void sm_predict_exit(void);

#endif /* SHADOWMAP_PREDICT_H */
