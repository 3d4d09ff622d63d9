/* One study run: stages trained by the trainer binary, each scored and judged
 * (study_run.h). Killed at any moment and started again, it ends with the
 * same files: every stage starts from a checkpoint of this run (the last
 * --ckpt-every one, or the previous stage's copy), and trainers resume
 * bit-exactly. */
#define _GNU_SOURCE
#include "study_run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "fsutil.h"
#include "json_flat.h"
#include "npy.h"
#include "safetensors.h"
#include "toy_data.h"

int study_spawn(char *const *argv, const char *out, const char *log) {
  pid_t parent = getpid();
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    /* a killed study leaves no trainer behind to write into a run it restarts */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int fo = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : fd;
    int nul = open("/dev/null", O_RDONLY);
    if (fd < 0 || fo < 0 || nul < 0) _exit(127);
    dup2(nul, 0);
    dup2(fo, 1);
    dup2(fd, 2);
    execvp(argv[0], argv);
    fprintf(stderr, "ebmforge study: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int exists(const char *path) {
  struct stat st;
  return !stat(path, &st);
}

/* the step recorded in a checkpoint, or -1 */
static long ckpt_step(const char *path) {
  StFile f;
  char err[600];
  if (!exists(path) || st_read(path, &f, err, sizeof err)) return -1;
  const char *s = st_meta(&f, "step");
  long step = s ? atol(s) : -1;
  st_free(&f);
  return step;
}

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) return -1;
  AtomicFile a;
  char err[600], buf[1 << 16];
  if (atomic_open(&a, to, err, sizeof err)) {
    fclose(in);
    return -1;
  }
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, a.f) != n) {
      fclose(in);
      atomic_abort(&a);
      return -1;
    }
  fclose(in);
  return atomic_commit(&a, err, sizeof err);
}

static void path_of(char *out, size_t n, const StudyRun *r, const char *stem, long b, const char *ext) {
  snprintf(out, n, "%s/%s_%ld%s", r->dir, stem, b, ext);
}

/* Trains to step b from the newest checkpoint of this run at or after step
 * prev: 0, the trainer's exit code, or -2 when it stopped early (a signal). */
static int train_stage(const StudyRun *r, long prev, long b) {
  char ckpt[4200], stage_prev[4200], log[4200], sb[32], seed[32], le[32], ce[32];
  snprintf(ckpt, sizeof ckpt, "%s/ckpt.safetensors", r->dir);
  snprintf(log, sizeof log, "%s/train.txt", r->dir);
  path_of(stage_prev, sizeof stage_prev, r, "stage", prev, ".safetensors");
  long at = ckpt_step(ckpt);
  const char *from = NULL;
  if (at == b) return 0; /* trained before the study was stopped */
  if (at > 0 && at >= prev && at < b)
    from = ckpt;
  else if (prev > 0)
    from = stage_prev;
  snprintf(sb, sizeof sb, "%ld", b);
  snprintf(seed, sizeof seed, "%ld", r->seed);
  snprintf(le, sizeof le, "%ld", r->log_every);
  snprintf(ce, sizeof ce, "%ld", r->ckpt_every);
  char *argv[32 + 2 * 64];
  int k = 0;
  argv[k++] = (char *)r->trainer;
  argv[k++] = "train";
  argv[k++] = "--iters";
  argv[k++] = sb;
  argv[k++] = "--seed";
  argv[k++] = seed;
  argv[k++] = "--data";
  argv[k++] = (char *)r->data;
  argv[k++] = "--out";
  argv[k++] = (char *)r->dir;
  argv[k++] = "--log-every";
  argv[k++] = le;
  argv[k++] = "--ckpt-every";
  argv[k++] = ce;
  if (from) {
    argv[k++] = "--resume";
    argv[k++] = (char *)from;
  }
  for (int i = 0; i < r->n_set && i < 64; i++) {
    argv[k++] = "--set";
    argv[k++] = r->set[i];
  }
  argv[k] = NULL;
  int rc = study_spawn(argv, NULL, log);
  if (rc) return rc;
  return ckpt_step(ckpt) == b ? 0 : -2;
}

/* one command of the trainer writing `out` (via a temporary name and rename) */
static int produce(const StudyRun *r, const char *out, int to_stdout, char *const *args) {
  if (exists(out)) return 0;
  char tmp[4300], log[4200];
  const char *ext = strrchr(out, '.');
  snprintf(tmp, sizeof tmp, "%.*s.tmp%s", (int)(ext - out), out, ext);
  snprintf(log, sizeof log, "%s/train.txt", r->dir);
  char *argv[24];
  int k = 0;
  argv[k++] = (char *)r->trainer;
  for (int i = 0; args[i]; i++) argv[k++] = args[i];
  if (!to_stdout) {
    argv[k++] = "-o";
    argv[k++] = tmp;
  }
  argv[k] = NULL;
  int rc = study_spawn(argv, to_stdout ? tmp : NULL, log);
  if (!rc && rename(tmp, out)) rc = 1;
  if (rc) unlink(tmp);
  return rc;
}

