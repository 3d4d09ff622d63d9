/* What one element of each costly elementwise op costs a generated trainer:
 * the op applied over a [200, 100] array (the toy steps' shape, L1/L2
 * resident) in a loop compiled with the trainers' flags, with the functions
 * the trainers call (runtime/vmath.h's exp and sigmoid, libm's log, sin,
 * cos, tanh, log1p; IEEE division and square root). Thread CPU time, the
 * minimum over rounds. bench/physical_limits.sh builds and runs it.
 * Prints JSON: {"ns_per_element": {"SIGMOID": ..., ...}, "copy": ...};
 * "copy" is a plain load-store pass, the floor of any elementwise pass. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "vmath.h"

enum { N = 20000 };
static float x[N], y[N];

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define PASS(name, expr)                                    \
  __attribute__((noinline)) static void pass_##name(void) { \
    for (int i = 0; i < N; i++) y[i] = (expr);              \
  }
PASS(COPY, x[i])
PASS(SIGMOID, ebm_sigmoidf(x[i]))
PASS(EXP, ebm_expf(x[i]))
PASS(LOG, logf(x[i] + 2.0f))
PASS(LOG1P, log1pf(x[i] + 0.5f))
PASS(TANH, tanhf(x[i]))
PASS(SIN, sinf(x[i]))
PASS(COS, cosf(x[i]))
PASS(SQRT, sqrtf(x[i] + 2.0f))
PASS(DIV, 1.0f / (x[i] + 2.0f))

static double cost(void (*pass)(void)) {
  double best = 1e30;
  for (int round = 0; round < 7; round++) {
    double t = cpu_now();
    for (int r = 0; r < 2000; r++) pass();
    t = (cpu_now() - t) / 2000 / N * 1e9;
    if (t < best) best = t;
  }
  return best;
}

int main(void) {
  for (int i = 0; i < N; i++) x[i] = (float)(i % 200 - 100) * 0.03f; /* [-3, 3]: a pre-activation's range */
  struct {
    const char *name;
    void (*pass)(void);
  } ops[] = {{"SIGMOID", pass_SIGMOID}, {"EXP", pass_EXP},   {"LOG", pass_LOG},
             {"LOG1P", pass_LOG1P},     {"TANH", pass_TANH}, {"SIN", pass_SIN},
             {"COS", pass_COS},         {"SQRT", pass_SQRT}, {"DIV", pass_DIV}};
  int n = sizeof ops / sizeof ops[0];
  double copy = cost(pass_COPY);
  printf("{\"ns_per_element\": {");
  for (int k = 0; k < n; k++) printf("%s\"%s\": %.4f", k ? ", " : "", ops[k].name, cost(ops[k].pass));
  printf("}, \"copy\": %.4f, \"elements_per_pass\": %d}\n", copy, N);
  return y[7] == 12345.0f; /* keeps the passes' stores alive */
}
