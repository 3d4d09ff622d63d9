#define _POSIX_C_SOURCE 200809L /* fileno even under -std=c11 */
#include "safetensors.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "atomic_file.h"
#include "text_cursor.h"

/* Tensor bytes go to and from disk as they are in memory; F32 is little-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.c assumes a little-endian host"
#endif

/* The reference implementation refuses larger headers too. */
#define MAX_HEADER (100u << 20)

/* ---- growable text buffer ----------------------------------------------- */

typedef struct {
  char *s;
  size_t len, cap;
  int oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_fmt(Buf *b, const char *fmt, int64_t v) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, fmt, v);
  buf_add(b, tmp, (size_t)n);
}

/* A JSON string literal; bytes >= 0x80 pass through (UTF-8 stays UTF-8). */
static void buf_json(Buf *b, const char *s) {
  buf_add(b, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      buf_add(b, e, 2);
    } else if (c < 0x20) {
      char e[8];
      snprintf(e, sizeof e, "\\u%04x", c);
      buf_add(b, e, 6);
    } else {
      buf_add(b, (const char *)&c, 1);
    }
  }
  buf_add(b, "\"", 1);
}

/* ---- writing ------------------------------------------------------------ */

/* Bytes of a tensor, or -1 if a dimension is negative or the size overflows. */
static int64_t tensor_bytes(int rank, const int64_t *shape) {
  int64_t n = 4;
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0) return -1;
    if (shape[i] && n > INT64_MAX / shape[i]) return -1;
    n *= shape[i];
  }
  return n;
}

static int check_inputs(const char *path, const StTensor *t, int n, const char *const *keys, const char *const *vals,
                        int n_meta, char *err, size_t errlen) {
  for (int i = 0; i < n; i++) {
    const char *nm = t[i].name;
    if (!nm || !*nm || !strcmp(nm, "__metadata__")) {
      snprintf(err, errlen,
               "%s: tensor %d has name '%s' (expected a non-empty name other "
               "than __metadata__)",
               path, i, nm ? nm : "(null)");
      return -1;
    }
    for (int j = 0; j < i; j++)
      if (!strcmp(t[j].name, nm)) {
        snprintf(err, errlen, "%s: tensor name '%s' appears twice (expected unique names)", path, nm);
        return -1;
      }
    if (t[i].rank < 0 || t[i].rank > ST_MAX_RANK) {
      snprintf(err, errlen, "%s: tensor '%s' has rank %d (expected 0..%d)", path, nm, t[i].rank, ST_MAX_RANK);
      return -1;
    }
    int64_t bytes = tensor_bytes(t[i].rank, t[i].shape);
    if (bytes < 0) {
      snprintf(err, errlen, "%s: tensor '%s' has a negative or huge dimension", path, nm);
      return -1;
    }
    if (bytes > 0 && !t[i].data) {
      snprintf(err, errlen, "%s: tensor '%s' has no data", path, nm);
      return -1;
    }
  }
  for (int i = 0; i < n_meta; i++) {
    if (!keys[i] || !vals[i] || !strcmp(keys[i], "crc32")) {
      snprintf(err, errlen,
               "%s: metadata key '%s' is reserved or missing its value "
               "(crc32 is added by st_write itself)",
               path, keys[i] ? keys[i] : "(null)");
      return -1;
    }
    for (int j = 0; j < i; j++)
      if (!strcmp(keys[j], keys[i])) {
        snprintf(err, errlen, "%s: metadata key '%s' appears twice (expected unique keys)", path, keys[i]);
        return -1;
      }
  }
  return 0;
}

