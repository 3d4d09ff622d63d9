#include "text_cursor.h"

#include <stdio.h>
#include <string.h>

void cursor_skip_ws(TextCursor *c) {
  while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r')) c->i++;
}

int cursor_fail(TextCursor *c, const char *expected) {
  snprintf(c->err, c->errlen, "%s: %s at byte %zu: expected %s", c->path, c->what, c->i, expected);
  return -1;
}

int cursor_accept(TextCursor *c, char ch) {
  cursor_skip_ws(c);
  if (c->i < c->n && c->s[c->i] == ch) {
    c->i++;
    return 1;
  }
  return 0;
}

int cursor_digits(TextCursor *c, int64_t *out) {
  int64_t v = 0;
  while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
    int d = c->s[c->i] - '0';
    if (v > (INT64_MAX - d) / 10) return cursor_fail(c, "an integer that fits in 64 bits");
    v = v * 10 + d;
    c->i++;
  }
  *out = v;
  return 0;
}

/* a key after its opening quote: plain names are all a reader here looks up */
static int json_key(TextCursor *c, char *out, size_t n) {
  size_t k = 0;
  while (c->i < c->n && c->s[c->i] != '"') {
    char ch = c->s[c->i++];
    if (ch == '\\' && c->i < c->n && c->s[c->i] && strchr("\"\\/", c->s[c->i])) {
      ch = c->s[c->i++];
    } else if (ch == '\\' || (unsigned char)ch < 32) {
      c->i--;
      return cursor_fail(c, "a plain key (escapes only \\\" \\\\ \\/)");
    }
    if (k + 1 >= n) return cursor_fail(c, "a key shorter than 128 bytes");
    out[k++] = ch;
  }
  if (c->i >= c->n) return cursor_fail(c, "the closing '\"' of a key");
  c->i++;
  out[k] = 0;
  return 0;
}

int cursor_json_object(TextCursor *c, int (*member)(TextCursor *c, const char *key, void *ctx), void *ctx) {
  if (!cursor_accept(c, '{')) return cursor_fail(c, "'{'");
  if (cursor_accept(c, '}')) return 0;
  for (;;) {
    char key[128];
    if (!cursor_accept(c, '"')) return cursor_fail(c, "a key in double quotes");
    if (json_key(c, key, sizeof key)) return -1;
    if (!cursor_accept(c, ':')) return cursor_fail(c, "':'");
    cursor_skip_ws(c);
    if (member(c, key, ctx)) return -1;
    if (cursor_accept(c, '}')) return 0;
    if (!cursor_accept(c, ',')) return cursor_fail(c, "',' or '}'");
  }
}

int cursor_json_skip_nested(TextCursor *c) {
  int depth = 0;
  for (; c->i < c->n; c->i++) {
    char ch = c->s[c->i];
    if (ch == '"') {
      for (c->i++; c->i < c->n && c->s[c->i] != '"'; c->i++)
        if (c->s[c->i] == '\\') c->i++;
      if (c->i >= c->n) return cursor_fail(c, "the closing '\"' of a string");
    } else if (ch == '[' || ch == '{') {
      depth++;
    } else if ((ch == ']' || ch == '}') && --depth == 0) {
      c->i++;
      return 0;
    }
  }
  return cursor_fail(c, "the end of a nested array or object");
}
