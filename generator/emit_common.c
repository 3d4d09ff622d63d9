/* The printing both emitters share (see emit_common.h); the analysis it
 * prints from is phase.c and its passes. */
#include "emit_common.h"
#include "passes.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------- a growable string ---------- */

void sput(Str *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (b->s && b->n + k < b->cap) {
      b->n += k;
      return;
    }
    b->cap = (b->cap + k + 1) * 2;
    b->s = realloc(b->s, b->cap);
    if (b->n == 0) b->s[0] = 0;
  }
}

/* ---------- expressions ---------- */

/* name of the buffer that holds node i's value */
void emit_strides(Shape s, long *st) {
  st[s.rank - 1 < 0 ? 0 : s.rank - 1] = 1;
  for (int k = s.rank - 2; k >= 0; k--) st[k] = st[k + 1] * s.d[k + 1];
}

/* Index into a broadcast's input, from the output's flat index or loop coordinates. */
static void bcast_index(Str *b, Shape out, Shape in, const char *ix, int coords) {
  long so[4], si[4];
  emit_strides(out, so);
  emit_strides(in, si);
  int terms = 0;
  sput(b, "(");
  for (int k = 0; k < out.rank; k++) {
    if (in.d[k] == 1) continue;
    if (terms++) sput(b, " + ");
    if (coords)
      sput(b, "i%d", k);
    else if (k == 0)
      sput(b, "(%s) / %ld", ix, so[0]);
    else
      sput(b, "((%s) / %ld %% %d)", ix, so[k], out.d[k]);
    if (si[k] != 1) sput(b, " * %ld", si[k]);
  }
  if (!terms) sput(b, "0");
  sput(b, ")");
}

/* a float literal C accepts: 1 -> 1.0f, 1e-05 -> 1e-05f, inf -> INFINITY */
void emit_flit(Str *b, double v) {
  if (isnan(v)) {
    sput(b, "NAN");
    return;
  }
  if (isinf(v)) {
    sput(b, v > 0 ? "INFINITY" : "(-INFINITY)");
    return;
  }
  char t[64];
  snprintf(t, sizeof t, "%.9g", v);
  sput(b, "%s%s%sf", v < 0 ? "(" : "", t, strpbrk(t, ".e") ? "" : ".0");
  if (v < 0) sput(b, ")");
}

static void sub(Emit *e, int i, int k, const char *ix, int coords) {
  emit_expr(e, e->p->g->nodes[i].in[k], ix, coords);
}

void emit_expr(Emit *e, int i, const char *ix, int coords) {
  const Phase *p = e->p;
  const Node *nd = &p->g->nodes[i];
  Str *b = e->out;
  if (p->role[i] != ROLE_INLINE) {
    if (nd->op == OP_CONST && !nd->data && shape_numel(nd->shape) == 1) {
      emit_flit(b, nd->fval);
      return;
    }
    if (e->local && e->local[p->root[i]] && !strcmp(ix, "i")) {
      sput(b, "t%d", p->root[i]);
      return;
    }
    e->names->buf(b, p, i);
    sput(b, "[%s]", ix);
    return;
  }
  switch (nd->op) {
    case OP_CONST:
      emit_flit(b, nd->fval);
      return;
    case OP_STEP:
      sput(b, "(float)%s", e->names->step);
      return;
    case OP_HPARAM:
      sput(b, e->names->hparam, nd->var);
      return;
    case OP_UNIFORM:
    case OP_NORMAL:
      sput(b, "(float)%s(%s, %d, %s, %s, (uint32_t)(%s)", nd->op == OP_UNIFORM ? e->names->uniform : e->names->normal,
           e->names->seed, nd->stream, e->names->iter, e->names->step, ix);
      /* a rank's batch rows continue the global element index */
      if (e->shard && e->shard->node_rows[i]) sput(b, " + (uint32_t)%s * %du", e->names->rank, shape_numel(nd->shape));
      sput(b, ")");
      return;
    case OP_RESHAPE:
    case OP_STOP_GRAD:
      sub(e, i, 0, ix, coords && nd->op == OP_STOP_GRAD);
      return;
    case OP_BROADCAST: {
      if (e->rep && e->rep[i]) {
        sput(b, "rep%d[k]", i);
        return;
      }
      Str t = {0};
      bcast_index(&t, nd->shape, p->g->nodes[nd->in[0]].shape, ix, coords);
      sub(e, i, 0, t.s, 0);
      free(t.s);
      return;
    }
    default:
      break;
  }
  static const char *fn1[OP_COUNT] = {[OP_EXP] = "ebm_expf",  [OP_LOG] = "logf",  [OP_LOG1P] = "log1pf",
                                      [OP_SIN] = "sinf",      [OP_COS] = "cosf",  [OP_TANH] = "tanhf",
                                      [OP_SQRT] = "sqrtf",    [OP_ABS] = "fabsf", [OP_SIGMOID] = "ebm_sigmoidf",
                                      [OP_SIGN] = "ebm_signf"};
  static const char *op2[OP_COUNT] = {
      [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_GT] = ">", [OP_GE] = ">=", [OP_EQ] = "=="};
  if (nd->op == OP_NEG) {
    sput(b, "(-");
    sub(e, i, 0, ix, coords);
    sput(b, ")");
    return;
  }
  if (op_kind(nd->op) == KIND_UNARY) {
    sput(b, "%s(", fn1[nd->op]);
    sub(e, i, 0, ix, coords);
    sput(b, ")");
    return;
  }
  if (op_kind(nd->op) == KIND_BINARY) {
    int cmp = nd->op == OP_GT || nd->op == OP_GE || nd->op == OP_EQ;
    sput(b, "(");
    sub(e, i, 0, ix, coords);
    sput(b, " %s ", op2[nd->op]);
    sub(e, i, 1, ix, coords);
    sput(b, cmp ? " ? 1.0f : 0.0f)" : ")");
    return;
  }
  if (nd->op == OP_SELECT) { /* a function call: both operands are loaded unconditionally (see ebm_selectf) */
    sput(b, "ebm_selectf(");
    sub(e, i, 0, ix, coords);
    sput(b, ", ");
    sub(e, i, 1, ix, coords);
    sput(b, ", ");
    sub(e, i, 2, ix, coords);
    sput(b, ")");
    return;
  }
  ir_fail("emit: cannot inline %s", op_name(nd->op));
}

