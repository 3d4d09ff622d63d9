#include "sharded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "dist.h"
#include "init.h"
#include "xalloc.h"

void sharded_init(const Model *m, ModelState *s) {
  for (int v = 0; v < m->n_vars && m->ranks > 1; v++) {
    const ModelVar *d = &m->vars[v];
    uint32_t base = (uint32_t)s->rank * (uint32_t)d->numel;
    if (m->var_rows[v])
      for (int i = 0; i < d->numel; i++)
        s->vars[v][i] = (float)init_value(d->init_kind, d->init_a, d->init_b, s->seed, v, base + i);
  }
}

/* g, gs: m and s as one process holding every rank's rows would see them */
static void global_view(const Model *m, const ModelState *s, Model *g, ModelState *gs) {
  *g = *m;
  *gs = *s;
  ModelVar *vars = xmalloc(m->n_vars * sizeof(ModelVar), "sharded variables");
  gs->vars = xmalloc(m->n_vars * sizeof(float *), "sharded variables");
  for (int v = 0; v < m->n_vars; v++) {
    vars[v] = m->vars[v];
    gs->vars[v] = s->vars[v];
    if (!m->var_rows[v]) continue;
    vars[v].shape[0] *= m->ranks;
    vars[v].numel *= m->ranks;
    gs->vars[v] = xmalloc((size_t)vars[v].numel * sizeof(float), "a gathered variable");
  }
  g->vars = vars;
}

static void view_free(const Model *m, Model *g, ModelState *gs) {
  for (int v = 0; v < m->n_vars; v++)
    if (m->var_rows[v]) free(gs->vars[v]);
  free(gs->vars);
  free((void *)g->vars);
}

int sharded_save(const char *path, const Model *m, const ModelState *s, long step, char *err, size_t errlen) {
  if (m->ranks <= 1) return checkpoint_save(path, m, s, step, err, errlen);
  Model g;
  ModelState gs;
  global_view(m, s, &g, &gs);
  for (int v = 0; v < m->n_vars; v++)
    if (m->var_rows[v]) dist_gather(s->vars[v], m->vars[v].numel, gs.vars[v]);
  int rc = dist_rank() == 0 ? checkpoint_save(path, &g, &gs, step, err, errlen) : 0;
  view_free(m, &g, &gs);
  int all = dist_bcast_int(rc);
  if (all && dist_rank() != 0) snprintf(err, errlen, "rank 0 could not write %s", path);
  return all ? -1 : 0;
}

int sharded_load(const char *path, const Model *m, ModelState *s, long *step, uint64_t *seed, char *err,
                 size_t errlen) {
  if (m->ranks <= 1) return checkpoint_load(path, m, s, step, seed, err, errlen);
  if (m->device_release) m->device_release(s); /* stale now; done here, as the view below shares s->device */
  Model g;
  ModelState gs;
  global_view(m, s, &g, &gs);
  int rc = checkpoint_load(path, &g, &gs, step, seed, err, errlen);
  s->lr_scale = gs.lr_scale;
  for (int v = 0; v < m->n_vars && !rc; v++)
    if (m->var_rows[v])
      memcpy(s->vars[v], gs.vars[v] + (size_t)s->rank * m->vars[v].numel, m->vars[v].numel * sizeof(float));
  view_free(m, &g, &gs);
  return rc;
}
