/* The tools' JSON reader (see json_flat.h): the walk over the object is
 * runtime/text_cursor.h's, which the trainers' --config reader (hparams.c)
 * shares; here only the values are read. */
#include "json_flat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_cursor.h"

/* a string value after its opening quote, malloc'd, or NULL (the cursor's error) */
static char *string_at(TextCursor *c) {
  char *s = malloc(c->n - c->i + 1);
  size_t n = 0;
  while (c->i < c->n && c->s[c->i] != '"') {
    char ch = c->s[c->i++];
    if (ch == '\\' && c->i < c->n) {
      ch = c->s[c->i++];
      if (ch != '"' && ch != '\\' && ch != '/') s[n++] = '\\';
    }
    s[n++] = ch;
  }
  if (c->i >= c->n) {
    free(s);
    cursor_fail(c, "the closing '\"' of a string");
    return NULL;
  }
  c->i++;
  s[n] = 0;
  return s;
}

static int word(TextCursor *c, const char *w) {
  size_t k = strlen(w);
  if (c->n - c->i < k || strncmp(c->s + c->i, w, k)) return 0;
  c->i += k;
  return 1;
}

/* one member: its value into a new field (a nested value is skipped) */
static int member(TextCursor *c, const char *key, void *ctx) {
  JsonFlat *j = ctx;
  JsonField f = {NULL, JF_NULL, 0, NULL};
  if (cursor_accept(c, '"')) {
    if (!(f.str = string_at(c))) return -1;
    f.type = JF_STRING;
  } else if (c->i < c->n && (c->s[c->i] == '[' || c->s[c->i] == '{')) {
    return cursor_json_skip_nested(c);
  } else if (word(c, "true")) {
    f.type = JF_BOOL;
    f.num = 1;
  } else if (word(c, "false")) {
    f.type = JF_BOOL;
  } else if (!word(c, "null")) {
    /* strtod's numbers (a trainer's "nan" among them): it needs them terminated */
    char num[64], *end;
    size_t k = 0;
    while (c->i + k < c->n && k + 1 < sizeof num && !strchr(",}] \t\r\n", c->s[c->i + k])) k++;
    memcpy(num, c->s + c->i, k);
    num[k] = 0;
    f.num = strtod(num, &end);
    if (end == num) return cursor_fail(c, "a value");
    f.type = JF_NUMBER;
    c->i += (size_t)(end - num);
  }
  f.key = strdup(key);
  j->f = realloc(j->f, (j->n + 1) * sizeof *j->f);
  j->f[j->n++] = f;
  return 0;
}

int json_flat_parse(const char *text, size_t len, const char *path, JsonFlat *out, char *err, size_t errlen) {
  out->f = NULL;
  out->n = 0;
  TextCursor c = {text, len, 0, path ? path : "JSON", "malformed JSON", err, err ? errlen : 0};
  int rc = cursor_json_object(&c, member, out);
  if (rc) json_flat_free(out);
  return rc;
}

int json_flat_read(const char *path, JsonFlat *out) {
  out->f = NULL;
  out->n = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) return -1;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *text = malloc(n > 0 ? n : 1);
  size_t got = n > 0 ? fread(text, 1, n, fp) : 0;
  fclose(fp);
  int rc = json_flat_parse(text, got, path, out, NULL, 0);
  free(text);
  return rc;
}

void json_flat_free(JsonFlat *j) {
  for (int i = 0; i < j->n; i++) {
    free(j->f[i].key);
    free(j->f[i].str);
  }
  free(j->f);
  j->f = NULL;
  j->n = 0;
}

const JsonField *json_flat_get(const JsonFlat *j, const char *key) {
  for (int i = 0; i < j->n; i++)
    if (!strcmp(j->f[i].key, key)) return &j->f[i];
  return NULL;
}

const char *json_flat_str(const JsonFlat *j, const char *key, const char *dflt) {
  const JsonField *f = json_flat_get(j, key);
  return f && f->type == JF_STRING ? f->str : dflt;
}

int json_flat_num(const JsonFlat *j, const char *key, double *out) {
  const JsonField *f = json_flat_get(j, key);
  if (!f || f->type != JF_NUMBER) return -1;
  *out = f->num;
  return 0;
}
