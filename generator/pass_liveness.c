/* The liveness pass (see pass_liveness.h): a buffer lives from the kernel
 * that writes it to the last kernel that reads it, through inlined producers. */
#include "pass_liveness.h"

/* Buffers a kernel reads: through inlined producers down to buffers. */
static void reads(const Phase *p, int i, void (*fn)(const Phase *, int buf, int reader, void *), int reader,
                  void *ctx) {
  const Node *nd = &p->g->nodes[i];
  for (int k = 0; k < nd->n_in; k++) {
    int x = nd->in[k];
    if (p->role[x] == ROLE_INLINE)
      reads(p, x, fn, reader, ctx);
    else
      fn(p, p->root[x], reader, ctx);
  }
}

static void mark_last(const Phase *pc, int buf, int reader, void *ctx) {
  Phase *p = (Phase *)pc;
  (void)ctx;
  if (reader > p->last[buf]) p->last[buf] = reader;
}

void pass_liveness(Phase *p) {
  int n = p->n;
  for (int i = 0; i < n; i++)
    if (p->need[i] && p->role[i] == ROLE_KERNEL) reads(p, i, mark_last, i, NULL);
  for (int i = 0; i < n; i++)
    if (p->need[i] && p->is_out[i]) p->last[p->root[i]] = n; /* outputs live to the end */
}
