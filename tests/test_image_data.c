/* Image data (methods.md §6): IDX files plain and gzip-compressed, the
 * CIFAR-10 binary format, scaling to [-1, 1], the -1 frame of padded
 * pictures, flips, shuffled epochs with the last incomplete batch dropped, and
 * a clear refusal (path and what was expected) of every malformed file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "data.h"

static void put32(unsigned char *p, unsigned v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* n pictures of h x w; pixel (i, y, x) = (7 i + 3 y + x) mod 256; labels i mod 10 */
static void write_idx_set(const char *dir, const char *split, int n, int h, int w, int gz, const char *corrupt) {
  char path[512];
  unsigned char head[16];
  size_t np = (size_t)n * h * w;
  unsigned char *pix = malloc(np), *lab = malloc(n);
  for (int i = 0; i < n; i++) {
    lab[i] = i % 10;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) pix[((size_t)i * h + y) * w + x] = (unsigned char)((7 * i + 3 * y + x) % 256);
  }
  for (int pass = 0; pass < 2; pass++) {
    int images = pass == 0;
    snprintf(path, sizeof path, "%s/%s-%s-idx%d-ubyte%s", dir, split, images ? "images" : "labels", images ? 3 : 1,
             gz ? ".gz" : "");
    put32(head, images ? 0x803 : 0x801);
    put32(head + 4, n);
    put32(head + 8, h);
    put32(head + 12, w);
    int hn = images ? 16 : 8;
    size_t dn = images ? np : (size_t)n;
    if (corrupt && images && !strcmp(corrupt, "magic")) put32(head, 0x802);
    if (corrupt && images && !strcmp(corrupt, "truncated")) dn -= 5;
    if (gz) {
      gzFile f = gzopen(path, "wb");
      gzwrite(f, head, hn);
      gzwrite(f, images ? pix : lab, (unsigned)dn);
      if (corrupt && images && !strcmp(corrupt, "trailing")) gzwrite(f, "x", 1);
      gzclose(f);
    } else {
      FILE *f = fopen(path, "wb");
      fwrite(head, 1, hn, f);
      fwrite(images ? pix : lab, 1, dn, f);
      if (corrupt && images && !strcmp(corrupt, "trailing")) fputc('x', f);
      fclose(f);
    }
  }
  free(pix);
  free(lab);
}

static void check_idx(int gz) {
  char dir[512], spec[600], err[512];
  snprintf(dir, sizeof dir, "%s/idx%d", test_dir(), gz);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
  CHECK(system(cmd) == 0, "mkdir");
  const int n = 10, h = 28, w = 28, B = 4;
  write_idx_set(dir, "train", n, h, w, gz, NULL);
  write_idx_set(dir, "t10k", 3, h, w, gz, NULL);
  snprintf(spec, sizeof spec, "mnist:%s", dir);
  DataSource ds;
  CHECK(data_open(&ds, spec, 1024, err, sizeof err) == 0, "open %s (gz %d): %s", spec, gz, err);
  CHECK(ds.n == n && ds.d == 1024 && ds.pad == 2 && !ds.flip, "geometry n %ld d %d pad %d", ds.n, ds.d, ds.pad);
  float *batch = malloc(B * 1024 * sizeof(float));
  /* two epochs of n / B = 2 batches: each picture at most once per epoch, the remainder dropped */
  for (int epoch = 0; epoch < 2; epoch++) {
    int seen[10] = {0};
    for (int t = 0; t < 2; t++) {
      CHECK(data_sample(&ds, batch, B, 5, 3, 0, (uint32_t)(epoch * 2 + t)) == 0, "sample");
      for (int b = 0; b < B; b++) {
        const float *x = batch + b * 1024;
        int border_ok = 1;
        for (int y = 0; y < 32; y++)
          for (int xx = 0; xx < 32; xx++)
            if ((y < 2 || y >= 30 || xx < 2 || xx >= 30) && x[y * 32 + xx] != -1.0f) border_ok = 0;
        CHECK(border_ok, "padding frame is -1");
        int i = -1; /* which picture: pixel (0,0) = 7i mod 256 */
        for (int k = 0; k < n; k++)
          if (x[2 * 32 + 2] == 2.0f * ((7 * k % 256) / 255.0f) - 1.0f) i = k;
        CHECK(i >= 0, "batch row is one of the pictures");
        if (i < 0) continue;
        seen[i]++;
        int ok = 1;
        for (int y = 0; y < h; y++)
          for (int xx = 0; xx < w; xx++)
            if (x[(y + 2) * 32 + xx + 2] != 2.0f * (((7 * i + 3 * y + xx) % 256) / 255.0f) - 1.0f) ok = 0;
        CHECK(ok, "picture %d scaled to 2 p / 255 - 1 in place", i);
      }
    }
    int dup = 0, total = 0;
    for (int k = 0; k < n; k++) {
      dup |= seen[k] > 1;
      total += seen[k];
    }
    CHECK(!dup && total == 2 * B, "epoch %d: %d distinct pictures, none twice", epoch, total);
  }
  data_close(&ds);
  CHECK(data_open(&ds, spec, 784, err, sizeof err) == 0 && ds.pad == 0, "784 columns: unpadded");
  data_close(&ds);
  CHECK(data_open(&ds, spec, 785, err, sizeof err) == 0 && ds.label, "785 columns: pictures and labels");
  CHECK(data_sample(&ds, batch, B, 5, 3, 0, 0) == 0, "sample with labels");
  for (int b = 0; b < B; b++) { /* label i mod 10 of picture i = 7i mod 256 at pixel (0, 0) */
    int i = -1;
    for (int k = 0; k < n; k++)
      if (batch[b * 785] == 2.0f * ((7 * k % 256) / 255.0f) - 1.0f) i = k;
    CHECK(i >= 0 && batch[b * 785 + 784] == (float)(i % 10), "row %d ends with its label", b);
  }
  data_close(&ds);
  CHECK(data_open(&ds, spec, 100, err, sizeof err) == -1 && strstr(err, "1024"), "wrong width refused: %s", err);
  CHECK(data_open_split(&ds, spec, 784, 1, err, sizeof err) == 0 && ds.n == 3, "test split");
  data_close(&ds);
  static const char *const bad[] = {"magic", "truncated", "trailing"};
  for (int k = 0; k < 3; k++) {
    write_idx_set(dir, "train", n, h, w, gz, bad[k]);
    int rc = data_open(&ds, spec, 1024, err, sizeof err);
    CHECK(rc == -1 && strstr(err, dir) && strstr(err, bad[k] == bad[0] ? "expected 0x00000803" : bad[k]),
          "%s file refused with its path: %s", bad[k], err);
  }
  snprintf(spec, sizeof spec, "mnist:%s/nowhere", dir);
  CHECK(data_open(&ds, spec, 1024, err, sizeof err) == -1 && strstr(err, "nowhere"), "missing folder: %s", err);
  CHECK(data_open(&ds, "mnist", 1024, err, sizeof err) == -1 && strstr(err, "mnist:DIR"), "mnist needs a folder: %s",
        err);
  free(batch);
}

