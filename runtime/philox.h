/* Counter-based Philox4x32-10 (Salmon et al., "Parallel random numbers: as
 * easy as 1, 2, 3", SC'11; the Random123 reference constants).
 *
 * Every random number of a trainer is a pure function of
 *   key = {seed low 32 bits, seed high 32 bits}
 *   ctr = {index, stream, iter, step}
 * so the CPU interpreter, the C trainers and the CUDA kernels draw the same
 * values without sharing state. The generator and its draws are global-free and inline
 * here, so the CUDA trainer includes this same header (it defines
 * PHILOX_QUALIFIER as `static __host__ __device__ __forceinline__` first). */
#ifndef EBM_PHILOX_H
#define EBM_PHILOX_H

#include <math.h>
#include <stdint.h>

#ifndef PHILOX_QUALIFIER
#define PHILOX_QUALIFIER static inline
#endif

#define PHILOX_M0 0xD2511F53u /* round multipliers */
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u /* key schedule (golden ratio, sqrt(3)-1) */
#define PHILOX_W1 0xBB67AE85u

/* Ten rounds of Philox4x32: out = bijection_key(ctr). */
PHILOX_QUALIFIER void philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++) {
    if (r > 0) { /* the key is bumped between rounds, not before the first */
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
    uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* The draws below are also inline here (philox_*_at), so that CUDA kernels
 * compute exactly the CPU trainers' formulas. */
PHILOX_QUALIFIER double philox_uniform_from(const uint32_t out[4]) {
  return (double)(out[0] >> 8) * (1.0 / 16777216.0);
}

PHILOX_QUALIFIER double philox_normal_from(const uint32_t out[4]) {
  double u1 = (double)((out[0] >> 8) + 1) * (1.0 / 16777216.0);
  double u2 = (double)(out[1] >> 8) * (1.0 / 16777216.0);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925286766559 * u2);
}

PHILOX_QUALIFIER void philox_block(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index,
                                   uint32_t out[4]) {
  const uint32_t ctr[4] = {index, stream, iter, step}, key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  philox4x32_10(ctr, key, out);
}

PHILOX_QUALIFIER double philox_uniform_at(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step,
                                          uint32_t index) {
  uint32_t out[4];
  philox_block(seed, stream, iter, step, index, out);
  return philox_uniform_from(out);
}

PHILOX_QUALIFIER double philox_normal_at(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index) {
  uint32_t out[4];
  philox_block(seed, stream, iter, step, index, out);
  return philox_normal_from(out);
}

/* One uniform in [0,1) from out[0]: (out[0] >> 8) * 2^-24. 24 bits so that
 * the value is exactly a float32 and float/double backends agree. */
double philox_uniform(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index);

/* One standard normal per block by Box-Muller (cos branch only):
 * u1 = ((out[0]>>8)+1) * 2^-24 in (0,1] (log never sees 0),
 * u2 = (out[1]>>8) * 2^-24, z = sqrt(-2 log u1) cos(2 pi u2), in double.
 * |z| <= sqrt(48 ln 2) ~ 5.77 by construction. */
double philox_normal(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index);

/* Sequential draws within one (seed, stream, iter, step): draw number k uses
 * index k, whatever its kind, so cursor_* equals philox_* at that index. */
typedef struct {
  uint32_t key[2];
  uint32_t stream, iter, step, next;
} PhiloxCursor;

PhiloxCursor philox_cursor(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step);
double cursor_uniform(PhiloxCursor *c);
double cursor_normal(PhiloxCursor *c);

#endif
