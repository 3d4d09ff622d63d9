/* Adam as PyTorch computes it (bias-corrected, eps added to the corrected
 * root): shared by the interpreter and the compiled trainers. */
#ifndef EBM_ADAM_H
#define EBM_ADAM_H

#include <math.h>

#ifndef ADAM_QUALIFIER
#define ADAM_QUALIFIER static inline
#endif

/* The update of one element, in double from the stored floats; step = lr / (1 - b1^t),
 * sbc2 = sqrt(1 - b2^t). The CUDA trainer's Adam kernel calls it too (with
 * ADAM_QUALIFIER `static __host__ __device__ __forceinline__`). */
ADAM_QUALIFIER void adam_update_f32(float *p, float *m, float *v, float g, double b1, double b2, double eps,
                                    double step, double sbc2) {
  double gi = g;
  *m = (float)(b1 * *m + (1 - b1) * gi);
  *v = (float)(b2 * *v + (1 - b2) * gi * gi);
  *p = (float)(*p - step * *m / (sqrt((double)*v) / sbc2 + eps));
}

/* The learning rate of step t (counting from 1): lr, or with a cosine decay
 * (horizon > 0) lr_min + (lr - lr_min) (1 + cos(pi u)) / 2, u = min(t - 1, horizon)
 * / horizon: lr at the first step, lr_min from step horizon + 1 on (PyTorch's
 * CosineAnnealingLR stepped once per iteration, held at its minimum afterwards). */
ADAM_QUALIFIER double adam_lr(double lr, double lr_min, long horizon, long t) {
  if (horizon <= 0) return lr;
  double u = (double)(t - 1 < horizon ? t - 1 : horizon) / (double)horizon;
  return lr_min + (lr - lr_min) * 0.5 * (1 + cos(3.14159265358979323846 * u));
}

/* One step t (counting from 1) on n parameters; gradients g. */
void adam_step_f32(float *p, float *m, float *v, const float *g, int n, double lr, double b1, double b2, double eps,
                   long t);
/* The same on doubles; round = 1 rounds m, v and p to float after each update
 * (the interpreter's f32 mode), which reproduces adam_step_f32 exactly. */
void adam_step_f64(double *p, double *m, double *v, const double *g, int n, double lr, double b1, double b2, double eps,
                   long t, int round);

#endif
