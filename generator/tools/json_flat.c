/* A small reader for the flat JSON objects the trainers and the study write. */
#include "json_flat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p) { while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++; return p; }

/* a string at p (after its opening quote): malloc'd, *end after the closing quote */
static char *string_at(const char *p, const char **end) {
  size_t n = 0;
  char *s = malloc(strlen(p) + 1);
  for (; *p && *p != '"'; p++) {
    if (*p == '\\' && p[1]) { p++; if (*p != '"' && *p != '\\' && *p != '/') s[n++] = '\\'; }
    s[n++] = *p;
  }
  s[n] = 0;
  *end = *p == '"' ? p + 1 : NULL;
  return s;
}

/* skips a nested array or object (strings inside may hold brackets) */
static const char *skip_nested(const char *p) {
  int depth = 0;
  for (; *p; p++) {
    if (*p == '"') { for (p++; *p && *p != '"'; p++) if (*p == '\\' && p[1]) p++; if (!*p) return NULL; }
    else if (*p == '[' || *p == '{') depth++;
    else if ((*p == ']' || *p == '}') && --depth == 0) return p + 1;
  }
  return NULL;
}

static int parse(const char *p, JsonFlat *j) {
  p = ws(p);
  if (*p++ != '{') return -1;
  p = ws(p);
  if (*p == '}') return 0;
  for (;;) {
    p = ws(p);
    if (*p++ != '"') return -1;
    char *key = string_at(p, &p);
    if (!p || *(p = ws(p)) != ':') { free(key); return -1; }
    p = ws(p + 1);
    JsonField f = {key, JF_NULL, 0, NULL};
    if (*p == '"') { f.type = JF_STRING; f.str = string_at(p + 1, &p); }
    else if (*p == '[' || *p == '{') { p = skip_nested(p); free(key); key = NULL; }
    else if (!strncmp(p, "true", 4)) { f.type = JF_BOOL; f.num = 1; p += 4; }
    else if (!strncmp(p, "false", 5)) { f.type = JF_BOOL; p += 5; }
    else if (!strncmp(p, "null", 4)) p += 4;
    else {
      char *e;
      f.num = strtod(p, &e);
      if (e == p) { free(key); return -1; }
      f.type = JF_NUMBER;
      p = e;
    }
    if (!p) { free(key); free(f.str); return -1; }
    if (key) { j->f = realloc(j->f, (j->n + 1) * sizeof *j->f); j->f[j->n++] = f; }
    p = ws(p);
    if (*p == '}') return 0;
    if (*p++ != ',') return -1;
  }
}

int json_flat_read(const char *path, JsonFlat *out) {
  out->f = NULL; out->n = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) return -1;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *text = malloc(n + 1);
  size_t got = fread(text, 1, n, fp);
  fclose(fp);
  text[got] = 0;
  int rc = parse(text, out);
  free(text);
  if (rc) json_flat_free(out);
  return rc;
}

void json_flat_free(JsonFlat *j) {
  for (int i = 0; i < j->n; i++) { free(j->f[i].key); free(j->f[i].str); }
  free(j->f);
  j->f = NULL; j->n = 0;
}

const JsonField *json_flat_get(const JsonFlat *j, const char *key) {
  for (int i = 0; i < j->n; i++) if (!strcmp(j->f[i].key, key)) return &j->f[i];
  return NULL;
}

const char *json_flat_str(const JsonFlat *j, const char *key, const char *dflt) {
  const JsonField *f = json_flat_get(j, key);
  return f && f->type == JF_STRING ? f->str : dflt;
}
