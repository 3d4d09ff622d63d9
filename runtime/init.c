#include "init.h"

#include "philox.h"

double init_value(int kind, double a, double b, uint64_t seed, uint32_t var, uint32_t i) {
  switch (kind) {
    case INIT_UNIFORM:
      return a + (b - a) * philox_uniform(seed, INIT_STREAM_BASE + var, 0, 0, i);
    case INIT_NORMAL:
      return a + b * philox_normal(seed, INIT_STREAM_BASE + var, 0, 0, i);
    default:
      return a;
  }
}
