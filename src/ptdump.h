/* SPDX-License-Identifier: GPL-2.0 */
/* A tree's mapping of chunks, in kernel_page_tables form (src/ptdump.c). */
#ifndef SHADOWMAP_PTDUMP_H
#define SHADOWMAP_PTDUMP_H

#include "shadowmap.h"
#include "stop.h"

struct seq_file;

int sm_ptdump(struct seq_file *m, pgd_t *pgd, const struct sm_chunk *chunks,
	      unsigned int nr, struct sm_stop *stop);

#endif /* SHADOWMAP_PTDUMP_H */
