#include "json_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the character after `"key"` and its colon, or NULL */
static const char *value_of(const char *text, const char *key) {
  size_t k = strlen(key);
  for (const char *p = strchr(text, '"'); p; p = strchr(p + 1, '"')) {
    if (strncmp(p + 1, key, k) || p[1 + k] != '"') continue;
    const char *q = p + 2 + k;
    while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
    if (*q != ':') continue;
    q++;
    while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
    return q;
  }
  return NULL;
}

int json_string(const char *text, const char *key, char *out, size_t n) {
  const char *v = value_of(text, key);
  if (!v || *v != '"' || !n) return -1;
  size_t i = 0;
  for (v++; *v && *v != '"' && i + 1 < n; v++) {
    if (*v == '\\' && v[1]) out[i++] = *v++;
    if (i + 1 < n) out[i++] = *v;
  }
  out[i] = 0;
  return 0;
}

int json_number(const char *text, const char *key, double *out) {
  const char *v = value_of(text, key);
  if (!v) return -1;
  char *end;
  double d = strtod(v, &end);
  if (end == v) return -1;
  *out = d;
  return 0;
}

int json_numbers(const char *line, void (*fn)(const char *name, double value, void *ctx), void *ctx) {
  int count = 0, depth = 0;
  char name[256];
  for (const char *p = line; *p; p++) {
    if (*p == '{' || *p == '[') depth++;
    else if (*p == '}' || *p == ']') depth--;
    else if (*p == '"') {
      const char *s = ++p;
      while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
      if (!*p) break;
      size_t len = (size_t)(p - s);
      const char *q = p + 1;
      while (*q == ' ') q++;
      if (depth != 1 || *q != ':' || len >= sizeof name) continue; /* a string value, or nested */
      memcpy(name, s, len);
      name[len] = 0;
      q++;
      char *end;
      double d = strtod(q, &end);
      if (end != q) fn(name, d, ctx), count++;
    }
  }
  return count;
}
