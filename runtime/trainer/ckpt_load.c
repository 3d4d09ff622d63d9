#include "ckpt_load.h"

#include <stdio.h>

#include "cli.h"
#include "sharded.h"
#include "state.h"

int load_state(const char *ckpt, ModelState *s) {
  char err[600];
  long step;
  uint64_t seed;
  state_init(s, &model, 0);
  if (!ckpt) {
    fprintf(stderr, "%s: --ckpt CKPT is required\n", prog);
    return 2;
  }
  if (sharded_load(ckpt, &model, s, &step, &seed, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    state_free(s, &model);
    return 2;
  }
  s->seed = seed;
  return 0;
}
