/* The interpreter-backed trainer: executes the step program phase by phase,
 * applies Adam, writes log.jsonl. It is also the reference for the emitted
 * trainers' parity tests, so it stays simple. */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adam.h"
#include "fsutil.h"
#include "hparams.h"
#include "interp.h"
#include "progress.h"
#include "data.h"

static int data_fn(void *ctx, float *out, int B, int D, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step) {
  const DataSource *ds = ctx;
  if (D != ds->d) return -1;
  return data_sample(ds, out, B, seed, stream, iter, step);
}

struct Trainer {
  Host *h;
  Interp ip;
  DataSource data;
  double **m, **v;  /* Adam moments per variable (params only) */
  double *hparams;  /* the run's hyper-parameter values (Graph.hparams order) */
  long *opt_t;      /* steps taken by each optimiser */
  int *log_base;    /* index of each item's first log tap */
  double *last_log; /* latest value of every log tap, in program order */
  char **log_names;
  int n_logs;
};
/* Evaluates one phase and applies its effects. Returns 0, or 3 after reporting a non-finite term. */
static int run_phase(Host *h, const Item *it, Interp *ip, Trainer *st, int log_base, long step) {
  Graph *g = h->g;
  int n, *outs = phase_outputs(it, &n);
  double **res = calloc(n ? n : 1, sizeof(double *));
  if (interp_eval(g, ip, n, outs, res)) {
    fprintf(stderr, "ebmforge: iteration %ld, phase %s: the data set could not be sampled\n", step + 1, it->name);
    free(outs);
    free(res);
    return 1;
  }
  int rc = 0;
  for (int k = 0; k < it->n_logs && !rc; k++) {
    double x = res[it->n_assigns + k][0];
    if (!isfinite(x)) {
      fprintf(stderr, "ebmforge: iteration %ld, phase %s: %s is %s\n", step + 1, it->name, it->logs[k].name,
              isnan(x) ? "NaN" : "Inf");
      rc = 3;
    }
    st->last_log[log_base + k] = x;
  }
  for (int k = 0; k < it->n_params && !rc; k++) {
    const double *gr = res[it->n_assigns + it->n_logs + k];
    int N = shape_numel(g->vars[it->params[k]].shape);
    for (int i = 0; i < N; i++)
      if (!isfinite(gr[i])) {
        fprintf(stderr, "ebmforge: iteration %ld, phase %s: the gradient of %s is not finite\n", step + 1, it->name,
                g->vars[it->params[k]].name);
        rc = 3;
        break;
      }
  }
  if (!rc) {
    for (int k = 0; k < it->n_assigns; k++) {
      int var = it->assigns[k].var;
      memcpy(ip->vars[var], res[k], shape_numel(g->vars[var].shape) * sizeof(double));
    }
    if (it->opt >= 0) {
      const Optimizer *o = &h->prog->opts[it->opt];
      long t = ++st->opt_t[it->opt];
      const double *hp = ip->hparams;
#define HV(f) (o->hp_##f >= 0 ? hp[o->hp_##f] : o->f)
      for (int k = 0; k < it->n_params; k++) {
        int var = it->params[k];
        adam_step_f64(ip->vars[var], st->m[var], st->v[var], res[it->n_assigns + it->n_logs + k],
                      shape_numel(g->vars[var].shape), adam_lr(HV(lr), HV(lr_min), o->horizon, t), HV(beta1), HV(beta2),
                      HV(eps), t, !ip->f64);
#undef HV
      }
    }
  }
  for (int k = 0; k < n; k++) free(res[k]);
  free(res);
  free(outs);
  return rc;
}

