/* --config files (runtime/hparams.c over text_cursor's JSON object walk): a
 * flat object of name to number sets exactly the values strtod reads, later
 * members win, and each kind of bad file is refused with the byte or the name
 * where it goes wrong, leaving the values it had not reached untouched. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hparams.h"

static const ModelHParam HP[2] = {
    {"lr", "learning rate", 1e-3, 0, HUGE_VAL, 1, 0, 0},
    {"alpha", "a weight", 0.5, 0, 1, 0, 0, 0},
};

static int set(const char *text, double *vals, char *err, size_t n) {
  vals[0] = HP[0].dflt;
  vals[1] = HP[1].dflt;
  err[0] = 0;
  return hparam_set_json(HP, 2, vals, text, strlen(text), "p.json", err, n);
}

int main(void) {
  double v[2];
  char err[512];
  CHECK(set(" {\"lr\": 3e-4, \"alpha\" : 0.25}\n", v, err, sizeof err) == 0, "a valid file: %s", err);
  CHECK(v[0] == strtod("3e-4", NULL) && v[1] == 0.25, "values as strtod reads them, got %.17g %.17g", v[0], v[1]);
  CHECK(set("{}", v, err, sizeof err) == 0 && v[0] == HP[0].dflt, "the empty object changes nothing");
  CHECK(set("{\"alpha\": 0.1, \"alpha\": 0.2}", v, err, sizeof err) == 0 && v[1] == 0.2, "the later member wins");

  struct {
    const char *text, *want;
  } bad[] = {
      {"[1]", "p.json: malformed parameter file at byte 0: expected '{'"},
      {"{\"lr\": 1e-3", "p.json: malformed parameter file at byte 11: expected ',' or '}'"},
      {"{\"lr\" 1}", "p.json: malformed parameter file at byte 6: expected ':'"},
      {"{lr: 1}", "p.json: malformed parameter file at byte 1: expected a key in double quotes"},
      {"{\"l\\nr\": 1}", "p.json: malformed parameter file at byte 3: expected a plain key"},
      {"{\"lr\": 1} x", "p.json: malformed parameter file at byte 10: expected the end of the file"},
      {"{\"lrr\": 1}", "p.json: \"lrr\": unknown parameter 'lrr' (did you mean 'lr'?"},
      {"{\"lr\": \"1\"}", "p.json: \"lr\" must be a number (byte 7)"},
      {"{\"lr\": 0x10}", "p.json: \"lr\": '0x10' is not a number"},
      {"{\"alpha\": 2}", "p.json: \"alpha\": alpha = 2 is outside its valid range [0, 1]"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    CHECK(set(bad[k].text, v, err, sizeof err) == -1, "refused: %s", bad[k].text);
    CHECK(!strncmp(err, bad[k].want, strlen(bad[k].want)), "%s: error '%s' starts with '%s'", bad[k].text, err,
          bad[k].want);
  }
  /* an error stops the walk: the member before it is applied, the one after is not */
  CHECK(set("{\"lr\": 0.01, \"alpha\": -1, \"lr\": 0.02}", v, err, sizeof err) == -1 && v[0] == 0.01,
        "members before the bad one are set, later ones are not (lr %g)", v[0]);
  return report();
}
