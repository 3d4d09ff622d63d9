/* Float math the compiler can vectorise: branch-free exp and sigmoid.
 * The interpreter's f32 mode and the emitted trainers include this same
 * header (both compiled without fused multiply-add), so they round alike. */
#ifndef EBM_VMATH_H
#define EBM_VMATH_H

#include <stdint.h>
#include <string.h>

/* the CUDA trainer defines it as `static __host__ __device__ __forceinline__` */
#ifndef VMATH_QUALIFIER
#define VMATH_QUALIFIER static inline
#endif

/* exp(x) = 2^n exp(r), n = round(x / ln 2), r = x - n ln 2 in two parts (Cody-Waite);
 * exp(r) on [-ln2/2, ln2/2] by a degree-6 polynomial: within 2 ulp of exp for
 * x in [-86.6, 88.7]; 0 below (no subnormals), +inf above; NaN stays NaN.
 * Meant for |x| < 1e6 (beyond that a diverged run is caught as non-finite). */
VMATH_QUALIFIER float ebm_expf(float x) {
  /* n = round(x / ln 2) without a branch: adding 1.5 * 2^23 pushes the fraction out */
  float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  /* 2^n = 2 * 2^(n-1) from the exponent field (so n = 128 still fits),
   * clamped with integer bit operations (no branches: the compiler keeps the
   * loop vectorised): results below 2^-125 flush to 0, beyond FLT_MAX are +inf */
  int32_t e = (int32_t)n + 126;
  e &= ~(e >> 31); /* max(e, 0) */
  int32_t d = 255 - e;
  e = 255 - (d & ~(d >> 31)); /* min(e, 255) */
  int32_t bits = e << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale * 2.0f;
}

VMATH_QUALIFIER float ebm_sigmoidf(float x) { return 1.0f / (1.0f + ebm_expf(-x)); }

/* 1 when no element of x[0..n) is NaN or +-inf. An OR of the exponent fields
 * plus one: the loop has no early exit and no float compare, so it vectorises
 * (a scan of a [100,100] gradient costs what a copy of it costs). */
VMATH_QUALIFIER int ebm_all_finite(const float *x, int n) {
  uint32_t bad = 0;
  for (int i = 0; i < n; i++) {
    uint32_t u;
    memcpy(&u, &x[i], sizeof u);
    bad |= (u & 0x7f800000u) + 0x00800000u; /* carries into bit 31 only for an all-ones exponent */
  }
  return !(bad & 0x80000000u);
}

#endif
