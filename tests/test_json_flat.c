/* The tools' JSON reader (generator/tools/json_flat.c): top-level fields in
 * order with their types, nested values skipped, strtod's numbers (a trainer
 * writes "nan"), escapes, and malformed text refused with the byte where it
 * stops being JSON; a file that cannot be read is -1. */
#include "json_flat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static int parse(const char *text, JsonFlat *j, char *err, size_t n) {
  return json_flat_parse(text, strlen(text), "t.json", j, err, n);
}

int main(void) {
  JsonFlat j;
  char err[256];
  const char *text =
      "{\"iter\": 10, \"loss\": -1.5e-3, \"name\": \"a\\\"b\\\\c\\/d\\n\", \"ok\": true, \"no\": false,\n"
      " \"none\": null, \"nested\": {\"x\": [1, \"]}\"], \"y\": {}}, \"arr\": [1, 2], \"nll\": nan, \"last\": 7}\n";
  CHECK(parse(text, &j, err, sizeof err) == 0, "a valid object: %s", err);
  const char *keys[] = {"iter", "loss", "name", "ok", "no", "none", "nll", "last"};
  const int types[] = {JF_NUMBER, JF_NUMBER, JF_STRING, JF_BOOL, JF_BOOL, JF_NULL, JF_NUMBER, JF_NUMBER};
  CHECK(j.n == 8, "8 top-level non-nested fields, got %d", j.n);
  for (int k = 0; k < 8 && k < j.n; k++) {
    CHECK(!strcmp(j.f[k].key, keys[k]), "field %d is %s, got %s", k, keys[k], j.f[k].key);
    CHECK(j.f[k].type == types[k], "field %s has type %d, got %d", keys[k], types[k], j.f[k].type);
  }
  double v = 0;
  CHECK(!json_flat_num(&j, "iter", &v) && v == 10, "iter 10, got %g", v);
  CHECK(!json_flat_num(&j, "loss", &v) && v == -1.5e-3, "loss -1.5e-3, got %g", v);
  CHECK(!json_flat_num(&j, "nll", &v) && isnan(v), "nan reads as a NaN number");
  CHECK(json_flat_num(&j, "name", &v) == -1, "a string is not a number");
  CHECK(json_flat_num(&j, "x", &v) == -1, "a nested key is not a field");
  CHECK(!strcmp(json_flat_str(&j, "name", ""), "a\"b\\c/d\\n"), "escapes: got %s", json_flat_str(&j, "name", ""));
  CHECK(json_flat_get(&j, "ok")->num == 1 && json_flat_get(&j, "no")->num == 0, "booleans as 1 and 0");
  CHECK(!strcmp(json_flat_str(&j, "missing", "dflt"), "dflt"), "an absent string gives the default");
  json_flat_free(&j);

  CHECK(parse("  {}  ", &j, err, sizeof err) == 0 && j.n == 0, "the empty object");
  json_flat_free(&j);

  /* malformed: each is refused at the byte where it stops being an object of fields */
  struct {
    const char *text;
    size_t byte;
  } bad[] = {
      {"[1, 2]", 0},          {"{\"a\" 1}", 5},       {"{\"a\": 1", 7}, {"{\"a\": 1, }", 9},        {"{\"a\": x}", 6},
      {"{\"a\": \"open", 11}, {"{\"a\": [1, 2}", 12}, {"{a: 1}", 1},    {"{\"iter\": 3, \"lo", 15},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    err[0] = 0;
    CHECK(parse(bad[k].text, &j, err, sizeof err) == -1, "refused: %s", bad[k].text);
    CHECK(j.n == 0 && j.f == NULL, "nothing kept of %s", bad[k].text);
    char want[64];
    snprintf(want, sizeof want, "t.json: malformed JSON at byte %zu:", bad[k].byte);
    CHECK(!strncmp(err, want, strlen(want)), "%s: error '%s' starts with '%s'", bad[k].text, err, want);
  }
  CHECK(parse("{\"a\": 1", &j, NULL, 0) == -1, "no error buffer: still refused");

  CHECK(json_flat_read("/nonexistent/eval.json", &j) == -1 && j.n == 0, "an unreadable file");
  FILE *f = fopen(test_path("v.json"), "w");
  fputs("{\"verdict\": \"ok\", \"trainer_exit\": 0}\n", f);
  fclose(f);
  CHECK(json_flat_read(test_path("v.json"), &j) == 0 && !strcmp(json_flat_str(&j, "verdict", ""), "ok"), "a file");
  json_flat_free(&j);
  return report();
}
