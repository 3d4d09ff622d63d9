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

#include "host_data.h"
#include "host_priv.h"
#include "sandbox.h"
#include "toy_data.h"

Host *H; /* the host whose Lua state is running (one model per process) */

/* ---------- error reporting ---------- */

/* Messages point at the model (chunk names "@path"), not at the embedded
 * DSL library ("=name"): sandbox_user_frame finds the innermost model frame. */
#define user_frame sandbox_user_frame

void stamp_line(lua_State *L) {
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

int fail(lua_State *L, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  return lua_error(L);
}

void *scratch(lua_State *L, size_t n) { return lua_newuserdatauv(L, n ? n : 1, 0); }

int int_arg(lua_State *L, int idx, lua_Integer lo, lua_Integer hi, const char *what) {
  lua_Integer v = luaL_checkinteger(L, idx);
  if (v < lo || v > hi) fail(L, "%s must be in [%I, %I], got %I", what, lo, hi, v);
  return (int)v;
}
int opt_int_arg(lua_State *L, int idx, int dflt, lua_Integer lo, lua_Integer hi, const char *what) {
  return lua_isnoneornil(L, idx) ? dflt : int_arg(L, idx, lo, hi, what);
}

/* Names of variables, phases, logs, optimisers and entries end up in generated
 * C (comments, messages) and in checkpoints: letters, digits, '_', '.', '-'. */
const char *check_name(lua_State *L, const char *s, const char *what) {
  size_t n = strlen(s);
  if (n == 0 || n > 128) fail(L, "%s name '%s' must have 1 to 128 characters", what, s);
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
          c == '-'))
      fail(L, "%s name %s may contain only letters, digits, '_', '.' and '-'", what, lua_pushfstring(L, "'%s'", s));
  }
  return s;
}

double finite_arg(lua_State *L, int idx, const char *what) {
  double v = luaL_checknumber(L, idx);
  if (!isfinite(v)) fail(L, "%s must be a finite number, got %f", what, v);
  return v;
}

/* ---------- tensors ---------- */

void push_tensor(lua_State *L, int id) {
  LTensor *t = lua_newuserdatauv(L, sizeof(LTensor), 0);
  t->id = id;
  luaL_setmetatable(L, TENSOR_MT);
}

int is_tensor(lua_State *L, int idx) { return luaL_testudata(L, idx, TENSOR_MT) != NULL; }

int tensor_at(lua_State *L, int idx) {
  LTensor *t = luaL_testudata(L, idx, TENSOR_MT);
  if (!t) fail(L, "expected a tensor at argument %d, got %s", idx, luaL_typename(L, idx));
  return t->id;
}

Shape node_shape(int id) { return H->g->nodes[id].shape; }

static int shape_entry(lua_State *L, int idx) {
  if (!lua_isinteger(L, idx) || lua_tointeger(L, idx) <= 0) fail(L, "shape entries must be positive integers");
  if (lua_tointeger(L, idx) > IR_MAX_NUMEL)
    fail(L, "shape entry %I is too large (a tensor has at most %d elements)", lua_tointeger(L, idx), (int)IR_MAX_NUMEL);
  return (int)lua_tointeger(L, idx);
}

Shape read_shape(lua_State *L, int idx) {
  int d[IR_MAX_RANK], rank;
  if (lua_isinteger(L, idx)) {
    d[0] = shape_entry(L, idx);
    return shape_make(1, d);
  }
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_Integer len = luaL_len(L, idx);
  if (len > IR_MAX_RANK) fail(L, "shapes have at most %d axes, got %I", IR_MAX_RANK, len);
  rank = (int)len;
  for (int i = 0; i < rank; i++) {
    lua_geti(L, idx, i + 1);
    d[i] = shape_entry(L, -1);
    lua_pop(L, 1);
  }
  return shape_make(rank, d);
}

