#include "blas_core.h"

#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* set before the re-exec: the core OpenBLAS detected on its own. Its presence
 * also stops a second re-exec, should OPENBLAS_CORETYPE get lost on the way. */
#define DETECTED_ENV "EBMFORGE_BLAS_DETECTED"

/* how wide a core's kernels are: 2 AVX-512, 1 AVX2 + FMA, 0 older or unknown */
static int core_level(const char *core) {
  static const char *avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids", NULL};
  static const char *avx2[] = {"Haswell", "Zen", NULL};
  for (int i = 0; avx512[i]; i++)
    if (!strcasecmp(core, avx512[i])) return 2;
  for (int i = 0; avx2[i]; i++)
    if (!strcasecmp(core, avx2[i])) return 1;
  return 0;
}

/* the widest core this CPU and OS run; SkylakeX rather than Cooperlake on
 * bf16 CPUs: both run the same sgemm kernels (bench/blas_core.sh) */
static const char *cpu_core(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return NULL;
}

void blas_core_select(char **argv) {
  const char *mode = getenv("EBMFORGE_BLAS_CORE");
  if (mode && *mode && strcmp(mode, "auto") && strcmp(mode, "keep")) {
    fprintf(stderr, "EBMFORGE_BLAS_CORE: expected 'auto' or 'keep', not '%s'\n", mode);
    exit(2);
  }
  if (getenv("OPENBLAS_CORETYPE") || getenv(DETECTED_ENV) || (mode && !strcmp(mode, "keep"))) return;
  /* a build without DYNAMIC_ARCH holds one kernel set and ignores the variable */
  if (!strstr(openblas_get_config(), "DYNAMIC_ARCH")) return;
  const char *want = cpu_core(), *have = openblas_get_corename();
  if (!want || core_level(have) >= core_level(want)) return;
  setenv(DETECTED_ENV, have, 1);
  setenv("OPENBLAS_CORETYPE", want, 1);
  execv("/proc/self/exe", argv);
  /* no exec: run on, and let children (which inherit the marker) keep these kernels too */
  fprintf(stderr, "cannot re-execute /proc/self/exe with OPENBLAS_CORETYPE=%s (%s); OpenBLAS keeps its %s kernels\n",
          want, strerror(errno), have);
  unsetenv("OPENBLAS_CORETYPE");
}

const char *blas_core_name(void) { return openblas_get_corename(); }

const char *blas_core_chooser(void) {
  if (!getenv("OPENBLAS_CORETYPE")) return "openblas";
  return getenv(DETECTED_ENV) ? "ebmforge" : "user";
}

void blas_core_describe(char *buf, size_t n) {
  const char *by = blas_core_chooser(), *detected = getenv(DETECTED_ENV);
  if (!strcmp(by, "ebmforge"))
    snprintf(buf, n, "%s (chosen by ebmforge; OpenBLAS detected %s)", blas_core_name(), detected);
  else if (!strcmp(by, "user"))
    snprintf(buf, n, "%s (OPENBLAS_CORETYPE=%s)", blas_core_name(), getenv("OPENBLAS_CORETYPE"));
  else
    snprintf(buf, n, "%s (detected by OpenBLAS)", blas_core_name());
}
