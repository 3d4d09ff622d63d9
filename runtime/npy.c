#define _POSIX_C_SOURCE 200809L /* fileno even under -std=c11 */
#include "npy.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "text_cursor.h"

/* Data are copied to and from disk as raw bytes: '<f4' is the host layout. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c assumes a little-endian host"
#endif

static const char MAGIC[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* ---- writing ------------------------------------------------------------ */

/* "(3, 2)", "(7,)" or "()" as Python prints a tuple. */
static void shape_tuple(char *buf, size_t n, int rank, const int64_t *shape) {
  size_t k = (size_t)snprintf(buf, n, "(");
  for (int i = 0; i < rank && k < n; i++)
    k += (size_t)snprintf(buf + k, n - k, i ? ", %" PRId64 : "%" PRId64, shape[i]);
  if (k < n) snprintf(buf + k, n - k, rank == 1 ? ",)" : ")");
}

int npy_write_f32(const char *path, const float *data, int rank, const int64_t *shape, char *err, size_t errlen) {
  if (rank < 0 || rank > NPY_MAX_RANK) {
    snprintf(err, errlen, "%s: rank %d cannot be written (expected 0..%d)", path, rank, NPY_MAX_RANK);
    return -1;
  }
  size_t count = 1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0) {
      snprintf(err, errlen, "%s: dimension %d is %" PRId64 " (expected >= 0)", path, i, shape[i]);
      return -1;
    }
    count *= (size_t)shape[i];
  }

  char tuple[128], header[256];
  shape_tuple(tuple, sizeof tuple, rank, shape);
  int len = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", tuple);
  /* Pad with spaces and end with '\n' so magic+version+length+header is a
   * multiple of 64 (the format spec's alignment for version 1.0). */
  int total = 10 + len + 1;
  int padded = (total + 63) / 64 * 64;
  memset(header + len, ' ', (size_t)(padded - total));
  len += padded - total;
  header[len++] = '\n';

  AtomicFile af;
  if (atomic_open(&af, path, err, errlen) != 0) return -1;
  unsigned char pre[10];
  memcpy(pre, MAGIC, 6);
  pre[6] = 1;
  pre[7] = 0;
  pre[8] = (unsigned char)(len & 0xff);
  pre[9] = (unsigned char)(len >> 8);
  fwrite(pre, 1, sizeof pre, af.f);
  fwrite(header, 1, (size_t)len, af.f);
  if (count) fwrite(data, sizeof(float), count, af.f);
  return atomic_commit(&af, err, errlen);
}

/* ---- header parsing ----------------------------------------------------- */

/* The header is a Python dict literal; this reads exactly what numpy writes:
 * string keys, a string, True/False and a tuple of integers. */
static int expect(TextCursor *h, char c, const char *what) { return cursor_accept(h, c) ? 0 : cursor_fail(h, what); }

/* A quoted string ('...' or "...") without escapes, copied into out. */
static int parse_str(TextCursor *h, char *out, size_t outlen) {
  cursor_skip_ws(h);
  if (h->i >= h->n || (h->s[h->i] != '\'' && h->s[h->i] != '"')) return cursor_fail(h, "a quoted string");
  char q = h->s[h->i++];
  size_t k = 0;
  while (h->i < h->n && h->s[h->i] != q) {
    if (h->s[h->i] == '\\' || k + 1 >= outlen) return cursor_fail(h, "a short string without escapes");
    out[k++] = h->s[h->i++];
  }
  if (h->i >= h->n) return cursor_fail(h, "a closing quote");
  h->i++;
  out[k] = '\0';
  return 0;
}

static int parse_bool(TextCursor *h, int *out) {
  cursor_skip_ws(h);
  if (h->n - h->i >= 4 && !memcmp(h->s + h->i, "True", 4)) {
    h->i += 4;
    *out = 1;
  } else if (h->n - h->i >= 5 && !memcmp(h->s + h->i, "False", 5)) {
    h->i += 5;
    *out = 0;
  } else {
    return cursor_fail(h, "True or False");
  }
  return 0;
}

/* "(a, b, ...)" with an optional trailing comma; counts entries past the
 * maximum so the caller can report the real rank. */
static int parse_tuple(TextCursor *h, int64_t *dims, int max, int *rank) {
  if (expect(h, '(', "'(' opening the shape") != 0) return -1;
  *rank = 0;
  for (;;) {
    cursor_skip_ws(h);
    if (h->i < h->n && h->s[h->i] == ')') break;
    if (h->i >= h->n || h->s[h->i] < '0' || h->s[h->i] > '9') return cursor_fail(h, "a non-negative integer dimension");
    int64_t v = 0;
    if (cursor_digits(h, &v) != 0) return -1;
    if (*rank < max) dims[*rank] = v;
    (*rank)++;
    cursor_skip_ws(h);
    if (h->i < h->n && h->s[h->i] == ',') {
      h->i++;
      continue;
    }
    if (h->i < h->n && h->s[h->i] == ')') break;
    return cursor_fail(h, "',' or ')' in the shape");
  }
  h->i++;
  return 0;
}

