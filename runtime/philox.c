#include "philox.h"

#include <math.h>

#define TWO_M24 (1.0 / 16777216.0) /* 2^-24 */
#define TWO_PI 6.283185307179586476925286766559

static double uniform_from(const uint32_t out[4]) { return (double)(out[0] >> 8) * TWO_M24; }

static double normal_from(const uint32_t out[4]) {
  double u1 = (double)((out[0] >> 8) + 1) * TWO_M24;
  double u2 = (double)(out[1] >> 8) * TWO_M24;
  return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

static void block(const uint32_t key[2], uint32_t stream, uint32_t iter, uint32_t step, uint32_t index,
                  uint32_t out[4]) {
  const uint32_t ctr[4] = {index, stream, iter, step};
  philox4x32_10(ctr, key, out);
}

static void seed_key(uint64_t seed, uint32_t key[2]) {
  key[0] = (uint32_t)seed;
  key[1] = (uint32_t)(seed >> 32);
}

double philox_uniform(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index) {
  uint32_t key[2], out[4];
  seed_key(seed, key);
  block(key, stream, iter, step, index, out);
  return uniform_from(out);
}

double philox_normal(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index) {
  uint32_t key[2], out[4];
  seed_key(seed, key);
  block(key, stream, iter, step, index, out);
  return normal_from(out);
}

PhiloxCursor philox_cursor(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step) {
  PhiloxCursor c;
  seed_key(seed, c.key);
  c.stream = stream;
  c.iter = iter;
  c.step = step;
  c.next = 0;
  return c;
}

double cursor_uniform(PhiloxCursor *c) {
  uint32_t out[4];
  block(c->key, c->stream, c->iter, c->step, c->next++, out);
  return uniform_from(out);
}

double cursor_normal(PhiloxCursor *c) {
  uint32_t out[4];
  block(c->key, c->stream, c->iter, c->step, c->next++, out);
  return normal_from(out);
}
