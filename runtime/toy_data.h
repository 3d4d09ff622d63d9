/* 2-D toy datasets of spec/methods.md §6.
 *
 * Each sampler writes n points, float32 [n,2] row-major, drawing every random
 * number from one PhiloxCursor, so a batch is a pure function of
 * (seed, stream, iter, step). Arithmetic is in double, stored as float.
 * "shuffle" is Fisher-Yates from the last element down:
 *   for i = N-1 .. 1: j = floor(cursor_uniform * (i+1)); swap(i, j).
 * The order of draws is part of the contract (a GPU port must match it):
 *   25gaussians*     per point in emission order: xi, xi'; then shuffle
 *   8gaussians*      per point: u (mode = floor(8u)), xi, xi'
 *   unequal3         per point: u (mode: first k with u < w_0 + .. + w_k), xi, xi'
 *   swissroll        per point: u, xi, xi'
 *   moons, circles   shuffle of the noise-free points, then per point xi, xi'
 *   rings            per point: u (ring), u' (angle), xi, xi'
 *   pinwheel         per arm, per point: xi, xi'; then shuffle of all 5m
 *   2spirals         per arm-1 point: u, u', u''; then per output point xi, xi'
 *   checkerboard     per point: u, u', u'' (b = u'' >= 1/2)
 */
#ifndef EBM_TOY_DATA_H
#define EBM_TOY_DATA_H

#include <stdint.h>

#include "philox.h"

typedef struct {
  const char *name;
  void (*sample)(float *out, int n, PhiloxCursor *c);
  int n_modes;
  const float *modes;   /* [n_modes,2] centres after scaling, gaussian mixtures only */
  float mode_std;       /* per-coordinate std of each mode after scaling, else 0 */
  const float *weights; /* [n_modes] mixture weights, or NULL: equal */
} ToyDataset;

const ToyDataset *toy_dataset(const char *name); /* NULL if unknown */
const char *const *toy_dataset_names(void);      /* NULL-terminated */
/* the mixture weight of mode k of a Gaussian-mixture set (1/n_modes unless declared) */
double toy_mode_weight(const ToyDataset *d, int k);

/* Draw n points of `name` with a fresh cursor at (seed, stream, iter, step).
 * Returns 0, or -1 for an unknown name. */
int toy_sample(const char *name, float *out, int n, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step);

#endif
