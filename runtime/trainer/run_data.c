#include "run_data.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cli.h"
#include "model.h"
#include "sha256.h"
#include "toy_data.h"
#include "xalloc.h"

static int ends_npy(const char *s) {
  size_t n = strlen(s);
  return n >= 4 && !strcmp(s + n - 4, ".npy");
}

int data_is_points(const char *spec) { return ends_npy(spec) || toy_dataset(spec) != NULL; }

/* the identity of spec as it is on disk now (no test side) */
static int identify(const char *spec, DataId *id, char *err, size_t errlen) {
  memset(id, 0, sizeof *id);
  if (!ends_npy(spec)) {
    snprintf(id->spec, sizeof id->spec, "%s", spec);
    snprintf(id->kind, sizeof id->kind, "%s", toy_dataset(spec) ? "toy" : "images");
    return 0;
  }
  snprintf(id->kind, sizeof id->kind, "npy");
  if (!realpath(spec, id->spec)) snprintf(id->spec, sizeof id->spec, "%s", spec);
  if (sha256_file(id->spec, id->sha256, err, errlen)) return -1;
  return 0;
}

/* the reason `have` is not the data `want` recorded, or NULL when it is */
static const char *differs(const DataId *have, const DataId *want, char *why, size_t n) {
  if (!strcmp(have->kind, "npy") && !strcmp(want->kind, "npy")) {
    if (!strcmp(have->sha256, want->sha256)) return NULL;
    snprintf(why, n, "%s has sha256 %.12s..., the run was trained on %s with sha256 %.12s...", have->spec, have->sha256,
             want->spec, want->sha256);
    return why;
  }
  if (!strcmp(have->spec, want->spec)) return NULL;
  snprintf(why, n, "the run was trained on %s, not %s", want->spec, have->spec);
  return why;
}

static int refuse(const char *what, const char *why) {
  fprintf(stderr, "%s: %s: %s\n", prog, what, why);
  return 2;
}

int run_data_open(const DataArgs *a, const char *ckpt, int cols, DataSource *ds, DataId *id) {
  char err[2 * RUN_PATH_MAX], why[2 * RUN_PATH_MAX + 200];
  DataId rec;
  int has_rec = 0;
  /* an unreadable or corrupt checkpoint records nothing here: loading it says what is wrong */
  if (ckpt && checkpoint_read_data(ckpt, &rec, &has_rec, err, sizeof err)) has_rec = 0;
  const char *spec = a->data ? a->data : has_rec ? rec.spec : model.data;
  if (identify(spec, id, err, sizeof err)) {
    if (a->data || !has_rec) return refuse("bad --data", err);
    snprintf(why, sizeof why,
             "the run's recorded data cannot be read (%s); pass --data FILE (with --data-changed "
             "if it is not the same file, sha256 %.12s...)",
             err, rec.sha256);
    return refuse("no data", why);
  }
  if (has_rec && differs(id, &rec, why, sizeof why)) {
    if (!a->changed) {
      fprintf(stderr, "%s: %s: %s; pass --data-changed to use it anyway\n", prog,
              a->data ? "--data is not this run's data" : "the recorded data changed", why);
      return 2;
    }
    fprintf(stderr, "%s: note: --data-changed: %s\n", prog, why);
  }
  if (data_open(ds, spec, cols, err, sizeof err)) return refuse("bad --data", err);
  if (!strcmp(id->kind, "npy")) {
    id->rows = ds->n;
    id->cols = ds->d;
    id->f64 = ds->was_f64;
  }
  /* the held-out side: --test-data, the recorded test file, or the file's split */
  const char *test = a->test_data;
  if (!test && has_rec && !strcmp(rec.test, "file") && !(a->data && a->changed)) test = rec.test_path;
  if (test) {
    if (!ends_npy(test)) {
      data_close(ds);
      return refuse("bad --test-data", "expected a .npy file of [N, D] points");
    }
    if (strcmp(id->kind, "npy")) {
      data_close(ds);
      return refuse(
          "bad --test-data",
          "only .npy data take a test file (toy sets draw fresh held-out points, image sets have a test split)");
    }
    if (!realpath(test, id->test_path)) snprintf(id->test_path, sizeof id->test_path, "%s", test);
    if (sha256_file(id->test_path, id->test_sha256, err, sizeof err)) {
      snprintf(why, sizeof why, "%s%s", err, test == a->test_data ? "" : " (the run's recorded --test-data)");
      data_close(ds);
      return refuse("bad --test-data", why);
    }
    if (test != a->test_data && strcmp(id->test_sha256, rec.test_sha256) && !a->changed) {
      snprintf(why, sizeof why,
               "%s has changed since the run (sha256 %.12s..., recorded %.12s...); pass --data-changed "
               "to use it anyway",
               rec.test_path, id->test_sha256, rec.test_sha256);
      data_close(ds);
      return refuse("the recorded test data changed", why);
    }
    snprintf(id->test, sizeof id->test, "file");
    data_keep_all(ds);
  } else if (!strcmp(id->kind, "npy"))
    snprintf(id->test, sizeof id->test, ds->n_train < ds->n ? "split" : "none");
  else
    snprintf(id->test, sizeof id->test, !strcmp(id->kind, "toy") ? "fresh" : "test-split");
  id->rows_train = !strcmp(id->kind, "npy") ? ds->n_train : 0;
  id->rows_test = !strcmp(id->test, "split") ? ds->n - ds->n_train : 0;
  return 0;
}

