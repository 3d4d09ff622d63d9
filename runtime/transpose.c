#include "transpose.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* t[j ld + i] = s[i ls + j] for i, j < 8, in registers: 8 row loads, 24
 * shuffles, 8 row stores (the portable loop is ~2x slower). AVX, chosen at
 * run time, so a host built without -march gets it too. */
__attribute__((target("avx"))) static void tile8_avx(const float *s, long ls, float *t, long ld) {
  __m256 r[8], u[8];
  for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(s + i * ls);
  for (int i = 0; i < 8; i += 2) {
    u[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    u[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(u[i], u[i + 2], 0x44);
    r[i + 1] = _mm256_shuffle_ps(u[i], u[i + 2], 0xEE);
    r[i + 2] = _mm256_shuffle_ps(u[i + 1], u[i + 3], 0x44);
    r[i + 3] = _mm256_shuffle_ps(u[i + 1], u[i + 3], 0xEE);
  }
  for (int j = 0; j < 4; j++) {
    _mm256_storeu_ps(t + j * ld, _mm256_permute2f128_ps(r[j], r[j + 4], 0x20));
    _mm256_storeu_ps(t + (j + 4) * ld, _mm256_permute2f128_ps(r[j], r[j + 4], 0x31));
  }
}
#endif

static void tile8_c(const float *s, long ls, float *t, long ld) {
  float tile[8][8];
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) tile[j][i] = s[i * ls + j];
  for (int j = 0; j < 8; j++)
    for (int i = 0; i < 8; i++) t[j * ld + i] = tile[j][i];
}

typedef void Tile8(const float *s, long ls, float *t, long ld);

static Tile8 *tile8(void) {
  static Tile8 *f;
  if (!f) {
    f = tile8_c;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx")) f = tile8_avx;
#endif
  }
  return f;
}

/* in 8x8 tiles: a tile's loads and stores each touch 8 cache lines */
void transpose_f32(const float *src, long ls, float *dst, long ld, int ni, int nj) {
  Tile8 *full = tile8();
  for (int i0 = 0; i0 < ni; i0 += 8)
    for (int j0 = 0; j0 < nj; j0 += 8) {
      const float *s = src + i0 * ls + j0;
      float *t = dst + j0 * ld + i0;
      if (i0 + 8 <= ni && j0 + 8 <= nj)
        full(s, ls, t, ld);
      else
        for (int i = 0; i < 8 && i0 + i < ni; i++)
          for (int j = 0; j < 8 && j0 + j < nj; j++) t[j * ld + i] = s[i * ls + j];
    }
}
