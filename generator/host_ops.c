/* Lua front end bindings: shape and reduction ops, products, convolutions
 * and autodiff (the rest of the `ebm` module is host.c's). */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <string.h>

#include "autodiff.h"
#include "host_priv.h"
#include "sandbox.h"

/* axes argument: nil = all, integer or list; 1-based, negative counts from the end */
static int read_axes(lua_State *L, int idx, int rank) {
  if (lua_isnoneornil(L, idx)) return (1 << rank) - 1;
  lua_Integer n = lua_istable(L, idx) ? luaL_len(L, idx) : 1;
  int mask = 0;
  for (lua_Integer i = 0; i < n; i++) {
    lua_Integer a;
    if (lua_istable(L, idx)) {
      lua_geti(L, idx, i + 1);
      a = luaL_checkinteger(L, -1);
      lua_pop(L, 1);
    } else
      a = luaL_checkinteger(L, idx);
    if (a < 0) a += rank + 1;
    if (a < 1 || a > rank) fail(L, "axis %I out of range for a tensor of rank %d", a, rank);
    mask |= 1 << (a - 1);
  }
  return mask;
}

/* exactly one axis (slice, concat): its 0-based index */
static int read_one_axis(lua_State *L, int idx, int rank, const char *what) {
  if (lua_isnoneornil(L, idx)) fail(L, "%s needs an axis", what);
  int mask = read_axes(L, idx, rank);
  if (mask == 0 || (mask & (mask - 1))) fail(L, "%s takes exactly one axis", what);
  int ax = 0;
  while (!(mask & (1 << ax))) ax++;
  return ax;
}

/* reduce, then drop the reduced axes unless keepdims */
static int reduce(lua_State *L, OpCode op, int mean) {
  stamp_line(L);
  int x = tensor_at(L, 1);
  Shape s = node_shape(x);
  int axes = read_axes(L, 2, s.rank), keep = lua_toboolean(L, 3);
  int r = ir_reduce(H->g, op, x, axes), count = 1;
  for (int i = 0; i < s.rank; i++)
    if (axes & (1 << i)) count *= s.d[i];
  if (mean) r = ir_binary(H->g, OP_DIV, r, ir_scalar_like(H->g, r, count));
  if (!keep) {
    Shape o = {0, {1, 1, 1, 1}};
    for (int i = 0; i < s.rank; i++)
      if (!(axes & (1 << i))) o.d[o.rank++] = s.d[i];
    r = ir_reshape(H->g, r, o);
  }
  push_tensor(L, r);
  return 1;
}
static int l_sum(lua_State *L) { return reduce(L, OP_SUM, 0); }
static int l_mean(lua_State *L) { return reduce(L, OP_SUM, 1); }
static int l_max(lua_State *L) { return reduce(L, OP_MAX, 0); }

static int l_reshape(lua_State *L) {
  stamp_line(L);
  push_tensor(L, ir_reshape(H->g, tensor_at(L, 1), read_shape(L, 2)));
  return 1;
}

static int l_broadcast(lua_State *L) {
  stamp_line(L);
  push_tensor(L, ir_bcast_to(H->g, tensor_at(L, 1), read_shape(L, 2)));
  return 1;
}

int l_transpose(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1), perm[IR_MAX_RANK];
  Shape s = node_shape(x);
  if (lua_isnoneornil(L, 2)) {
    if (s.rank != 2) return fail(L, "transpose without a permutation needs a 2-D tensor, got rank %d", s.rank);
    perm[0] = 1;
    perm[1] = 0;
  } else {
    luaL_checktype(L, 2, LUA_TTABLE);
    if ((int)luaL_len(L, 2) != s.rank)
      return fail(L, "transpose: permutation has %d entries for rank %d", (int)luaL_len(L, 2), s.rank);
    for (int i = 0; i < s.rank; i++) {
      lua_geti(L, 2, i + 1);
      perm[i] = int_arg(L, -1, 1, s.rank, "transpose: a permutation entry") - 1;
      lua_pop(L, 1);
    }
  }
  push_tensor(L, ir_transpose(H->g, x, perm));
  return 1;
}

