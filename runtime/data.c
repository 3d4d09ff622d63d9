#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "philox.h"
#include "toy_data.h"
#include "xalloc.h"

static int open_images(DataSource *ds, const char *spec, int want_cols, char *err, size_t errlen) {
  const ImageSet *im = &ds->images;
  /* 64-bit: the sizes come from a file header (image_sets.c bounds them, this does not rely on it) */
  int64_t plain = (int64_t)im->c * im->h * im->w, padded = (int64_t)im->c * (im->h + 4) * (im->w + 4);
  ds->label = want_cols == plain + 1 || want_cols == padded + 1; /* one more column: the class label */
  if (want_cols - ds->label == plain)
    ds->pad = 0;
  else if (want_cols - ds->label == padded)
    ds->pad = 2;
  else {
    snprintf(err, errlen,
             "%s: pictures are %dx%dx%d (%lld values, or %lld padded to %lldx%lld; one more for the label), "
             "the model wants %d columns",
             spec, im->c, im->h, im->w, (long long)plain, (long long)padded, (long long)im->h + 4, (long long)im->w + 4,
             want_cols);
    image_set_free(&ds->images);
    return -1;
  }
  ds->flip = im->c == 3;
  ds->n = im->n;
  ds->d = want_cols;
  ds->order = xcalloc(1, sizeof *ds->order, "the epoch order");
  ds->order->epoch = -1;
  ds->order->perm = xcalloc((size_t)im->n, sizeof(uint32_t), "the epoch permutation");
  return 0;
}

/* Rows in a fixed pseudo-random order (the same for every seed and run, so a
 * file sorted by class still gives a fair test set); the last n / DATA_HOLD_OUT
 * are held out. */
static void hold_out(DataSource *ds) {
  long n = ds->n;
  int d = ds->d;
  float tmp[64], *row = d <= 64 ? tmp : xmalloc(d * sizeof(float), "a row");
  for (long i = n - 1; i > 0; i--) {
    long j = (long)(philox_uniform(DATA_HOLD_OUT_KEY, 0, 0, UINT32_MAX, (uint32_t)i) * (i + 1));
    if (j > i) j = i;
    memcpy(row, ds->points + (size_t)i * d, d * sizeof(float));
    memcpy(ds->points + (size_t)i * d, ds->points + (size_t)j * d, d * sizeof(float));
    memcpy(ds->points + (size_t)j * d, row, d * sizeof(float));
  }
  if (row != tmp) free(row);
  ds->n_train = n >= DATA_HOLD_OUT ? n - n / DATA_HOLD_OUT : n;
}

int data_open(DataSource *ds, const char *spec, int want_cols, char *err, size_t errlen) {
  return data_open_split(ds, spec, want_cols, 0, err, errlen);
}

int data_open_split(DataSource *ds, const char *spec, int want_cols, int test, char *err, size_t errlen) {
  memset(ds, 0, sizeof *ds);
  int rc;
  if (image_set_open(&ds->images, spec, test, &rc, err, errlen))
    return rc ? rc : open_images(ds, spec, want_cols, err, errlen);
  size_t n = strlen(spec);
  if (n < 4 || strcmp(spec + n - 4, ".npy")) {
    const ToyDataset *t = toy_dataset(spec);
    if (!t) {
      snprintf(err, errlen,
               "unknown data set '%s' (a toy name, an image set: fashion-mnist[:DIR], mnist:DIR, cifar10:DIR, or a "
               ".npy file)",
               spec);
      return -1;
    }
    if (want_cols != 2) {
      snprintf(err, errlen, "toy data set '%s' is 2-D, the model wants %d columns", spec, want_cols);
      return -1;
    }
    ds->toy = t->name;
    ds->d = 2;
    return 0;
  }
  int rank;
  int64_t shape[4];
  if (npy_read_real(spec, &ds->points, &rank, shape, &ds->was_f64, err, errlen)) return -1;
  if (npy_check_points(spec, ds->points, rank, shape, want_cols, err, errlen)) {
    data_close(ds);
    return -1;
  }
  if (ds->was_f64) fprintf(stderr, "note: %s holds float64 values: rounded to float32\n", spec);
  ds->n = (long)shape[0];
  ds->d = (int)shape[1];
  hold_out(ds);
  return 0;
}

void data_keep_all(DataSource *ds) { ds->n_train = ds->n; }

/* Fisher-Yates from the Philox stream (iter = epoch, step = UINT32_MAX marks the shuffle) */
static void shuffle(const DataSource *ds, long epoch, uint64_t seed, uint32_t stream) {
  uint32_t *p = ds->order->perm;
  for (long i = 0; i < ds->n; i++) p[i] = (uint32_t)i;
  for (long i = ds->n - 1; i > 0; i--) {
    long j = (long)(philox_uniform(seed, stream, (uint32_t)epoch, UINT32_MAX, (uint32_t)i) * (i + 1));
    if (j > i) j = i;
    uint32_t t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  ds->order->epoch = epoch;
}

static int sample_images(const DataSource *ds, float *out, int B, uint64_t seed, uint32_t stream, uint32_t iter,
                         uint32_t step) {
  long per_epoch = ds->n / B;
  if (per_epoch < 1) return -1;
  long epoch = step / per_epoch, pos = step % per_epoch;
  if (ds->order->epoch != epoch) shuffle(ds, epoch, seed, stream);
  for (int b = 0; b < B; b++) {
    int flip = ds->flip && philox_uniform(seed, stream, iter, step, (uint32_t)b) < 0.5;
    long i = ds->order->perm[pos * B + b];
    image_to_floats(&ds->images, i, ds->pad, flip, out + (size_t)b * ds->d);
    if (ds->label) out[(size_t)b * ds->d + ds->d - 1] = ds->images.labels ? ds->images.labels[i] : 0.0f;
  }
  return 0;
}

int data_sample(const DataSource *ds, float *out, int B, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step) {
  if (ds->toy) return toy_sample(ds->toy, out, B, seed, stream, iter, step);
  if (ds->images.pixels) return sample_images(ds, out, B, seed, stream, iter, step);
  for (int b = 0; b < B; b++) {
    long r = (long)(philox_uniform(seed, stream, iter, step, (uint32_t)b) * ds->n_train);
    if (r >= ds->n_train) r = ds->n_train - 1;
    memcpy(out + (size_t)b * ds->d, ds->points + (size_t)r * ds->d, ds->d * sizeof(float));
  }
  return 0;
}

void data_close(DataSource *ds) {
  free(ds->points);
  image_set_free(&ds->images);
  if (ds->order) free(ds->order->perm);
  free(ds->order);
  memset(ds, 0, sizeof *ds);
}
