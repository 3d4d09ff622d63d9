#include "philox.h"

double philox_uniform(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index) {
  return philox_uniform_at(seed, stream, iter, step, index);
}

double philox_normal(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step, uint32_t index) {
  return philox_normal_at(seed, stream, iter, step, index);
}

PhiloxCursor philox_cursor(uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step) {
  PhiloxCursor c;
  c.key[0] = (uint32_t)seed;
  c.key[1] = (uint32_t)(seed >> 32);
  c.stream = stream;
  c.iter = iter;
  c.step = step;
  c.next = 0;
  return c;
}

static void cursor_block(PhiloxCursor *c, uint32_t out[4]) {
  const uint32_t ctr[4] = {c->next++, c->stream, c->iter, c->step};
  philox4x32_10(ctr, c->key, out);
}

double cursor_uniform(PhiloxCursor *c) {
  uint32_t out[4];
  cursor_block(c, out);
  return philox_uniform_from(out);
}

double cursor_normal(PhiloxCursor *c) {
  uint32_t out[4];
  cursor_block(c, out);
  return philox_normal_from(out);
}