typedef struct {
  char descr[32];
  int fortran;
  int rank;
  int64_t shape[NPY_MAX_RANK];
} NpyHeader;

static int parse_header(TextCursor *h, NpyHeader *out) {
  int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
  if (expect(h, '{', "'{' opening the header dict") != 0) return -1;
  for (;;) {
    cursor_skip_ws(h);
    if (h->i < h->n && h->s[h->i] == '}') break;
    char key[32];
    if (parse_str(h, key, sizeof key) != 0) return -1;
    if (expect(h, ':', "':' after a key") != 0) return -1;
    if (!strcmp(key, "descr") && !seen_descr) {
      if (parse_str(h, out->descr, sizeof out->descr) != 0) return -1;
      seen_descr = 1;
    } else if (!strcmp(key, "fortran_order") && !seen_fortran) {
      if (parse_bool(h, &out->fortran) != 0) return -1;
      seen_fortran = 1;
    } else if (!strcmp(key, "shape") && !seen_shape) {
      if (parse_tuple(h, out->shape, NPY_MAX_RANK, &out->rank) != 0) return -1;
      seen_shape = 1;
    } else {
      snprintf(h->err, h->errlen,
               "%s: .npy header has unexpected or repeated key '%s' (expected descr, "
               "fortran_order, shape)",
               h->path, key);
      return -1;
    }
    cursor_skip_ws(h);
    if (h->i < h->n && h->s[h->i] == ',') {
      h->i++;
      continue;
    }
    if (h->i < h->n && h->s[h->i] == '}') break;
    return cursor_fail(h, "',' or '}' in the header dict");
  }
  h->i++;
  cursor_skip_ws(h);
  if (h->i != h->n) return cursor_fail(h, "only padding after the header dict");
  if (!seen_descr || !seen_fortran || !seen_shape) {
    snprintf(h->err, h->errlen, "%s: .npy header lacks '%s'", h->path,
             !seen_descr     ? "descr"
             : !seen_fortran ? "fortran_order"
                             : "shape");
    return -1;
  }
  return 0;
}

/* ---- reading ------------------------------------------------------------ */

