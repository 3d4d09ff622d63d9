/* .npy float32 I/O: round trips of every rank, the written header against the
 * format spec, and refusals of malformed files built byte by byte here. */
#define _POSIX_C_SOURCE 200809L /* access() even under -std=c11 */
#include "npy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void test_round_trip(void) {
  static const struct {
    int rank;
    int64_t shape[4];
  } cases[] = {
      {0, {0}}, {1, {5}}, {1, {0}}, {2, {3, 2}}, {2, {1000, 2}}, {3, {2, 3, 4}}, {4, {1, 2, 3, 2}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int rank = cases[c].rank;
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)cases[c].shape[i];
    float *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = (float)(i * 0.37 - 3.0) * (i % 3 ? 1.0f : -1e-20f);
    const char *p = test_path("rt.npy");
    char err[512] = "";
    CHECK(npy_write_f32(p, x, rank, cases[c].shape, err, sizeof err) == 0, "write: %s", err);
    CHECK(access(test_path("rt.npy.tmp"), F_OK) != 0, "case %zu: .tmp file left behind", c);

    float *y = NULL;
    int r = -1;
    int64_t shape[4] = {-1, -1, -1, -1};
    CHECK(npy_read_f32(p, &y, &r, shape, err, sizeof err) == 0, "read: %s", err);
    CHECK(r == rank, "case %zu: rank %d, wrote %d", c, r, rank);
    CHECK(y != NULL, "case %zu: data NULL", c);
    int same_shape = 1;
    for (int i = 0; i < rank; i++) same_shape &= shape[i] == cases[c].shape[i];
    CHECK(same_shape, "case %zu: shape differs", c);
    CHECK(y && (n == 0 || !memcmp(x, y, n * sizeof *x)), "case %zu: data differ", c);
    free(x);
    free(y);
  }
}

/* Bytes of a file, for looking at what was written. */
static unsigned char *slurp(const char *path, long *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = ftell(f);
  rewind(f);
  unsigned char *b = malloc((size_t)*len + 1);
  *len = (long)fread(b, 1, (size_t)*len, f);
  fclose(f);
  return b;
}

static void test_header_layout(void) {
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t s32[2] = {3, 2};
  char err[512] = "";
  const char *p = test_path("hdr.npy");
  CHECK(npy_write_f32(p, x, 2, s32, err, sizeof err) == 0, "write: %s", err);
  long len = 0;
  unsigned char *b = slurp(p, &len);
  CHECK(b && len > 10, "cannot read back %s", p);
  if (!b) return;
  CHECK(!memcmp(b, "\x93NUMPY\x01\x00", 8), "magic/version 1.0 missing");
  int hlen = b[8] | b[9] << 8;
  CHECK((10 + hlen) % 64 == 0, "header total %d is not a multiple of 64", 10 + hlen);
  CHECK(len == 10 + hlen + 24, "file is %ld bytes, want %d", len, 10 + hlen + 24);
  CHECK(b[10 + hlen - 1] == '\n', "header does not end in newline");
  /* numpy.save's exact text, then space padding. */
  const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  CHECK(!memcmp(b + 10, dict, strlen(dict)), "header is not numpy's: %.*s", hlen, b + 10);
  int spaces = 1;
  for (int i = 10 + (int)strlen(dict); i < 10 + hlen - 1; i++) spaces &= b[i] == ' ';
  CHECK(spaces, "padding is not spaces");
  CHECK(!memcmp(b + 10 + hlen, x, 24), "data bytes differ");
  free(b);

  /* Python tuple spelling of ranks 1 and 0, and a header long enough to
   * need a second 64-byte block. */
  int64_t s1[1] = {4}, s4[4] = {123456789012, 345678901234, 0, 999999999999};
  CHECK(npy_write_f32(p, x, 1, s1, err, sizeof err) == 0, "write: %s", err);
  b = slurp(p, &len);
  CHECK(b && strstr((char *)b + 10, "'shape': (4,)") != NULL, "rank-1 shape not '(4,)'");
  free(b);
  CHECK(npy_write_f32(p, x, 0, s1, err, sizeof err) == 0, "write: %s", err);
  b = slurp(p, &len);
  CHECK(b && strstr((char *)b + 10, "'shape': ()") != NULL, "rank-0 shape not '()'");
  CHECK(b && (len - 4) % 64 == 0, "rank-0 header not aligned");
  free(b);
  CHECK(npy_write_f32(p, x, 4, s4, err, sizeof err) == 0, "write: %s", err);
  b = slurp(p, &len);
  CHECK(b && len % 64 == 0 && len > 64, "long header: %ld bytes, want a multiple of 64 > 64", len);
  CHECK(b && strstr((char *)b + 10, "(123456789012, 345678901234, 0, 999999999999)"), "long shape");
  free(b);
}

