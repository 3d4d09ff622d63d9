/* Writes the seed corpora of the fuzz targets from the writers themselves:
 * make_corpus DIR creates DIR/<target>/ with a few small valid (and nearly
 * valid) inputs. The committed tests/fuzz/corpus/ came from this program
 * (the model corpus is copied from models/ by run.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "checkpoint.h"
#include "fuzz_tiny_model.h"
#include "npy.h"
#include "safetensors.h"
#include "state.h"

static char root[400];

static const char *at(const char *target, const char *name) {
  static char path[600];
  snprintf(path, sizeof path, "%s/%s", root, target);
  mkdir(path, 0777);
  snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
  return path;
}

static void put32(unsigned char *p, unsigned v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static void spit(const char *path, const void *data, size_t n, int gz) {
  if (gz) {
    gzFile f = gzopen(path, "wb");
    gzwrite(f, data, (unsigned)n);
    gzclose(f);
    return;
  }
  FILE *f = fopen(path, "wb");
  fwrite(data, 1, n, f);
  fclose(f);
}

static void fail(const char *err) {
  fprintf(stderr, "make_corpus: %s\n", err);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  snprintf(root, sizeof root, "%s", argv[1]);
  mkdir(root, 0777);
  char err[600];
  float v[12];
  for (int i = 0; i < 12; i++) v[i] = 0.25f * i - 1;

  /* npy: [3, 2], [4], [] (rank 0), [0, 2] */
  int64_t s32[2] = {3, 2}, s4[1] = {4}, s02[2] = {0, 2};
  if (npy_write_f32(at("npy", "points.npy"), v, 2, s32, err, sizeof err) ||
      npy_write_f32(at("npy", "vector.npy"), v, 1, s4, err, sizeof err) ||
      npy_write_f32(at("npy", "scalar.npy"), v, 0, s4, err, sizeof err) ||
      npy_write_f32(at("npy", "empty.npy"), v, 2, s02, err, sizeof err))
    fail(err);

  /* safetensors: two tensors and metadata; one empty tensor */
  StTensor t[2] = {{"a", 2, {2, 3}, v}, {"b", 1, {4}, v + 6}};
  const char *keys[] = {"format"}, *vals[] = {"pt"};
  StTensor e[1] = {{"z", 1, {0}, v}};
  if (st_write(at("safetensors", "two.safetensors"), t, 2, keys, vals, 1, err, sizeof err) ||
      st_write(at("safetensors", "empty.safetensors"), e, 1, NULL, NULL, 0, err, sizeof err))
    fail(err);

  /* checkpoint of the tiny model at step 7 */
  ModelState s;
  state_init(&s, &tiny_model, 3);
  s.opt_t[0] = 7;
  if (checkpoint_save(at("checkpoint", "step7.safetensors"), &tiny_model, &s, 7, err, sizeof err)) fail(err);
  state_free(&s, &tiny_model);

  /* IDX: 2 images of 3 x 3 (plain and gzip), 2 labels */
  unsigned char img[16 + 18], lab[8 + 2];
  put32(img, 0x803);
  put32(img + 4, 2);
  put32(img + 8, 3);
  put32(img + 12, 3);
  for (int i = 0; i < 18; i++) img[16 + i] = (unsigned char)(14 * i);
  put32(lab, 0x801);
  put32(lab + 4, 2);
  lab[8] = 3;
  lab[9] = 9;
  spit(at("idx", "images-idx3-ubyte"), img, sizeof img, 0);
  spit(at("idx", "images-idx3-ubyte.gz"), img, sizeof img, 1);
  spit(at("idx", "labels-idx1-ubyte"), lab, sizeof lab, 0);

  /* CIFAR-10 test batch: 3 records of a 10000-record file (a complete one is 30 MB) */
  unsigned char rec[3 * 3073];
  for (int r = 0; r < 3; r++) {
    rec[r * 3073] = (unsigned char)(r * 4);
    for (int k = 1; k < 3073; k++) rec[r * 3073 + k] = (unsigned char)(k * (r + 1));
  }
  spit(at("cifar", "three_records.bin"), rec, sizeof rec, 0);
  rec[3073] = 11; /* a label out of 0..9 */
  spit(at("cifar", "bad_label.bin"), rec, 2 * 3073, 0);
  return 0;
}
