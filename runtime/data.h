/* Where training batches come from: a toy generator (methods.md §6), the
 * points of a float32 or float64 [N, D] .npy file (drawn uniformly with
 * replacement from the training rows: one row in DATA_HOLD_OUT, chosen by a
 * fixed permutation that no seed changes, is held out for evaluation), or
 * an image set (Fashion-MNIST, MNIST, CIFAR-10: shuffled epochs, the last
 * incomplete batch dropped; CIFAR-10 flipped horizontally with probability 1/2).
 * The interpreter and the compiled trainers sample through this one function. */
#ifndef EBM_DATA_H
#define EBM_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "image_sets.h"

#define DATA_HOLD_OUT 10              /* a file's rows: one in 10 is held out (none below 10 rows) */
#define DATA_HOLD_OUT_KEY 0x686f6c64u /* the Philox key of the hold-out permutation */

typedef struct {
  long epoch;
  uint32_t *perm;
} EpochOrder; /* the current epoch's permutation */

typedef struct {
  const char *toy; /* toy data set name, or NULL for file data */
  float *points;   /* file data [n, d], rows in the hold-out order: training rows first */
  long n;
  long n_train; /* file data: rows [0, n_train) are trained on, [n_train, n) held out */
  int was_f64;  /* the file held float64 values (rounded to float) */
  int d;
  ImageSet images; /* image data (images.pixels != NULL) */
  int pad, flip;   /* frame added around each picture; random horizontal flips */
  int label;       /* rows end with the picture's class label (0..9) */
  EpochOrder *order;
} DataSource;

/* `spec` is a toy name, a path ending in .npy or an image set (image_sets.h);
 * want_cols is the model's D (for Fashion-MNIST 784, or 1024 = padded to 32x32;
 * one column more appends each picture's class label, for classifiers).
 * `test` opens an image set's test split. 0 or -1 with err. */
int data_open(DataSource *ds, const char *spec, int want_cols, char *err, size_t errlen);
int data_open_split(DataSource *ds, const char *spec, int want_cols, int test, char *err, size_t errlen);
/* File data: train on every row (the test points come from elsewhere, `--test-data`). */
void data_keep_all(DataSource *ds);
/* A batch of B rows for the Philox counter (stream, iter, step). 0 or -1. */
int data_sample(const DataSource *ds, float *out, int B, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step);
void data_close(DataSource *ds);

#endif
