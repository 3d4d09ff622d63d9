/* The one JSON reader of the host's tools: the top-level fields of one JSON
 * object (log.jsonl lines, arrays.json, run.json, eval --json, verdict files):
 * numbers, strings, booleans and nulls; nested arrays and objects are skipped.
 * Numbers are read as strtod reads them, so a trainer's "nan" is a number. */
#ifndef EBM_JSON_FLAT_H
#define EBM_JSON_FLAT_H

#include <stddef.h>

enum { JF_NUMBER, JF_STRING, JF_BOOL, JF_NULL };

typedef struct {
  char *key;
  int type;
  double num; /* JF_NUMBER, and JF_BOOL as 0/1 */
  char *str;  /* JF_STRING (escapes kept as written but for \" \\ and \/) */
} JsonField;

typedef struct {
  JsonField *f;
  int n;
} JsonFlat;

/* Parses text[0..len) (what follows the object is ignored); 0, or -1 with
 * "path: malformed JSON at byte N: expected ..." in err (err may be NULL). */
int json_flat_parse(const char *text, size_t len, const char *path, JsonFlat *out, char *err, size_t errlen);
/* Reads FILE; 0, or -1 when it cannot be read or is not one JSON object. */
int json_flat_read(const char *path, JsonFlat *out);
void json_flat_free(JsonFlat *j);
const JsonField *json_flat_get(const JsonFlat *j, const char *key); /* NULL if absent */
/* a string field's value, or dflt */
const char *json_flat_str(const JsonFlat *j, const char *key, const char *dflt);
/* a number field's value into *out: 0, or -1 (absent or not a number) */
int json_flat_num(const JsonFlat *j, const char *key, double *out);

#endif
