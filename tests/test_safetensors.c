/* safetensors checkpoints: round trip with metadata, files written byte by
 * byte as the reference library lays them out, refusal of every kind of
 * damage (truncation, flipped bytes, bad dtype, overlapping offsets, trailing
 * garbage), and atomic replacement. */
#define _POSIX_C_SOURCE 200809L /* access() even under -std=c11 */
#include "safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"

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

static void spit(const char *path, const void *b, long len) {
  FILE *f = fopen(path, "wb");
  fwrite(b, 1, (size_t)len, f);
  fclose(f);
}

/* A file as the reference library writes it: u64 length, the JSON padded
 * with spaces to a multiple of 8, the data. "%08x" in json is replaced by
 * the crc32 of data. */
static const char *handmade(const char *name, const char *json, const void *data, size_t nbytes) {
  char hdr[2048];
  snprintf(hdr, sizeof hdr, json, (unsigned)crc32(0, data, (uInt)nbytes));
  size_t n = strlen(hdr);
  while (n % 8) hdr[n++] = ' ';
  hdr[n] = '\0';
  const char *p = test_path(name);
  FILE *f = fopen(p, "wb");
  for (int i = 0; i < 8; i++) fputc((int)((uint64_t)n >> (8 * i)) & 0xff, f);
  fwrite(hdr, 1, n, f);
  fwrite(data, 1, nbytes, f);
  fclose(f);
  return p;
}

static void expect_refusal(const char *p, const char *why, const char *needle) {
  StFile f;
  char err[512] = "";
  int rc = st_read(p, &f, err, sizeof err);
  CHECK(rc == -1, "%s: accepted", why);
  CHECK(f.n == 0 && f.t == NULL && f.n_meta == 0, "%s: StFile not empty after failure", why);
  CHECK(strstr(err, needle) != NULL, "%s: message '%s' lacks '%s'", why, err, needle);
  CHECK(strstr(err, p) != NULL, "%s: message '%s' does not name the file", why, err);
  printf("  refused (%s): %s\n", why, err);
  st_free(&f);
}

/* ---- round trip ---------------------------------------------------------- */

static float A[6] = {1, -2, 3.5f, 1e-30f, -0.0f, 6e30f}, B1 = 42, D[24];
static const char *const KEYS[3] = {"step", "fingerprint", "note"};
static const char *const VALS[3] = {"1200", "9f2c-ab", "quote \" backslash \\ newline \n tab \t é"};

static const char *write_sample(const char *name) {
  for (int i = 0; i < 24; i++) D[i] = (float)i / 7;
  StTensor t[4] = {
      {"layer.0/weight", 2, {2, 3}, A},
      {"scalar", 0, {0}, &B1},
      {"empty", 1, {0}, NULL},
      {"d", 4, {1, 2, 3, 4}, D},
  };
  const char *p = test_path(name);
  char err[512] = "";
  CHECK(st_write(p, t, 4, KEYS, VALS, 3, err, sizeof err) == 0, "st_write: %s", err);
  return p;
}

