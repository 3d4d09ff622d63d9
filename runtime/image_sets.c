#include "image_sets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int idx_read(const char *path, int want_magic, unsigned char **data, int dims[3], int *rank, char *err, size_t errlen) {
  *data = NULL;
  gzFile f = gzopen(path, "rb"); /* reads plain files too */
  if (!f) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  unsigned char head[16];
  int r = want_magic == 0x803 ? 3 : 1, hn = 4 + 4 * r;
  if (gzread(f, head, hn) != hn) {
    snprintf(err, errlen, "%s: truncated header (an IDX file with magic 0x%08x expected)", path, want_magic);
    gzclose(f);
    return -1;
  }
  if (be32(head) != (uint32_t)want_magic) {
    snprintf(err, errlen, "%s: magic 0x%08x, expected 0x%08x (IDX %s)", path, be32(head), want_magic,
             want_magic == 0x803 ? "images" : "labels");
    gzclose(f);
    return -1;
  }
  /* sizes in 64 bits, checked before anything is allocated: a header may claim anything */
  uint64_t total = 1;
  for (int k = 0; k < r; k++) {
    uint32_t d = be32(head + 4 + 4 * k);
    if (d == 0 || d > IDX_MAX_DIM) {
      snprintf(err, errlen, "%s: dimension %d is %u (expected 1..%u)", path, k, d, IDX_MAX_DIM);
      gzclose(f);
      return -1;
    }
    dims[k] = (int)d;
    if (__builtin_mul_overflow(total, (uint64_t)d, &total) || total > IDX_MAX_BYTES) {
      snprintf(err, errlen, "%s: dimensions %u", path, be32(head + 4));
      for (int j = 1; j <= k; j++) snprintf(err + strlen(err), errlen - strlen(err), " x %u", be32(head + 4 + 4 * j));
      snprintf(err + strlen(err), errlen - strlen(err), " exceed the limit of %llu bytes of data",
               (unsigned long long)IDX_MAX_BYTES);
      gzclose(f);
      return -1;
    }
  }
  if (r == 3 && (uint64_t)dims[1] * (uint64_t)dims[2] > IMAGE_MAX_VALUES) {
    snprintf(err, errlen, "%s: pictures of %d x %d pixels (at most %d values per picture)", path, dims[1], dims[2],
             IMAGE_MAX_VALUES);
    gzclose(f);
    return -1;
  }
  *rank = r;
  /* A plain file must hold exactly the header's bytes; a gzip one is read into
   * a buffer that grows with what actually decompresses, so a lying header
   * costs no more memory than the data it comes with. */
  int plain = gzdirect(f);
  if (plain) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size != (uint64_t)hn + total) {
      snprintf(err, errlen, "%s: file is %lld bytes, the header says %llu (%s)", path, (long long)st.st_size,
               (unsigned long long)(hn + total), (uint64_t)st.st_size < hn + total ? "truncated" : "trailing bytes");
      gzclose(f);
      return -1;
    }
  }
  size_t cap = plain || total < (1u << 20) ? (size_t)total : (1u << 20), got = 0;
  int oom = 0;
  *data = malloc(cap);
  if (!*data) {
    snprintf(err, errlen, "%s: out of memory for %zu bytes of data", path, cap);
    gzclose(f);
    return -1;
  }
  while (got < total) {
    if (got == cap) {
      size_t ncap = cap * 2 < total ? cap * 2 : (size_t)total;
      unsigned char *q = realloc(*data, ncap);
      if (!q) {
        snprintf(err, errlen, "%s: out of memory for %zu bytes of data", path, ncap);
        oom = 1;
        break;
      }
      *data = q;
      cap = ncap;
    }
    size_t want = cap - got;
    unsigned chunk = want > (1u << 30) ? (1u << 30) : (unsigned)want;
    int k = gzread(f, *data + got, chunk);
    if (k <= 0) break;
    got += (size_t)k;
  }
  unsigned char extra;
  int trailing = got == total && gzread(f, &extra, 1) == 1;
  gzclose(f);
  if (got != total || trailing) {
    if (!oom)
      snprintf(err, errlen, "%s: %s (header says %llu bytes of data)", path, trailing ? "trailing bytes" : "truncated",
               (unsigned long long)total);
    free(*data);
    *data = NULL;
    return -1;
  }
  return 0;
}

/* DIR/NAME or DIR/NAME.gz, whichever exists */
static void find(char *out, size_t n, const char *dir, const char *name) {
  snprintf(out, n, "%s/%s.gz", dir, name);
  FILE *f = fopen(out, "rb");
  if (f) {
    fclose(f);
    return;
  }
  snprintf(out, n, "%s/%s", dir, name);
}

