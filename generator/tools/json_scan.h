/* Reading the few values the host's tools need from JSON the trainers write
 * (log.jsonl lines, arrays.json, run.json): flat scans, not a parser. A key
 * is found at any depth, first occurrence; nested values are skipped. */
#ifndef EBM_JSON_SCAN_H
#define EBM_JSON_SCAN_H

#include <stddef.h>

/* The string value of "key" into out (escapes kept as written): 0, or -1. */
int json_string(const char *text, const char *key, char *out, size_t n);
/* The number value of "key": 0, or -1 (absent or not a number). */
int json_number(const char *text, const char *key, double *out);
/* Calls fn(name, value, ctx) for each "name": number member of a one-line
 * object, in order; other values are skipped. Returns the count. */
int json_numbers(const char *line, void (*fn)(const char *name, double value, void *ctx), void *ctx);

#endif