static void test_round_trip(void) {
  const char *p = write_sample("rt.safetensors");
  CHECK(access(test_path("rt.safetensors.tmp"), F_OK) != 0, ".tmp file left behind");
  StFile f;
  char err[512] = "";
  CHECK(st_read(p, &f, err, sizeof err) == 0, "st_read: %s", err);
  CHECK(f.n == 4, "%d tensors, want 4", f.n);
  if (f.n != 4) return;
  const char *names[4] = {"layer.0/weight", "scalar", "empty", "d"};
  for (int i = 0; i < 4; i++)
    CHECK(!strcmp(f.t[i].name, names[i]), "tensor %d is '%s', want '%s'", i, f.t[i].name, names[i]);
  const StEntry *a = st_find(&f, "layer.0/weight"), *s = st_find(&f, "scalar"), *e = st_find(&f, "empty"),
                *d = st_find(&f, "d");
  CHECK(a && a->rank == 2 && a->shape[0] == 2 && a->shape[1] == 3 && !memcmp(a->data, A, sizeof A), "tensor a");
  CHECK(s && s->rank == 0 && s->data[0] == 42, "scalar");
  CHECK(e && e->rank == 1 && e->shape[0] == 0 && e->data != NULL, "empty tensor");
  CHECK(d && d->rank == 4 && d->shape[3] == 4 && !memcmp(d->data, D, sizeof D), "rank-4 tensor");
  CHECK(st_find(&f, "missing") == NULL, "st_find of a missing name");
  for (int i = 0; i < 3; i++) {
    const char *v = st_meta(&f, KEYS[i]);
    CHECK(v && !strcmp(v, VALS[i]), "metadata %s = '%s', want '%s'", KEYS[i], v ? v : "(null)", VALS[i]);
  }
  const char *c = st_meta(&f, "crc32");
  CHECK(c && strlen(c) == 8, "crc32 metadata '%s'", c ? c : "(null)");
  CHECK(st_meta(&f, "nope") == NULL, "st_meta of a missing key");
  st_free(&f);
  CHECK(f.n == 0 && f.t == NULL, "st_free leaves a usable empty file");

  /* Header length is a multiple of 8 and the header is space padded. */
  long len;
  unsigned char *b = slurp(p, &len);
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--) n = n << 8 | b[i];
  CHECK(n % 8 == 0, "header length %llu is not a multiple of 8", (unsigned long long)n);
  CHECK(b[8] == '{', "header does not start with '{'");
  CHECK((long)(8 + n + sizeof A + 4 + sizeof D) == len, "file is %ld bytes", len);
  free(b);

  /* No tensors at all is a valid (if useless) checkpoint. */
  CHECK(st_write(test_path("none.safetensors"), NULL, 0, NULL, NULL, 0, err, sizeof err) == 0, "%s", err);
  CHECK(st_read(test_path("none.safetensors"), &f, err, sizeof err) == 0 && f.n == 0, "empty file: %s", err);
  st_free(&f);
}

/* ---- files as other writers lay them out --------------------------------- */

static void test_handmade(void) {
  float a[2] = {1.5f, -2.0f};
  const char *p = handmade("ref.safetensors",
                           "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                           "\"__metadata__\":{\"crc32\":\"%08x\"}}",
                           a, sizeof a);
  StFile f;
  char err[512] = "";
  CHECK(st_read(p, &f, err, sizeof err) == 0, "reference layout: %s", err);
  const StEntry *e = st_find(&f, "a");
  CHECK(f.n == 1 && e && e->rank == 1 && e->shape[0] == 2 && e->data[0] == 1.5f && e->data[1] == -2.0f,
        "tensor a of the reference file");
  st_free(&f);

  /* Metadata first, tensors listed out of offset order, whitespace, escapes. */
  float ab[3] = {7, 8, 9};
  p = handmade("ref2.safetensors",
               "{\n  \"__metadata__\": {\"crc32\": \"%08x\", \"format\": \"pt\"},\n"
               "  \"w\\u0041\\/b\\n\": {\"shape\": [1], \"dtype\": \"F32\", \"data_offsets\": [8, 12]},\n"
               "  \"first\": {\"dtype\": \"F32\", \"shape\": [2, 1], \"data_offsets\": [0, 8]}\n}",
               ab, sizeof ab);
  CHECK(st_read(p, &f, err, sizeof err) == 0, "reordered header: %s", err);
  const StEntry *w = st_find(&f, "wA/b\n"), *first = st_find(&f, "first");
  CHECK(f.n == 2 && !strcmp(f.t[0].name, "wA/b\n"), "header order not kept");
  CHECK(w && w->data[0] == 9, "escaped name or its data");
  CHECK(first && first->rank == 2 && first->data[0] == 7 && first->data[1] == 8, "tensor 'first'");
  CHECK(st_meta(&f, "format") && !strcmp(st_meta(&f, "format"), "pt"), "metadata 'format'");
  st_free(&f);
}

/* ---- damage -------------------------------------------------------------- */

