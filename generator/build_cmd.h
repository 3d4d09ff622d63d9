/* `ebmforge build`: writes the trainers' sources and build.ninja. */
#ifndef EBM_BUILD_CMD_H
#define EBM_BUILD_CMD_H

#include "host.h"

typedef struct {
  const char *model_path;
  const char *out_dir;   /* default out/<model name> */
  const char *cflags;    /* default -O3 -march=native */
  const char *cc;        /* default cc (mpicc with mpi_ranks) */
  const char *ldflags;   /* extra link flags (after the objects); cflags reach the link too */
  int mpi_ranks;         /* > 1: a data-parallel trainer for that many MPI ranks (default out/<model>-mpi<R>) */
  const char *cuda_arch; /* GPU architectures, e.g. "80,90" (the default) */
  int no_cuda;           /* no train-cuda targets even where nvcc is found */
} BuildOptions;

/* hosts[0..n-1]: the model file loaded once per sweep combination (n = 1
 * without a sweep). Writes DIR/<combination>/model.c for each and one
 * DIR/build.ninja building them all. 0 on success; prints what it wrote.
 * Nothing is written if generation fails. */
int build_model(Host *const *hosts, int n, const BuildOptions *o);
/* --cuda-arch's value (cli.h's CliParseFn): a comma-separated list of
 * architectures such as 80,90 into *(const char **)dest, or -1 */
int build_cuda_arch_parse(const char *value, void *dest);

#endif
