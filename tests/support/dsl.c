#include "dsl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Host *dsl_load(const char *code) {
  Host *h = host_new();
  if (host_run_string(h, code, "@snippet")) {
    fprintf(stderr, "snippet failed: %s\n", h->error);
    exit(1);
  }
  return h;
}

int dsl_tensor(Host *h, const char *name) {
  int id = host_global_tensor(h, name);
  if (id < 0) {
    fprintf(stderr, "no tensor named %s\n", name);
    exit(1);
  }
  return id;
}

int dsl_var(Host *h, const char *name) {
  for (int v = 0; v < h->g->n_vars; v++)
    if (!strcmp(h->g->vars[v].name, name)) return v;
  fprintf(stderr, "no variable named %s\n", name);
  exit(1);
}