static void push_shape(lua_State *L, Shape s) {
  lua_createtable(L, s.rank, 0);
  for (int i = 0; i < s.rank; i++) {
    lua_pushinteger(L, s.d[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

const char *sstr(Shape s, char *buf) {
  shape_str(s, buf, 64);
  return buf;
}

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
    case OP_ADD:
      return "+";
    case OP_SUB:
      return "-";
    case OP_MUL:
      return "*";
    case OP_DIV:
      return "/";
    case OP_GT:
      return "ebm.gt";
    case OP_GE:
      return "ebm.ge";
    case OP_EQ:
      return "ebm.eq";
    default:
      return op_name(op);
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
// an op table, one entry per op, laid out by hand:
// clang-format off
#define UNARY(lname, OP) static int l_##lname(lua_State *L) { return unop(L, OP); }
UNARY(neg, OP_NEG) UNARY(exp, OP_EXP) UNARY(log, OP_LOG) UNARY(log1p, OP_LOG1P) UNARY(sin, OP_SIN) UNARY(cos, OP_COS)
UNARY(tanh, OP_TANH) UNARY(sigmoid, OP_SIGMOID) UNARY(sqrt, OP_SQRT) UNARY(abs, OP_ABS)
UNARY(sign, OP_SIGN) UNARY(stop_gradient, OP_STOP_GRAD)
    // clang-format on

    static int l_pow(lua_State *L) {
  stamp_line(L);
  int x = tensor_at(L, 1);
  if (!lua_isnumber(L, 2)) return fail(L, "x^p needs a number exponent");
  double p = lua_tonumber(L, 2);
  int r;
  if (p == floor(p) && p >= 1 && p <= 16) { /* exact for small integer powers */
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

/* ---------- leaves ---------- */

static int l_const(lua_State *L) {
  stamp_line(L);
  if (lua_istable(L, 1)) {
    lua_Integer len = luaL_len(L, 1);
    if (len < 1 || len > IR_MAX_NUMEL) return fail(L, "const: a list of %I values", len);
    int n = (int)len;
    Shape s = lua_isnoneornil(L, 2) ? shape_make(1, &n) : read_shape(L, 2);
    if (shape_numel(s) != n) return fail(L, "const: %d values for %d elements", n, shape_numel(s));
    double *v = scratch(L, (size_t)n * sizeof(double));
    for (int i = 0; i < n; i++) {
      lua_geti(L, 1, i + 1);
      v[i] = luaL_checknumber(L, -1);
      lua_pop(L, 1);
    }
    push_tensor(L, ir_const_data(H->g, s, v));
    return 1;
  }
  double v = luaL_checknumber(L, 1);
  push_tensor(L, ir_const(H->g, lua_isnoneornil(L, 2) ? shape_make(0, NULL) : read_shape(L, 2), v));
  return 1;
}

/* init: number (fill), {"uniform", lo, hi} or {"normal", mean, std} */
static int make_var(lua_State *L, VarKind kind) {
  stamp_line(L);
  const char *name = check_name(L, luaL_checkstring(L, 1), "variable");
  sandbox_charge(L, H->g->n_vars); /* the duplicate-name check walks the variables */
  Shape s = read_shape(L, 2);
  int ik = 0;
  double a = 0, b = 0;
  if (lua_isnumber(L, 3))
    a = finite_arg(L, 3, "an initial value");
  else if (lua_istable(L, 3)) {
    lua_geti(L, 3, 1);
    const char *k = luaL_checkstring(L, -1);
    if (!strcmp(k, "uniform"))
      ik = 1;
    else if (!strcmp(k, "normal"))
      ik = 2;
    else
      return fail(L, "unknown initialiser '%s' (uniform, normal or a number)", k);
    lua_geti(L, 3, 2);
    a = finite_arg(L, -1, "an initialiser's parameter");
    lua_geti(L, 3, 3);
    b = finite_arg(L, -1, "an initialiser's parameter");
    lua_pop(L, 3);
  } else if (!lua_isnoneornil(L, 3))
    return fail(L, "initialiser must be a number or a table");
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
  if (d && s.d[1] != 2)
    return fail(L, "data set '%s' has 2-D points, but ebm.data asks for %d columns", d->name, s.d[1]);
  push_tensor(L, ir_data(H->g, s));
  return 1;
}
static int l_uniform(lua_State *L) {
  stamp_line(L);
  push_tensor(L, ir_rng(H->g, OP_UNIFORM, read_shape(L, 1)));
  return 1;
}
static int l_normal(lua_State *L) {
  stamp_line(L);
  push_tensor(L, ir_rng(H->g, OP_NORMAL, read_shape(L, 1)));
  return 1;
}
static int l_step(lua_State *L) {
  stamp_line(L);
  push_tensor(L, ir_step(H->g));
  return 1;
}

/* _hparam(name, default, desc, lo, hi, lo_open, hi_open, soft, whole) -> tensor, id; soft: nil when the
 * name is taken with another default (prelude.lua's ebm.param and adam{} validate the rest);
 * whole: only whole numbers (ebm.count) */
static int l_hparam(lua_State *L) {
  stamp_line(L);
  const char *name = luaL_checkstring(L, 1), *why = NULL;
  int id = ir_hparam(H->g, name, luaL_checknumber(L, 2), luaL_optstring(L, 3, ""), luaL_checknumber(L, 4),
                     luaL_checknumber(L, 5), lua_toboolean(L, 6), lua_toboolean(L, 7), &why);
  if (id < 0 && lua_toboolean(L, 8)) return 0;
  if (id < 0) return fail(L, "hyper-parameter '%s' %s", name, why);
  int whole = lua_toboolean(L, 9), var = H->g->nodes[id].var;
  if (whole && H->g->hparams[var].dflt != floor(H->g->hparams[var].dflt))
    return fail(L, "hyper-parameter '%s': the default of a count must be a whole number", name);
  if (whole) H->g->hparams[var].whole = 1;
  push_tensor(L, id);
  lua_pushinteger(L, H->g->nodes[id].var);
  return 2;
}

/* ---------- introspection ---------- */

static int l_shape(lua_State *L) {
  push_shape(L, node_shape(tensor_at(L, 1)));
  return 1;
}
static int l_numel(lua_State *L) {
  lua_pushinteger(L, shape_numel(node_shape(tensor_at(L, 1))));
  return 1;
}
static int l_id(lua_State *L) {
  lua_pushinteger(L, tensor_at(L, 1));
  return 1;
}
static int l_is_tensor(lua_State *L) {
  lua_pushboolean(L, is_tensor(L, 1));
  return 1;
}

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
  for (int i = 0; names[i]; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int l_set_data(lua_State *L) {
  const char *name = luaL_checkstring(L, 1); /* may raise: check before freeing the old name */
  char *copy = strdup(name);
  if (!copy) return fail(L, "out of memory");
  free(H->g->data_name);
  H->g->data_name = copy;
  return 0;
}

/* ---------- module set-up ---------- */

static const luaL_Reg ebm_funcs[] = {{"add", l_add},
                                     {"sub", l_sub},
                                     {"mul", l_mul},
                                     {"div", l_div},
                                     {"neg", l_neg},
                                     {"gt", l_gt},
                                     {"ge", l_ge},
                                     {"lt", l_lt},
                                     {"le", l_le},
                                     {"eq", l_eq},
                                     {"exp", l_exp},
                                     {"log", l_log},
                                     {"log1p", l_log1p},
                                     {"sin", l_sin},
                                     {"cos", l_cos},
                                     {"tanh", l_tanh},
                                     {"sigmoid", l_sigmoid},
                                     {"sqrt", l_sqrt},
                                     {"abs", l_abs},
                                     {"sign", l_sign},
                                     {"stop_gradient", l_stop_gradient},
                                     {"pow", l_pow},
                                     {"select", l_select},
                                     {"const", l_const},
                                     {"param", l_param},
                                     {"buffer", l_buffer},
                                     {"state", l_state},
                                     {"data", l_data},
                                     {"uniform", l_uniform},
                                     {"normal", l_normal},
                                     {"step", l_step},
                                     {"_hparam", l_hparam},
                                     {"shape", l_shape},
                                     {"numel", l_numel},
                                     {"id", l_id},
                                     {"is_tensor", l_is_tensor},
                                     {"var_info", l_var_info},
                                     {"set_data", l_set_data},
                                     {"datasets", l_datasets},
                                     {NULL, NULL}};

static int t_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *k = lua_tostring(L, 2);
    if (!strcmp(k, "shape")) {
      push_shape(L, node_shape(tensor_at(L, 1)));
      return 1;
    }
    if (!strcmp(k, "T")) {
      lua_settop(L, 1);
      return l_transpose(L);
    }
  }
  /* methods: everything in the ebm module taking the tensor first */
  lua_getglobal(L, "ebm");
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) == LUA_TNIL && lua_type(L, 2) == LUA_TSTRING) {
    lua_getfield(L, -2, "_unknown"); /* raises, naming the nearest method */
    lua_pushliteral(L, "tensor method or field");
    lua_pushvalue(L, -4);
    lua_pushvalue(L, 2);
    lua_call(L, 3, 0);
  }
  return 1;
}

static int t_tostring(lua_State *L) {
  int id = tensor_at(L, 1);
  char s[64];
  lua_pushfstring(L, "Tensor(%%%d %s f32%s)", id, op_name(H->g->nodes[id].op), sstr(node_shape(id), s));
  return 1;
}

static const luaL_Reg tensor_meta[] = {{"__add", l_add},     {"__sub", l_sub},           {"__mul", l_mul},
                                       {"__div", l_div},     {"__unm", l_neg},           {"__pow", l_pow},
                                       {"__index", t_index}, {"__tostring", t_tostring}, {NULL, NULL}};

static void open_ebm(lua_State *L) {
  luaL_newmetatable(L, TENSOR_MT);
  luaL_setfuncs(L, tensor_meta, 0);
  lua_pop(L, 1);
  luaL_newlib(L, ebm_funcs);
  luaL_setfuncs(L, host_ops_funcs, 0);        /* shapes, reductions, products, autodiff (host_ops.c) */
  luaL_setfuncs(L, host_program_funcs, 0);    /* phases, loops, optimisers, entries (host_program.c) */
  lua_pushinteger(L, PROGRAM_MAX_LOOP_DEPTH); /* for `ebmforge doc` */
  lua_setfield(L, -2, "_max_loop_depth");
  lua_setglobal(L, "ebm");
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
  if (rc) set_error(h, sandbox_error(h->sandbox, rc, h->model_path));
  lua_settop(L, 0);
  return rc ? 2 : 0;
}

Host *host_new(void) {
  Host *h = calloc(1, sizeof *h);
  h->sandbox = sandbox_open();
  if (!h->sandbox) {
    fprintf(stderr, "ebmforge: out of memory\n");
    exit(70);
  }
  h->L = h->sandbox->L;
  h->g = ir_new();
  h->prog = program_new();
  H = h;
  ir_set_error_handler(ir_error_to_lua, h->L);
  open_ebm(h->L);
  host_data_open(h->L);
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
  sandbox_close(h->sandbox);
  ir_free(h->g);
  program_free(h->prog);
  free(h->model_path);
  free(h->error);
  if (H == h) {
    H = NULL;
    ir_set_error_handler(NULL, NULL);
  }
  free(h);
}

/* Runs a file in the sandbox, with a fresh budget and the wall-clock limit:
 * 0 or 2 with h->error set; *loaded = 0 when it did not even load. */
static int run_file(Host *h, const char *path, int *loaded) {
  H = h;
  free(h->model_path);
  h->model_path = strdup(path);
  lua_pushstring(h->L, path); /* data files are found beside it (host_data.c) */
  lua_setglobal(h->L, "__model_path");
  sandbox_reset_budget(h->sandbox);
  int load_rc = sandbox_load_file(h->L, path);
  *loaded = !load_rc;
  if (load_rc) {
    set_error(h, sandbox_error(h->sandbox, load_rc, path));
    lua_settop(h->L, 0);
    return 2;
  }
  sandbox_watch(h->sandbox, path);
  int rc = protected_run(h);
  sandbox_unwatch(h->sandbox);
  return rc;
}

int host_load_model(Host *h, const char *path) { return host_load_model_combo(h, path, 0); }

int host_load_model_combo(Host *h, const char *path, int index) {
  H = h;
  lua_pushinteger(h->L, index + 1);
  lua_setglobal(h->L, "__sweep_index");
  int loaded, rc = run_file(h, path, &loaded);
  if (!loaded) return rc;
  if (getenv("EBMFORGE_LUA_STATS")) /* how close a file comes to the sandbox's limits */
    fprintf(stderr, "ebmforge: %s (combination %d): Lua peak %.1f MiB, %lld instructions\n", path, index + 1,
            h->sandbox->peak / 1048576.0, h->sandbox->ran);
  if (rc) {
    int n = host_sweep_size(h);
    if (n > 1) { /* say which combination failed */
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
  sandbox_reset_budget(h->sandbox);
  if (luaL_loadbufferx(h->L, code, strlen(code), chunkname, "t")) {
    set_error(h, lua_tostring(h->L, -1));
    lua_settop(h->L, 0);
    return 2;
  }
  return protected_run(h);
}

int host_run_file(Host *h, const char *path) {
  int loaded;
  return run_file(h, path, &loaded);
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
  if (lua_pcall(h->L, 1, 1, 0)) {
    lua_settop(h->L, 0);
    return NULL;
  }
  lua_getglobal(h->L, "__model");
  char *json = lua_pcall(h->L, 1, 1, 0) ? NULL : strdup(lua_tostring(h->L, -1));
  lua_settop(h->L, 0);
  return json;
}

const char *host_model_string(Host *h, const char *key) {
  lua_getglobal(h->L, "__model");
  if (!lua_istable(h->L, -1)) {
    lua_pop(h->L, 1);
    return NULL;
  }
  lua_getfield(h->L, -1, key);
  const char *s = lua_type(h->L, -1) == LUA_TSTRING ? lua_tostring(h->L, -1) : NULL;
  lua_pop(h->L, 2); /* the string stays alive: it is referenced by the model table */
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
    lua_pop(h->L, 1); /* still referenced by __sweep */
  }
  snprintf(buf, size, "%s%s", method ? method : "model", suffix);
  lua_pop(h->L, 1);
}

double host_model_number(Host *h, const char *key, double dflt) {
  lua_getglobal(h->L, "__model");
  if (!lua_istable(h->L, -1)) {
    lua_pop(h->L, 1);
    return dflt;
  }
  lua_getfield(h->L, -1, key);
  double v = lua_isnumber(h->L, -1) ? lua_tonumber(h->L, -1) : dflt;
  lua_pop(h->L, 2);
  return v;
}
