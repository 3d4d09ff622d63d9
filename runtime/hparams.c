#include "hparams.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edit_distance.h"
#include "text_cursor.h"
#include "xalloc.h"

int hparam_index(const ModelHParam *hp, int n, const char *name) {
  for (int k = 0; k < n; k++)
    if (!strcmp(hp[k].name, name)) return k;
  return -1;
}

static void end_str(double v, char *buf, size_t n) {
  if (isinf(v))
    snprintf(buf, n, "%sinf", v < 0 ? "-" : "");
  else
    snprintf(buf, n, "%.9g", v);
}

void hparam_range(const ModelHParam *h, char *buf, size_t n) {
  char lo[32], hi[32];
  end_str(h->lo, lo, sizeof lo);
  end_str(h->hi, hi, sizeof hi);
  /* an infinite end is never reached: shown open */
  snprintf(buf, n, "%s%s, %s%s", h->lo_open || isinf(h->lo) ? "(" : "[", lo, hi,
           h->hi_open || isinf(h->hi) ? ")" : "]");
}

int hparam_check(const ModelHParam *h, double v, char *err, size_t errlen) {
  char r[80];
  hparam_range(h, r, sizeof r);
  if (isnan(v)) {
    snprintf(err, errlen, "%s = NaN is not a number; valid values lie in %s", h->name, r);
    return -1;
  }
  int ok = isfinite(v) && (h->lo_open ? v > h->lo : v >= h->lo) && (h->hi_open ? v < h->hi : v <= h->hi);
  if (!ok) {
    snprintf(err, errlen, "%s = %.9g is outside its valid range %s (%s)", h->name, v, r, h->desc);
    return -1;
  }
  if (h->whole && v != floor(v)) {
    snprintf(err, errlen, "%s = %.9g is not a whole number (%s)", h->name, v, h->desc);
    return -1;
  }
  return 0;
}

static int unknown(const ModelHParam *hp, int n, const char *name, const char *what, char *err, size_t errlen) {
  int best = -1, bd = 1 << 30;
  for (int k = 0; k < n; k++) {
    int d = edit_distance(name, hp[k].name);
    if (d < bd) {
      bd = d;
      best = k;
    }
  }
  if (best < 0)
    snprintf(err, errlen, "%s: this model has no run-time parameters (unknown '%s')", what, name);
  else
    snprintf(err, errlen, "%s: unknown parameter '%s' (did you mean '%s'? `info` lists them all)", what, name,
             hp[best].name);
  return -1;
}

/* the whole of s as a decimal number (no hex, no inf/nan words) */
static int parse_number(const char *s, double *v) {
  if (!*s || strpbrk(s, "xXpP")) return -1;
  char *end;
  *v = strtod(s, &end);
  if (*end) return -1;
  return 0;
}

static int set_value(const ModelHParam *hp, int n, double *vals, const char *name, double v, const char *what,
                     char *err, size_t errlen) {
  int k = hparam_index(hp, n, name);
  if (k < 0) return unknown(hp, n, name, what, err, errlen);
  char why[400];
  if (hparam_check(&hp[k], v, why, sizeof why)) {
    snprintf(err, errlen, "%s: %s", what, why);
    return -1;
  }
  vals[k] = v;
  return 0;
}

int hparam_set_arg(const ModelHParam *hp, int n, double *vals, const char *arg, const char *what, char *err,
                   size_t errlen) {
  const char *eq = strchr(arg, '=');
  char name[128], opt[200];
  snprintf(opt, sizeof opt, "%s %s", what, arg);
  if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name) {
    snprintf(err, errlen, "%s: expected NAME=VALUE", opt);
    return -1;
  }
  memcpy(name, arg, eq - arg);
  name[eq - arg] = 0;
  double v;
  if (hparam_index(hp, n, name) < 0) return unknown(hp, n, name, opt, err, errlen);
  if (parse_number(eq + 1, &v)) {
    snprintf(err, errlen, "%s: '%s' is not a number", opt, eq + 1);
    return -1;
  }
  return set_value(hp, n, vals, name, v, opt, err, errlen);
}

