#include "adam.h"

#include <math.h>

/* Both variants compute every update in double from the stored values, so
 * the float trainer and the interpreter's f32 mode agree bit for bit. */
/* restrict: the four arrays are distinct, so (with -fno-math-errno, the
 * trainers' default) the loop vectorises: the same double operations per
 * element, so the same bits as a scalar loop */
void adam_step_f32(float *restrict p, float *restrict m, float *restrict v, const float *restrict g, int n, double lr,
                   double b1, double b2, double eps, long t) {
  double bc1 = 1 - pow(b1, (double)t), sbc2 = sqrt(1 - pow(b2, (double)t)), step = lr / bc1;
  for (int i = 0; i < n; i++) adam_update_f32(&p[i], &m[i], &v[i], g[i], b1, b2, eps, step, sbc2);
}

void adam_step_f64(double *p, double *m, double *v, const double *g, int n, double lr, double b1, double b2, double eps,
                   long t, int round) {
  double bc1 = 1 - pow(b1, (double)t), sbc2 = sqrt(1 - pow(b2, (double)t)), step = lr / bc1;
  for (int i = 0; i < n; i++) {
    double gi = g[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    if (round) {
      m[i] = (float)m[i];
      v[i] = (float)v[i];
    }
    p[i] = p[i] - step * m[i] / (sqrt(v[i]) / sbc2 + eps);
    if (round) p[i] = (float)p[i];
  }
}
