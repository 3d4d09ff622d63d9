/* `train train`: the training loop, its log, checkpoints and NaN rollbacks. */
#include "train_cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas_threads.h"
#include "checkpoint.h"
#include "cli.h"
#include "dist.h"
#include "fsutil.h"
#include "model.h"
#include "mono_clock.h"
#include "params_cli.h"
#include "progress.h"
#include "rollback.h"
#include "run_arrays.h"
#include "run_data.h"
#include "run_record.h"
#include "sharded.h"
#include "state.h"
#include "workers.h"
#include "xalloc.h"

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static int save(const char *path, ModelState *s, long step) {
  char err[512];
  if (model.device_pull && model.device_pull(s)) {
    fprintf(stderr, "%s: %s\n", prog, s->err);
    return 1;
  }
  if (sharded_save(path, &model, s, step, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    return 1;
  }
  return 0;
}

/* A run killed after its last checkpoint may have logged steps past it, the
 * last line perhaps half written: drop every line from the first that is not
 * a whole line of an iteration <= step, so the resumed log continues at step. */
static int trim_log(const char *path, long step) {
  FILE *f = fopen(path, "r+");
  if (!f) return errno == ENOENT ? 0 : -1;
  char *line = NULL;
  size_t cap = 0;
  long keep = 0, iter;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0 && line[n - 1] == '\n' && sscanf(line, "{\"iter\": %ld", &iter) == 1 &&
         iter <= step)
    keep += n;
  free(line);
  int rc = ftruncate(fileno(f), keep);
  return fclose(f) || rc ? -1 : 0;
}

