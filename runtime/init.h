/* Initial values of state variables: shared by the interpreter and the
 * compiled trainers, so both start from the same numbers. */
#ifndef EBM_INIT_H
#define EBM_INIT_H

#include <stdint.h>

enum { INIT_FILL = 0, INIT_UNIFORM = 1, INIT_NORMAL = 2 };

/* Philox streams for initialisation sit above the graphs' own streams. */
#define INIT_STREAM_BASE 0x40000000u

/* Element i of variable `var`: fill a, U(a, b) or N(a, b^2), from the seed. */
double init_value(int kind, double a, double b, uint64_t seed, uint32_t var, uint32_t i);

#endif
