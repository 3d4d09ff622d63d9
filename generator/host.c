/* The Lua front end: tensor userdata with operator overloading, the `ebm`
 * module of primitive bindings, embedded DSL libraries, and error reporting
 * that always points at the model file's line. */
#include "host.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "autodiff.h"
#include "toy_data.h"

#define TENSOR_MT "ebm.Tensor"

typedef struct { int id; } LTensor;

extern const struct embedded_lua { const char *name; const char *src; size_t len; } embedded_lua[];

static Host *H;   /* the host whose Lua state is running (one model per process) */

/* ---------- error reporting ---------- */

/* Innermost frame that runs a user file (chunk names "@path"; the embedded
 * library uses "=name"), so messages point at the model, not at the DSL. */
static int user_frame(lua_State *L, const char **src) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.source[0] == '@' && ar.currentline > 0) { *src = ar.source + 1; return ar.currentline; }
  }
  *src = NULL;
  return 0;
}

static void stamp_line(lua_State *L) {
  const char *src;
  H->g->cur_line = user_frame(L, &src);
}

/* Message handler: prefix "path:line: " of the model file unless present. */
static int msgh(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = luaL_tolstring(L, 1, NULL);
  const char *src;
  int line = user_frame(L, &src);
  size_t n = src ? strlen(src) : 0;
  if (src && !(strncmp(msg, src, n) == 0 && msg[n] == ':'))
    lua_pushfstring(L, "%s:%d: %s", src, line, msg);
  else
    lua_pushstring(L, msg);
  return 1;
}

static void ir_error_to_lua(void *ctx, const char *msg) {
  lua_State *L = ctx;
  lua_pushstring(L, msg);
  lua_error(L);
}

static int fail(lua_State *L, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  return lua_error(L);
}

/* ---------- tensors ---------- */

static void push_tensor(lua_State *L, int id) {
  LTensor *t = lua_newuserdatauv(L, sizeof(LTensor), 0);
  t->id = id;
  luaL_setmetatable(L, TENSOR_MT);
}

static int is_tensor(lua_State *L, int idx) { return luaL_testudata(L, idx, TENSOR_MT) != NULL; }

static int tensor_at(lua_State *L, int idx) {
  LTensor *t = luaL_testudata(L, idx, TENSOR_MT);
  if (!t) fail(L, "expected a tensor at argument %d, got %s", idx, luaL_typename(L, idx));
  return t->id;
}

static Shape node_shape(int id) { return H->g->nodes[id].shape; }

static Shape read_shape(lua_State *L, int idx) {
  int d[IR_MAX_RANK], rank;
  if (lua_isinteger(L, idx)) { d[0] = (int)lua_tointeger(L, idx); return shape_make(1, d); }
  luaL_checktype(L, idx, LUA_TTABLE);
  rank = (int)luaL_len(L, idx);
  if (rank > IR_MAX_RANK) fail(L, "shapes have at most %d axes, got %d", IR_MAX_RANK, rank);
  for (int i = 0; i < rank; i++) {
    lua_geti(L, idx, i + 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) <= 0) fail(L, "shape entries must be positive integers");
    d[i] = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  return shape_make(rank, d);
}

static void push_shape(lua_State *L, Shape s) {
  lua_createtable(L, s.rank, 0);
  for (int i = 0; i < s.rank; i++) { lua_pushinteger(L, s.d[i]); lua_rawseti(L, -2, i + 1); }
}

static const char *sstr(Shape s, char *buf) { shape_str(s, buf, 64); return buf; }

/* numpy broadcasting of two shapes */
static Shape bshape(lua_State *L, Shape a, Shape b, const char *what) {
  Shape r = {a.rank > b.rank ? a.rank : b.rank, {1, 1, 1, 1}};
  for (int i = 0; i < r.rank; i++) {
    int da = i - (r.rank - a.rank) >= 0 ? a.d[i - (r.rank - a.rank)] : 1;
    int db = i - (r.rank - b.rank) >= 0 ? b.d[i - (r.rank - b.rank)] : 1;
    if (da != db && da != 1 && db != 1) {
      char s1[64], s2[64];
      fail(L, "%s: shapes %s and %s cannot be broadcast together", what, sstr(a, s1), sstr(b, s2));
    }
    r.d[i] = da > db ? da : db;
  }
  return r;
}

