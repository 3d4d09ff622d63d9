/* Where training batches come from: a toy generator (methods.md §6) or the
 * points of a float32 [N, D] .npy file, drawn uniformly with replacement.
 * The interpreter and the compiled trainers sample through this one function. */
#ifndef EBM_DATA_H
#define EBM_DATA_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *toy;      /* toy data set name, or NULL for file data */
  float *points;        /* file data [n, d] */
  long n;
  int d;
} DataSource;

/* `spec` is a toy name or a path ending in .npy; want_cols is the model's D. 0 or -1 with err. */
int data_open(DataSource *ds, const char *spec, int want_cols, char *err, size_t errlen);
/* A batch of B rows for the Philox counter (stream, iter, step). 0 or -1. */
int data_sample(const DataSource *ds, float *out, int B, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step);
void data_close(DataSource *ds);

#endif
