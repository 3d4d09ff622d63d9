/* The top-level fields of one JSON object (eval --json, verdict files): numbers,
 * strings, booleans and nulls; nested arrays and objects are skipped. */
#ifndef EBM_JSON_FLAT_H
#define EBM_JSON_FLAT_H

enum { JF_NUMBER, JF_STRING, JF_BOOL, JF_NULL };

typedef struct {
  char *key;
  int type;
  double num;      /* JF_NUMBER, and JF_BOOL as 0/1 */
  char *str;       /* JF_STRING (escapes kept as written but for \" and \\) */
} JsonField;

typedef struct { JsonField *f; int n; } JsonFlat;

/* Reads FILE; 0, or -1 when it cannot be read or is not one JSON object. */
int json_flat_read(const char *path, JsonFlat *out);
void json_flat_free(JsonFlat *j);
const JsonField *json_flat_get(const JsonFlat *j, const char *key);   /* NULL if absent */
/* a string field's value, or dflt */
const char *json_flat_str(const JsonFlat *j, const char *key, const char *dflt);

#endif