/* Operand idx as a node of shape s (numbers become constants). */
static int operand(lua_State *L, int idx, Shape s) {
  if (lua_isnumber(L, idx) && !is_tensor(L, idx)) return ir_const(H->g, s, lua_tonumber(L, idx));
  return ir_bcast_to(H->g, tensor_at(L, idx), s);
}

static Shape operand_shape(lua_State *L, int idx) {
  if (lua_isnumber(L, idx) && !is_tensor(L, idx)) return shape_make(0, NULL);
  return node_shape(tensor_at(L, idx));
}

/* how users write each binary op, for messages */
static const char *op_symbol(OpCode op) {
  switch (op) {
    case OP_ADD: return "+"; case OP_SUB: return "-"; case OP_MUL: return "*"; case OP_DIV: return "/";
    case OP_GT: return "ebm.gt"; case OP_GE: return "ebm.ge"; case OP_EQ: return "ebm.eq";
    default: return op_name(op);
  }
}

static int binop(lua_State *L, OpCode op, int swap) {
  stamp_line(L);
  int ia = swap ? 2 : 1, ib = swap ? 1 : 2;
  Shape s = bshape(L, operand_shape(L, ia), operand_shape(L, ib), op_symbol(op));
  int a = operand(L, ia, s), b = operand(L, ib, s);
  push_tensor(L, ir_binary(H->g, op, a, b));
  return 1;
}

static int l_add(lua_State *L) { return binop(L, OP_ADD, 0); }
static int l_sub(lua_State *L) { return binop(L, OP_SUB, 0); }
static int l_mul(lua_State *L) { return binop(L, OP_MUL, 0); }
static int l_div(lua_State *L) { return binop(L, OP_DIV, 0); }
static int l_gt(lua_State *L) { return binop(L, OP_GT, 0); }
static int l_ge(lua_State *L) { return binop(L, OP_GE, 0); }
static int l_lt(lua_State *L) { return binop(L, OP_GT, 1); }
static int l_le(lua_State *L) { return binop(L, OP_GE, 1); }
static int l_eq(lua_State *L) { return binop(L, OP_EQ, 0); }

static int unop(lua_State *L, OpCode op) {
  stamp_line(L);
  push_tensor(L, ir_unary(H->g, op, tensor_at(L, 1)));
  return 1;
}
#define UNARY(lname, OP) static int l_##lname(lua_State *L) { return unop(L, OP); }
UNARY(neg, OP_NEG) UNARY(exp, OP_EXP) UNARY(log, OP_LOG) UNARY(log1p, OP_LOG1P) UNARY(sin, OP_SIN) UNARY(cos, OP_COS)
UNARY(tanh, OP_TANH) UNARY(sigmoid, OP_SIGMOID) UNARY(sqrt, OP_SQRT) UNARY(abs, OP_ABS)
UNARY(sign, OP_SIGN) UNARY(stop_gradient, OP_STOP_GRAD)

static int l_pow(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1);
  if (!lua_isnumber(L, 2)) return fail(L, "x^p needs a number exponent");
  double p = lua_tonumber(L, 2);
  int r;
  if (p == floor(p) && p >= 1 && p <= 16) {  /* exact for small integer powers */
    r = x;
    for (int k = 1; k < (int)p; k++) r = ir_binary(H->g, OP_MUL, r, x);
  } else {
    r = ir_unary(H->g, OP_EXP, ir_binary(H->g, OP_MUL, ir_scalar_like(H->g, x, p), ir_unary(H->g, OP_LOG, x)));
  }
  push_tensor(L, r);
  return 1;
}

static int l_select(lua_State *L) {
  stamp_line(L);
  Shape s = bshape(L, bshape(L, operand_shape(L, 1), operand_shape(L, 2), "select"), operand_shape(L, 3), "select");
  int c = operand(L, 1, s), a = operand(L, 2, s), b = operand(L, 3, s);
  push_tensor(L, ir_select(H->g, c, a, b));
  return 1;
}