int st_write(const char *path, const StTensor *t, int n, const char *const *meta_keys, const char *const *meta_vals,
             int n_meta, char *err, size_t errlen) {
  if (check_inputs(path, t, n, meta_keys, meta_vals, n_meta, err, errlen) != 0) return -1;

  /* The crc goes into the header, which precedes the data: one pass first. */
  uLong crc = crc32(0L, Z_NULL, 0);
  for (int i = 0; i < n; i++) {
    int64_t bytes = tensor_bytes(t[i].rank, t[i].shape);
    if (bytes) crc = crc32_z(crc, (const Bytef *)t[i].data, (z_size_t)bytes);
  }

  Buf h = {0};
  buf_str(&h, "{");
  int64_t off = 0;
  for (int i = 0; i < n; i++) {
    int64_t bytes = tensor_bytes(t[i].rank, t[i].shape);
    buf_json(&h, t[i].name);
    buf_str(&h, ":{\"dtype\":\"F32\",\"shape\":[");
    for (int d = 0; d < t[i].rank; d++) buf_fmt(&h, d ? ",%" PRId64 : "%" PRId64, t[i].shape[d]);
    buf_fmt(&h, "],\"data_offsets\":[%" PRId64, off);
    buf_fmt(&h, ",%" PRId64 "]},", off + bytes);
    off += bytes;
  }
  buf_str(&h, "\"__metadata__\":{");
  for (int i = 0; i < n_meta; i++) {
    buf_json(&h, meta_keys[i]);
    buf_str(&h, ":");
    buf_json(&h, meta_vals[i]);
    buf_str(&h, ",");
  }
  char crcs[40];
  snprintf(crcs, sizeof crcs, "\"crc32\":\"%08lx\"}}", (unsigned long)crc);
  buf_str(&h, crcs);
  while (h.len % 8) buf_str(&h, " "); /* data then starts 8-byte aligned */
  if (h.oom) {
    snprintf(err, errlen, "%s: out of memory building the header", path);
    free(h.s);
    return -1;
  }

  AtomicFile af;
  if (atomic_open(&af, path, err, errlen) != 0) {
    free(h.s);
    return -1;
  }
  unsigned char len8[8];
  for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)h.len >> (8 * i));
  fwrite(len8, 1, 8, af.f);
  fwrite(h.s, 1, h.len, af.f);
  free(h.s);
  for (int i = 0; i < n; i++) {
    int64_t bytes = tensor_bytes(t[i].rank, t[i].shape);
    if (bytes) fwrite(t[i].data, 1, (size_t)bytes, af.f);
  }
  return atomic_commit(&af, err, errlen);
}

/* ---- strict JSON reader for the header subset ----------------------------
 * Objects, strings (escapes \" \\ \/ \b \f \n \r \t and \uXXXX below 0x80),
 * non-negative integers and arrays of them: nothing else occurs in a valid
 * header, so anything else is an error. */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* A string literal, decoded into a malloc'ed *out. */