/* One training iteration: the items in order, loops unrolled at run time. */
/* Runs the items of one entry point, loops unrolled at run time. */
static int run_entry(Trainer *st, int entry, long step) {
  Host *h = st->h;
  Interp *ip = &st->ip;
  const Program *p = h->prog;
  int stack_pc[PROGRAM_MAX_LOOP_DEPTH], stack_left[PROGRAM_MAX_LOOP_DEPTH], stack_i[PROGRAM_MAX_LOOP_DEPTH], depth = 0;
  ip->step = (uint32_t)step;
  for (int pc = 0; pc < p->n_items; pc++) {
    const Item *it = &p->items[pc];
    if (it->entry != entry) continue;
    if (it->kind == ITEM_LOOP_BEGIN) {
      stack_pc[depth] = pc;
      stack_left[depth] = it->hp_count >= 0 ? (int)ip->hparams[it->hp_count] : it->count;
      stack_i[depth] = 0;
      depth++;
      continue;
    }
    if (it->kind == ITEM_LOOP_END) {
      if (--stack_left[depth - 1] > 0) {
        stack_i[depth - 1]++;
        pc = stack_pc[depth - 1];
      } else
        depth--;
      continue;
    }
    /* loop iterations enter the Philox counter so each one draws fresh numbers */
    uint32_t iter = 0;
    for (int d = 0; d < depth; d++) iter = iter * (uint32_t)p->items[stack_pc[d]].count + (uint32_t)stack_i[d];
    ip->iter = depth ? iter + 1 : 0;
    int rc = run_phase(h, it, ip, st, st->log_base[pc], step);
    if (rc) return rc;
  }
  return 0;
}

/* D of the model's data batches (2 when it reads none: toy sets are 2-D) */
static int data_width(const Graph *g) {
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i].op == OP_DATA) return g->nodes[i].shape.d[1];
  return 2;
}

int trainer_step(Trainer *t, long step) { return run_entry(t, 0, step); }

int trainer_run_entry(Trainer *t, const char *name, long step) {
  int e = program_find_entry(t->h->prog, name);
  return e < 0 ? -1 : run_entry(t, e, step);
}

Trainer *trainer_new(Host *h, uint64_t seed, int f64) {
  Graph *g = h->g;
  const Program *p = h->prog;
  Trainer *t = calloc(1, sizeof *t);
  t->h = h;
  t->ip = (Interp){.f64 = f64, .seed = seed, .data = data_fn, .data_ctx = &t->data};
  char err[300];
  if (g->data_name && data_open(&t->data, g->data_name, data_width(g), err, sizeof err))
    fprintf(stderr, "ebmforge: %s\n", err); /* the model validated it: not expected */
  t->hparams = calloc(g->n_hparams ? g->n_hparams : 1, sizeof(double));
  for (int k = 0; k < g->n_hparams; k++) t->hparams[k] = g->hparams[k].dflt;
  t->ip.hparams = t->hparams;
  t->ip.vars = calloc(g->n_vars, sizeof(double *));
  t->m = calloc(g->n_vars, sizeof(double *));
  t->v = calloc(g->n_vars, sizeof(double *));
  t->opt_t = calloc(p->n_opts ? p->n_opts : 1, sizeof(long));
  for (int v = 0; v < g->n_vars; v++) {
    int N = shape_numel(g->vars[v].shape);
    t->ip.vars[v] = malloc(N * sizeof(double));
    /* both modes start from the float values the compiled trainers start from,
     * so a double-precision run differs from them only in the arithmetic */
    interp_init_var(g, v, seed, t->ip.vars[v], 0);
    if (g->vars[v].kind == VAR_PARAM) {
      t->m[v] = calloc(N, sizeof(double));
      t->v[v] = calloc(N, sizeof(double));
    }
  }
  t->log_base = calloc(p->n_items ? p->n_items : 1, sizeof(int));
  for (int i = 0; i < p->n_items; i++) {
    t->log_base[i] = t->n_logs;
    t->n_logs += p->items[i].n_logs;
  }
  t->last_log = calloc(t->n_logs ? t->n_logs : 1, sizeof(double));
  t->log_names = calloc(t->n_logs ? t->n_logs : 1, sizeof(char *));
  for (int i = 0; i < p->n_items; i++)
    for (int k = 0; k < p->items[i].n_logs; k++) t->log_names[t->log_base[i] + k] = p->items[i].logs[k].name;
  return t;
}