/* axes argument: nil = all, integer or list; 1-based, negative counts from the end */
static int read_axes(lua_State *L, int idx, int rank) {
  if (lua_isnoneornil(L, idx)) return (1 << rank) - 1;
  int mask = 0, n = lua_istable(L, idx) ? (int)luaL_len(L, idx) : 1;
  for (int i = 0; i < n; i++) {
    int a;
    if (lua_istable(L, idx)) { lua_geti(L, idx, i + 1); a = (int)luaL_checkinteger(L, -1); lua_pop(L, 1); }
    else a = (int)luaL_checkinteger(L, idx);
    if (a < 0) a += rank + 1;
    if (a < 1 || a > rank) fail(L, "axis %d out of range for a tensor of rank %d", a, rank);
    mask |= 1 << (a - 1);
  }
  return mask;
}

/* reduce, then drop the reduced axes unless keepdims */
static int reduce(lua_State *L, OpCode op, int mean) {
  stamp_line(L);
  int x = tensor_at(L, 1);
  Shape s = node_shape(x);
  int axes = read_axes(L, 2, s.rank), keep = lua_toboolean(L, 3);
  int r = ir_reduce(H->g, op, x, axes), count = 1;
  for (int i = 0; i < s.rank; i++) if (axes & (1 << i)) count *= s.d[i];
  if (mean) r = ir_binary(H->g, OP_DIV, r, ir_scalar_like(H->g, r, count));
  if (!keep) {
    Shape o = {0, {1, 1, 1, 1}};
    for (int i = 0; i < s.rank; i++) if (!(axes & (1 << i))) o.d[o.rank++] = s.d[i];
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

static int l_transpose(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1), perm[IR_MAX_RANK];
  Shape s = node_shape(x);
  if (lua_isnoneornil(L, 2)) {
    if (s.rank != 2) return fail(L, "transpose without a permutation needs a 2-D tensor, got rank %d", s.rank);
    perm[0] = 1; perm[1] = 0;
  } else {
    luaL_checktype(L, 2, LUA_TTABLE);
    if ((int)luaL_len(L, 2) != s.rank) return fail(L, "transpose: permutation has %d entries for rank %d", (int)luaL_len(L, 2), s.rank);
    for (int i = 0; i < s.rank; i++) { lua_geti(L, 2, i + 1); perm[i] = (int)luaL_checkinteger(L, -1) - 1; lua_pop(L, 1); }
  }
  push_tensor(L, ir_transpose(H->g, x, perm));
  return 1;
}

/* slice(x, axis, start, len): 1-based start along one axis */
static int l_slice(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1);
  Shape s = node_shape(x), o = s;
  int axis = read_axes(L, 2, s.rank), ax = 0;
  while (!(axis & (1 << ax))) ax++;
  int start[IR_MAX_RANK] = {0};
  start[ax] = (int)luaL_checkinteger(L, 3) - 1;
  o.d[ax] = (int)luaL_checkinteger(L, 4);
  if (o.d[ax] <= 0) return fail(L, "slice: length must be positive");
  push_tensor(L, ir_slice(H->g, x, start, o));
  return 1;
}

static int l_concat(lua_State *L) {
  stamp_line(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  int n = (int)luaL_len(L, 1);
  if (n < 1) return fail(L, "concat needs at least one tensor");
  int *ins = malloc(n * sizeof(int));
  for (int i = 0; i < n; i++) { lua_geti(L, 1, i + 1); ins[i] = tensor_at(L, -1); lua_pop(L, 1); }
  int axis = read_axes(L, 2, node_shape(ins[0]).rank), ax = 0;
  while (!(axis & (1 << ax))) ax++;
  int r = ir_concat(H->g, n, ins, ax);
  free(ins);
  push_tensor(L, r);
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
  push_tensor(L, ir_conv(H->g, tensor_at(L, 1), tensor_at(L, 2), (int)luaL_optinteger(L, 3, 1), (int)luaL_optinteger(L, 4, 0)));
  return 1;
}

/* conv_transpose2d(x, w, stride, padding, output_padding): x [N,Cin,H,W], w [Cin,Cout,KH,KW];
 * output size (H-1) stride - 2 padding + KH + output_padding, as PyTorch's */
static int l_conv_transpose2d(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1), w = tensor_at(L, 2);
  int S = (int)luaL_optinteger(L, 3, 1), P = (int)luaL_optinteger(L, 4, 0), OP = (int)luaL_optinteger(L, 5, 0);
  Shape sx = node_shape(x), sw = node_shape(w);
  if (sx.rank != 4 || sw.rank != 4) ir_fail("conv_transpose2d needs 4-D operands (NCHW)");
  if (OP < 0 || OP >= S) ir_fail("conv_transpose2d: output_padding %d must be in [0, stride %d)", OP, S);
  int Ho = (sx.d[2] - 1) * S - 2 * P + sw.d[2] + OP, Wo = (sx.d[3] - 1) * S - 2 * P + sw.d[3] + OP;
  if (Ho < 1 || Wo < 1) ir_fail("conv_transpose2d: the output would be %dx%d", Ho, Wo);
  push_tensor(L, ir_conv_tx(H->g, x, w, S, P, Ho, Wo));
  return 1;
}