/* The JSON line of a rollback: kept at iteration `to` by later log trims */
static void log_rollback(FILE *log, long to, long failed, const char *why, double scale, long retry) {
  fprintf(log, "{\"iter\": %ld, \"event\": \"nan_rollback\", \"failed_iter\": %ld, \"error\": \"", to, failed);
  for (const char *c = why; *c; c++) fprintf(log, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
  fprintf(log, "\", \"lr_scale\": %.17g, \"retry\": %ld}\n", scale, retry);
}

static const char *train_about =
    "Trains from the seed (or from CKPT) and writes DIR/run.json (model, build, data and\n"
    "its sha256, seed, host, start and end time), one JSON object per logged step to\n"
    "DIR/log.jsonl (flushed line by line; the first line a \"start\" event) and the whole\n"
    "state to DIR/ckpt.safetensors (atomically: at the end, every --ckpt-every steps, and\n"
    "on SIGINT/SIGTERM). Resuming continues bit-exactly: N steps, then resume for M more,\n"
    "equals N+M steps in one run.\n"
    "At the end, for 2-D data, DIR/samples.npy (2000 samples), DIR/energy_grid.npy\n"
    "(energies on a 256 x 256 grid over [-4, 4]^2, row = y) and DIR/arrays.json (model,\n"
    "method, data, step, seed); `ebmforge plot DIR` draws them with DIR/log.jsonl\n"
    "(docs/plots.md). For pictures, DIR/samples.png: a grid of 64 samples.\n";

static const char *train_footer =
    "exit codes: 0 done or stopped by a signal, 1 I/O error, 2 bad arguments or\n"
    "checkpoint, 3 a loss or gradient became NaN/Inf (the step and term are named),\n"
    "4 out of memory (the size and its purpose are named)\n";

int cmd_train(int argc, char **argv) {
  ParamArgs pa = {0};
  long iters = model.default_iters, seed = 0, log_every = model.log_every, ckpt_every = 0, threads = 1, timeout = 120;
  long nan_retries = 0;
  double nan_factor = 0.5;
  const char *out = "out/train", *resume = NULL;
  DataArgs da = {0};
  char data_default[300];
  snprintf(data_default, sizeof data_default, "the model's, %s", model.data);
  const CliOpt opts[] = {
      OPT_LONG("--iters", &iters, "N", 0, CLI_NO_MAX,
               "total iterations; with --resume, the run ends at step N, which must lie beyond the checkpoint's step"),
      OPT_LONG("--seed", &seed, "S", 0, CLI_NO_MAX, "Philox seed; taken from CKPT when resuming"),
      OPT_STRING("--out", &out, "DIR", "output directory"),
      OPT_STRING("--resume", &resume, "CKPT", "continue from a checkpoint of this same model, on the data it recorded"),
      OPT_STRING(
          "--data", &da.data, "X",
          "a toy data set by name (docs/methods.md §2), a float32 or float64 [N, D] .npy array or an image set: "
          "fashion-mnist[:DIR], mnist:DIR, cifar10:DIR (IDX / CIFAR-10 binary files). Of a .npy file, one row in 10 "
          "(a fixed choice) is held out for eval, never trained on",
          .dflt = data_default),
      OPT_STRING("--test-data", &da.test_data, "T.npy",
                 "held-out points for eval instead: every row of X is trained on"),
      OPT_FLAG("--data-changed", &da.changed, "with --resume: accept data whose sha256 differs from the recorded data"),
      OPT_LONG("--log-every", &log_every, "K", 1, CLI_NO_MAX, "log every K iterations"),
      OPT_LONG("--ckpt-every", &ckpt_every, "K", 0, CLI_NO_MAX, "also checkpoint every K iterations",
               .dflt = "0: only at the end"),
      OPT_LONG("--threads", &threads, "T", 1, CLI_NO_MAX,
               "threads for the matrix products (our small-matrix kernel splits its rows while the steps time "
               "faster that way, OpenBLAS takes the large ones); results are reproducible for a given T"),
      OPT_LONG("--comm-timeout", &timeout, "S", 1, CLI_NO_MAX,
               "data-parallel trainers (mpirun -np R): give up when the other ranks have not answered for S seconds"),
      OPT_LONG("--nan-retries", &nan_retries, "N", 0, CLI_NO_MAX,
               "when a loss or gradient becomes NaN/Inf, go back to the last checkpoint (or the start) and continue "
               "with every "
               "learning rate times --nan-lr-factor, at most N times in a run; each retry is logged as {\"iter\": C, "
               "\"event\": "
               "\"nan_rollback\", ...} and the scale is kept in checkpoints (one process only)",
               .dflt = "0: stop"),
      OPT_DOUBLE("--nan-lr-factor", &nan_factor, "F", 0, 1, "the learning rates' factor at each NaN retry"),
      OPT_LIST("--set", &pa.sets, "NAME=VALUE", "a run-time parameter (listed below); no rebuild needed"),
      OPT_STRING("--config", &pa.config, "FILE.json",
                 "run-time parameters from a JSON object {\"NAME\": VALUE, ...}; --set wins over it. On --resume the "
                 "checkpoint's "
                 "values are the defaults, and each one changed is logged as a param_changed event"),
      OPT_END};
  const CliCommand cmd = {"train", train_about, opts, train_footer};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc == CLI_HELP) {
    printf("\n");
    param_help(stdout, &model, NULL);
    return 0;
  }
  if (rc) {
    param_args_free(&pa);
    return rc;
  }
  char perr[600];
  { /* refused before anything is written; applied again over a resumed run's values below */
    double *trial = xcalloc(model.n_hparams + 1, sizeof(double), "the run-time parameters");
    for (int k = 0; k < model.n_hparams; k++) trial[k] = model.hparams[k].dflt;
    int r = param_args_apply(&pa, &model, trial, perr, sizeof perr);
    free(trial);
    if (r) {
      param_args_free(&pa);
      return bad(perr);
    }
  }
  DataSource source;
  DataId data_id = {.kind = "none"};
  char derr[600];
  /* a data-parallel trainer: one rank of model.ranks, rank 0 writes logs, checkpoints and plots */
  int lead = 1;
  if (model.ranks > 1) {
    if (dist_init(NULL, NULL, (int)timeout, derr, sizeof derr)) {
      fprintf(stderr, "%s: %s\n", prog, derr);
      return 1;
    }
    if (dist_size() != model.ranks) {
      fprintf(stderr,
              "%s: built for %d data-parallel ranks, launched as %d (%s): run it with mpirun -np %d or srun -n %d\n",
              prog, model.ranks, dist_size(), dist_kind(), model.ranks, model.ranks);
      return 2;
    }
    lead = dist_rank() == 0;
  }
  if (nan_retries && model.ranks > 1)
    return bad("--nan-retries works in one process only, not in a data-parallel trainer");
  if (model.data_cols) {
    int drc = run_data_open(&da, resume, model.data_cols, &source, &data_id);
    if (drc) return drc;
  }
  checkpoint_record_data(&data_id);
  /* the summation order of a threaded GEMM depends on the thread count */
  blas_threads_init((int)threads);
  ModelState s;
  long start = 0;
  state_init(&s, &model, (uint64_t)seed);
  s.data = &source;
  if (model.ranks > 1) {
    s.rank = dist_rank();
    s.allreduce = dist_allreduce_mean;
    sharded_init(&model, &s);
  }
  if (resume) {
    char err[600];
    uint64_t ck_seed;
    if (sharded_load(resume, &model, &s, &start, &ck_seed, err, sizeof err)) {
      fprintf(stderr, "%s: cannot resume: %s\n", prog, err);
      state_free(&s, &model);
      return 2;
    }
    /* the seed is part of the run: reinitialising would be a different run */
    s.seed = ck_seed;
    if (iters <= start) {
      fprintf(stderr,
              "%s: %s is at step %ld: --iters %ld leaves nothing to train (--iters is the total, pass more than %ld)\n",
              prog, resume, start, iters, start);
      state_free(&s, &model);
      if (model.data_cols) data_close(&source);
      return 2;
    }
  }
  /* the run's values: the defaults (or the checkpoint's), then --config, then --set */
  double *recorded = xcalloc(model.n_hparams + 1, sizeof(double), "the run-time parameters");
  memcpy(recorded, s.hparams, model.n_hparams * sizeof(double));
  if (param_args_apply(&pa, &model, s.hparams, perr, sizeof perr)) {
    free(recorded);
    return bad(perr);
  }
  param_args_free(&pa);
  if (lead && mkdir_p(out)) {
    fprintf(stderr, "%s: cannot create %s: %s\n", prog, out, strerror(errno));
    return 1;
  }
  char log_path[4096], ckpt_path[4096];
  snprintf(log_path, sizeof log_path, "%s/log.jsonl", out);
  snprintf(ckpt_path, sizeof ckpt_path, "%s/ckpt.safetensors", out);
  if (lead && resume && trim_log(log_path, start)) {
    fprintf(stderr, "%s: cannot trim %s: %s\n", prog, log_path, strerror(errno));
    return 1;
  }
  FILE *log = lead ? fopen(log_path, resume ? "a" : "w") : NULL;
  if (lead && !log) {
    fprintf(stderr, "%s: cannot write %s: %s\n", prog, log_path, strerror(errno));
    return 1;
  }
  RunRecord record;
  if (lead &&
      run_record_start(&record, out, argc, argv, (long)s.seed, threads, iters, resume, start, &data_id, s.hparams))
    return 1;
  if (lead) run_log_start(log, &record, start);
  if (lead && resume) param_log_changes(log, prog, start, &model, recorded, s.hparams);
  free(recorded);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  Progress bar;
  progress_start(&bar, iters, 2);
  bar.done0 = start;
  const char **names = (const char **)model.log_names;
  rc = 0;
  long step = start, retries = 0;
  double t_last = mono_seconds();
  long n_last = step;
  Snapshot last; /* --nan-retries: the state of the last checkpoint (or of the start) */
  if (nan_retries) {
    snapshot_init(&last, &model);
    if (snapshot_take(&last, &model, &s, step)) {
      fprintf(stderr, "%s: %s\n", prog, s.err);
      rc = 1;
      step = iters;
    }
  }
  /* the ranks agree on a signal (mpirun forwards it to all), so all stop at one step */
  for (; step < iters && !(model.ranks > 1 ? dist_any(stop_signal) : stop_signal); step++) {
    rc = model.train_step(&s, step);
    workers_step(); /* at --threads T > 1: split the products or not, whichever is faster now */
    if (rc == 3 && retries < nan_retries) {
      retries++;
      s.lr_scale *= nan_factor;
      fprintf(stderr, "\n%s: iteration %ld, %s: back to step %ld with learning rates x %g (retry %ld of %ld)\n", prog,
              step + 1, s.err, last.step, s.lr_scale, retries, nan_retries);
      snapshot_restore(&last, &model, &s);
      /* the log continues at the restored step: drop the abandoned iterations' lines */
      if (fclose(log) || trim_log(log_path, last.step) || !(log = fopen(log_path, "a"))) {
        fprintf(stderr, "%s: cannot rewrite %s: %s\n", prog, log_path, strerror(errno));
        log = NULL;
        rc = 1;
        break;
      }
      log_rollback(log, last.step, step + 1, s.err, s.lr_scale, retries);
      fflush(log);
      step = last.step - 1;
      t_last = mono_seconds();
      n_last = last.step;
      rc = 0;
      continue;
    }
    if (rc) {
      fprintf(stderr, "\n%s: iteration %ld, %s\n", prog, step + 1, s.err);
      if (rc == 3 && nan_retries) fprintf(stderr, "%s: no retry left (--nan-retries %ld)\n", prog, nan_retries);
      break;
    }
    if (lead && ((step + 1) % log_every == 0 || step + 1 == iters)) {
      double t = mono_seconds(), rate = (step + 1 - n_last) / (t - t_last > 1e-9 ? t - t_last : 1e-9);
      fprintf(log, "{\"iter\": %ld", step + 1);
      for (int k = 0; k < model.n_logs; k++) fprintf(log, ", \"%s\": %.9g", model.log_names[k], s.logs[k]);
      run_log_rates(log, &s);
      fprintf(log, ", \"steps_per_s\": %.4g, \"wall\": %.3f}\n", rate, run_wall(&record));
      fflush(log); /* a line at a time: readers (and a crash) see whole lines */
      t_last = t;
      n_last = step + 1;
    }
    if (lead) progress_update(&bar, step + 1, model.n_logs < 3 ? model.n_logs : 3, names, s.logs);
    if (ckpt_every && (step + 1) % ckpt_every == 0 && step + 1 < iters) {
      if (lead) fflush(log);
      if (save(ckpt_path, &s, step + 1)) {
        rc = 1;
        step++;
        break;
      }
      if (nan_retries && snapshot_take(&last, &model, &s, step + 1)) {
        fprintf(stderr, "%s: %s\n", prog, s.err);
        rc = 1;
        step++;
        break;
      }
    }
  }
  if (nan_retries) snapshot_free(&last, &model);
  if (lead && log && fclose(log)) {
    fprintf(stderr, "%s: writing %s failed\n", prog, log_path);
    rc = rc ? rc : 1;
  }
  /* A failed step changed nothing worth keeping: the last checkpoint stays. */
  if (!rc) {
    rc = save(ckpt_path, &s, step);
    if (!rc && lead) run_arrays(out, &s, step, model.data_cols && data_id.spec[0] ? data_id.spec : NULL);
    if (stop_signal && lead)
      fprintf(stderr, "\n%s: %s at step %ld: checkpoint written to %s\n", prog,
              stop_signal == SIGINT ? "interrupted" : "terminated", step, ckpt_path);
  }
  if (lead && run_record_end(&record, step, rc ? "failed" : stop_signal ? "interrupted" : "done") && !rc) rc = 1;
  if (model.ranks > 1 && lead && step > start) {
    long bytes, calls;
    dist_traffic(&bytes, &calls);
    fprintf(stderr, "%s: rank 0 of %d sent %.0f bytes per step into %.1f collectives per step (%s)\n", prog,
            model.ranks, (double)bytes / (step - start), (double)calls / (step - start), dist_kind());
  }
  state_free(&s, &model);
  if (model.data_cols) data_close(&source);
  if (model.ranks > 1) dist_finalize();
  return rc;
}