static int open_idx_set(ImageSet *s, const char *dir, int test, char *err, size_t errlen) {
  char path[4200];
  int dims[3], rank, ldims[3], lrank;
  find(path, sizeof path, dir, test ? "t10k-images-idx3-ubyte" : "train-images-idx3-ubyte");
  if (idx_read(path, 0x803, &s->pixels, dims, &rank, err, errlen)) return -1;
  find(path, sizeof path, dir, test ? "t10k-labels-idx1-ubyte" : "train-labels-idx1-ubyte");
  if (idx_read(path, 0x801, &s->labels, ldims, &lrank, err, errlen)) return -1;
  if (ldims[0] != dims[0]) {
    snprintf(err, errlen, "%s: %d labels for %d images", path, ldims[0], dims[0]);
    return -1;
  }
  s->n = dims[0];
  s->c = 1;
  s->h = dims[1];
  s->w = dims[2];
  return 0;
}

int cifar_read(const char *path, long records, unsigned char *labels, unsigned char *pixels, char *err, size_t errlen) {
  enum { REC = 3073 };
  /* the size first: a short or long file is refused before anything is read */
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  if (S_ISREG(st.st_mode) && st.st_size != (off_t)REC * records) {
    snprintf(err, errlen, "%s: %s: %lld bytes (expected %ld records of %d bytes)", path,
             st.st_size < (off_t)REC * records ? "truncated" : "trailing bytes", (long long)st.st_size, records, REC);
    return -1;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  unsigned char rec[REC];
  int rc = 0;
  for (long i = 0; i < records; i++) {
    if (fread(rec, 1, REC, f) != REC) {
      snprintf(err, errlen, "%s: truncated at record %ld (expected %ld records of %d bytes)", path, i, records, REC);
      rc = -1;
      break;
    }
    if (rec[0] > 9) {
      snprintf(err, errlen, "%s: record %ld has label %d (expected 0..9)", path, i, rec[0]);
      rc = -1;
      break;
    }
    labels[i] = rec[0];
    memcpy(pixels + (size_t)i * 3072, rec + 1, 3072);
  }
  if (!rc && fgetc(f) != EOF) {
    snprintf(err, errlen, "%s: trailing bytes after %ld records", path, records);
    rc = -1;
  }
  fclose(f);
  return rc;
}

/* CIFAR-10: 5 training files or 1 test file of 10000 records each */
static int open_cifar(ImageSet *s, const char *dir, int test, char *err, size_t errlen) {
  enum { PER_FILE = 10000 };
  int files = test ? 1 : 5;
  s->n = (long)files * PER_FILE;
  s->c = 3;
  s->h = 32;
  s->w = 32;
  s->pixels = malloc((size_t)s->n * 3072);
  s->labels = malloc(s->n);
  if (!s->pixels || !s->labels) {
    snprintf(err, errlen, "%s: out of memory for %ld pictures", dir, s->n);
    return -1;
  }
  for (int k = 0; k < files; k++) {
    char path[4200];
    if (test)
      snprintf(path, sizeof path, "%s/test_batch.bin", dir);
    else
      snprintf(path, sizeof path, "%s/data_batch_%d.bin", dir, k + 1);
    if (cifar_read(path, PER_FILE, s->labels + (size_t)k * PER_FILE, s->pixels + (size_t)k * PER_FILE * 3072, err,
                   errlen))
      return -1;
  }
  return 0;
}

int image_set_open(ImageSet *s, const char *spec, int test, int *rc, char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  const char *colon = strchr(spec, ':');
  size_t nl = colon ? (size_t)(colon - spec) : strlen(spec);
  const char *dir = colon ? colon + 1 : NULL;
  int idx = nl == 13 && !strncmp(spec, "fashion-mnist", nl), mnist = nl == 5 && !strncmp(spec, "mnist", nl);
  int cifar = nl == 7 && !strncmp(spec, "cifar10", nl);
  if (!idx && !mnist && !cifar) return 0;
  if (!dir && idx) dir = FASHION_MNIST_DIR;
  if (!dir || !*dir) {
    snprintf(err, errlen, "'%.*s' needs its folder: %.*s:DIR", (int)nl, spec, (int)nl, spec);
    *rc = -1;
    return 1;
  }
  *rc = cifar ? open_cifar(s, dir, test, err, errlen) : open_idx_set(s, dir, test, err, errlen);
  if (*rc) image_set_free(s);
  return 1;
}

void image_set_free(ImageSet *s) {
  free(s->pixels);
  free(s->labels);
  memset(s, 0, sizeof *s);
}

void image_to_floats(const ImageSet *s, long i, int pad, int flip, float *out) {
  int H = s->h + 2 * pad, W = s->w + 2 * pad;
  const unsigned char *p = s->pixels + (size_t)i * s->c * s->h * s->w;
  for (int k = 0; k < s->c * H * W; k++) out[k] = -1.0f;
  for (int c = 0; c < s->c; c++)
    for (int y = 0; y < s->h; y++)
      for (int x = 0; x < s->w; x++) {
        int sx = flip ? s->w - 1 - x : x;
        out[(c * H + y + pad) * W + x + pad] = 2.0f * (p[(c * s->h + y) * s->w + sx] / 255.0f) - 1.0f;
      }
}
