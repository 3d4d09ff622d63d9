#include "rollback.h"

#include <stdlib.h>
#include <string.h>

#include "state.h"

void snapshot_init(Snapshot *k, const Model *m) {
  k->step = -1;
  k->vars = state_zalloc(m->n_vars * sizeof(float *));
  k->m = state_zalloc(m->n_vars * sizeof(float *));
  k->v = state_zalloc(m->n_vars * sizeof(float *));
  for (int i = 0; i < m->n_vars; i++) {
    size_t bytes = m->vars[i].numel * sizeof(float);
    k->vars[i] = state_zalloc(bytes);
    if (m->vars[i].kind == MODEL_PARAM) {
      k->m[i] = state_zalloc(bytes);
      k->v[i] = state_zalloc(bytes);
    }
  }
  k->opt_t = state_zalloc(m->n_opts * sizeof(long));
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
  if (m->device_release) m->device_release(s); /* the next step uploads the restored state */
}

void snapshot_free(Snapshot *k, const Model *m) {
  for (int i = 0; i < m->n_vars; i++) {
    free(k->vars[i]);
    free(k->m[i]);
    free(k->v[i]);
  }
  free(k->vars);
  free(k->m);
  free(k->v);
  free(k->opt_t);
}