static int jstring(TextCursor *j, char **out) {
  *out = NULL;
  if (!cursor_accept(j, '"')) return cursor_fail(j, "'\"' opening a string");
  Buf b = {0};
  buf_add(&b, "", 0);
  for (;;) {
    if (j->i >= j->n) {
      free(b.s);
      return cursor_fail(j, "'\"' closing a string");
    }
    unsigned char c = (unsigned char)j->s[j->i++];
    if (c == '"') break;
    if (c < 0x20) {
      j->i--;
      free(b.s);
      return cursor_fail(j, "no raw control character inside a string");
    }
    if (c != '\\') {
      buf_add(&b, (const char *)&c, 1);
      continue;
    }
    char e = j->i < j->n ? j->s[j->i++] : '\0';
    const char *plain = strchr("\"\\/bfnrt", e);
    if (e && plain) {
      static const char decoded[] = "\"\\/\b\f\n\r\t";
      buf_add(&b, &decoded[plain - "\"\\/bfnrt"], 1);
    } else if (e == 'u') {
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int h = j->i < j->n ? hexval(j->s[j->i]) : -1;
        if (h < 0) {
          free(b.s);
          return cursor_fail(j, "four hex digits after \\u");
        }
        v = v * 16 + h;
        j->i++;
      }
      if (v == 0 || v >= 0x80) {
        j->i -= 6;
        free(b.s);
        return cursor_fail(j, "a \\u escape of an ASCII character other than NUL");
      }
      char ch = (char)v;
      buf_add(&b, &ch, 1);
    } else {
      j->i--;
      free(b.s);
      return cursor_fail(j, "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
  }
  if (b.oom) {
    free(b.s);
    return cursor_fail(j, "a string that fits in memory");
  }
  *out = b.s;
  return 0;
}

static int jint(TextCursor *j, int64_t *out) {
  cursor_skip_ws(j);
  if (j->i >= j->n || j->s[j->i] < '0' || j->s[j->i] > '9') return cursor_fail(j, "a non-negative integer");
  if (j->s[j->i] == '0' && j->i + 1 < j->n && j->s[j->i + 1] >= '0' && j->s[j->i + 1] <= '9')
    return cursor_fail(j, "an integer without leading zeros");
  int64_t v = 0;
  if (cursor_digits(j, &v) != 0) return -1;
  if (j->i < j->n && (j->s[j->i] == '.' || j->s[j->i] == 'e' || j->s[j->i] == 'E'))
    return cursor_fail(j, "an integer, not a fraction");
  *out = v;
  return 0;
}

/* [a, b, ...]; *count is the real length even past max (values beyond max are dropped). */
static int jint_array(TextCursor *j, int64_t *vals, int max, int *count) {
  *count = 0;
  if (!cursor_accept(j, '[')) return cursor_fail(j, "'[' opening an array of integers");
  if (cursor_accept(j, ']')) return 0;
  do {
    int64_t v = 0;
    if (jint(j, &v) != 0) return -1;
    if (*count < max) vals[*count] = v;
    (*count)++;
  } while (cursor_accept(j, ','));
  if (!cursor_accept(j, ']')) return cursor_fail(j, "',' or ']' in an array");
  return 0;
}

/* ---- header structure --------------------------------------------------- */

typedef struct {
  int64_t begin, end;
  int idx; /* into StFile.t, to keep header order after sorting by offset */
} Span;

typedef struct {
  TextCursor j;
  StFile *f;
  Span *spans;
  int cap_t, cap_s, cap_m, cap_v; /* capacities of t, spans, meta_keys, meta_vals */
  int saw_meta;
} Parse;

static int tfail(Parse *p, const char *name, const char *what) {
  snprintf(p->j.err, p->j.errlen, "%s: tensor '%s': %s", p->j.path, name, what);
  return -1;
}

static int grow(void **arr, int *cap, int n, size_t elem) {
  if (n < *cap) return 0;
  int c = *cap ? 2 * *cap : 16;
  void *q = realloc(*arr, (size_t)c * elem);
  if (!q) return -1;
  *arr = q;
  *cap = c;
  return 0;
}

/* {"dtype": "F32", "shape": [..], "data_offsets": [b, e]} in any key order.
 * name is owned by the new entry from here on, whatever happens. */
static int parse_tensor(Parse *p, char *name) {
  StFile *f = p->f;
  if (grow((void **)&f->t, &p->cap_t, f->n, sizeof *f->t) != 0 ||
      grow((void **)&p->spans, &p->cap_s, f->n, sizeof *p->spans) != 0) {
    free(name);
    return cursor_fail(&p->j, "a header that fits in memory");
  }
  StEntry *e = &f->t[f->n++];
  memset(e, 0, sizeof *e);
  e->name = name;
  Span *sp = &p->spans[f->n - 1];
  sp->idx = f->n - 1;

  int have_dtype = 0, have_shape = 0, have_off = 0, rank = 0, noff = 0, rc = -1;
  int64_t off[2] = {0, 0};
  char *dtype = NULL, *key = NULL, what[200];
  if (!cursor_accept(&p->j, '{')) {
    cursor_fail(&p->j, "'{' opening a tensor entry");
    goto done;
  }
  if (!cursor_accept(&p->j, '}')) {
    do {
      if (jstring(&p->j, &key) != 0) goto done;
      if (!cursor_accept(&p->j, ':')) {
        cursor_fail(&p->j, "':' after a key");
        goto done;
      }
      if (!strcmp(key, "dtype") && !have_dtype) {
        have_dtype = 1;
        if (jstring(&p->j, &dtype) != 0) goto done;
      } else if (!strcmp(key, "shape") && !have_shape) {
        have_shape = 1;
        if (jint_array(&p->j, e->shape, ST_MAX_RANK, &rank) != 0) goto done;
      } else if (!strcmp(key, "data_offsets") && !have_off) {
        have_off = 1;
        if (jint_array(&p->j, off, 2, &noff) != 0) goto done;
      } else {
        snprintf(what, sizeof what,
                 "unexpected or repeated key '%.60s' (expected dtype, "
                 "shape, data_offsets)",
                 key);
        tfail(p, name, what);
        goto done;
      }
      free(key);
      key = NULL;
    } while (cursor_accept(&p->j, ','));
    if (!cursor_accept(&p->j, '}')) {
      cursor_fail(&p->j, "',' or '}' in a tensor entry");
      goto done;
    }
  }
  if (!have_dtype || !have_shape || !have_off) {
    tfail(p, name, !have_dtype ? "no dtype" : !have_shape ? "no shape" : "no data_offsets");
    goto done;
  }
  if (strcmp(dtype, "F32") != 0) {
    snprintf(what, sizeof what, "dtype '%.40s' is not supported (expected 'F32')", dtype);
    tfail(p, name, what);
    goto done;
  }
  if (rank > ST_MAX_RANK) {
    snprintf(what, sizeof what, "rank %d is not supported (expected at most %d)", rank, ST_MAX_RANK);
    tfail(p, name, what);
    goto done;
  }
  e->rank = rank;
  if (noff != 2 || off[0] > off[1]) {
    tfail(p, name, "data_offsets must be [begin, end] with begin <= end");
    goto done;
  }
  int64_t bytes = tensor_bytes(rank, e->shape);
  if (bytes != off[1] - off[0]) {
    snprintf(what, sizeof what,
             "shape needs %" PRId64 " bytes but data_offsets [%" PRId64 ", %" PRId64 "] span %" PRId64, bytes, off[0],
             off[1], off[1] - off[0]);
    tfail(p, name, what);
    goto done;
  }
  sp->begin = off[0];
  sp->end = off[1];
  rc = 0;
done:
  free(key);
  free(dtype);
  return rc;
}

/* {"key": "value", ...} */
static int parse_meta(Parse *p) {
  StFile *f = p->f;
  if (p->saw_meta) return cursor_fail(&p->j, "a single __metadata__ entry");
  p->saw_meta = 1;
  if (!cursor_accept(&p->j, '{')) return cursor_fail(&p->j, "'{' opening __metadata__");
  if (cursor_accept(&p->j, '}')) return 0;
  do {
    if (grow((void **)&f->meta_keys, &p->cap_m, f->n_meta, sizeof(char *)) != 0 ||
        grow((void **)&f->meta_vals, &p->cap_v, f->n_meta, sizeof(char *)) != 0)
      return cursor_fail(&p->j, "a header that fits in memory");
    char *key, *val;
    if (jstring(&p->j, &key) != 0) return -1;
    for (int i = 0; i < f->n_meta; i++)
      if (!strcmp(f->meta_keys[i], key)) {
        snprintf(p->j.err, p->j.errlen, "%s: metadata key '%.60s' appears twice", p->j.path, key);
        free(key);
        return -1;
      }
    if (!cursor_accept(&p->j, ':')) {
      free(key);
      return cursor_fail(&p->j, "':' after a metadata key");
    }
    if (jstring(&p->j, &val) != 0) {
      free(key);
      return -1;
    }
    f->meta_keys[f->n_meta] = key;
    f->meta_vals[f->n_meta] = val;
    f->n_meta++;
  } while (cursor_accept(&p->j, ','));
  if (!cursor_accept(&p->j, '}')) return cursor_fail(&p->j, "',' or '}' in __metadata__");
  return 0;
}

static int parse_header(Parse *p) {
  if (!cursor_accept(&p->j, '{')) return cursor_fail(&p->j, "'{' opening the header");
  if (!cursor_accept(&p->j, '}')) {
    do {
      char *key;
      if (jstring(&p->j, &key) != 0) return -1;
      if (!cursor_accept(&p->j, ':')) {
        free(key);
        return cursor_fail(&p->j, "':' after a tensor name");
      }
      if (!strcmp(key, "__metadata__")) {
        free(key);
        if (parse_meta(p) != 0) return -1;
        continue;
      }
      for (int i = 0; i < p->f->n; i++)
        if (!strcmp(p->f->t[i].name, key)) {
          snprintf(p->j.err, p->j.errlen, "%s: tensor name '%.60s' appears twice", p->j.path, key);
          free(key);
          return -1;
        }
      if (parse_tensor(p, key) != 0) return -1; /* key now owned by the entry */
    } while (cursor_accept(&p->j, ','));
    if (!cursor_accept(&p->j, '}')) return cursor_fail(&p->j, "',' or '}' between tensors");
  }
  cursor_skip_ws(&p->j);
  if (p->j.i != p->j.n) return cursor_fail(&p->j, "only space padding after the header object");
  return 0;
}

/* ---- reading ------------------------------------------------------------ */

static int cmp_span(const void *a, const void *b) {
  const Span *x = a, *y = b;
  if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return x->idx - y->idx;
}

/* Exactly 8 hex digits, as st_write stores them. */
static int parse_crc(const char *s, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 8; i++) {
    int h = hexval(s[i]);
    if (h < 0) return -1;
    v = v << 4 | (uint32_t)h;
  }
  if (s[8] != '\0') return -1;
  *out = v;
  return 0;
}