void emit_index_expr(Str *b, Shape s, const int *shift) {
  long st[4];
  emit_strides(s, st);
  if (s.rank == 0) {
    sput(b, "0");
    return;
  }
  for (int k = 0; k < s.rank; k++) {
    sput(b, "%s", k ? " + " : "");
    if (shift && shift[k])
      sput(b, "(i%d + %d)", k, shift[k]);
    else
      sput(b, "i%d", k);
    if (st[k] != 1) sput(b, " * %ld", st[k]);
  }
}

void emit_self_expr(Emit *e, int i, int coords) {
  Phase *p = (Phase *)e->p;
  int saved = p->role[i];
  p->role[i] = ROLE_INLINE;
  emit_expr(e, i, "i", coords);
  p->role[i] = saved;
}

void emit_node_comment(Str *b, const Graph *g, int i) {
  const Node *nd = &g->nodes[i];
  char s[64];
  shape_str(nd->shape, s, sizeof s);
  sput(b, "  /* %%%d = %s%s", i, op_name(nd->op), nd->n_in ? "(" : "");
  for (int k = 0; k < nd->n_in; k++) sput(b, "%s%%%d", k ? ", " : "", nd->in[k]);
  sput(b, "%s : f32%s", nd->n_in ? ")" : "", s);
  if (nd->line) sput(b, ", line %d", nd->line);
  sput(b, " */\n");
}

/* ---------- the model file ---------- */

/* 64-bit FNV-1a of the program and its IR: the model's identity in checkpoints. */
static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

void emit_fingerprint(const Graph *g, const Program *prog, char out[17]) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  for (int v = 0; v < g->n_vars; v++) {
    char s[64];
    shape_str(g->vars[v].shape, s, sizeof s);
    fprintf(f, "%s %d %s %d %.17g %.17g\n", g->vars[v].name, g->vars[v].kind, s, g->vars[v].init_kind,
            g->vars[v].init_a, g->vars[v].init_b);
  }
  program_dump(g, prog, f, 1);
  fclose(f);
  snprintf(out, 17, "%016llx", (unsigned long long)fnv1a(text, len));
  free(text);
}

void opt_arg(int hp, double v, const char *block, char *out, size_t n) {
  if (hp >= 0)
    snprintf(out, n, "%s[%d]", block, hp);
  else
    snprintf(out, n, "%.17g", v);
}

void adam_lr_expr(const Optimizer *o, const char *t, const char *scale, const char *block, char *out, size_t n) {
  char lr[64], lr_min[64];
  opt_arg(o->hp_lr, o->lr, block, lr, sizeof lr);
  opt_arg(o->hp_lr_min, o->lr_min, block, lr_min, sizeof lr_min);
  if (o->horizon > 0)
    snprintf(out, n, "%s * adam_lr(%s, %s, %ld, %s)", scale, lr, lr_min, o->horizon, t);
  else
    snprintf(out, n, "%s * %s", scale, lr);
}