/* slice(x, axis, start, len): 1-based start along one axis */
static int l_slice(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1);
  Shape s = node_shape(x), o = s;
  int ax = read_one_axis(L, 2, s.rank, "slice");
  int start[IR_MAX_RANK] = {0};
  start[ax] = int_arg(L, 3, 1, s.d[ax], "slice: the start") - 1;
  o.d[ax] = int_arg(L, 4, 1, s.d[ax] - start[ax], "slice: the length");
  push_tensor(L, ir_slice(H->g, x, start, o));
  return 1;
}

static int l_concat(lua_State *L) {
  stamp_line(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer len = luaL_len(L, 1);
  if (len < 1 || len > 1000000) return fail(L, "concat takes 1 to 1000000 tensors, got %I", len);
  int n = (int)len, *ins = scratch(L, n * sizeof(int));
  for (int i = 0; i < n; i++) {
    lua_geti(L, 1, i + 1);
    ins[i] = tensor_at(L, -1);
    lua_pop(L, 1);
  }
  int ax = read_one_axis(L, 2, node_shape(ins[0]).rank, "concat");
  push_tensor(L, ir_concat(H->g, n, ins, ax));
  return 1;
}

static int l_matmul(lua_State *L) {
  stamp_line(L);
  push_tensor(L, ir_matmul(H->g, tensor_at(L, 1), tensor_at(L, 2), lua_toboolean(L, 3), lua_toboolean(L, 4)));
  return 1;
}

/* conv2d(x, w, stride, padding): x [N,C,H,W], w [O,C,KH,KW] (PyTorch layouts) */
static int l_conv2d(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1), w = tensor_at(L, 2);
  int S = opt_int_arg(L, 3, 1, 1, 4096, "conv2d: the stride"), P = opt_int_arg(L, 4, 0, 0, 4096, "conv2d: the padding");
  push_tensor(L, ir_conv(H->g, x, w, S, P));
  return 1;
}

/* conv_transpose2d(x, w, stride, padding, output_padding): x [N,Cin,H,W], w [Cin,Cout,KH,KW];
 * output size (H-1) stride - 2 padding + KH + output_padding, as PyTorch's */
static int l_conv_transpose2d(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1), w = tensor_at(L, 2);
  int S = opt_int_arg(L, 3, 1, 1, 4096, "conv_transpose2d: the stride");
  int P = opt_int_arg(L, 4, 0, 0, 4096, "conv_transpose2d: the padding");
  int OP = opt_int_arg(L, 5, 0, 0, 4095, "conv_transpose2d: output_padding");
  Shape sx = node_shape(x), sw = node_shape(w);
  if (sx.rank != 4 || sw.rank != 4) ir_fail("conv_transpose2d needs 4-D operands (NCHW)");
  if (OP >= S) ir_fail("conv_transpose2d: output_padding %d must be in [0, stride %d)", OP, S);
  int64_t Ho = (int64_t)(sx.d[2] - 1) * S - 2 * P + sw.d[2] + OP,
          Wo = (int64_t)(sx.d[3] - 1) * S - 2 * P + sw.d[3] + OP;
  if (Ho < 1 || Wo < 1 || Ho > IR_MAX_NUMEL || Wo > IR_MAX_NUMEL)
    ir_fail("conv_transpose2d: the output would be %lldx%lld", (long long)Ho, (long long)Wo);
  push_tensor(L, ir_conv_tx(H->g, x, w, S, P, (int)Ho, (int)Wo));
  return 1;
}

/* ---------- autodiff ---------- */

