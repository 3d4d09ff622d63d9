/* `ebmforge build`: writes the trainers' sources and build.ninja. */
#ifndef EBM_BUILD_CMD_H
#define EBM_BUILD_CMD_H

#include "host.h"

typedef struct {
  const char *model_path;
  const char *out_dir;     /* default out/<model name> */
  const char *cflags;      /* default -O3 -march=native */
  const char *cc;          /* default cc */
  const char *cuda_arch;   /* GPU architectures, e.g. "80,90" (the default) */
  int no_cuda;             /* no train-cuda targets even where nvcc is found */
} BuildOptions;

/* 0 on success; prints what it wrote. Nothing is written if generation fails. */
int build_model(Host *h, const BuildOptions *o);

#endif