/* ---------- leaves ---------- */

static int l_const(lua_State *L) {
  stamp_line(L);
  if (lua_istable(L, 1)) {
    int n = (int)luaL_len(L, 1);
    Shape s = lua_isnoneornil(L, 2) ? shape_make(1, &n) : read_shape(L, 2);
    if (shape_numel(s) != n) return fail(L, "const: %d values for %d elements", n, shape_numel(s));
    double *v = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) { lua_geti(L, 1, i + 1); v[i] = luaL_checknumber(L, -1); lua_pop(L, 1); }
    push_tensor(L, ir_const_data(H->g, s, v));
    free(v);
    return 1;
  }
  double v = luaL_checknumber(L, 1);
  push_tensor(L, ir_const(H->g, lua_isnoneornil(L, 2) ? shape_make(0, NULL) : read_shape(L, 2), v));
  return 1;
}

/* init: number (fill), {"uniform", lo, hi} or {"normal", mean, std} */
static int make_var(lua_State *L, VarKind kind) {
  stamp_line(L);
  const char *name = luaL_checkstring(L, 1);
  Shape s = read_shape(L, 2);
  int ik = 0;
  double a = 0, b = 0;
  if (lua_isnumber(L, 3)) a = lua_tonumber(L, 3);
  else if (lua_istable(L, 3)) {
    lua_geti(L, 3, 1);
    const char *k = luaL_checkstring(L, -1);
    if (!strcmp(k, "uniform")) ik = 1;
    else if (!strcmp(k, "normal")) ik = 2;
    else return fail(L, "unknown initialiser '%s' (uniform, normal or a number)", k);
    lua_geti(L, 3, 2); a = luaL_checknumber(L, -1);
    lua_geti(L, 3, 3); b = luaL_checknumber(L, -1);
    lua_pop(L, 3);
  } else if (!lua_isnoneornil(L, 3)) return fail(L, "initialiser must be a number or a table");
  push_tensor(L, ir_var(H->g, name, kind, s, ik, a, b));
  return 1;
}
static int l_param(lua_State *L) { return make_var(L, VAR_PARAM); }
static int l_buffer(lua_State *L) { return make_var(L, VAR_BUFFER); }
static int l_state(lua_State *L) { return make_var(L, VAR_STATE); }

static int l_data(lua_State *L) {
  stamp_line(L);
  Shape s = read_shape(L, 1);
  if (s.rank != 2) return fail(L, "ebm.data takes a shape {B, D}");
  const ToyDataset *d = H->g->data_name ? toy_dataset(H->g->data_name) : NULL;
  if (d && s.d[1] != 2) return fail(L, "data set '%s' has 2-D points, but ebm.data asks for %d columns", d->name, s.d[1]);
  push_tensor(L, ir_data(H->g, s));
  return 1;
}
static int l_uniform(lua_State *L) { stamp_line(L); push_tensor(L, ir_rng(H->g, OP_UNIFORM, read_shape(L, 1))); return 1; }
static int l_normal(lua_State *L) { stamp_line(L); push_tensor(L, ir_rng(H->g, OP_NORMAL, read_shape(L, 1))); return 1; }
static int l_step(lua_State *L) { stamp_line(L); push_tensor(L, ir_step(H->g)); return 1; }

/* ---------- autodiff ---------- */

/* Reads a tensor or a list of tensors; returns count, fills *ids (malloc'd). */
static int tensor_list(lua_State *L, int idx, int **ids, int *was_list) {
  *was_list = !is_tensor(L, idx) && lua_istable(L, idx);
  if (!*was_list) { *ids = malloc(sizeof(int)); (*ids)[0] = tensor_at(L, idx); return 1; }
  int n = (int)luaL_len(L, idx);
  *ids = malloc((n ? n : 1) * sizeof(int));
  for (int i = 0; i < n; i++) {
    lua_geti(L, idx, i + 1);
    (*ids)[i] = tensor_at(L, -1);
    lua_pop(L, 1);
  }
  return n;
}

