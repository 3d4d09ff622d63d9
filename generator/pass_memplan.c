/* The memory plan pass (see pass_memplan.h): materialised nodes get offsets
 * in one arena from a liveness-based first-fit plan made at generation time;
 * an elementwise kernel writes in place over an input that dies at it. A
 * trainer allocates the arena once. */
#include "pass_memplan.h"

#include <stdlib.h>

#include "pass_fusion.h"

typedef struct {
  long off, size;
  int node;
} Live;

static long align16(long x) { return (x + 15) & ~15L; }

/* In-place candidate: a same-size arena buffer read directly at the kernel's index that dies here. */
static int inplace_input(const Phase *p, int i) {
  const Node *nd = &p->g->nodes[i];
  if (!op_elementwise(nd->op)) return -1;
  for (int k = 0; k < nd->n_in; k++) {
    int x = nd->in[k];
    if (p->role[x] != ROLE_KERNEL && p->role[x] != ROLE_ALIAS) continue;
    int r = p->root[x];
    if (p->role[r] != ROLE_KERNEL || p->last[r] != i || p->is_out[r]) continue;
    if (shape_numel(p->g->nodes[r].shape) == shape_numel(nd->shape) && shape_eq(p->g->nodes[x].shape, nd->shape))
      return r;
  }
  return -1;
}

void pass_memplan(Phase *p) {
  int n = p->n;
  Live *live = malloc(n * sizeof(Live));
  int n_live = 0;
  p->arena = 0;
  for (int i = 0; i < n; i++) {
    if (!p->need[i] || p->role[i] != ROLE_KERNEL) continue;
    int j = 0;
    for (int k = 0; k < n_live; k++) /* free what died before this kernel */
      if (p->last[live[k].node] >= i) live[j++] = live[k];
    n_live = j;
    long size = align16(shape_numel(p->g->nodes[i].shape));
    int r = inplace_input(p, i);
    if (r >= 0) {
      p->off[i] = p->off[r];
      live[n_live++] = (Live){p->off[i], size, i};
      continue;
    }
    /* first fit among the live intervals, sorted by offset */
    for (int a = 1; a < n_live; a++)
      for (int b = a; b > 0 && live[b - 1].off > live[b].off; b--) {
        Live t = live[b];
        live[b] = live[b - 1];
        live[b - 1] = t;
      }
    long at = 0;
    for (int k = 0; k < n_live; k++) {
      if (at + size <= live[k].off) break;
      if (live[k].off + live[k].size > at) at = live[k].off + live[k].size;
    }
    p->off[i] = at;
    live[n_live++] = (Live){at, size, i};
    if (at + size > p->arena) p->arena = at + size;
  }
  free(live);
}