int trainer_use_data(Trainer *t, const char *spec, char *err, size_t errlen) {
  DataSource d;
  if (data_open(&d, spec, data_width(t->h->g), err, errlen)) return -1;
  data_close(&t->data);
  t->data = d;
  return 0;
}

void trainer_free(Trainer *t) {
  if (!t) return;
  data_close(&t->data);
  for (int v = 0; v < t->h->g->n_vars; v++) {
    free(t->ip.vars[v]);
    free(t->m[v]);
    free(t->v[v]);
  }
  free(t->hparams);
  free(t->ip.vars);
  free(t->m);
  free(t->v);
  free(t->opt_t);
  free(t->last_log);
  free(t->log_names);
  free(t->log_base);
  free(t);
}

double *trainer_var(Trainer *t, int var) { return t->ip.vars[var]; }
double *trainer_hparams(Trainer *t) { return t->hparams; }

int trainer_set_hparams(Trainer *t, const char *config, const char *const *sets, int n_sets, char *err, size_t errlen) {
  const Graph *g = t->h->g;
  ModelHParam *hp = calloc(g->n_hparams + 1, sizeof *hp); /* the table a trainer carries */
  for (int k = 0; k < g->n_hparams; k++) {
    const HParam *h = &g->hparams[k];
    hp[k] = (ModelHParam){h->name, h->desc, h->dflt, h->lo, h->hi, h->lo_open, h->hi_open, h->whole};
  }
  int rc = config ? hparam_set_file(hp, g->n_hparams, t->hparams, config, err, errlen) : 0;
  for (int k = 0; k < n_sets && !rc; k++)
    rc = hparam_set_arg(hp, g->n_hparams, t->hparams, sets[k], "--set", err, errlen);
  free(hp);
  return rc;
}
int trainer_n_logs(const Trainer *t) { return t->n_logs; }
const char *trainer_log_name(const Trainer *t, int k) { return t->log_names[k]; }
double trainer_log_value(const Trainer *t, int k) { return t->last_log[k]; }

int run_model(Host *h, const RunOptions *o) {
  Trainer *t = trainer_new(h, o->seed, o->f64);
  char err[600];
  if (o->data && trainer_use_data(t, o->data, err, sizeof err)) {
    fprintf(stderr, "ebmforge: bad --data: %s\n", err);
    trainer_free(t);
    return 2;
  }
  if (trainer_set_hparams(t, o->config, o->sets, o->n_sets, err, sizeof err)) {
    fprintf(stderr, "ebmforge: %s\n", err);
    trainer_free(t);
    return 2;
  }
  if (mkdir_p(o->out_dir)) {
    fprintf(stderr, "ebmforge: cannot create %s: %s\n", o->out_dir, strerror(errno));
    return 1;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/log.jsonl", o->out_dir);
  FILE *log = fopen(path, "w");
  if (!log) {
    fprintf(stderr, "ebmforge: cannot write %s: %s\n", path, strerror(errno));
    return 1;
  }

  int rc = 0;
  Progress bar;
  progress_start(&bar, o->iters, 2);
  for (long step = 0; step < o->iters && !rc; step++) {
    rc = trainer_step(t, step);
    if (rc) break;
    if ((step + 1) % o->log_every == 0 || step + 1 == o->iters) {
      fprintf(log, "{\"iter\": %ld", step + 1);
      for (int k = 0; k < t->n_logs; k++) fprintf(log, ", \"%s\": %.9g", t->log_names[k], t->last_log[k]);
      fprintf(log, "}\n");
    }
    progress_update(&bar, step + 1, t->n_logs < 3 ? t->n_logs : 3, (const char *const *)t->log_names, t->last_log);
  }
  if (fclose(log)) {
    fprintf(stderr, "ebmforge: writing %s failed\n", path);
    rc = rc ? rc : 1;
  }
  trainer_free(t);
  return rc;
}