/* Reads a tensor or a list of tensors; returns count, fills *ids (scratch). */
static int tensor_list(lua_State *L, int idx, int **ids, int *was_list) {
  *was_list = !is_tensor(L, idx) && lua_istable(L, idx);
  if (!*was_list) {
    *ids = scratch(L, sizeof(int));
    (*ids)[0] = tensor_at(L, idx);
    return 1;
  }
  lua_Integer len = luaL_len(L, idx);
  if (len > 1000000) fail(L, "a list of %I tensors", len);
  int n = (int)len;
  *ids = scratch(L, n * sizeof(int));
  for (int i = 0; i < n; i++) {
    lua_geti(L, idx, i + 1);
    (*ids)[i] = tensor_at(L, -1);
    lua_pop(L, 1);
  }
  return n;
}

static int push_results(lua_State *L, int n, const int *r, const int *like, int as_list) {
  if (!as_list) {
    push_tensor(L, ad_materialize(H->g, r[0], like[0]));
    return 1;
  }
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    push_tensor(L, ad_materialize(H->g, r[i], like[i]));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* grad(y, xs): gradient of a one-element y w.r.t. a tensor or a list */
static int l_grad(lua_State *L) {
  stamp_line(L);
  int y = tensor_at(L, 1), *xs, list;
  if (shape_numel(node_shape(y)) != 1) {
    char s[64];
    return fail(L, "grad needs a scalar output, got shape %s (use vjp)", sstr(node_shape(y), s));
  }
  int n = tensor_list(L, 2, &xs, &list);
  int one = ir_scalar_like(H->g, y, 1.0), *r = scratch(L, n * sizeof(int));
  sandbox_charge(L, 100 + (long long)H->g->n_nodes); /* autodiff walks the graph */
  ad_vjp(H->g, 1, &y, &one, n, xs, r);
  return push_results(L, n, r, xs, list);
}

/* vjp(outs, wrt, cts) */
static int l_vjp(lua_State *L) {
  stamp_line(L);
  int *outs, *wrt, *cts, l1, l2, l3;
  int no = tensor_list(L, 1, &outs, &l1), nw = tensor_list(L, 2, &wrt, &l2), nc = tensor_list(L, 3, &cts, &l3);
  if (nc != no) return fail(L, "vjp: %d outputs but %d cotangents", no, nc);
  int *r = scratch(L, nw * sizeof(int));
  sandbox_charge(L, 100 + (long long)H->g->n_nodes); /* autodiff walks the graph */
  ad_vjp(H->g, no, outs, cts, nw, wrt, r);
  return push_results(L, nw, r, wrt, l2);
}

/* jvp(ins, tans, outs) */
static int l_jvp(lua_State *L) {
  stamp_line(L);
  int *ins, *tans, *outs, l1, l2, l3;
  int ni = tensor_list(L, 1, &ins, &l1), nt = tensor_list(L, 2, &tans, &l2), no = tensor_list(L, 3, &outs, &l3);
  if (nt != ni) return fail(L, "jvp: %d inputs but %d tangents", ni, nt);
  int *r = scratch(L, no * sizeof(int));
  sandbox_charge(L, 100 + (long long)H->g->n_nodes); /* autodiff walks the graph */
  ad_jvp(H->g, ni, ins, tans, no, outs, r);
  return push_results(L, no, r, outs, l3);
}

const luaL_Reg host_ops_funcs[] = {{"sum", l_sum},
                                   {"mean", l_mean},
                                   {"max", l_max},
                                   {"reshape", l_reshape},
                                   {"broadcast", l_broadcast},
                                   {"transpose", l_transpose},
                                   {"slice", l_slice},
                                   {"concat", l_concat},
                                   {"matmul", l_matmul},
                                   {"conv2d", l_conv2d},
                                   {"conv_transpose2d", l_conv_transpose2d},
                                   {"grad", l_grad},
                                   {"vjp", l_vjp},
                                   {"jvp", l_jvp},
                                   {NULL, NULL}};