static int push_results(lua_State *L, int n, const int *r, const int *like, int as_list) {
  if (!as_list) { push_tensor(L, ad_materialize(H->g, r[0], like[0])); return 1; }
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) { push_tensor(L, ad_materialize(H->g, r[i], like[i])); lua_rawseti(L, -2, i + 1); }
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
  int one = ir_scalar_like(H->g, y, 1.0), *r = malloc((n ? n : 1) * sizeof(int));
  ad_vjp(H->g, 1, &y, &one, n, xs, r);
  push_results(L, n, r, xs, list);
  free(xs); free(r);
  return 1;
}

/* vjp(outs, wrt, cts) */
static int l_vjp(lua_State *L) {
  stamp_line(L);
  int *outs, *wrt, *cts, l1, l2, l3;
  int no = tensor_list(L, 1, &outs, &l1), nw = tensor_list(L, 2, &wrt, &l2), nc = tensor_list(L, 3, &cts, &l3);
  if (nc != no) { free(outs); free(wrt); free(cts); return fail(L, "vjp: %d outputs but %d cotangents", no, nc); }
  int *r = malloc((nw ? nw : 1) * sizeof(int));
  ad_vjp(H->g, no, outs, cts, nw, wrt, r);
  push_results(L, nw, r, wrt, l2);
  free(outs); free(wrt); free(cts); free(r);
  return 1;
}

/* jvp(ins, tans, outs) */
static int l_jvp(lua_State *L) {
  stamp_line(L);
  int *ins, *tans, *outs, l1, l2, l3;
  int ni = tensor_list(L, 1, &ins, &l1), nt = tensor_list(L, 2, &tans, &l2), no = tensor_list(L, 3, &outs, &l3);
  if (nt != ni) { free(ins); free(tans); free(outs); return fail(L, "jvp: %d inputs but %d tangents", ni, nt); }
  int *r = malloc((no ? no : 1) * sizeof(int));
  ad_jvp(H->g, ni, ins, tans, no, outs, r);
  push_results(L, no, r, outs, l3);
  free(ins); free(tans); free(outs); free(r);
  return 1;
}

/* ---------- introspection ---------- */

static int l_shape(lua_State *L) { push_shape(L, node_shape(tensor_at(L, 1))); return 1; }
static int l_numel(lua_State *L) { lua_pushinteger(L, shape_numel(node_shape(tensor_at(L, 1)))); return 1; }
static int l_id(lua_State *L) { lua_pushinteger(L, tensor_at(L, 1)); return 1; }
static int l_is_tensor(lua_State *L) { lua_pushboolean(L, is_tensor(L, 1)); return 1; }

/* var_info(t) -> name, kind ("param"|"buffer"|"state") or nil when t is not a variable */
static int l_var_info(lua_State *L) {
  const Node *n = &H->g->nodes[tensor_at(L, 1)];
  if (n->op != OP_VAR) return 0;
  static const char *kinds[] = {"param", "buffer", "state"};
  lua_pushstring(L, H->g->vars[n->var].name);
  lua_pushstring(L, kinds[H->g->vars[n->var].kind]);
  return 2;
}

/* names of the built-in toy data sets */
static int l_datasets(lua_State *L) {
  const char *const *names = toy_dataset_names();
  lua_newtable(L);
  for (int i = 0; names[i]; i++) { lua_pushstring(L, names[i]); lua_rawseti(L, -2, i + 1); }
  return 1;
}

static int l_set_data(lua_State *L) {
  free(H->g->data_name);
  H->g->data_name = strdup(luaL_checkstring(L, 1));
  return 0;
}

/* ---------- step program ---------- */

