#include "text_cursor.h"

#include <stdio.h>

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
