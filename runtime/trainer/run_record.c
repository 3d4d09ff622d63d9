#include "run_record.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adam.h"
#include "atomic_file.h"
#include "blas_core.h"
#include "cli.h"
#include "hparams.h"
#include "mono_clock.h"

/* written into model.c by `ebmforge build` (templates/model_prologue.c) */
extern const char ebm_build_source[], ebm_build_combo[], ebm_build_version[];

static void iso_now(char out[32]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void run_record_params_json(FILE *f, const double *hparams) {
  char *j = hparam_json(model.hparams, model.n_hparams, hparams);
  fputs(j, f);
  free(j);
}

double run_wall(const RunRecord *r) { return mono_seconds() - r->t0; }

static int write_json(const RunRecord *r) {
  char err[RUN_PATH_MAX + 200], host[256] = "", exe[PATH_MAX] = "";
  if (gethostname(host, sizeof host)) snprintf(host, sizeof host, "unknown");
  host[sizeof host - 1] = 0;
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  AtomicFile a;
  if (atomic_open(&a, r->path, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    return -1;
  }
  FILE *f = a.f;
  fprintf(f, "{\n  \"model_file\": ");
  run_json_str(f, ebm_build_source);
  fprintf(f, ",\n  \"model\": ");
  run_json_str(f, model.name);
  fprintf(f, ",\n  \"method\": ");
  run_json_str(f, model.method);
  fprintf(f, ",\n  \"combination\": ");
  run_json_str(f, ebm_build_combo);
  fprintf(f, ",\n  \"fingerprint\": \"%s\",\n  \"ebmforge_version\": ", model.fingerprint);
  run_json_str(f, ebm_build_version);
  fprintf(f, ",\n  \"trainer\": ");
  run_json_str(f, exe);
  fprintf(f, ",\n  \"host\": ");
  run_json_str(f, host);
  fprintf(f, ",\n  \"blas_core\": ");
  run_json_str(f, blas_core_name());
  fprintf(f, ",\n  \"blas_core_by\": \"%s\"", blas_core_chooser());
  fprintf(f, ",\n  \"args\": [");
  for (int i = 0; i < r->argc; i++) {
    fprintf(f, i ? ", " : "");
    run_json_str(f, r->argv[i]);
  }
  fprintf(f, "],\n  \"seed\": %ld,\n  \"threads\": %ld,\n  \"iters\": %ld,\n  \"resumed_from\": ", r->seed, r->threads,
          r->iters);
  if (r->resume) {
    fprintf(f, "{\"checkpoint\": ");
    run_json_str(f, r->resume);
    fprintf(f, ", \"step\": %ld}", r->resume_step);
  } else
    fprintf(f, "null");
  fprintf(f, ",\n  \"data\": ");
  run_data_json(r->data, f);
  fprintf(f, ",\n  \"params\": ");
  run_record_params_json(f, r->hparams);
  fprintf(f, ",\n  \"start\": \"%s\",\n  \"end\": ", r->start);
  if (r->end[0])
    fprintf(f, "\"%s\",\n  \"wall_s\": %.3f,\n  \"step\": %ld", r->end, run_wall(r), r->step);
  else
    fprintf(f, "null");
  fprintf(f, ",\n  \"status\": \"%s\"\n}\n", r->status);
  if (atomic_commit(&a, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    return -1;
  }
  return 0;
}

int run_record_start(RunRecord *r, const char *dir, int argc, char **argv, long seed, long threads, long iters,
                     const char *resume, long resume_step, const DataId *data, const double *hparams) {
  memset(r, 0, sizeof *r);
  r->hparams = hparams;
  snprintf(r->path, sizeof r->path, "%s/run.json", dir);
  iso_now(r->start);
  r->t0 = mono_seconds();
  r->seed = seed;
  r->threads = threads;
  r->iters = iters;
  r->resume = resume;
  r->resume_step = resume_step;
  r->status = "running";
  r->data = data;
  r->argc = argc;
  r->argv = argv;
  return write_json(r);
}

int run_record_end(RunRecord *r, long step, const char *status) {
  iso_now(r->end);
  r->step = step;
  r->status = status;
  return write_json(r);
}

void run_log_start(FILE *log, const RunRecord *r, long step) {
  fprintf(log, "{\"iter\": %ld, \"event\": \"%s\", \"time\": \"%s\", \"model\": ", step, r->resume ? "resume" : "start",
          r->start);
  run_json_str(log, model.name);
  fprintf(log, ", \"combination\": ");
  run_json_str(log, ebm_build_combo);
  fprintf(log, ", \"fingerprint\": \"%s\", \"seed\": %ld, \"data\": ", model.fingerprint, r->seed);
  run_data_json(r->data, log);
  fprintf(log, ", \"params\": ");
  run_record_params_json(log, r->hparams);
  fprintf(log, ", \"blas_core\": ");
  run_json_str(log, blas_core_name());
  fprintf(log, ", \"wall\": %.3f}\n", run_wall(r));
  fflush(log);
}

void run_log_rates(FILE *log, const ModelState *s) {
  for (int o = 0; o < model.n_opts; o++) {
    const ModelOpt *p = &model.opts[o];
    long t = s->opt_t[o] > 0 ? s->opt_t[o] : 1;
    double lr = p->hp_lr >= 0 ? s->hparams[p->hp_lr] : p->lr,
           lr_min = p->hp_lr_min >= 0 ? s->hparams[p->hp_lr_min] : p->lr_min;
    fprintf(log, ", \"lr_%s\": %.9g", p->name, s->lr_scale * adam_lr(lr, lr_min, p->horizon, t));
  }
}
