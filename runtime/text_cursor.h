/* A cursor over a file's text header (.npy's dict literal, safetensors' JSON):
 * both readers are strict and report the byte where the text stops being what
 * they expect, so they share the position, the error text and the integers. */
#ifndef EBM_TEXT_CURSOR_H
#define EBM_TEXT_CURSOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *s;
  size_t n, i;
  const char *path;
  const char *what;   /* "malformed .npy header": the start of every error */
  char *err;
  size_t errlen;
} TextCursor;

void cursor_skip_ws(TextCursor *c);
/* writes "path: what at byte i: expected <expected>"; returns -1 */
int cursor_fail(TextCursor *c, const char *expected);
/* consumes ch (after white space) if it is next; returns whether it was */
int cursor_accept(TextCursor *c, char ch);
/* a run of decimal digits into *out; the caller has checked the first is one */
int cursor_digits(TextCursor *c, int64_t *out);

#endif
