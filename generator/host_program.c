/* The `ebm` bindings that build the step program (program.h): optimisers,
 * phases with their gradients, loops, entries, and the notes and locations
 * that point at the model file. */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autodiff.h"
#include "host_priv.h"
#include "sandbox.h"

/* the innermost model-file frame (see host.c) */
#define user_frame sandbox_user_frame

static int l_optimizer(lua_State *L) {
  /* the ranges are opts.lua's (adam{...}); here only what would break the generated C */
  const char *name = check_name(L, luaL_checkstring(L, 1), "optimiser");
  double lr = finite_arg(L, 2, "lr"), b1 = finite_arg(L, 3, "beta1"), b2 = finite_arg(L, 4, "beta2");
  double eps = finite_arg(L, 5, "eps");
  double lr_min = lua_isnoneornil(L, 6) ? lr : finite_arg(L, 6, "the final learning rate");
  long horizon = opt_int_arg(L, 7, 0, 0, 1000000000, "the schedule's length");
  int o = program_add_optimizer(H->prog, name, lr, b1, b2, eps, lr_min, horizon);
  /* the hyper-parameters holding lr, beta1, beta2, eps, lr_min (-1 or absent: fixed) */
  int *hp[5] = {&H->prog->opts[o].hp_lr, &H->prog->opts[o].hp_beta1, &H->prog->opts[o].hp_beta2,
                &H->prog->opts[o].hp_eps, &H->prog->opts[o].hp_lr_min};
  for (int k = 0; k < 5; k++) {
    *hp[k] = (int)luaL_optinteger(L, 8 + k, -1);
    if (*hp[k] < -1 || *hp[k] >= H->g->n_hparams) return fail(L, "_optimizer: no hyper-parameter %d", *hp[k]);
  }
  lua_pushinteger(L, o);
  return 1;
}

static int var_of(lua_State *L, int id) {
  const Node *n = &H->g->nodes[id];
  if (n->op != OP_VAR) fail(L, "expected a variable (param, buffer or state), got a computed tensor");
  return n->var;
}

/* _phase{name=, assigns={{var,value},...}, logs={{name,t},...}, loss=, params={...}, opt=} */
static int l_phase(lua_State *L) {
  const char *src;
  int line = user_frame(L, &src);
  H->g->cur_line = line;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_getfield(L, 1, "name");
  Item *it = program_add_phase(H->prog, check_name(L, luaL_optstring(L, -1, "phase"), "phase"), line);
  lua_pop(L, 1);
  lua_getfield(L, 1, "assigns");
  if (lua_istable(L, -1)) {
    int n = (int)luaL_len(L, -1);
    it->assigns = malloc((n ? n : 1) * sizeof(Assign));
    for (int i = 0; i < n; i++) {
      lua_geti(L, -1, i + 1);
      lua_geti(L, -1, 1);
      int var = var_of(L, tensor_at(L, -1));
      lua_geti(L, -2, 2);
      int val = tensor_at(L, -1);
      lua_pop(L, 3);
      if (!shape_eq(H->g->vars[var].shape, node_shape(val))) {
        char s1[64], s2[64];
        return fail(L, "assigning %s to variable '%s' of shape %s", sstr(node_shape(val), s1), H->g->vars[var].name,
                    sstr(H->g->vars[var].shape, s2));
      }
      it->assigns[it->n_assigns++] = (Assign){var, val};
    }
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "logs");
  if (lua_istable(L, -1)) {
    int n = (int)luaL_len(L, -1);
    it->logs = malloc((n ? n : 1) * sizeof(LogTap));
    for (int i = 0; i < n; i++) {
      lua_geti(L, -1, i + 1);
      lua_geti(L, -1, 1);
      const char *name = check_name(L, luaL_checkstring(L, -1), "log");
      lua_geti(L, -2, 2);
      int t = tensor_at(L, -1);
      if (shape_numel(node_shape(t)) != 1) return fail(L, "log '%s' must be a scalar", name);
      it->logs[it->n_logs++] = (LogTap){strdup(name), t};
      lua_pop(L, 3);
    }
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "loss");
  if (!lua_isnil(L, -1)) {
    int loss = tensor_at(L, -1);
    if (shape_numel(node_shape(loss)) != 1) return fail(L, "a loss must be a scalar");
    lua_getfield(L, 1, "opt");
    it->opt = (int)luaL_checkinteger(L, -1);
    lua_getfield(L, 1, "params");
    luaL_checktype(L, -1, LUA_TTABLE);
    int pt = lua_gettop(L);
    lua_Integer len = luaL_len(L, pt);
    if (len > 1000000) return fail(L, "a phase minimises over at most 1000000 parameters, got %I", len);
    int n = (int)len;
    int *nodes = scratch(L, n * sizeof(int));
    it->params = malloc((n ? n : 1) * sizeof(int));
    it->grads = malloc((n ? n : 1) * sizeof(int));
    for (int i = 0; i < n; i++) {
      lua_geti(L, pt, i + 1);
      nodes[i] = tensor_at(L, -1);
      it->params[i] = var_of(L, nodes[i]);
      if (H->g->vars[it->params[i]].kind != VAR_PARAM)
        return fail(L, "'%s' is not a parameter", H->g->vars[it->params[i]].name);
      lua_pop(L, 1);
    }
    int one = ir_scalar_like(H->g, loss, 1.0);
    sandbox_charge(L, 100 + (long long)H->g->n_nodes); /* autodiff walks the graph */
    ad_vjp(H->g, 1, &loss, &one, n, nodes, it->grads);
    for (int i = 0; i < n; i++) it->grads[i] = ad_materialize(H->g, it->grads[i], nodes[i]);
    it->n_params = n;
    lua_pop(L, 3);
  }
  lua_pop(L, 1);
  return 0;
}