static int l_optimizer(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  double lr = luaL_checknumber(L, 2), b1 = luaL_checknumber(L, 3), b2 = luaL_checknumber(L, 4), eps = luaL_checknumber(L, 5);
  double lr_min = luaL_optnumber(L, 6, lr);
  long horizon = (long)luaL_optinteger(L, 7, 0);
  lua_pushinteger(L, program_add_optimizer(H->prog, name, lr, b1, b2, eps, lr_min, horizon));
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
  Item *it = program_add_phase(H->prog, luaL_optstring(L, -1, "phase"), line);
  lua_pop(L, 1);
  lua_getfield(L, 1, "assigns");
  if (lua_istable(L, -1)) {
    int n = (int)luaL_len(L, -1);
    it->assigns = malloc((n ? n : 1) * sizeof(Assign));
    for (int i = 0; i < n; i++) {
      lua_geti(L, -1, i + 1);
      lua_geti(L, -1, 1); int var = var_of(L, tensor_at(L, -1));
      lua_geti(L, -2, 2); int val = tensor_at(L, -1);
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
      lua_geti(L, -1, 1); const char *name = luaL_checkstring(L, -1);
      lua_geti(L, -2, 2); int t = tensor_at(L, -1);
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
    int n = (int)luaL_len(L, -1);
    int *nodes = malloc((n ? n : 1) * sizeof(int));
    it->params = malloc((n ? n : 1) * sizeof(int));
    it->grads = malloc((n ? n : 1) * sizeof(int));
    for (int i = 0; i < n; i++) {
      lua_geti(L, -1, i + 1);
      nodes[i] = tensor_at(L, -1);
      it->params[i] = var_of(L, nodes[i]);
      if (H->g->vars[it->params[i]].kind != VAR_PARAM) return fail(L, "'%s' is not a parameter", H->g->vars[it->params[i]].name);
      lua_pop(L, 1);
    }
    int one = ir_scalar_like(H->g, loss, 1.0);
    ad_vjp(H->g, 1, &loss, &one, n, nodes, it->grads);
    for (int i = 0; i < n; i++) it->grads[i] = ad_materialize(H->g, it->grads[i], nodes[i]);
    it->n_params = n;
    free(nodes);
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  return 0;
}

static int l_loop_begin(lua_State *L) {
  const char *src;
  int n = (int)luaL_checkinteger(L, 1);
  if (n < 1) return fail(L, "a loop needs a positive trip count, got %d", n);
  program_loop_begin(H->prog, n, user_frame(L, &src));
  return 0;
}
static int l_loop_end(lua_State *L) { program_loop_end(H->prog); return 0; }

/* _entry(name, input_var_or_nil, output_var_or_nil) */
static int l_entry(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  int in = lua_isnoneornil(L, 2) ? -1 : var_of(L, tensor_at(L, 2));
  int out = lua_isnoneornil(L, 3) ? -1 : var_of(L, tensor_at(L, 3));
  if (H->prog->cur_entry != 0) return fail(L, "entries cannot be nested");
  if (program_find_entry(H->prog, name) >= 0) return fail(L, "entry '%s' is declared twice", name);
  program_entry(H->prog, name, in, out);
  return 0;
}
static int l_entry_end(lua_State *L) { program_entry_end(H->prog); return 0; }

/* ---------- module set-up ---------- */

static const luaL_Reg ebm_funcs[] = {
  {"add", l_add}, {"sub", l_sub}, {"mul", l_mul}, {"div", l_div}, {"neg", l_neg},
  {"gt", l_gt}, {"ge", l_ge}, {"lt", l_lt}, {"le", l_le}, {"eq", l_eq},
  {"exp", l_exp}, {"log", l_log}, {"log1p", l_log1p}, {"sin", l_sin}, {"cos", l_cos}, {"tanh", l_tanh},
  {"sigmoid", l_sigmoid}, {"sqrt", l_sqrt}, {"abs", l_abs}, {"sign", l_sign},
  {"stop_gradient", l_stop_gradient}, {"pow", l_pow}, {"select", l_select},
  {"sum", l_sum}, {"mean", l_mean}, {"max", l_max}, {"reshape", l_reshape},
  {"broadcast", l_broadcast}, {"transpose", l_transpose}, {"slice", l_slice},
  {"concat", l_concat}, {"matmul", l_matmul},
  {"conv2d", l_conv2d}, {"conv_transpose2d", l_conv_transpose2d},
  {"const", l_const}, {"param", l_param}, {"buffer", l_buffer}, {"state", l_state},
  {"data", l_data}, {"uniform", l_uniform}, {"normal", l_normal}, {"step", l_step},
  {"grad", l_grad}, {"vjp", l_vjp}, {"jvp", l_jvp},
  {"shape", l_shape}, {"numel", l_numel}, {"id", l_id}, {"is_tensor", l_is_tensor},
  {"var_info", l_var_info}, {"set_data", l_set_data}, {"datasets", l_datasets},
  {"_optimizer", l_optimizer}, {"_phase", l_phase}, {"_loop_begin", l_loop_begin}, {"_loop_end", l_loop_end},
  {"_entry", l_entry}, {"_entry_end", l_entry_end},
  {NULL, NULL}};

static int t_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *k = lua_tostring(L, 2);
    if (!strcmp(k, "shape")) { push_shape(L, node_shape(tensor_at(L, 1))); return 1; }
    if (!strcmp(k, "T")) { lua_settop(L, 1); return l_transpose(L); }
  }
  /* methods: everything in the ebm module taking the tensor first */
  lua_getglobal(L, "ebm");
  lua_pushvalue(L, 2);
  lua_gettable(L, -2);
  return 1;
}

