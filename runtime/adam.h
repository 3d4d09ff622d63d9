/* Adam as PyTorch computes it (bias-corrected, eps added to the corrected
 * root): shared by the interpreter and the compiled trainers. */
#ifndef EBM_ADAM_H
#define EBM_ADAM_H

/* One step t (counting from 1) on n parameters; gradients g. */
void adam_step_f32(float *p, float *m, float *v, const float *g, int n, double lr, double b1, double b2,
                   double eps, long t);
/* The same on doubles; round = 1 rounds m, v and p to float after each update
 * (the interpreter's f32 mode), which reproduces adam_step_f32 exactly. */
void adam_step_f64(double *p, double *m, double *v, const double *g, int n, double lr, double b1, double b2,
                   double eps, long t, int round);

#endif
