/* The hold-out of .npy data (data.h): one row in DATA_HOLD_OUT is held out,
 * the rest trained on, every row exactly once (a permutation), the same rows
 * for every seed; data_sample never draws a held-out row; data_keep_all
 * trains on every row; a file of under DATA_HOLD_OUT rows holds nothing out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data.h"
#include "npy.h"

/* rows (k, -k): a row's first value names it */
static const char *write_rows(long n) {
  float *x = malloc(sizeof(float) * 2 * n);
  for (long k = 0; k < n; k++) {
    x[2 * k] = (float)k;
    x[2 * k + 1] = (float)-k;
  }
  int64_t shape[2] = {n, 2};
  char err[300];
  const char *p = test_path("rows.npy");
  CHECK(npy_write_f32(p, x, 2, shape, err, sizeof err) == 0, "%s", err);
  free(x);
  return p;
}

static void check_split(long n) {
  const char *p = write_rows(n);
  DataSource ds;
  char err[300];
  CHECK(data_open(&ds, p, 2, err, sizeof err) == 0, "%s", err);
  long want_test = n >= DATA_HOLD_OUT ? n / DATA_HOLD_OUT : 0;
  CHECK(ds.n == n && ds.n_train == n - want_test, "n %ld: n_train %ld, expected %ld", n, ds.n_train, n - want_test);
  char *seen = calloc(n, 1), *held = calloc(n, 1);
  int perm_ok = 1;
  for (long i = 0; i < n; i++) {
    long k = (long)ds.points[2 * i];
    if (k < 0 || k >= n || seen[k] || ds.points[2 * i + 1] != -(float)k)
      perm_ok = 0;
    else
      seen[k] = 1;
    if (i >= ds.n_train && k >= 0 && k < n) held[k] = 1;
  }
  CHECK(perm_ok, "n %ld: the rows are not a permutation of the file's", n);
  /* the held-out rows are not simply the file's last rows (a sorted file would bias them) */
  long tail = 0;
  for (long k = n - want_test; k < n; k++) tail += held[k];
  if (want_test >= 20) CHECK(tail < want_test, "n %ld: the held-out rows are the file's last rows", n);
  /* many batches under several seeds draw training rows only */
  float batch[2 * 256];
  long drawn_held = 0;
  for (uint64_t seed = 0; seed < 3; seed++)
    for (uint32_t step = 0; step < 200; step++) {
      CHECK(data_sample(&ds, batch, 256, seed, 0, 0, step) == 0, "sample");
      for (int b = 0; b < 256; b++) drawn_held += held[(long)batch[2 * b]];
    }
  CHECK(drawn_held == 0, "n %ld: %ld draws of held-out rows", n, drawn_held);
  /* the same rows are held out when the file is opened again */
  DataSource again;
  CHECK(data_open(&again, p, 2, err, sizeof err) == 0, "%s", err);
  CHECK(!memcmp(again.points, ds.points, sizeof(float) * 2 * n), "n %ld: a second open orders the rows differently", n);
  data_keep_all(&again);
  CHECK(again.n_train == n, "keep_all: n_train %ld", again.n_train);
  data_close(&again);
  data_close(&ds);
  free(seen);
  free(held);
}

int main(void) {
  check_split(1000);
  check_split(37);
  check_split(9);
  check_split(1);
  return report();
}