static int t_tostring(lua_State *L) {
  int id = tensor_at(L, 1);
  char s[64];
  lua_pushfstring(L, "Tensor(%%%d %s f32%s)", id, op_name(H->g->nodes[id].op), sstr(node_shape(id), s));
  return 1;
}

static const luaL_Reg tensor_meta[] = {
  {"__add", l_add}, {"__sub", l_sub}, {"__mul", l_mul}, {"__div", l_div}, {"__unm", l_neg},
  {"__pow", l_pow}, {"__index", t_index}, {"__tostring", t_tostring}, {NULL, NULL}};

/* require() searcher for the embedded DSL library */
static int embedded_searcher(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  for (int i = 0; embedded_lua[i].name; i++) {
    if (strcmp(embedded_lua[i].name, name)) continue;
    char chunk[128];
    snprintf(chunk, sizeof chunk, "=%s", name);
    if (luaL_loadbuffer(L, embedded_lua[i].src, embedded_lua[i].len, chunk)) return lua_error(L);
    lua_pushstring(L, chunk);
    return 2;
  }
  lua_pushfstring(L, "no embedded module '%s'", name);
  return 1;
}

static void open_ebm(lua_State *L) {
  luaL_newmetatable(L, TENSOR_MT);
  luaL_setfuncs(L, tensor_meta, 0);
  lua_pop(L, 1);
  luaL_newlib(L, ebm_funcs);
  lua_setglobal(L, "ebm");
  /* embedded searcher first, so `require "nn"` never reads the file system */
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  for (int i = (int)luaL_len(L, -1); i >= 1; i--) { lua_geti(L, -1, i); lua_seti(L, -2, i + 1); }
  lua_pushcfunction(L, embedded_searcher);
  lua_seti(L, -2, 1);
  lua_pop(L, 2);
}

static void set_error(Host *h, const char *msg) {
  free(h->error);
  h->error = strdup(msg ? msg : "unknown error");
}

/* Runs the chunk on top of the stack under the message handler. */
static int protected_run(Host *h) {
  lua_State *L = h->L;
  lua_pushcfunction(L, msgh);
  lua_insert(L, -2);
  int rc = lua_pcall(L, 0, 0, -2);
  if (rc) set_error(h, lua_tostring(L, -1));
  lua_settop(L, 0);
  return rc ? 2 : 0;
}

Host *host_new(void) {
  Host *h = calloc(1, sizeof *h);
  h->L = luaL_newstate();
  h->g = ir_new();
  h->prog = program_new();
  H = h;
  ir_set_error_handler(ir_error_to_lua, h->L);
  luaL_openlibs(h->L);
  open_ebm(h->L);
  /* the prelude defines the DSL globals (model, phase, loop, nn, ...) */
  lua_getglobal(h->L, "require");
  lua_pushstring(h->L, "prelude");
  if (lua_pcall(h->L, 1, 0, 0)) {
    fprintf(stderr, "ebmforge: the embedded DSL failed to load: %s\n", lua_tostring(h->L, -1));
    exit(70);
  }
  return h;
}

void host_free(Host *h) {
  if (!h) return;
  lua_close(h->L);
  ir_free(h->g);
  program_free(h->prog);
  free(h->model_path); free(h->error);
  if (H == h) { H = NULL; ir_set_error_handler(NULL, NULL); }
  free(h);
}

