/* Which OpenBLAS kernels run. OpenBLAS picks its kernel set ("core") once,
 * when it loads, from cpuid; Debian's 0.3.21 does not know newer Xeons (e.g.
 * family 6 model 207) and falls back to its generic "Prescott" SSE kernels,
 * 2.5 to 10 times slower than the AVX-512 ones (docs/performance.md). The host
 * and every trainer call blas_core_select first thing in main, so both make
 * the same choice and keep computing bit-identical results. */
#ifndef EBM_BLAS_CORE_H
#define EBM_BLAS_CORE_H

#include <stddef.h>

/* When OPENBLAS_CORETYPE is unset and OpenBLAS runs a core older than the CPU
 * supports (AVX-512: SkylakeX, AVX2 + FMA: Haswell), sets OPENBLAS_CORETYPE
 * and executes /proc/self/exe with argv again, once (OpenBLAS reads it only
 * when it loads). A user's OPENBLAS_CORETYPE is kept, and so is OpenBLAS's own
 * choice under EBMFORGE_BLAS_CORE=keep. Returns only when nothing changes (or
 * the exec failed); exits 2 on a bad EBMFORGE_BLAS_CORE. */
void blas_core_select(char **argv);

/* The running core as OpenBLAS names it, e.g. "SkylakeX". */
const char *blas_core_name(void);
/* Who chose it: "openblas" (its own detection), "ebmforge" (blas_core_select)
 * or "user" (OPENBLAS_CORETYPE set outside ebmforge). */
const char *blas_core_chooser(void);
/* One line for people: "SkylakeX (chosen by ebmforge; OpenBLAS detected Prescott)". */
void blas_core_describe(char *buf, size_t n);

#endif
