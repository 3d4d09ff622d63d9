#define _GNU_SOURCE
#include "loss_curves.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_flat.h"

static int term_index(Curves *c, const char *name) {
  int t = 0;
  while (t < c->n_terms && strcmp(c->names[t], name)) t++;
  if (t == c->n_terms) {
    if (t == CURVES_MAX_TERMS) return -1;
    c->names[t] = strdup(name);
    c->y[t] = malloc(sizeof(double) * c->cap);
    for (int i = 0; i < c->cap; i++) c->y[t][i] = NAN; /* a term that starts late */
    c->n_terms++;
  }
  return t;
}

static void take(const char *name, double v, void *ctx) {
  Curves *c = ctx;
  if (!strcmp(name, "iter")) {
    c->iter = v, c->has_iter = 1;
    return;
  }
  if (!strcmp(name, "wall")) return; /* seconds since the start: a clock, not a term */
  int t = term_index(c, name);
  if (t >= 0) c->y[t][c->n] = v;
}

static void grow(Curves *c, int need) {
  if (need <= c->cap) return;
  int old = c->cap;
  while (c->cap < need) c->cap *= 2;
  c->x = realloc(c->x, sizeof(double) * c->cap);
  for (int t = 0; t < c->n_terms; t++) {
    c->y[t] = realloc(c->y[t], sizeof(double) * c->cap);
    for (int i = old; i < c->cap; i++) c->y[t][i] = NAN;
  }
}

int curves_read(const char *path, Curves *c) {
  FILE *f = fopen(path, "r");
  memset(c, 0, sizeof *c);
  if (!f) return -1;
  c->cap = 1024;
  c->x = malloc(sizeof(double) * c->cap);
  char *line = NULL;
  size_t len = 0;
  while (getline(&line, &len, f) > 0) {
    if (strstr(line, "\"event\"")) continue; /* rollbacks, start records: not a step */
    grow(c, c->n + 1);
    for (int t = 0; t < c->n_terms; t++) c->y[t][c->n] = NAN;
    c->has_iter = 0;
    JsonFlat j;
    if (json_flat_parse(line, strlen(line), path, &j, NULL, 0)) continue; /* a line the trainer is still writing */
    for (int k = 0; k < j.n; k++)
      if (j.f[k].type == JF_NUMBER) take(j.f[k].key, j.f[k].num, c);
    json_flat_free(&j);
    if (!c->has_iter) continue;
    /* a run resumed from a checkpoint before its last logged step logs those
     * steps again: the later records replace the earlier ones */
    int keep = c->n;
    while (keep > 0 && c->x[keep - 1] >= c->iter) keep--;
    if (keep < c->n) {
      for (int t = 0; t < c->n_terms; t++) c->y[t][keep] = c->y[t][c->n];
      for (int t = 0; t < c->n_terms; t++)
        for (int i = keep + 1; i <= c->n; i++) c->y[t][i] = NAN;
      c->n = keep;
    }
    c->x[c->n++] = c->iter;
  }
  free(line);
  fclose(f);
  return 0;
}

void curves_free(Curves *c) {
  for (int t = 0; t < c->n_terms; t++) free(c->names[t]), free(c->y[t]);
  free(c->x);
  memset(c, 0, sizeof *c);
}

void curves_mean(const Curves *runs, int n, Curves *out) {
  memset(out, 0, sizeof *out);
  out->cap = 1024;
  out->x = malloc(sizeof(double) * out->cap);
  if (n < 1) return;
  int len = runs[0].n;
  for (int r = 1; r < n; r++) {
    int k = 0;
    while (k < len && k < runs[r].n && runs[r].x[k] == runs[0].x[k]) k++;
    len = k;
  }
  grow(out, len + 1);
  for (int i = 0; i < len; i++) out->x[i] = runs[0].x[i];
  out->n = len;
  for (int t = 0; t < runs[0].n_terms; t++) {
    int o = term_index(out, runs[0].names[t]);
    if (o < 0) break;
    for (int i = 0; i < len; i++) {
      double s = 0;
      int m = 0;
      for (int r = 0; r < n; r++)
        for (int u = 0; u < runs[r].n_terms; u++)
          if (!strcmp(runs[r].names[u], runs[0].names[t]) && isfinite(runs[r].y[u][i])) s += runs[r].y[u][i], m++;
      out->y[o][i] = m ? s / m : NAN;
    }
  }
}

int curves_draw(const Curves *c, const char *path, FigFormat fmt, const char *title, char *err, size_t errlen) {
  int nx = c->n_terms < 3 ? c->n_terms : 3, ny = (c->n_terms + nx - 1) / nx;
  if (fig_begin(path, fmt, 400 * nx, 320 * ny + 44, nx, ny, title, err, errlen)) return -1;
  for (int t = 0; t < c->n_terms; t++) fig_curve(c->x, c->y[t], c->n, "iteration", c->names[t]);
  return fig_end(err, errlen);
}