/* A file of a given version and header text followed by nbytes of data
 * (the header is padded to 64 like numpy does, unless pad is 0). */
static const char *write_raw(const char *name, int major, const char *dict, size_t nbytes) {
  const char *p = test_path(name);
  size_t prefix = major == 1 ? 10 : 12, dl = strlen(dict);
  size_t total = (prefix + dl + 1 + 63) / 64 * 64, hlen = total - prefix;
  FILE *f = fopen(p, "wb");
  fwrite("\x93NUMPY", 1, 6, f);
  fputc(major, f);
  fputc(0, f);
  for (int i = 0; i < (major == 1 ? 2 : 4); i++) fputc((int)(hlen >> (8 * i)) & 0xff, f);
  fwrite(dict, 1, dl, f);
  for (size_t i = dl; i + 1 < hlen; i++) fputc(' ', f);
  fputc('\n', f);
  for (size_t i = 0; i < nbytes; i++) fputc((int)(i * 7 & 0xff), f);
  fclose(f);
  return p;
}

static void expect_refusal(const char *p, const char *why, const char *needle) {
  float *y = (float *)1;
  int r;
  int64_t s[4];
  char err[512] = "";
  int rc = npy_read_f32(p, &y, &r, s, err, sizeof err);
  CHECK(rc == -1, "%s: accepted", why);
  CHECK(y == NULL, "%s: data not NULL on failure", why);
  CHECK(strstr(err, needle) != NULL, "%s: message '%s' lacks '%s'", why, err, needle);
  CHECK(strstr(err, p) != NULL, "%s: message '%s' does not name the file", why, err);
  printf("  refused (%s): %s\n", why, err);
}

static void test_other_versions(void) {
  const char *d = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  for (int v = 2; v <= 3; v++) {
    const char *p = write_raw("v.npy", v, d, 24);
    float *y = NULL;
    int r = 0;
    int64_t s[4];
    char err[512] = "";
    CHECK(npy_read_f32(p, &y, &r, s, err, sizeof err) == 0, "version %d.0: %s", v, err);
    CHECK(r == 2 && s[0] == 2 && s[1] == 3, "version %d.0: shape", v);
    free(y);
  }
  /* Key order and quoting are free in a Python dict literal. */
  const char *p = write_raw("order.npy", 1, "{\"shape\":(2,),\"fortran_order\":False,\"descr\":\"<f4\"}", 8);
  float *y = NULL;
  int r = 0;
  int64_t s[4];
  char err[512] = "";
  CHECK(npy_read_f32(p, &y, &r, s, err, sizeof err) == 0, "reordered keys: %s", err);
  free(y);
}