/* trace of the covariance of n rows of d columns; NAN when a value is not finite */
static double spread(const float *x, long n, int d) {
  double total = 0;
  for (int c = 0; c < d; c++) {
    double m = 0, v = 0;
    for (long i = 0; i < n; i++) m += x[i * d + c];
    m /= n;
    for (long i = 0; i < n; i++) v += (x[i * d + c] - m) * (x[i * d + c] - m);
    total += v / (n > 1 ? n - 1 : 1);
  }
  return isfinite(total) ? total : NAN;
}

/* the data's variance: 20,000 points of a toy set (a fixed draw), every row of a file */
static double data_spread(const char *spec) {
  if (toy_dataset(spec)) {
    enum { N = 20000 };
    float *x = malloc(N * 2 * sizeof(float));
    toy_sample(spec, x, N, 12345, 0, 0, 0);
    double v = spread(x, N, 2);
    free(x);
    return v;
  }
  float *x;
  int rank;
  int64_t shape[NPY_MAX_RANK];
  char err[600];
  if (npy_read_f32(spec, &x, &rank, shape, err, sizeof err)) return NAN;
  double v = rank == 2 ? spread(x, shape[0], (int)shape[1]) : NAN;
  free(x);
  return v;
}

static void put_num(FILE *f, const char *key, double v) {
  if (isfinite(v))
    fprintf(f, ", \"%s\": %.9g", key, v);
  else
    fprintf(f, ", \"%s\": null", key);
}

static void put_str(FILE *f, const char *key, const char *s) {
  fprintf(f, ", \"%s\": \"", key);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 32)
      fputc(' ', f);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

/* The stage's verdicts from its eval JSON and samples (either may be missing
 * after a failure), written last. `trainer_exit` 3: the run stopped on NaN/Inf
 * at or before this stage; why: the trainer's last message. */
static int write_verdict(const StudyRun *r, long b, int trainer_exit, const char *why) {
  char path[4200], ev[4200], sp[4200], err[600];
  path_of(path, sizeof path, r, "verdict", b, ".json");
  path_of(ev, sizeof ev, r, "eval", b, ".json");
  path_of(sp, sizeof sp, r, "samples", b, ".npy");
  JsonFlat e = {0};
  int have_eval = !trainer_exit && !json_flat_read(ev, &e);
  double nll = NAN, var = NAN, dvar = NAN, modes = NAN, n_modes = NAN;
  if (have_eval) {
    const JsonField *f;
    if ((f = json_flat_get(&e, "test_nll_grid"))) nll = f->num;
    if ((f = json_flat_get(&e, "modes_covered"))) modes = f->num;
    if ((f = json_flat_get(&e, "n_modes"))) n_modes = f->num;
    float *x;
    int rank;
    int64_t shape[NPY_MAX_RANK];
    if (!npy_read_f32(sp, &x, &rank, shape, err, sizeof err)) {
      if (rank == 2) var = spread(x, shape[0], (int)shape[1]);
      free(x);
    }
    dvar = data_spread(r->data);
  }
  json_flat_free(&e);
  int diverged = trainer_exit || !have_eval || !isfinite(var);
  double ratio = var / dvar;
  int collapsed =
      !diverged && (ratio < STUDY_COLLAPSE_VAR_RATIO || (n_modes > 0 && modes < STUDY_COLLAPSE_MODES * n_modes));
  int unfit = !diverged && !(nll <= STUDY_UNFIT_NLL);
  const char *verdict = diverged ? "diverged" : collapsed ? "collapsed" : unfit ? "unfit" : "ok";
  if (!why)
    why = trainer_exit     ? "the trainer stopped on NaN/Inf"
          : !have_eval     ? "eval failed"
          : !isfinite(var) ? "samples not finite"
                           : "";
  AtomicFile a;
  if (atomic_open(&a, path, err, sizeof err)) {
    fprintf(stderr, "ebmforge study: %s\n", err);
    return 1;
  }
  fprintf(a.f, "{\"iters\": %ld", b);
  put_str(a.f, "verdict", verdict);
  put_str(a.f, "data", r->data_name);
  put_str(a.f, "method", r->method);
  put_str(a.f, "params", r->params);
  fprintf(a.f, ", \"seed\": %ld, \"diverged\": %s, \"collapsed\": %s, \"unfit\": %s, \"trainer_exit\": %d", r->seed,
          diverged ? "true" : "false", collapsed ? "true" : "false", unfit ? "true" : "false", trainer_exit);
  put_str(a.f, "reason", why);
  put_num(a.f, "test_nll_grid", nll);
  put_num(a.f, "sample_var", var);
  put_num(a.f, "data_var", dvar);
  put_num(a.f, "var_ratio", ratio);
  put_num(a.f, "modes_covered", modes);
  put_num(a.f, "n_modes", n_modes);
  put_num(a.f, "collapse_var_ratio", STUDY_COLLAPSE_VAR_RATIO);
  put_num(a.f, "collapse_modes_fraction", STUDY_COLLAPSE_MODES);
  put_num(a.f, "unfit_nll", STUDY_UNFIT_NLL);
  fprintf(a.f, "}\n");
  if (atomic_commit(&a, err, sizeof err)) {
    fprintf(stderr, "ebmforge study: %s\n", err);
    return 1;
  }
  fprintf(stderr, "ebmforge study: %s at %ld: %s\n", r->dir, b, verdict);
  return 0;
}