/* what hparam_set_json's members need */
typedef struct {
  const ModelHParam *hp;
  int n;
  double *vals;
  const char *path;
} SetJson;

/* "NAME": number, the cursor at the number */
static int set_member(TextCursor *c, const char *name, void *ctx) {
  const SetJson *s = ctx;
  const char *text = c->s;
  size_t at = c->i, e = at;
  while (e < c->n && (isalnum((unsigned char)text[e]) || text[e] == '-' || text[e] == '+' || text[e] == '.')) e++;
  char num[64], what[300];
  double v;
  snprintf(what, sizeof what, "%s: \"%s\"", s->path, name);
  if (hparam_index(s->hp, s->n, name) < 0) return unknown(s->hp, s->n, name, what, c->err, c->errlen);
  if (e == at || e - at >= sizeof num || !(text[at] == '-' || isdigit((unsigned char)text[at]))) {
    snprintf(c->err, c->errlen, "%s must be a number (byte %zu)", what, at);
    return -1;
  }
  memcpy(num, text + at, e - at);
  num[e - at] = 0;
  if (parse_number(num, &v)) {
    snprintf(c->err, c->errlen, "%s: '%s' is not a number", what, num);
    return -1;
  }
  c->i = e;
  return set_value(s->hp, s->n, s->vals, name, v, what, c->err, c->errlen);
}

int hparam_set_json(const ModelHParam *hp, int n, double *vals, const char *text, size_t len, const char *path,
                    char *err, size_t errlen) {
  TextCursor c = {text, len, 0, path, "malformed parameter file", err, errlen};
  SetJson s = {hp, n, vals, path};
  cursor_skip_ws(&c);
  if (c.i >= len || text[c.i] != '{') return cursor_fail(&c, "'{' (a JSON object of name: number)");
  if (cursor_json_object(&c, set_member, &s)) return -1;
  cursor_skip_ws(&c);
  if (c.i != len) return cursor_fail(&c, "the end of the file after the object");
  return 0;
}

int hparam_set_file(const ModelHParam *hp, int n, double *vals, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "--config %s: cannot read it", path);
    return -1;
  }
  size_t cap = 1 << 12, len = 0, got;
  char *text = xmalloc(cap, "a parameter file");
  while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (len + 1 == cap && cap >= (1 << 20)) { /* a flat object of numbers: a megabyte is not one */
      fclose(f);
      free(text);
      snprintf(err, errlen, "--config %s: larger than 1 MiB, not a parameter file", path);
      return -1;
    }
    if (len + 1 == cap) text = xrealloc(text, cap *= 2, "a parameter file");
  }
  fclose(f);
  text[len] = 0;
  char label[4200];
  snprintf(label, sizeof label, "--config %s", path);
  int rc = hparam_set_json(hp, n, vals, text, len, label, err, errlen);
  free(text);
  return rc;
}

void hparam_list(FILE *f, const ModelHParam *hp, int n, const double *vals) {
  if (!n) {
    fprintf(f, "  (none: this model has no run-time parameters)\n");
    return;
  }
  for (int k = 0; k < n; k++) {
    char r[80];
    hparam_range(&hp[k], r, sizeof r);
    fprintf(f, "  %-14s %-12.6g %-14s %s\n", hp[k].name, vals ? vals[k] : hp[k].dflt, r, hp[k].desc);
  }
}

char *hparam_json(const ModelHParam *hp, int n, const double *vals) {
  size_t cap = 64 + (size_t)n * 160, k = 0;
  char *b = xmalloc(cap, "the parameters' record");
  k += snprintf(b + k, cap - k, "{");
  for (int i = 0; i < n; i++) {
    /* the shortest of %.15g..%.17g that reads back as the same double: exact, and 0.9 stays "0.9" */
    char num[32];
    for (int prec = 15; prec <= 17; prec++) {
      snprintf(num, sizeof num, "%.*g", prec, vals[i]);
      if (strtod(num, NULL) == vals[i]) break;
    }
    k += snprintf(b + k, cap - k, "%s\"%s\": %s", i ? ", " : "", hp[i].name, num);
  }
  snprintf(b + k, cap - k, "}");
  return b;
}