/* _loop_begin(n[, hp]): hp, a whole-number hyper-parameter in [1, n], gives the run's trip count */
static int l_loop_begin(lua_State *L) {
  const char *src;
  int n = int_arg(L, 1, 1, 1000000000, "a loop's trip count");
  int hp = lua_isnoneornil(L, 2) ? -1 : int_arg(L, 2, 0, H->g->n_hparams - 1, "a loop's count parameter");
  if (hp >= 0) {
    const HParam *h = &H->g->hparams[hp];
    if (!h->whole || h->lo < 1 || h->hi > n)
      return fail(L, "loop: '%s' is not a whole-number count in [1, %d]", h->name, n);
  }
  program_loop_begin(H->prog, n, hp, user_frame(L, &src));
  return 0;
}
static int l_loop_end(lua_State *L) {
  program_loop_end(H->prog);
  return 0;
}

/* _entry(name, input_var_or_nil, output_var_or_nil) */
static int l_entry(lua_State *L) {
  const char *name = check_name(L, luaL_checkstring(L, 1), "entry");
  int in = lua_isnoneornil(L, 2) ? -1 : var_of(L, tensor_at(L, 2));
  int out = lua_isnoneornil(L, 3) ? -1 : var_of(L, tensor_at(L, 3));
  if (H->prog->cur_entry != 0) return fail(L, "entries cannot be nested");
  if (program_find_entry(H->prog, name) >= 0) return fail(L, "entry '%s' is declared twice", name);
  program_entry(H->prog, name, in, out);
  return 0;
}
static int l_entry_end(lua_State *L) {
  program_entry_end(H->prog);
  return 0;
}

static int l_has_entry(lua_State *L) {
  lua_pushboolean(L, program_find_entry(H->prog, luaL_checkstring(L, 1)) >= 0);
  return 1;
}

/* _note(msg): a line on stderr prefixed "ebmforge: note: path:line: " (not an error) */
static int l_note(lua_State *L) {
  const char *src;
  int line = user_frame(L, &src);
  if (src)
    fprintf(stderr, "ebmforge: note: %s:%d: %s\n", src, line, luaL_checkstring(L, 1));
  else
    fprintf(stderr, "ebmforge: note: %s\n", luaL_checkstring(L, 1));
  return 0;
}

/* _where() -> "path:line" of the innermost model-file frame, or nil */
static int l_where(lua_State *L) {
  const char *src;
  int line = user_frame(L, &src);
  if (!src) return 0;
  lua_pushfstring(L, "%s:%d", src, line);
  return 1;
}

const luaL_Reg host_program_funcs[] = {{"_optimizer", l_optimizer},
                                       {"_phase", l_phase},
                                       {"_loop_begin", l_loop_begin},
                                       {"_loop_end", l_loop_end},
                                       {"_entry", l_entry},
                                       {"_entry_end", l_entry_end},
                                       {"_where", l_where},
                                       {"_has_entry", l_has_entry},
                                       {"_note", l_note},
                                       {NULL, NULL}};
