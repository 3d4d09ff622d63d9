#include "rollback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *alloc_or_die(size_t n) {
  void *p = calloc(n ? n : 1, 1);
  if (!p) { fprintf(stderr, "out of memory (%zu bytes) for --nan-retries' copy of the state\n", n); exit(1); }
  return p;
}

void snapshot_init(Snapshot *k, const Model *m) {
  k->step = -1;
  k->vars = alloc_or_die(m->n_vars * sizeof(float *));
  k->m = alloc_or_die(m->n_vars * sizeof(float *));
  k->v = alloc_or_die(m->n_vars * sizeof(float *));
  for (int i = 0; i < m->n_vars; i++) {
    size_t bytes = m->vars[i].numel * sizeof(float);
    k->vars[i] = alloc_or_die(bytes);
    if (m->vars[i].kind == MODEL_PARAM) { k->m[i] = alloc_or_die(bytes); k->v[i] = alloc_or_die(bytes); }
  }
  k->opt_t = alloc_or_die(m->n_opts * sizeof(long));
}

/* dst[i] <- src[i] for every variable that has the array */
static void copy_all(const Model *m, float **dst, float *const *src) {
  for (int i = 0; i < m->n_vars; i++)
    if (dst[i] && src[i]) memcpy(dst[i], src[i], m->vars[i].numel * sizeof(float));
}

int snapshot_take(Snapshot *k, const Model *m, ModelState *s, long step) {
  if (m->device_pull && m->device_pull(s)) return -1;
  copy_all(m, k->vars, s->vars);
  copy_all(m, k->m, s->adam_m);
  copy_all(m, k->v, s->adam_v);
  memcpy(k->opt_t, s->opt_t, m->n_opts * sizeof(long));
  k->step = step;
  return 0;
}

void snapshot_restore(const Snapshot *k, const Model *m, ModelState *s) {
  copy_all(m, s->vars, k->vars);
  copy_all(m, s->adam_m, k->m);
  copy_all(m, s->adam_v, k->v);
  memcpy(s->opt_t, k->opt_t, m->n_opts * sizeof(long));
  if (m->device_release) m->device_release(s);   /* the next step uploads the restored state */
}

void snapshot_free(Snapshot *k, const Model *m) {
  for (int i = 0; i < m->n_vars; i++) { free(k->vars[i]); free(k->m[i]); free(k->v[i]); }
  free(k->vars); free(k->m); free(k->v); free(k->opt_t);
}