void emit_cstring(Str *b, const char *s) {
  sput(b, "\"");
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\')
      sput(b, "\\%c", *s);
    else if ((unsigned char)*s < 32)
      sput(b, "\\%03o", *s);
    else
      sput(b, "%c", *s);
  }
  sput(b, "\"");
}

/* D of the model's data batches, 0 when it reads none */
static int data_cols(const Graph *g) {
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i].op == OP_DATA) return g->nodes[i].shape.d[1];
  return 0;
}

/* The driver of one entry point: its phases in order, loops with static trip
 * counts; loop iterations enter the Philox counter as the interpreter counts them. */
static void emit_driver(Str *b, const Graph *g, const Program *prog, int entry, const Backend *be) {
  be->driver_head(b, prog, entry);
  int depth = 0, loop_item[PROGRAM_MAX_LOOP_DEPTH];
  for (int i = 0; i < prog->n_items; i++) {
    const Item *it = &prog->items[i];
    if (it->entry != entry) continue;
    if (it->kind == ITEM_LOOP_BEGIN) {
      if (it->hp_count >= 0) /* the run's trip count (a whole number in [1, count]); count stays the Philox stride */
        sput(b, "%*sfor (uint32_t l%d = 0; l%d < (uint32_t)%s[%d]; l%d++) {  /* %s, at most %d */\n", 2 + 2 * depth, "",
             depth, depth, be->hparams, it->hp_count, depth, g->hparams[it->hp_count].name, it->count);
      else
        sput(b, "%*sfor (uint32_t l%d = 0; l%d < %d; l%d++) {\n", 2 + 2 * depth, "", depth, depth, it->count, depth);
      loop_item[depth++] = i;
      continue;
    }
    if (it->kind == ITEM_LOOP_END) {
      depth--;
      sput(b, "%*s}\n", 2 + 2 * depth, "");
      continue;
    }
    Str iter = {0};
    if (!depth)
      sput(&iter, "0");
    else {
      /* ((l0 * c1 + l1) * c2 + l2) ... + 1 */
      for (int d = 1; d < depth; d++) sput(&iter, "(");
      for (int d = 0; d < depth; d++) {
        if (d)
          sput(&iter, " * %du + l%d)", prog->items[loop_item[d]].count, d);
        else
          sput(&iter, "l0");
      }
      sput(&iter, " + 1");
    }
    be->call(b, 2 + 2 * depth, i, iter.s);
    free(iter.s);
  }
  be->driver_tail(b, prog, entry);
}

