/* Where training batches come from: a toy generator (methods.md §6), the
 * points of a float32 [N, D] .npy file (drawn uniformly with replacement), or
 * an image set (Fashion-MNIST, MNIST, CIFAR-10: shuffled epochs, the last
 * incomplete batch dropped; CIFAR-10 flipped horizontally with probability 1/2).
 * The interpreter and the compiled trainers sample through this one function. */
#ifndef EBM_DATA_H
#define EBM_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "image_sets.h"

typedef struct { long epoch; uint32_t *perm; } EpochOrder;  /* the current epoch's permutation */

typedef struct {
  const char *toy;      /* toy data set name, or NULL for file data */
  float *points;        /* file data [n, d] */
  long n;
  int d;
  ImageSet images;      /* image data (images.pixels != NULL) */
  int pad, flip;        /* frame added around each picture; random horizontal flips */
  int label;            /* rows end with the picture's class label (0..9) */
  EpochOrder *order;
} DataSource;

/* `spec` is a toy name, a path ending in .npy or an image set (image_sets.h);
 * want_cols is the model's D (for Fashion-MNIST 784, or 1024 = padded to 32x32;
 * one column more appends each picture's class label, for classifiers).
 * `test` opens an image set's test split. 0 or -1 with err. */
int data_open(DataSource *ds, const char *spec, int want_cols, char *err, size_t errlen);
int data_open_split(DataSource *ds, const char *spec, int want_cols, int test, char *err, size_t errlen);
/* A batch of B rows for the Philox counter (stream, iter, step). 0 or -1. */
int data_sample(const DataSource *ds, float *out, int B, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step);
void data_close(DataSource *ds);

#endif