/* The data buffer must be tiled by the tensors: sorted by offset, each one
 * starts where the previous ended and the last ends at the buffer's end. */
static int check_layout(const char *path, const StFile *f, Span *sp, uint64_t fsize, uint64_t hlen, char *err,
                        size_t errlen) {
  if (f->n) qsort(sp, (size_t)f->n, sizeof *sp, cmp_span); /* sp is NULL without tensors */
  int64_t pos = 0;
  for (int k = 0; k < f->n; k++) {
    if (sp[k].begin < pos) {
      snprintf(
          err, errlen,
          "%s: tensors '%s' [%" PRId64 ", %" PRId64 "] and '%s' [%" PRId64 ", %" PRId64 "] overlap in the data buffer",
          path, f->t[sp[k - 1].idx].name, sp[k - 1].begin, sp[k - 1].end, f->t[sp[k].idx].name, sp[k].begin, sp[k].end);
      return -1;
    }
    if (sp[k].begin > pos) {
      snprintf(err, errlen,
               "%s: bytes [%" PRId64 ", %" PRId64
               ") of the data buffer "
               "belong to no tensor (expected contiguous data_offsets)",
               path, pos, sp[k].begin);
      return -1;
    }
    pos = sp[k].end;
  }
  uint64_t have = fsize - 8 - hlen, want = 8 + hlen + (uint64_t)pos;
  if ((uint64_t)pos > have) {
    snprintf(err, errlen,
             "%s: file is truncated: %" PRIu64
             " bytes, but header and "
             "data_offsets need %" PRIu64,
             path, fsize, want);
    return -1;
  }
  if ((uint64_t)pos < have) {
    snprintf(err, errlen,
             "%s: trailing bytes: file is %" PRIu64
             " bytes, but header and "
             "data_offsets account for %" PRIu64,
             path, fsize, want);
    return -1;
  }
  return 0;
}

