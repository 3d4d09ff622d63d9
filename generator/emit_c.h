/* The C emitter: a model's step program as one C source file (see emit_c.c). */
#ifndef EBM_EMIT_C_H
#define EBM_EMIT_C_H

#include "emit.h"

/* The whole model.c as a malloc'd string. */
char *emit_c_model(const Graph *g, const Program *prog, const EmitInfo *info);

#endif