static void emit_tables(Str *b, const Graph *g, const Program *prog, const EmitInfo *info, int n_logs, long arena,
                        double flops, const Backend *be) {
  char fp[17];
  emit_fingerprint(g, prog, fp);
  sput(b, "static const ModelVar vars[%d] = {\n", g->n_vars ? g->n_vars : 1);
  for (int v = 0; v < g->n_vars; v++) {
    const Var *var = &g->vars[v];
    int opt = -1;
    for (int i = 0; i < prog->n_items; i++)
      for (int k = 0; k < prog->items[i].n_params; k++)
        if (prog->items[i].params[k] == v) opt = prog->items[i].opt;
    sput(b, "  {");
    emit_cstring(b, var->name);
    sput(b, ", %d, %d, {%d, %d, %d, %d}, %d, %d, %.17g, %.17g, %d},\n", var->kind, var->shape.rank, var->shape.d[0],
         var->shape.d[1], var->shape.d[2], var->shape.d[3], shape_numel(var->shape), var->init_kind, var->init_a,
         var->init_b, opt);
  }
  sput(b, "};\n\nstatic const ModelOpt opts[%d] = {\n", prog->n_opts ? prog->n_opts : 1);
  for (int o = 0; o < prog->n_opts; o++) {
    sput(b, "  {");
    emit_cstring(b, prog->opts[o].name);
    sput(b, ", %.17g, %.17g, %.17g, %.17g, %.17g, %ld, %d, %d},\n", prog->opts[o].lr, prog->opts[o].beta1,
         prog->opts[o].beta2, prog->opts[o].eps, prog->opts[o].lr_min, prog->opts[o].horizon, prog->opts[o].hp_lr,
         prog->opts[o].hp_lr_min);
  }
  sput(b, "};\n\nstatic const ModelHParam hparams[%d] = {\n", g->n_hparams ? g->n_hparams : 1);
  for (int k = 0; k < g->n_hparams; k++) {
    const HParam *h = &g->hparams[k];
    sput(b, "  {");
    emit_cstring(b, h->name);
    sput(b, ", ");
    emit_cstring(b, h->desc);
    sput(b, ", %.17g, ", h->dflt);
    if (isinf(h->lo))
      sput(b, "-HUGE_VAL, "); /* an unbounded end */
    else
      sput(b, "%.17g, ", h->lo);
    if (isinf(h->hi))
      sput(b, "HUGE_VAL, ");
    else
      sput(b, "%.17g, ", h->hi);
    sput(b, "%d, %d, %d},\n", h->lo_open, h->hi_open, h->whole);
  }
  sput(b, "};\n\nstatic const char *const log_names[%d] = {", n_logs ? n_logs : 1);
  for (int i = 0; i < prog->n_items; i++)
    for (int k = 0; k < prog->items[i].n_logs; k++) {
      emit_cstring(b, prog->items[i].logs[k].name);
      sput(b, ", ");
    }
  sput(b, "};\n\nstatic const ModelEntry entries[%d] = {\n", prog->n_entries);
  for (int e = 0; e < prog->n_entries; e++) {
    sput(b, "  {");
    emit_cstring(b, prog->entries[e].name);
    sput(b, ", entry_%d, %d, %d},\n", e, prog->entries[e].in_var, prog->entries[e].out_var);
  }
  sput(b, "};\n\n");
  if (info->shard) {
    sput(b, "static const unsigned char var_rows[%d] = {", g->n_vars ? g->n_vars : 1);
    for (int v = 0; v < g->n_vars; v++) sput(b, "%s%d", v ? ", " : "", info->shard->var_rows[v]);
    sput(b, "};\n\n");
  }
  /* fields in declaration order: the CUDA file is C++, which requires it */
  sput(b, "const Model model = {\n  .name = ");
  emit_cstring(b, info->name);
  sput(b, ", .method = ");
  emit_cstring(b, info->method);
  sput(b, ", .data = ");
  emit_cstring(b, g->data_name);
  sput(b, ", .fingerprint = \"%s\", .data_cols = %d,\n", fp, data_cols(g));
  sput(b,
       "  .n_vars = %d, .vars = vars, .n_opts = %d, .opts = opts, .n_hparams = %d, .hparams = hparams,\n"
       "  .n_logs = %d, .log_names = log_names,\n",
       g->n_vars, prog->n_opts, g->n_hparams, n_logs);
  sput(b, "  .arena_floats = %ld, .matmul_flops = %.17g, .default_iters = %ld, .log_every = %d,\n", arena, flops,
       info->default_iters, info->log_every);
  sput(b, "  .train_step = entry_0, .n_entries = %d, .entries = entries,\n", prog->n_entries);
  if (info->shard) sput(b, "  .ranks = %d, .var_rows = var_rows,\n", info->shard->ranks);
  sput(b, "%s};\n", be->model_fields);
}

char *emit_model(const Graph *g, const Program *prog, const EmitInfo *info, const Backend *be) {
  Str b = {0};
  sput(&b, "%s", info->prologue ? info->prologue : "");
  if (be->preamble) be->preamble(&b, g);
  int *log_base = calloc(prog->n_items + 1, sizeof(int)), n_logs = 0;
  long arena = 0;
  double flops = 0, mult = 1, stack[PROGRAM_MAX_LOOP_DEPTH];
  int sp = 0;
  for (int i = 0; i < prog->n_items; i++) {
    log_base[i] = n_logs;
    n_logs += prog->items[i].n_logs;
  }
  for (int i = 0; i < prog->n_items; i++) {
    const Item *it = &prog->items[i];
    if (it->kind == ITEM_LOOP_BEGIN) {
      stack[sp++] = mult; /* flops per step at the defaults: a run-time count at its default */
      mult *= it->hp_count >= 0 ? g->hparams[it->hp_count].dflt : it->count;
      continue;
    }
    if (it->kind == ITEM_LOOP_END) {
      mult = stack[--sp];
      continue;
    }
    int n_out, *outs = phase_outputs(it, &n_out);
    Phase p;
    phase_analyse(&p, g, it, n_out, outs);
    if (p.arena > arena) arena = p.arena;
    if (it->entry == 0) flops += mult * phase_flops(g, &p);
    be->phase(&b, prog, i, log_base[i], &p);
    phase_free(&p);
    free(outs);
  }
  for (int e = 0; e < prog->n_entries; e++) emit_driver(&b, g, prog, e, be);
  if (be->before_tables) be->before_tables(&b, g, prog, arena);
  emit_tables(&b, g, prog, info, n_logs, arena, flops, be);
  free(log_base);
  return b.s;
}