static void test_truncation(void) {
  const char *p = write_sample("full.safetensors");
  long len;
  unsigned char *b = slurp(p, &len);
  long n = 0;
  for (int i = 7; i >= 0; i--) n = n << 8 | b[i];
  const struct {
    long cut;
    const char *needle;
  } cuts[] = {
      {0, "too short"},       {5, "too short"},     {7, "too short"},         {8, "exceeds"},         {40, "exceeds"},
      {8 + n - 1, "exceeds"}, {8 + n, "truncated"}, {8 + n + 3, "truncated"}, {len - 1, "truncated"},
  };
  for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
    char name[64], why[64];
    snprintf(name, sizeof name, "cut%ld.safetensors", cuts[k].cut);
    snprintf(why, sizeof why, "cut at byte %ld of %ld", cuts[k].cut, len);
    const char *q = test_path(name);
    spit(q, b, cuts[k].cut);
    expect_refusal(q, why, cuts[k].needle);
  }
  free(b);
}

static void test_flipped_bytes(void) {
  const char *p = write_sample("flip.safetensors");
  long len;
  unsigned char *b = slurp(p, &len);
  long n = 0;
  for (int i = 7; i >= 0; i--) n = n << 8 | b[i];
  const char *q = test_path("flipped.safetensors");

  b[8 + n + 5] ^= 0x10; /* inside tensor 0's data */
  spit(q, b, len);
  expect_refusal(q, "flipped data byte", "data is corrupt: crc32");
  b[8 + n + 5] ^= 0x10;
  b[len - 1] ^= 0x01; /* last byte of the last tensor */
  spit(q, b, len);
  expect_refusal(q, "flipped last byte", "data is corrupt: crc32");
  b[len - 1] ^= 0x01;

  b[8] ^= 0x01; /* the opening '{' */
  spit(q, b, len);
  expect_refusal(q, "flipped '{'", "header is not the expected JSON at byte 0");
  b[8] ^= 0x01;

  /* Every header byte flipped in turn: refused with a message, or (a changed
   * name or metadata character) accepted with the data intact. */
  int refused = 0, accepted = 0, intact = 1;
  for (long i = 8; i < 8 + n; i++) {
    b[i] ^= 0x04;
    spit(q, b, len);
    StFile f;
    char err[512] = "";
    if (st_read(q, &f, err, sizeof err) != 0) {
      refused++;
      if (!strstr(err, q)) intact = 0;
    } else {
      accepted++;
      long bytes = 0;
      for (int t = 0; t < f.n; t++) {
        long m = 4;
        for (int d = 0; d < f.t[t].rank; d++) m *= (long)f.t[t].shape[d];
        bytes += m;
      }
      if (bytes != len - 8 - n) intact = 0;
    }
    st_free(&f);
    b[i] ^= 0x04;
  }
  CHECK(intact, "a flipped header byte loaded different data or gave an anonymous message");
  CHECK(refused > accepted, "only %d of %ld header flips refused", refused, n);
  printf("  header byte flips: %d refused, %d accepted (names/metadata text)\n", refused, accepted);
  free(b);
}

