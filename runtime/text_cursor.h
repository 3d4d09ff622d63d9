/* A cursor over a file's text header (.npy's dict literal, safetensors' JSON,
 * --config files) and the host tools' JSON: the readers are strict and report
 * the byte where the text stops being what they expect, so they share the
 * position, the error text, the integers and the walk over a JSON object. */
#ifndef EBM_TEXT_CURSOR_H
#define EBM_TEXT_CURSOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *s;
  size_t n, i;
  const char *path;
  const char *what; /* "malformed .npy header": the start of every error */
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
/* One JSON object at the cursor, member by member: member(c, key, ctx) runs
 * with the cursor at the member's value (white space skipped) and consumes it
 * (cursor_json_skip_nested skips an array or object); 0 after the closing '}',
 * -1 on the cursor's error or member's -1 (its own message). Keys are plain:
 * shorter than 128 bytes, no control characters, escapes only \" \\ \/. */
int cursor_json_object(TextCursor *c, int (*member)(TextCursor *c, const char *key, void *ctx), void *ctx);
/* Skips the array or object at the cursor (strings inside may hold brackets). */
int cursor_json_skip_nested(TextCursor *c);

#endif