/* the trainer's last message line in train.txt (what it stopped on), or NULL */
static char *last_message(const StudyRun *r) {
  char path[4200], line[1024], *last = NULL;
  snprintf(path, sizeof path, "%s/train.txt", r->dir);
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  while (fgets(line, sizeof line, f))
    if (strstr(line, "iteration ")) {
      free(last);
      last = strdup(line + strspn(line, "\n\r"));
    }
  fclose(f);
  if (last) last[strcspn(last, "\n\r")] = 0;
  return last;
}

int study_run(const StudyRun *r) {
  if (mkdir_p(r->dir)) {
    fprintf(stderr, "ebmforge study: cannot create %s: %s\n", r->dir, strerror(errno));
    return 1;
  }
  long prev = 0;
  int stopped = 0; /* the trainer stopped on NaN/Inf: this stage and every later one diverged */
  char *why = NULL;
  for (int i = 0; i < r->n_budgets; i++) {
    long b = r->budgets[i];
    char verdict[4200], stage[4200], out[4200], bs[32], ns[32], gs[32], rs[32];
    path_of(verdict, sizeof verdict, r, "verdict", b, ".json");
    path_of(stage, sizeof stage, r, "stage", b, ".safetensors");
    JsonFlat v;
    if (!json_flat_read(verdict, &v)) { /* finished before */
      const JsonField *x = json_flat_get(&v, "trainer_exit");
      if (x && x->num == 3 && !stopped) {
        stopped = 1;
        why = strdup(json_flat_str(&v, "reason", ""));
      }
      json_flat_free(&v);
      prev = b;
      continue;
    }
    if (stopped) {
      if (write_verdict(r, b, 3, why)) break;
      continue;
    }
    if (!exists(stage)) {
      int rc = train_stage(r, prev, b);
      if (rc == 3) {
        stopped = 1;
        why = last_message(r);
        fprintf(stderr, "ebmforge study: %s: stopped on NaN/Inf before step %ld%s%s\n", r->dir, b, why ? ": " : "",
                why ? why : "");
        if (write_verdict(r, b, 3, why)) break;
        continue;
      }
      if (rc) {
        fprintf(stderr, "ebmforge study: %s: training to step %ld %s (see %s/train.txt)\n", r->dir, b,
                rc == -2 ? "was interrupted" : "failed", r->dir);
        free(why);
        return 1;
      }
      snprintf(out, sizeof out, "%s/ckpt.safetensors", r->dir);
      if (copy_file(out, stage)) {
        fprintf(stderr, "ebmforge study: cannot write %s\n", stage);
        free(why);
        return 1;
      }
    }
    snprintf(bs, sizeof bs, "%ld", b);
    snprintf(ns, sizeof ns, "%ld", r->samples);
    snprintf(gs, sizeof gs, "%d", STUDY_GRID);
    snprintf(rs, sizeof rs, "%d", STUDY_RANGE);
    path_of(out, sizeof out, r, "samples", b, ".npy");
    char *sample[] = {"sample", "--ckpt", stage, "-n", ns, NULL};
    int rc = produce(r, out, 0, sample);
    path_of(out, sizeof out, r, "energy_grid", b, ".npy");
    char *energy[] = {"energy", "--ckpt", stage, "--grid", gs, "--range", rs, NULL};
    if (!rc) rc = produce(r, out, 0, energy);
    path_of(out, sizeof out, r, "eval", b, ".json");
    char *eval[] = {"eval", "--ckpt", stage, "--data", (char *)r->data, NULL};
    if (!rc) rc = produce(r, out, 1, eval);
    if (rc < 0 || rc >= 126) { /* not run, or killed: not the model's fault, try again later */
      fprintf(stderr, "ebmforge study: %s: scoring step %ld was interrupted (exit %d)\n", r->dir, b, rc);
      free(why);
      return 1;
    }
    /* a failed command leaves its output absent: judged diverged with the reason */
    if (rc) fprintf(stderr, "ebmforge study: %s: scoring step %ld failed (exit %d, see train.txt)\n", r->dir, b, rc);
    if (write_verdict(r, b, 0, NULL)) {
      free(why);
      return 1;
    }
    prev = b;
  }
  free(why);
  return 0;
}
