/* A rank's leaf of batch rows has the global leaf's shape with the first
 * dimension divided by R; everything else must be identical in both traces:
 * then rank r drawing global rows [r B/R, (r+1) B/R) reproduces the
 * single-process draws exactly (emit_c offsets their Philox index). */
#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_random(OpCode op) { return op == OP_DATA || op == OP_UNIFORM || op == OP_NORMAL; }

/* 1: local is global with d[0] / R; 0: identical; -1: neither */
static int rows_of(Shape g, Shape l, int R) {
  if (shape_eq(g, l)) return 0;
  if (g.rank != l.rank || g.rank == 0 || g.d[0] != l.d[0] * R) return -1;
  for (int k = 1; k < g.rank; k++)
    if (g.d[k] != l.d[k]) return -1;
  return 1;
}

int shard_plan(const Graph *global, const Graph *local, int R, ShardPlan *p, char *err, size_t errlen) {
  p->ranks = R;
  p->node_rows = calloc(local->n_nodes + 1, 1);
  p->var_rows = calloc(local->n_vars + 1, 1);
  int gi = 0;
  for (int li = 0; li < local->n_nodes; li++) {
    const Node *l = &local->nodes[li];
    if (!is_random(l->op)) continue;
    while (gi < global->n_nodes && !is_random(global->nodes[gi].op)) gi++;
    const Node *g = gi < global->n_nodes ? &global->nodes[gi++] : NULL;
    int k = g && g->op == l->op && g->stream == l->stream ? rows_of(g->shape, l->shape, R) : -1;
    if (k < 0) {
      snprintf(err, errlen,
               "random leaf %%%d (%s, line %d) is not the batch-B leaf with its rows split over %d ranks: "
               "the model's random draws must not depend on the batch size but in their first dimension",
               li, op_name(l->op), l->line, R);
      return -1;
    }
    p->node_rows[li] = (char)k;
  }
  while (gi < global->n_nodes && !is_random(global->nodes[gi].op)) gi++;
  if (gi < global->n_nodes) {
    snprintf(err, errlen, "the model draws fewer random leaves at batch B/%d", R);
    return -1;
  }
  if (local->n_vars != global->n_vars) {
    snprintf(err, errlen, "the model declares other variables at batch B/%d", R);
    return -1;
  }
  for (int v = 0; v < local->n_vars; v++) {
    const Var *l = &local->vars[v], *g = &global->vars[v];
    int k = strcmp(l->name, g->name) ? -1 : rows_of(g->shape, l->shape, R);
    if (k < 0 || (k == 1 && l->kind != VAR_STATE)) {
      snprintf(err, errlen, "variable '%s' changes with the batch size: only state variables may have batch rows",
               l->name);
      return -1;
    }
    p->var_rows[v] = (char)k;
  }
  return 0;
}

void shard_free(ShardPlan *p) {
  free(p->node_rows);
  free(p->var_rows);
}
