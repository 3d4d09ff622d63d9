/* Parity of the compiled CPU trainer with the reference interpreter (f32):
 * for every model in models/ (the first combination of a sweep) and
 * tests/parity_models/, 20 steps from the same seed give the same
 * logged terms at every step and the same variables (parameters, buffers,
 * sampler states) within 1e-4 relative. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas_core.h"
#include "gradcheck.h"
#include "host.h"
#include "image_sets.h"
#include "toy_data.h"
#include "npy.h"
#include "program.h"
#include "run.h"
#include "safetensors.h"

static int STEPS = 20;
#define SEED 5
#define RTOL 1e-4

static double rel(double a, double b) {
  double m = fmax(fabs(a), fabs(b));
  return m < 1e-6 ? 0 : fabs(a - b) / m;
}

/* value of "key": in a JSON line, or NAN */
static double field(const char *line, const char *key) {
  char pat[256];
  snprintf(pat, sizeof pat, "\"%s\": ", key);
  const char *p = strstr(line, pat);
  return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* The trainer's sample and energy commands against the interpreter's entries. */
static void check_entries(Host *h, Trainer *t, const char *path, const char *tmp) {
  Graph *g = h->g;
  char cmd[8192], msg[1200], err[512], f[4400], combo[256];
  host_combo_name(h, combo, sizeof combo);
  int se = program_find_entry(h->prog, "sample"), ee = program_find_entry(h->prog, "energy");
  if (se < 0 || ee < 0) {
    printf("FAIL %s: no sample/energy entry\n", path);
    checks_failed++;
    return;
  }
  /* samples: the first chunk is the entry run at Philox step 0 */
  int sv = h->prog->entries[se].out_var, B = g->vars[sv].shape.d[0];
  trainer_run_entry(t, "sample", 0);
  snprintf(cmd, sizeof cmd,
           "%s/build/%s/train-cpu sample --ckpt %s/run/ckpt.safetensors -n %d -o %s/s.npy 2>>%s/train.log", tmp, combo,
           tmp, B, tmp, tmp);
  float *x = NULL;
  int rank;
  int64_t shape[4];
  snprintf(f, sizeof f, "%s/s.npy", tmp);
  double worst = INFINITY;
  if (!system(cmd) && !npy_read_f32(f, &x, &rank, shape, err, sizeof err) && shape[0] == B) {
    worst = 0;
    for (int i = 0; i < shape_numel(g->vars[sv].shape); i++) worst = fmax(worst, rel(x[i], trainer_var(t, sv)[i]));
  }
  snprintf(msg, sizeof msg, "%s: `sample` equals the interpreter's sample entry", path);
  expect_le(msg, worst, RTOL);
  /* energies at those samples */
  int in = h->prog->entries[ee].in_var, ov = h->prog->entries[ee].out_var, EB = g->vars[in].shape.d[0];
  memset(trainer_var(t, in), 0, sizeof(double) * shape_numel(g->vars[in].shape));
  int D = shape_numel(g->vars[in].shape) / EB;
  for (int i = 0; x && i < B * D && i < EB * D; i++) trainer_var(t, in)[i] = x[i];
  trainer_run_entry(t, "energy", 0);
  snprintf(cmd, sizeof cmd,
           "%s/build/%s/train-cpu energy --ckpt %s/run/ckpt.safetensors --input %s/s.npy -o %s/e.npy 2>>%s/train.log",
           tmp, combo, tmp, tmp, tmp, tmp);
  float *e = NULL;
  snprintf(f, sizeof f, "%s/e.npy", tmp);
  worst = INFINITY;
  if (x && !system(cmd) && !npy_read_f32(f, &e, &rank, shape, err, sizeof err) && shape[0] == B) {
    worst = 0;
    for (int i = 0; i < B && i < EB; i++) worst = fmax(worst, rel(e[i], trainer_var(t, ov)[i]));
  }
  snprintf(msg, sizeof msg, "%s: `energy --input` equals the interpreter's energy entry", path);
  expect_le(msg, worst, RTOL);
  free(x);
  free(e);
}

static void check_model(const char *path, const char *tmp) {
  Host *h = host_new();
  if (host_load_model(h, path)) {
    printf("FAIL %s: %s\n", path, h->error);
    checks_failed++;
    host_free(h);
    return;
  }
  char method[256]; /* the trainer's directory: the first combination of a sweep */
  host_combo_name(h, method, sizeof method);
  if (!strncmp(path, "models/", 7) && h->g->data_name && !toy_dataset(h->g->data_name)) {
    /* full-size image models cost teraflops per step in the interpreter; their
     * architectures are checked at small width in tests/parity_models/ */
    printf("skip %s: an image model (its small twin in tests/parity_models/ is checked)\n", path);
    host_free(h);
    return;
  }
  Trainer *t = trainer_new(h, SEED, 0);
  int nl = trainer_n_logs(t);
  double *want = malloc(STEPS * nl * sizeof(double));
  for (int s = 0; s < STEPS; s++) {
    if (trainer_step(t, s)) {
      printf("FAIL %s: interpreter step %d\n", path, s);
      checks_failed++;
      return;
    }
    for (int k = 0; k < nl; k++) want[s * nl + k] = trainer_log_value(t, k);
  }
  char cmd[8192], msg[1200];
  snprintf(cmd, sizeof cmd,
           "%s build %s -o %s/build 2>%s/gen.log && ninja -C %s/build train-cpu >%s/ninja.log 2>&1 && "
           "%s/build/%s/train-cpu train --iters %d --seed %d --log-every 1 --out %s/run 2>%s/train.log",
           EBMFORGE_BIN, path, tmp, tmp, tmp, tmp, tmp, method, STEPS, SEED, tmp, tmp);
  int rc = system(cmd);
  snprintf(msg, sizeof msg, "%s: generate, build and train (see %s/*.log)", path, tmp);
  expect_le(msg, rc != 0, 0);
  if (rc) {
    host_free(h);
    return;
  }
  /* every logged term at every step */
  char lp[4200];
  snprintf(lp, sizeof lp, "%s/run/log.jsonl", tmp);
  FILE *f = fopen(lp, "r");
  char line[8192];
  double worst = 0;
  int lines = 0;
  while (f && fgets(line, sizeof line, f) && lines < STEPS) {
    if (strstr(line, "\"event\"")) continue; /* the session's start event, not a step */
    double w = 0;
    for (int k = 0; k < nl; k++) w = fmax(w, rel(field(line, trainer_log_name(t, k)), want[lines * nl + k]));
    if (getenv("PARITY_VERBOSE")) printf("     step %d: worst log error %.3g\n", lines + 1, w);
    worst = fmax(worst, w);
    if (isnan(field(line, "iter"))) worst = INFINITY;
    lines++;
  }
  if (f) fclose(f);
  if (lines != STEPS) worst = INFINITY;
  snprintf(msg, sizeof msg, "%s: every logged term, %d steps", path, STEPS);
  expect_le(msg, worst, RTOL);
  /* every variable after the last step */
  StFile ck;
  char err[512], cp[4200], worst_var[256] = "";
  snprintf(cp, sizeof cp, "%s/run/ckpt.safetensors", tmp);
  worst = 0;
  if (st_read(cp, &ck, err, sizeof err)) {
    printf("     %s\n", err);
    worst = INFINITY;
  } else {
    for (int v = 0; v < h->g->n_vars; v++) {
      const StEntry *e = st_find(&ck, h->g->vars[v].name);
      int N = shape_numel(h->g->vars[v].shape);
      if (!e) {
        worst = INFINITY;
        break;
      }
      double dmax = 0, amax = 0;
      for (int i = 0; i < N; i++) {
        dmax = fmax(dmax, fabs(e->data[i] - trainer_var(t, v)[i]));
        amax = fmax(amax, fabs(trainer_var(t, v)[i]));
      }
      double r = amax < 1e-6 ? dmax : dmax / amax;
      if (r > worst) {
        worst = r;
        snprintf(worst_var, sizeof worst_var, "%s", h->g->vars[v].name);
      }
    }
    st_free(&ck);
  }
  snprintf(msg, sizeof msg, "%s: every variable after %d steps (worst: %s)", path, STEPS, worst_var);
  expect_le(msg, worst, RTOL);
  check_entries(h, t, path, tmp);
  free(want);
  trainer_free(t);
  host_free(h);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* the .lua files of dir, sorted, appended to names */
static int list_models(const char *dir, char **names, int n) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int first = n;
  while (d && (e = readdir(d)) && n < 64)
    if (strlen(e->d_name) > 4 && !strcmp(e->d_name + strlen(e->d_name) - 4, ".lua")) {
      names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
      sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
  if (d) closedir(d);
  qsort(names + first, n - first, sizeof(char *), cmp);
  return n;
}

int main(int argc, char **argv) {
  (void)argc;
  blas_core_select(argv); /* the in-process interpreter runs the trainers' kernels */
  if (getenv("PARITY_STEPS")) STEPS = atoi(getenv("PARITY_STEPS"));
  char tmpl[] = "/tmp/ebmforge-parity-XXXXXX";
  char *root = mkdtemp(tmpl);
  char *names[64];
  int n = list_models("models", names, 0);
  expect_le("models/ holds models", n == 0, 0);
  /* fixtures for code paths no shipped model takes (convolutions, wide sigma_min) */
  n = list_models("tests/parity_models", names, n);
  for (int i = 0; i < n; i++) {
    char tmp[600], mk[700];
    const char *base = strrchr(names[i], '/') + 1;
    snprintf(tmp, sizeof tmp, "%s/%.*s", root, (int)strlen(base) - 4, base);
    snprintf(mk, sizeof mk, "mkdir -p %s", tmp);
    if (system(mk)) return 1;
    if (getenv("PARITY_ONLY") && !strstr(names[i], getenv("PARITY_ONLY"))) { /* development: one model */
    } else if (strstr(names[i], "parity_models/conv") && access(FASHION_MNIST_DIR, R_OK))
      printf("skip %s: %s is not installed (Debian package dataset-fashion-mnist)\n", names[i], FASHION_MNIST_DIR);
    else
      check_model(names[i], tmp);
    free(names[i]);
  }
  int rc = report();
  if (!rc) {
    char rm[700];
    snprintf(rm, sizeof rm, "rm -rf %s", root);
    if (system(rm)) rc = 1;
  }
  return rc;
}