int host_load_model(Host *h, const char *path) { return host_load_model_combo(h, path, 0); }

int host_load_model_combo(Host *h, const char *path, int index) {
  H = h;
  free(h->model_path);
  h->model_path = strdup(path);
  lua_pushinteger(h->L, index + 1);
  lua_setglobal(h->L, "__sweep_index");
  if (luaL_loadfile(h->L, path)) {
    set_error(h, lua_tostring(h->L, -1));
    lua_settop(h->L, 0);
    return 2;
  }
  int rc = protected_run(h);
  if (rc) {
    int n = host_sweep_size(h);
    if (n > 1) {  /* say which combination failed */
      char *msg = malloc(strlen(h->error) + 64);
      sprintf(msg, "%s (sweep combination %d of %d)", h->error, index + 1, n);
      set_error(h, msg);
      free(msg);
    }
    return rc;
  }
  /* a model file must declare its model */
  lua_getglobal(h->L, "__model");
  int ok = lua_istable(h->L, -1);
  lua_pop(h->L, 1);
  if (!ok) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s:1: the file declares no model (call model{ ... })", path);
    set_error(h, msg);
    return 2;
  }
  return 0;
}

int host_run_string(Host *h, const char *code, const char *chunkname) {
  H = h;
  if (luaL_loadbuffer(h->L, code, strlen(code), chunkname)) {
    set_error(h, lua_tostring(h->L, -1));
    lua_settop(h->L, 0);
    return 2;
  }
  return protected_run(h);
}

int host_run_file(Host *h, const char *path) {
  H = h;
  if (luaL_loadfile(h->L, path)) {
    set_error(h, lua_tostring(h->L, -1));
    lua_settop(h->L, 0);
    return 2;
  }
  return protected_run(h);
}

int host_global_tensor(Host *h, const char *name) {
  lua_getglobal(h->L, name);
  LTensor *t = luaL_testudata(h->L, -1, TENSOR_MT);
  int id = t ? t->id : -1;
  lua_pop(h->L, 1);
  return id;
}

char *host_config_json(Host *h) {
  lua_getglobal(h->L, "require");
  lua_pushstring(h->L, "config_json");
  if (lua_pcall(h->L, 1, 1, 0)) { lua_settop(h->L, 0); return NULL; }
  lua_getglobal(h->L, "__model");
  char *json = lua_pcall(h->L, 1, 1, 0) ? NULL : strdup(lua_tostring(h->L, -1));
  lua_settop(h->L, 0);
  return json;
}

const char *host_model_string(Host *h, const char *key) {
  lua_getglobal(h->L, "__model");
  if (!lua_istable(h->L, -1)) { lua_pop(h->L, 1); return NULL; }
  lua_getfield(h->L, -1, key);
  const char *s = lua_type(h->L, -1) == LUA_TSTRING ? lua_tostring(h->L, -1) : NULL;
  lua_pop(h->L, 2);  /* the string stays alive: it is referenced by the model table */
  return s;
}

int host_sweep_size(Host *h) {
  lua_getglobal(h->L, "__sweep");
  int n = 1;
  if (lua_istable(h->L, -1)) {
    lua_getfield(h->L, -1, "n");
    n = (int)lua_tointeger(h->L, -1);
    lua_pop(h->L, 1);
  }
  lua_pop(h->L, 1);
  return n;
}

void host_combo_name(Host *h, char *buf, size_t size) {
  const char *method = host_model_string(h, "method");
  lua_getglobal(h->L, "__sweep");
  const char *suffix = "";
  if (lua_istable(h->L, -1)) {
    lua_getfield(h->L, -1, "suffix");
    if (lua_isstring(h->L, -1)) suffix = lua_tostring(h->L, -1);
    lua_pop(h->L, 1);  /* still referenced by __sweep */
  }
  snprintf(buf, size, "%s%s", method ? method : "model", suffix);
  lua_pop(h->L, 1);
}

double host_model_number(Host *h, const char *key, double dflt) {
  lua_getglobal(h->L, "__model");
  if (!lua_istable(h->L, -1)) { lua_pop(h->L, 1); return dflt; }
  lua_getfield(h->L, -1, key);
  double v = lua_isnumber(h->L, -1) ? lua_tonumber(h->L, -1) : dflt;
  lua_pop(h->L, 2);
  return v;
}
