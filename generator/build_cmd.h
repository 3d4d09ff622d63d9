/* `ebmforge build`: writes the trainers' sources and build.ninja. */
#ifndef EBM_BUILD_CMD_H
#define EBM_BUILD_CMD_H

#include "host.h"

typedef struct {
  const char *model_path;
  const char *out_dir;     /* default out/<model name> */
  const char *cflags;      /* default -O3 -march=native */
  const char *cc;          /* default cc (mpicc with mpi_ranks) */
  int mpi_ranks;           /* > 1: a data-parallel trainer for that many MPI ranks (default out/<model>-mpi<R>) */
} BuildOptions;

/* 0 on success; prints what it wrote. Nothing is written if generation fails. */
int build_model(Host *h, const BuildOptions *o);

#endif
