/* The host: an embedded Lua 5.4 state running the DSL over one graph and
 * one step program. A model file is a Lua script; everything numeric stays in C. */
#ifndef EBM_HOST_H
#define EBM_HOST_H

#include <stddef.h>

#include "ir.h"
#include "program.h"

typedef struct lua_State lua_State;
struct Sandbox;

typedef struct {
  struct Sandbox *sandbox; /* the limits and libraries the model file runs with (sandbox.h) */
  lua_State *L;            /* its Lua state */
  Graph *g;
  Program *prog;
  char *model_path;
  char *error; /* "path:line: message" of the last failure */
} Host;

Host *host_new(void);
void host_free(Host *h);
/* Runs a model file. 0 on success; otherwise h->error holds "path:line: message". */
int host_load_model(Host *h, const char *path);
/* The same for sweep combination `index` (0-based) of a file declaring sweep{...}. */
int host_load_model_combo(Host *h, const char *path, int index);
/* Number of sweep combinations of the loaded file (1 without sweep{...}). */
int host_sweep_size(Host *h);
/* Directory name of the loaded combination: its method, then -<axis><value> per other axis. */
void host_combo_name(Host *h, char *buf, size_t size);
/* Runs Lua code with the DSL loaded (tests, `ebmforge` snippets). Same error convention. */
int host_run_string(Host *h, const char *code, const char *chunkname);
/* Runs a Lua file that need not declare a model (study files). Same error convention. */
int host_run_file(Host *h, const char *path);
/* Node id of the Tensor in global `name`, or -1. */
int host_global_tensor(Host *h, const char *name);
/* A string or number field of the resolved model table `model` (for run defaults), or NULL. */
const char *host_model_string(Host *h, const char *key);
double host_model_number(Host *h, const char *key, double dflt);
/* The resolved model table as JSON (malloc'd), or NULL. */
char *host_config_json(Host *h);

#endif
