/* Philox4x32-10: Random123 known answers, distribution checks of the uniform
 * and normal draws, cursor/index agreement, counter separation. */
#include "philox.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static void test_known_answers(void) {
  /* Random123 kat_vectors, philox4x32 10 rounds. */
  static const struct {
    uint32_t ctr[4], key[2], out[4];
  } kat[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
      {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
       {0xffffffffu, 0xffffffffu},
       {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
      {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
       {0xa4093822u, 0x299f31d0u},
       {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
  };
  for (size_t t = 0; t < sizeof kat / sizeof kat[0]; t++) {
    uint32_t out[4];
    philox4x32_10(kat[t].ctr, kat[t].key, out);
    for (int i = 0; i < 4; i++)
      CHECK(out[i] == kat[t].out[i], "KAT %zu word %d: got %08x want %08x", t, i, out[i], kat[t].out[i]);
  }
}

/* Mean and variance within 5 standard errors of the exact moments. */
static void test_uniform(void) {
  const int n = 1000000;
  double s = 0, s2 = 0;
  int bad = 0;
  for (int i = 0; i < n; i++) {
    double u = philox_uniform(12345, 3, 7, 11, (uint32_t)i);
    if (!(u >= 0.0 && u < 1.0) || (double)(float)u != u) bad++;
    s += u;
    s2 += u * u;
  }
  double mean = s / n, var = s2 / n - mean * mean;
  CHECK(bad == 0, "%d uniforms outside [0,1) or not float-exact", bad);
  /* SE(mean) = sqrt(1/12 / n); SE(var) = sqrt((1/80 - 1/144) / n). */
  CHECK(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / n), "uniform mean %.6f", mean);
  CHECK(fabs(var - 1.0 / 12) < 5 * sqrt((1.0 / 80 - 1.0 / 144) / n), "uniform var %.6f", var);
  printf("uniform: mean %.6f var %.6f\n", mean, var);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_normal(void) {
  const int n = 1000000;
  double *z = malloc(sizeof *z * n);
  double s = 0, s2 = 0;
  int bad = 0;
  for (int i = 0; i < n; i++) {
    z[i] = philox_normal(987654321987ull, 1, 2, 3, (uint32_t)i);
    if (!isfinite(z[i])) bad++;
    s += z[i];
    s2 += z[i] * z[i];
  }
  double mean = s / n, var = s2 / n - mean * mean;
  CHECK(bad == 0, "%d non-finite normals", bad);
  CHECK(fabs(mean) < 5 * sqrt(1.0 / n), "normal mean %.6f", mean);
  CHECK(fabs(var - 1) < 5 * sqrt(2.0 / n), "normal var %.6f", var); /* Var(z^2) = 2 */

  /* Kolmogorov-Smirnov: P(sqrt(n) D > t) ~ 2 exp(-2 t^2); t = 3 gives ~3e-8,
   * safer than 5 sigma. The 24-bit inputs perturb the CDF by ~1e-7 only. */
  qsort(z, n, sizeof *z, cmp_double);
  double d = 0;
  for (int i = 0; i < n; i++) {
    double f = 0.5 * (1 + erf(z[i] / sqrt(2.0)));
    double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;
    if (lo > d) d = lo;
    if (hi > d) d = hi;
  }
  CHECK(d * sqrt((double)n) < 3.0, "KS statistic sqrt(n) D = %.3f", d * sqrt((double)n));
  printf("normal: mean %.6f var %.6f sqrt(n)*KS %.3f\n", mean, var, d * sqrt((double)n));
  free(z);
}

static void test_cursor(void) {
  const uint64_t seed = 0x0123456789abcdefull;
  PhiloxCursor c = philox_cursor(seed, 5, 6, 7);
  for (uint32_t i = 0; i < 1000; i++) {
    /* Alternate kinds: the cursor index advances once per draw of either kind. */
    if (i % 3 == 0) {
      double a = cursor_normal(&c), b = philox_normal(seed, 5, 6, 7, i);
      CHECK(a == b, "cursor normal %u: %g vs %g", i, a, b);
    } else {
      double a = cursor_uniform(&c), b = philox_uniform(seed, 5, 6, 7, i);
      CHECK(a == b, "cursor uniform %u: %g vs %g", i, a, b);
    }
  }
  CHECK(c.next == 1000, "cursor next %u", c.next);
}

/* Each counter word and each half of the seed must change the stream. */
static void test_separation(void) {
  const uint64_t seed = 42;
  int same[6] = {0};
  for (uint32_t i = 0; i < 1000; i++) {
    double base = philox_uniform(seed, 1, 1, 1, i);
    same[0] += base == philox_uniform(seed, 2, 1, 1, i);
    same[1] += base == philox_uniform(seed, 1, 2, 1, i);
    same[2] += base == philox_uniform(seed, 1, 1, 2, i);
    same[3] += base == philox_uniform(seed, 1, 1, 1, i + 1);
    same[4] += base == philox_uniform(seed + 1, 1, 1, 1, i);
    same[5] += base == philox_uniform(seed + (1ull << 32), 1, 1, 1, i);
  }
  /* Coincidences of two independent 24-bit values: ~1000 * 2^-24, so allow 1. */
  for (int k = 0; k < 6; k++) CHECK(same[k] <= 1, "variation %d: %d equal draws of 1000", k, same[k]);
}

int main(void) {
  test_known_answers();
  test_uniform();
  test_normal();
  test_cursor();
  test_separation();
  return report();
}
