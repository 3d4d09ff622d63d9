#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "philox.h"
#include "toy_data.h"

int data_open(DataSource *ds, const char *spec, int want_cols, char *err, size_t errlen) {
  memset(ds, 0, sizeof *ds);
  size_t n = strlen(spec);
  if (n < 4 || strcmp(spec + n - 4, ".npy")) {
    const ToyDataset *t = toy_dataset(spec);
    if (!t) { snprintf(err, errlen, "unknown data set '%s' (a toy name or a .npy file)", spec); return -1; }
    if (want_cols != 2) { snprintf(err, errlen, "toy data set '%s' is 2-D, the model wants %d columns", spec, want_cols); return -1; }
    ds->toy = t->name;
    ds->d = 2;
    return 0;
  }
  int rank;
  int64_t shape[4];
  if (npy_read_f32(spec, &ds->points, &rank, shape, err, errlen)) return -1;
  if (npy_check_points(spec, ds->points, rank, shape, want_cols, err, errlen)) { data_close(ds); return -1; }
  ds->n = (long)shape[0];
  ds->d = (int)shape[1];
  return 0;
}

int data_sample(const DataSource *ds, float *out, int B, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step) {
  if (ds->toy) return toy_sample(ds->toy, out, B, seed, stream, iter, step);
  for (int b = 0; b < B; b++) {
    long r = (long)(philox_uniform(seed, stream, iter, step, (uint32_t)b) * ds->n);
    if (r >= ds->n) r = ds->n - 1;
    memcpy(out + (size_t)b * ds->d, ds->points + (size_t)r * ds->d, ds->d * sizeof(float));
  }
  return 0;
}

void data_close(DataSource *ds) {
  free(ds->points);
  memset(ds, 0, sizeof *ds);
}
