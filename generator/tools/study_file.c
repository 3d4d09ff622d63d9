/* Runs a study file in the model files' Lua state (host_new: the same DSL
 * globals, the same sandbox and path:line messages) with study{} defined by
 * generator/lua/study.lua, then copies the resolved __study table into C. */
#define _POSIX_C_SOURCE 200809L
#include "study_file.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

static char *field_str(lua_State *L, int t, const char *k) {
  lua_getfield(L, t, k);
  char *s = lua_type(L, -1) == LUA_TSTRING ? strdup(lua_tostring(L, -1)) : NULL;
  lua_pop(L, 1);
  return s;
}

static long field_long(lua_State *L, int t, const char *k) {
  lua_getfield(L, t, k);
  long v = (long)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* list field k of table t: pushes it, returns its length */
static int push_list(lua_State *L, int t, const char *k) {
  lua_getfield(L, t, k);
  return lua_istable(L, -1) ? (int)luaL_len(L, -1) : 0;
}

static long *longs(lua_State *L, int t, const char *k, int *n) {
  *n = push_list(L, t, k);
  long *v = calloc(*n + 1, sizeof *v);
  for (int i = 0; i < *n; i++) {
    lua_geti(L, -1, i + 1);
    v[i] = (long)lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return v;
}

static void read_model(lua_State *L, int t, StudyModel *m) {
  m->file = field_str(L, t, "file");
  m->combo = field_str(L, t, "combo");
  m->label = field_str(L, t, "label");
  m->budgets = longs(L, t, "budgets", &m->n_budgets);
  m->n_params = push_list(L, t, "params");
  m->params = calloc(m->n_params + 1, sizeof *m->params);
  for (int i = 0; i < m->n_params; i++) {
    lua_geti(L, -1, i + 1);
    int p = lua_gettop(L);
    StudyParam *sp = &m->params[i];
    sp->name = field_str(L, p, "name");
    sp->n = push_list(L, p, "values");
    sp->values = calloc(sp->n, sizeof(char *));
    for (int k = 0; k < sp->n; k++) {
      lua_geti(L, -1, k + 1);
      sp->values[k] = strdup(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

int study_load(const char *path, Study *s) {
  memset(s, 0, sizeof *s);
  Host *h = host_new();
  lua_State *L = h->L;
  if (host_run_string(h, "study = require('study').declare", "=study") || host_run_file(h, path)) {
    fprintf(stderr, "%s%s\n", strncmp(h->error, "cannot open", 11) ? "" : "ebmforge: ", h->error);
    host_free(h);
    return 2;
  }
  lua_getglobal(L, "__study");
  if (!lua_istable(L, -1)) {
    fprintf(stderr, "%s:1: the file declares no study (call study{ ... })\n", path);
    host_free(h);
    return 2;
  }
  int t = lua_gettop(L);
  s->path = strdup(path);
  s->name = field_str(L, t, "name");
  if (!s->name) { /* the file's base name */
    const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    s->name = strndup(b, strcspn(b, "."));
  }
  s->samples = field_long(L, t, "samples");
  s->ckpt_every = field_long(L, t, "ckpt_every");
  s->log_every = field_long(L, t, "log_every");
  s->seeds = longs(L, t, "seeds", &s->n_seeds);
  s->n_models = push_list(L, t, "models");
  s->models = calloc(s->n_models, sizeof *s->models);
  for (int i = 0; i < s->n_models; i++) {
    lua_geti(L, -1, i + 1);
    read_model(L, lua_gettop(L), &s->models[i]);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  s->n_data = push_list(L, t, "data");
  s->data = calloc(s->n_data, sizeof *s->data);
  for (int i = 0; i < s->n_data; i++) {
    lua_geti(L, -1, i + 1);
    int d = lua_gettop(L);
    s->data[i].spec = field_str(L, d, "spec");
    s->data[i].name = field_str(L, d, "name");
    lua_getfield(L, d, "file");
    s->data[i].file = lua_toboolean(L, -1);
    lua_pop(L, 2);
  }
  host_free(h);
  return 0;
}

char *study_path(const Study *s, const char *rel) {
  const char *slash = strrchr(s->path, '/');
  if (rel[0] == '/' || !slash) return strdup(rel);
  char *p = malloc((size_t)(slash - s->path) + strlen(rel) + 2);
  sprintf(p, "%.*s/%s", (int)(slash - s->path), s->path, rel);
  return p;
}

void study_free(Study *s) {
  for (int i = 0; i < s->n_models; i++) {
    StudyModel *m = &s->models[i];
    free(m->file);
    free(m->combo);
    free(m->label);
    free(m->budgets);
    for (int p = 0; p < m->n_params; p++) {
      for (int k = 0; k < m->params[p].n; k++) free(m->params[p].values[k]);
      free(m->params[p].name);
      free(m->params[p].values);
    }
    free(m->params);
  }
  for (int i = 0; i < s->n_data; i++) {
    free(s->data[i].spec);
    free(s->data[i].name);
  }
  free(s->models);
  free(s->data);
  free(s->seeds);
  free(s->path);
  free(s->name);
  memset(s, 0, sizeof *s);
}
