#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "xalloc.h"

/* zeroed, on a 64-byte cache line: the arena's buffers start at multiples
 * of 16 floats, so they start on lines too (the row-block loops of emit_c.c) */
void *state_zalloc(size_t n) { return xcalloc_lines(n, "the model state"); }

void state_init(ModelState *s, const Model *m, uint64_t seed) {
  memset(s, 0, sizeof *s);
  s->seed = seed;
  s->lr_scale = 1;
  s->vars = state_zalloc(m->n_vars * sizeof(float *));
  s->adam_m = state_zalloc(m->n_vars * sizeof(float *));
  s->adam_v = state_zalloc(m->n_vars * sizeof(float *));
  for (int v = 0; v < m->n_vars; v++) {
    const ModelVar *d = &m->vars[v];
    s->vars[v] = state_zalloc(d->numel * sizeof(float));
    for (int i = 0; i < d->numel; i++)
      s->vars[v][i] = (float)init_value(d->init_kind, d->init_a, d->init_b, seed, v, i);
    if (d->kind == MODEL_PARAM) {
      s->adam_m[v] = state_zalloc(d->numel * sizeof(float));
      s->adam_v[v] = state_zalloc(d->numel * sizeof(float));
    }
  }
  s->opt_t = state_zalloc(m->n_opts * sizeof(long));
  s->arena = state_zalloc(m->arena_floats * sizeof(float));
  s->logs = state_zalloc(m->n_logs * sizeof(double));
  s->hparams = state_zalloc(m->n_hparams * sizeof(double));
  for (int k = 0; k < m->n_hparams; k++) s->hparams[k] = m->hparams[k].dflt;
}

void state_free(ModelState *s, const Model *m) {
  if (m->device_release) m->device_release(s);
  for (int v = 0; v < m->n_vars; v++) {
    free(s->vars[v]);
    free(s->adam_m[v]);
    free(s->adam_v[v]);
  }
  free(s->vars);
  free(s->adam_m);
  free(s->adam_v);
  free(s->opt_t);
  free(s->arena);
  free(s->logs);
  free(s->hparams);
}