float *run_data_test_points(const DataId *id, const DataSource *ds, long *n) {
  char err[RUN_PATH_MAX + 300];
  if (!strcmp(id->test, "file")) {
    DataSource t;
    if (data_open(&t, id->test_path, ds->d, err, sizeof err)) {
      fprintf(stderr, "%s: bad --test-data: %s\n", prog, err);
      return NULL;
    }
    float *x = t.points;
    *n = t.n;
    t.points = NULL;
    data_close(&t);
    return x;
  }
  if (!ds->points) return NULL;
  long first = ds->n_train < ds->n ? ds->n_train : 0;
  *n = ds->n - first;
  float *x = xmalloc(xmul((size_t)*n * sizeof(float), ds->d, "held-out points"), "held-out points");
  memcpy(x, ds->points + (size_t)first * ds->d, (size_t)*n * ds->d * sizeof(float));
  return x;
}

void run_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\')
      fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 32)
      fprintf(f, "\\u%04x", *s);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

void run_data_test_json(const DataId *id, FILE *f) {
  fprintf(f, "{\"source\": \"%s\"", id->test);
  if (!strcmp(id->test, "split"))
    fprintf(f,
            ", \"rows\": %ld, \"of\": %ld, \"fraction\": \"1/%d\", \"note\": \"rows held out by a fixed permutation, "
            "never trained on\"",
            id->rows_test, id->rows, DATA_HOLD_OUT);
  else if (!strcmp(id->test, "file")) {
    fprintf(f, ", \"path\": ");
    run_json_str(f, id->test_path);
    fprintf(f, ", \"sha256\": \"%s\"", id->test_sha256);
  } else if (!strcmp(id->test, "fresh"))
    fprintf(f, ", \"note\": \"fresh draws of the toy distribution, never trained on\"");
  else if (!strcmp(id->test, "none"))
    fprintf(f, ", \"note\": \"under %d rows: nothing held out, the training rows are scored\"", DATA_HOLD_OUT);
  fprintf(f, "}");
}

void run_data_json(const DataId *id, FILE *f) {
  fprintf(f, "{\"kind\": \"%s\", ", id->kind);
  fprintf(f, "%s", !strcmp(id->kind, "npy") ? "\"path\": " : "\"name\": ");
  run_json_str(f, id->spec);
  if (!strcmp(id->kind, "npy"))
    fprintf(f, ", \"sha256\": \"%s\", \"shape\": [%ld, %d], \"dtype\": \"%s\", \"rows_train\": %ld", id->sha256,
            id->rows, id->cols, id->f64 ? "float64" : "float32", id->rows_train);
  fprintf(f, ", \"test\": ");
  run_data_test_json(id, f);
  fprintf(f, "}");
}