static uint32_t le32(const unsigned char *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Everything after fopen; the caller closes f and frees *data on failure.
 * allow_f64: '<f8' data too, converted to float (*was_f64 set); data NULL:
 * the header only (rank, shape, *was_f64), the byte count still checked. */
static int read_open(FILE *f, const char *path, float **data, int *rank, int64_t *shape, int allow_f64, int *was_f64,
                     char *err, size_t errlen) {
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
    return -1;
  }
  uint64_t fsize = (uint64_t)st.st_size;

  unsigned char pre[12];
  size_t got = fread(pre, 1, 10, f);
  if (got < 8 || memcmp(pre, MAGIC, 6) != 0) {
    snprintf(err, errlen, "%s: not a .npy file (expected the magic \\x93NUMPY)", path);
    return -1;
  }
  int major = pre[6], minor = pre[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    snprintf(err, errlen, "%s: .npy format version %d.%d is not supported (expected 1.0, 2.0 or 3.0)", path, major,
             minor);
    return -1;
  }
  /* Version 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one. */
  size_t prefix = major == 1 ? 10 : 12;
  if (got == 10 && prefix == 12) got += fread(pre + 10, 1, 2, f);
  if (got < prefix) {
    snprintf(err, errlen, "%s: file is %" PRIu64 " bytes, too short for a .npy header", path, fsize);
    return -1;
  }
  uint64_t hlen = major == 1 ? (uint64_t)(pre[8] | pre[9] << 8) : le32(pre + 8);
  if (prefix + hlen > fsize) {
    snprintf(err, errlen, "%s: file is %" PRIu64 " bytes but its header claims %" PRIu64, path, fsize,
             (uint64_t)prefix + hlen);
    return -1;
  }

  char *text = malloc(hlen + 1);
  if (!text) {
    snprintf(err, errlen, "%s: out of memory for a %" PRIu64 "-byte header", path, hlen);
    return -1;
  }
  if (fread(text, 1, hlen, f) != hlen) {
    snprintf(err, errlen, "%s: read error in the header", path);
    free(text);
    return -1;
  }
  NpyHeader hd = {0};
  TextCursor h = {text, hlen, 0, path, "malformed .npy header", err, errlen};
  int rc = parse_header(&h, &hd);
  free(text);
  if (rc != 0) return -1;

  int f64 = allow_f64 && !strcmp(hd.descr, "<f8"), width = f64 ? 8 : 4;
  if (strcmp(hd.descr, "<f4") != 0 && !f64) {
    snprintf(err, errlen,
             allow_f64 ? "%s: dtype '%s' is neither float32 ('<f4') nor float64 ('<f8')"
                       : "%s: dtype '%s' is not float32 ('<f4')",
             path, hd.descr);
    return -1;
  }
  if (was_f64) *was_f64 = f64;
  if (hd.fortran) {
    snprintf(err, errlen,
             "%s: array is in Fortran order (expected fortran_order False, "
             "i.e. C order; save np.ascontiguousarray(x))",
             path);
    return -1;
  }
  if (hd.rank > NPY_MAX_RANK) {
    snprintf(err, errlen, "%s: rank %d is not supported (expected at most %d)", path, hd.rank, NPY_MAX_RANK);
    return -1;
  }
  uint64_t count = 1;
  for (int i = 0; i < hd.rank; i++) {
    if (hd.shape[i] && count > (UINT64_MAX / 8) / (uint64_t)hd.shape[i]) {
      snprintf(err, errlen, "%s: shape is too large", path);
      return -1;
    }
    count *= (uint64_t)hd.shape[i];
  }
  uint64_t want = prefix + hlen + (uint64_t)width * count;
  if (fsize != want) {
    snprintf(err, errlen, "%s: file is %" PRIu64 " bytes but header and data need %" PRIu64 " (%s)", path, fsize, want,
             fsize < want ? "truncated" : "trailing bytes");
    return -1;
  }
  *rank = hd.rank;
  for (int i = 0; i < hd.rank; i++) shape[i] = hd.shape[i];
  if (!data) return 0;
  if (count > SIZE_MAX / 8) {
    snprintf(err, errlen, "%s: %" PRIu64 " elements do not fit in memory", path, count);
    return -1;
  }
  *data = malloc(count ? (size_t)count * 4 : 1);
  if (!*data) {
    snprintf(err, errlen, "%s: out of memory for %" PRIu64 " floats", path, count);
    return -1;
  }
  /* float64: read in chunks and round each value to float */
  size_t nread = 0;
  if (!f64)
    nread = fread(*data, 4, (size_t)count, f);
  else {
    double chunk[4096];
    for (size_t n; nread < count && (n = fread(chunk, 8, count - nread < 4096 ? count - nread : 4096, f)) > 0;
         nread += n)
      for (size_t i = 0; i < n; i++) (*data)[nread + i] = (float)chunk[i];
  }
  if (nread != count) {
    snprintf(err, errlen, "%s: read error in the data", path);
    return -1;
  }
  return 0;
}

static int read_path(const char *path, float **data, int *rank, int64_t *shape, int allow_f64, int *was_f64, char *err,
                     size_t errlen) {
  if (data) *data = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  int rc = read_open(f, path, data, rank, shape, allow_f64, was_f64, err, errlen);
  fclose(f);
  if (rc != 0 && data) {
    free(*data);
    *data = NULL;
  }
  return rc;
}

int npy_read_f32(const char *path, float **data, int *rank, int64_t shape[NPY_MAX_RANK], char *err, size_t errlen) {
  return read_path(path, data, rank, shape, 0, NULL, err, errlen);
}

int npy_read_real(const char *path, float **data, int *rank, int64_t shape[NPY_MAX_RANK], int *was_f64, char *err,
                  size_t errlen) {
  return read_path(path, data, rank, shape, 1, was_f64, err, errlen);
}

int npy_read_header(const char *path, int *rank, int64_t shape[NPY_MAX_RANK], int *was_f64, char *err, size_t errlen) {
  return read_path(path, NULL, rank, shape, 1, was_f64, err, errlen);
}

int npy_check_points(const char *path, const float *data, int rank, const int64_t *shape, int want_cols, char *err,
                     size_t errlen) {
  char tuple[128];
  shape_tuple(tuple, sizeof tuple, rank, shape);
  if (rank != 2 || shape[1] != want_cols || shape[0] < 1) {
    snprintf(err, errlen, "%s: training data has shape %s (expected (N, %d) with N >= 1)", path, tuple, want_cols);
    return -1;
  }
  for (int64_t r = 0; r < shape[0]; r++)
    for (int c = 0; c < want_cols; c++) {
      float v = data[r * want_cols + c];
      if (!isfinite(v)) {
        snprintf(err, errlen,
                 "%s: value at row %" PRId64
                 ", column %d is %s (expected "
                 "finite numbers only)",
                 path, r, c,
                 isnan(v) ? "NaN"
                 : v > 0  ? "+Inf"
                          : "-Inf");
        return -1;
      }
    }
  return 0;
}
