/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels shadowmap supports: Debian 12's 6.1 and
 * 6.12.  Feature tests where possible; each entry names its versions.
 */
#ifndef SHADOWMAP_COMPAT_H
#define SHADOWMAP_COMPAT_H

#include <linux/version.h>
#include <linux/pgtable.h>

/*
 * 6.1 has no pXdp_get() accessors for the upper levels (added in 6.5 as
 * generic fallbacks, arm64 overrides some of them later).  They are macros
 * or have a macro guard where an arch overrides them, so test for that.
 */
#ifndef pmdp_get
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline pmd_t sm_pmdp_get(pmd_t *pmdp) { return READ_ONCE(*pmdp); }
static inline pud_t sm_pudp_get(pud_t *pudp) { return READ_ONCE(*pudp); }
static inline p4d_t sm_p4dp_get(p4d_t *p4dp) { return READ_ONCE(*p4dp); }
static inline pgd_t sm_pgdp_get(pgd_t *pgdp) { return READ_ONCE(*pgdp); }
#define pmdp_get sm_pmdp_get
#define pudp_get sm_pudp_get
#define p4dp_get sm_p4dp_get
#define pgdp_get sm_pgdp_get
#endif
#endif

#endif /* SHADOWMAP_COMPAT_H */