static void check_cifar(void) {
  char dir[512], spec[600], err[512], path[600];
  snprintf(dir, sizeof dir, "%s/cifar", test_dir());
  snprintf(path, sizeof path, "mkdir -p %s", dir);
  CHECK(system(path) == 0, "mkdir");
  unsigned char *rec = malloc(3073);
  for (int k = 1; k <= 5; k++) {
    snprintf(path, sizeof path, "%s/data_batch_%d.bin", dir, k);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 10000; i++) {
      rec[0] = (unsigned char)((k + i) % 10);
      for (int p = 0; p < 3072; p++) rec[1 + p] = (unsigned char)((i + p + k) % 251);
      fwrite(rec, 1, 3073, f);
    }
    fclose(f);
  }
  snprintf(spec, sizeof spec, "cifar10:%s", dir);
  DataSource ds;
  CHECK(data_open(&ds, spec, 3072, err, sizeof err) == 0 && ds.n == 50000 && ds.flip, "open CIFAR-10: %s", err);
  float *batch = malloc(64 * 3072 * sizeof(float));
  CHECK(data_sample(&ds, batch, 64, 9, 1, 0, 0) == 0, "sample");
  int flips = 0, bad = 0;
  for (int b = 0; b < 64; b++) { /* recover (k, i) from pixel 0 or 31 of row 0, red */
    const float *x = batch + b * 3072;
    int unflipped = 1;
    for (int p = 1; p < 32 && unflipped; p++) {
      float d = x[p] - x[p - 1];
      unflipped = d > 0 || x[p - 1] > 0.9f; /* increasing by 1 step unless it wrapped at 251 */
    }
    flips += !unflipped;
    float lo = x[0], hi = x[0];
    for (int p = 0; p < 3072; p++) {
      lo = lo < x[p] ? lo : x[p];
      hi = hi > x[p] ? hi : x[p];
    }
    bad += lo < -1.0f || hi > 1.0f;
  }
  CHECK(!bad, "values in [-1, 1]");
  CHECK(flips > 16 && flips < 48, "about half the pictures flipped: %d of 64", flips);
  data_close(&ds);
  snprintf(path, sizeof path, "%s/data_batch_3.bin", dir);
  CHECK(truncate(path, 3073 * 100 + 7) == 0, "truncate");
  CHECK(
      data_open(&ds, spec, 3072, err, sizeof err) == -1 && strstr(err, "data_batch_3.bin") && strstr(err, "truncated"),
      "truncated CIFAR file refused: %s", err);
  free(rec);
  free(batch);
}

/* The real Fashion-MNIST when its Debian package (dataset-fashion-mnist) is installed. */
static void check_fashion_mnist(void) {
  FILE *f = fopen(FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz", "rb");
  if (!f) {
    printf("skip: %s not installed (Debian package dataset-fashion-mnist)\n", FASHION_MNIST_DIR);
    return;
  }
  fclose(f);
  DataSource ds;
  char err[512];
  CHECK(data_open(&ds, "fashion-mnist", 1024, err, sizeof err) == 0 && ds.n == 60000, "Fashion-MNIST train: %s", err);
  data_close(&ds);
  CHECK(data_open_split(&ds, "fashion-mnist", 784, 1, err, sizeof err) == 0 && ds.n == 10000, "Fashion-MNIST test: %s",
        err);
  data_close(&ds);
}

int main(void) {
  check_idx(0);
  check_idx(1);
  check_cifar();
  check_fashion_mnist();
  return report();
}