/* Everything after fopen; on failure the caller empties *out. */
static int read_open(FILE *fp, const char *path, StFile *out, char *err, size_t errlen) {
  struct stat st;
  if (fstat(fileno(fp), &st) != 0) {
    snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: not a regular file%s", path, S_ISDIR(st.st_mode) ? " (a directory)" : "");
    return -1;
  }
  uint64_t fsize = (uint64_t)st.st_size;
  unsigned char len8[8];
  if (fsize < 8 || fread(len8, 1, 8, fp) != 8) {
    snprintf(err, errlen,
             "%s: file is %" PRIu64
             " bytes, too short for the 8-byte header "
             "length of a safetensors file",
             path, fsize);
    return -1;
  }
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | len8[i];
  if (hlen > fsize - 8) {
    snprintf(err, errlen,
             "%s: header length %" PRIu64 " exceeds the %" PRIu64
             " bytes that "
             "follow it (truncated, or not a safetensors file)",
             path, hlen, fsize - 8);
    return -1;
  }
  if (hlen > MAX_HEADER) {
    snprintf(err, errlen, "%s: header length %" PRIu64 " is over the %u-byte limit", path, hlen, MAX_HEADER);
    return -1;
  }
  char *text = malloc(hlen + 1);
  if (!text || fread(text, 1, hlen, fp) != hlen) {
    snprintf(err, errlen, "%s: cannot read the %" PRIu64 "-byte header", path, hlen);
    free(text);
    return -1;
  }
  Parse p = {{text, hlen, 0, path, "header is not the expected JSON", err, errlen}, out, NULL, 0, 0, 0, 0, 0};
  int rc = parse_header(&p);
  free(text);
  if (rc == 0) rc = check_layout(path, out, p.spans, fsize, hlen, err, errlen);
  if (rc != 0) {
    free(p.spans);
    return -1;
  }

  uint32_t want_crc;
  const char *crc_s = st_meta(out, "crc32");
  if (!crc_s || parse_crc(crc_s, &want_crc) != 0) {
    snprintf(err, errlen,
             "%s: __metadata__ has %s crc32 (expected 8 hex digits, as st_write "
             "stores)",
             path, crc_s ? "a malformed" : "no");
    free(p.spans);
    return -1;
  }
  /* Read in offset order: the buffer is contiguous, so the file is read
   * straight through and the crc runs over the bytes as stored. */
  uLong crc = crc32(0L, Z_NULL, 0);
  for (int k = 0; k < out->n; k++) {
    StEntry *e = &out->t[p.spans[k].idx];
    size_t bytes = (size_t)(p.spans[k].end - p.spans[k].begin);
    e->data = malloc(bytes ? bytes : 1);
    if (!e->data || fread(e->data, 1, bytes, fp) != bytes) {
      snprintf(err, errlen, "%s: cannot read %zu bytes of tensor '%s'", path, bytes, e->name);
      free(p.spans);
      return -1;
    }
    crc = crc32_z(crc, (const Bytef *)e->data, bytes);
  }
  free(p.spans);
  if ((uint32_t)crc != want_crc) {
    snprintf(err, errlen, "%s: data is corrupt: crc32 %08lx, expected %s", path, (unsigned long)crc, crc_s);
    return -1;
  }
  return 0;
}

int st_read(const char *path, StFile *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  int rc = read_open(fp, path, out, err, errlen);
  fclose(fp);
  if (rc != 0) st_free(out);
  return rc;
}

const StEntry *st_find(const StFile *f, const char *name) {
  for (int i = 0; i < f->n; i++)
    if (!strcmp(f->t[i].name, name)) return &f->t[i];
  return NULL;
}

const char *st_meta(const StFile *f, const char *key) {
  for (int i = 0; i < f->n_meta; i++)
    if (!strcmp(f->meta_keys[i], key)) return f->meta_vals[i];
  return NULL;
}

void st_free(StFile *f) {
  for (int i = 0; i < f->n; i++) {
    free(f->t[i].name);
    free(f->t[i].data);
  }
  for (int i = 0; i < f->n_meta; i++) {
    free(f->meta_keys[i]);
    free(f->meta_vals[i]);
  }
  free(f->t);
  free(f->meta_keys);
  free(f->meta_vals);
  memset(f, 0, sizeof *f);
}
