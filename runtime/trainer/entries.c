#include "entries.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ModelEntry *entry_find(const Model *m, const char *name) {
  for (int e = 0; e < m->n_entries; e++)
    if (!strcmp(m->entries[e].name, name)) return &m->entries[e];
  return NULL;
}

static const ModelEntry *need(const Model *m, ModelState *s, const char *name) {
  const ModelEntry *e = entry_find(m, name);
  if (!e) snprintf(s->err, sizeof s->err, "model '%s' has no %s entry", m->name, name);
  return e;
}

int entry_samples(const Model *m, ModelState *s, float *out, long n, long base) {
  const ModelEntry *e = need(m, s, "sample");
  if (!e) return -1;
  const ModelVar *o = &m->vars[e->out_var];
  long rows = o->shape[0], cols = o->numel / rows;
  for (long done = 0, c = 0; done < n; c++) {
    if (e->run(s, base + c)) return -1;
    long k = n - done < rows ? n - done : rows;
    memcpy(out + done * cols, s->vars[e->out_var], k * cols * sizeof(float));
    done += k;
  }
  return 0;
}

int entry_map(const Model *m, ModelState *s, const char *name, const float *x, long n, float *out, int *out_cols) {
  const ModelEntry *e = need(m, s, name);
  if (!e) return -1;
  const ModelVar *in = &m->vars[e->in_var], *o = &m->vars[e->out_var];
  long rows = in->shape[0], cols = in->numel / rows, oc = o->numel / rows;
  if (out_cols) *out_cols = (int)oc;
  for (long done = 0; done < n; done += rows) {
    long k = n - done < rows ? n - done : rows;
    memset(s->vars[e->in_var], 0, in->numel * sizeof(float)); /* the last chunk is padded */
    memcpy(s->vars[e->in_var], x + done * cols, k * cols * sizeof(float));
    if (e->run(s, 0)) return -1;
    if (out) memcpy(out + done * oc, s->vars[e->out_var], k * oc * sizeof(float));
  }
  return 0;
}

int entry_energies(const Model *m, ModelState *s, const float *x, long n, float *out) {
  return entry_map(m, s, "energy", x, n, out, NULL);
}

int entry_energy_grid(const Model *m, ModelState *s, int R, double A, float *out) {
  float *pts = xmalloc((size_t)R * R * 2 * sizeof(float), "energy grid points");
  double h = 2 * A / R;
  for (int r = 0; r < R; r++)
    for (int c = 0; c < R; c++) {
      pts[2 * ((size_t)r * R + c)] = (float)(-A + (c + 0.5) * h);
      pts[2 * ((size_t)r * R + c) + 1] = (float)(-A + (r + 0.5) * h);
    }
  int rc = entry_energies(m, s, pts, (long)R * R, out);
  free(pts);
  return rc;
}