static void test_refusals(void) {
  const char *ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const char *p = write_raw("magic.npy", 1, ok, 24);
  FILE *f = fopen(p, "r+b");
  fputc('X', f); /* first magic byte */
  fclose(f);
  expect_refusal(p, "wrong magic", "magic");

  p = write_raw("f8.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 48);
  expect_refusal(p, "dtype <f8", "dtype '<f8' is not float32 ('<f4')");
  p = write_raw("i4.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", 24);
  expect_refusal(p, "dtype <i4", "dtype '<i4' is not float32 ('<f4')");
  p = write_raw("be.npy", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
  expect_refusal(p, "dtype >f4", "dtype '>f4'");
  p = write_raw("fo.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24);
  expect_refusal(p, "fortran order", "Fortran order");
  p = write_raw("trunc.npy", 1, ok, 23);
  expect_refusal(p, "truncated", "truncated");
  p = write_raw("trail.npy", 1, ok, 25);
  expect_refusal(p, "trailing bytes", "trailing bytes");
  p = write_raw("r5.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 2), }", 8);
  expect_refusal(p, "rank 5", "rank 5");
  p = write_raw("ver.npy", 1, ok, 24);
  f = fopen(p, "r+b");
  fseek(f, 6, SEEK_SET);
  fputc(4, f);
  fclose(f);
  expect_refusal(p, "version 4.0", "version 4.0");
  p = write_raw("key.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24);
  expect_refusal(p, "unknown key", "'x'");
  p = write_raw("nokey.npy", 1, "{'descr': '<f4', 'shape': (2, 3), }", 24);
  expect_refusal(p, "missing key", "fortran_order");
  p = write_raw("neg.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", 24);
  expect_refusal(p, "negative dimension", "non-negative");
  p = test_path("short.npy");
  f = fopen(p, "wb");
  fwrite("\x93NUM", 1, 4, f);
  fclose(f);
  expect_refusal(p, "4-byte file", "not a .npy file");
  expect_refusal(test_path("missing.npy"), "missing file", "cannot open");
}

static void expect_bad_points(const float *x, int rank, const int64_t *shape, const char *why, const char *needle) {
  char err[512] = "";
  int rc = npy_check_points("data.npy", x, rank, shape, 2, err, sizeof err);
  CHECK(rc == -1, "%s: accepted", why);
  CHECK(strstr(err, needle) != NULL, "%s: message '%s' lacks '%s'", why, err, needle);
  CHECK(strstr(err, "data.npy") != NULL, "%s: message does not name the file", why);
  printf("  refused (%s): %s\n", why, err);
}

static void test_check_points(void) {
  float x[6] = {0, 1, 2, 3, 4, 5};
  int64_t s32[2] = {3, 2}, s23[2] = {2, 3}, s6[1] = {6}, s02[2] = {0, 2};
  char err[512] = "";
  CHECK(npy_check_points("data.npy", x, 2, s32, 2, err, sizeof err) == 0, "valid: %s", err);
  expect_bad_points(x, 1, s6, "rank 1", "shape (6,) (expected (N, 2)");
  expect_bad_points(x, 2, s23, "3 columns", "shape (2, 3) (expected (N, 2)");
  expect_bad_points(x, 2, s02, "no rows", "N >= 1");
  x[3] = NAN;
  expect_bad_points(x, 2, s32, "NaN", "row 1, column 1 is NaN");
  x[3] = 3;
  x[4] = -INFINITY;
  expect_bad_points(x, 2, s32, "-Inf", "row 2, column 0 is -Inf");
  x[4] = INFINITY;
  expect_bad_points(x, 2, s32, "+Inf", "row 2, column 0 is +Inf");
}

static void test_unwritable(void) {
  float x[2] = {1, 2};
  int64_t s[1] = {2};
  char err[512] = "";
  int rc = npy_write_f32("/nonexistent-dir/x.npy", x, 1, s, err, sizeof err);
  CHECK(rc == -1, "write into a missing directory succeeded");
  CHECK(strstr(err, "/nonexistent-dir/x.npy") != NULL, "message '%s' lacks the path", err);
  int64_t bad[1] = {-1};
  rc = npy_write_f32(test_path("neg.npy"), x, 1, bad, err, sizeof err);
  CHECK(rc == -1 && strstr(err, "expected >= 0"), "negative dimension written: %s", err);
}

/* float64 [3, 2] as numpy.save writes it: npy_read_real rounds each value to
 * float, npy_read_f32 refuses it, npy_read_header gives the shape alone */
static void test_float64(void) {
  const char *p = test_path("f8.npy");
  const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
  char header[118];
  memset(header, ' ', sizeof header);
  memcpy(header, dict, strlen(dict));
  header[117] = '\n';
  double v[6] = {0.1, -2.5, 1e-3, 3.0000001, -7.25, 1.0 / 3};
  FILE *f = fopen(p, "wb");
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
  fwrite(pre, 1, 10, f);
  fwrite(header, 1, sizeof header, f);
  fwrite(v, 8, 6, f);
  fclose(f);
  float *x = NULL;
  int rank = 0, f64 = 0;
  int64_t shape[4];
  char err[512] = "";
  CHECK(npy_read_real(p, &x, &rank, shape, &f64, err, sizeof err) == 0, "float64 read: %s", err);
  CHECK(f64 == 1 && rank == 2 && shape[0] == 3 && shape[1] == 2, "float64: f64 %d rank %d", f64, rank);
  for (int i = 0; x && i < 6; i++) CHECK(x[i] == (float)v[i], "value %d: %g, expected %g", i, x[i], (float)v[i]);
  free(x);
  rank = 0;
  CHECK(npy_read_header(p, &rank, shape, &f64, err, sizeof err) == 0 && rank == 2 && shape[0] == 3 && f64 == 1,
        "header: %s", err);
  CHECK(npy_read_f32(p, &x, &rank, shape, err, sizeof err) == -1 && strstr(err, "'<f8'"), "f32 reader: %s", err);
  f = fopen(p, "ab"); /* one stray byte: the size no longer matches the header */
  fputc(0, f);
  fclose(f);
  CHECK(npy_read_header(p, &rank, shape, &f64, err, sizeof err) == -1 && strstr(err, "trailing"), "trailing byte: %s",
        err);
}

int main(void) {
  test_float64();
  test_round_trip();
  test_header_layout();
  test_other_versions();
  test_refusals();
  test_check_points();
  test_unwritable();
  return report();
}