static void test_bad_headers(void) {
  float x[4] = {1, 2, 3, 4};
  const char *p;
  p = handmade("f16.safetensors",
               "{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "dtype F16", "tensor 'a': dtype 'F16' is not supported (expected 'F32')");
  p = handmade("overlap.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 12);
  expect_refusal(p, "overlapping offsets", "'a' [0, 8] and 'b' [4, 12] overlap");
  p = handmade("gap.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 12);
  expect_refusal(p, "gap between tensors", "bytes [4, 8) of the data buffer belong to no tensor");
  p = handmade("trail.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 11);
  expect_refusal(p, "trailing garbage", "trailing bytes");
  p = handmade("outside.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "offsets beyond the buffer", "truncated");
  p = handmade("shape.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "shape vs offsets", "shape needs 12 bytes but data_offsets [0, 8] span 8");
  p = handmade("nocrc.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", x, 8);
  expect_refusal(p, "no crc32", "no crc32");
  p = handmade("badcrc.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x0\"}}",
               x, 8);
  expect_refusal(p, "malformed crc32", "malformed crc32");
  p = handmade("dup.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "duplicate name", "'a' appears twice");
  p = handmade("key.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":[]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "unknown key", "unexpected or repeated key 'x'");
  p = handmade("rank.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "rank 5", "rank 5");
  p = handmade("array.safetensors", "[1, 2] %08x", x, 8);
  expect_refusal(p, "not an object", "expected '{'");
  p = handmade("float.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "fractional dimension", "not a fraction");
  p = handmade("neg.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "negative dimension", "non-negative integer");
  p = handmade("uni.safetensors",
               "{\"\\u00e9\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "non-ASCII \\u escape", "ASCII");
  p = handmade("esc.safetensors",
               "{\"a\\x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}",
               x, 8);
  expect_refusal(p, "bad escape", "valid escape");
  p = handmade("comma.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"},}",
               x, 8);
  expect_refusal(p, "trailing comma", "expected '\"'");
  p = handmade("tail.safetensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"__metadata__\":{\"crc32\":\"%08x\"}}}",
               x, 8);
  expect_refusal(p, "text after the object", "only space padding");
  expect_refusal(test_path("absent.safetensors"), "missing file", "cannot open");
}

/* ---- writing ------------------------------------------------------------- */

static void expect_write_refusal(const StTensor *t, int n, const char *const *k, const char *const *v, int nm,
                                 const char *why, const char *needle) {
  char err[512] = "";
  const char *p = test_path("refused.safetensors");
  CHECK(st_write(p, t, n, k, v, nm, err, sizeof err) == -1, "%s: written", why);
  CHECK(strstr(err, needle) != NULL, "%s: message '%s' lacks '%s'", why, err, needle);
  CHECK(access(p, F_OK) != 0, "%s: file created anyway", why);
  printf("  refused (%s): %s\n", why, err);
}

static void test_write_refusals(void) {
  float x[2] = {1, 2};
  StTensor t[2] = {{"a", 1, {2}, x}, {"a", 1, {2}, x}};
  expect_write_refusal(t, 2, NULL, NULL, 0, "duplicate names", "'a' appears twice");
  const char *const k[1] = {"crc32"}, *const v[1] = {"00000000"};
  expect_write_refusal(t, 1, k, v, 1, "caller crc32", "'crc32' is reserved");
  StTensor r5 = {"r", 5, {1, 1, 1, 1}, x};
  expect_write_refusal(&r5, 1, NULL, NULL, 0, "rank 5", "rank 5");
  StTensor m = {"__metadata__", 1, {2}, x};
  expect_write_refusal(&m, 1, NULL, NULL, 0, "reserved name", "__metadata__");
  char err[512] = "";
  CHECK(st_write("/nonexistent-dir/c.safetensors", t, 1, NULL, NULL, 0, err, sizeof err) == -1 &&
            strstr(err, "/nonexistent-dir/c.safetensors"),
        "unwritable path: %s", err);
}

static void test_atomic_replace(void) {
  const char *p = write_sample("replace.safetensors");
  /* A stale .tmp from a crashed writer does not get in the way. */
  spit(test_path("replace.safetensors.tmp"), "junk", 4);
  float y[3] = {-1, -2, -3};
  StTensor t = {"only", 1, {3}, y};
  const char *const k[1] = {"step"}, *const v[1] = {"2"};
  char err[512] = "";
  CHECK(st_write(p, &t, 1, k, v, 1, err, sizeof err) == 0, "overwrite: %s", err);
  CHECK(access(test_path("replace.safetensors.tmp"), F_OK) != 0, ".tmp file left behind");
  StFile f;
  CHECK(st_read(p, &f, err, sizeof err) == 0, "read after overwrite: %s", err);
  CHECK(f.n == 1 && !strcmp(f.t[0].name, "only") && f.t[0].data[2] == -3, "old content survived the overwrite");
  CHECK(st_meta(&f, "step") && !strcmp(st_meta(&f, "step"), "2"), "new metadata");
  CHECK(st_meta(&f, "fingerprint") == NULL, "old metadata survived");
  st_free(&f);
}

int main(void) {
  test_round_trip();
  test_handmade();
  test_truncation();
  test_flipped_bytes();
  test_bad_headers();
  test_write_refusals();
  test_atomic_replace();
  return report();
}
