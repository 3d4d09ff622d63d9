/* The CUDA emitter: a model's step program as one CUDA source file (see emit_cuda.c). */
#ifndef EBM_EMIT_CUDA_H
#define EBM_EMIT_CUDA_H

#include "emit.h"

/* The whole model.cu as a malloc'd string (info->prologue: the CUDA prologue). */
char *emit_cuda_model(const Graph *g, const Program *prog, const EmitInfo *info);

#endif
