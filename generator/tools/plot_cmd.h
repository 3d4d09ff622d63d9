/* `ebmforge plot RUN_DIR`: a run's density, log-density, samples and loss
 * curves as figures (PLplot), from the arrays and log its trainer wrote. */
#ifndef EBM_PLOT_CMD_H
#define EBM_PLOT_CMD_H

#include <stddef.h>

#include "figure.h"

/* argv: the arguments after `plot`. 0, 1 (I/O error) or 2 (bad arguments,
 * malformed arrays, or nothing to draw). */
int cmd_plot(int argc, char **argv);

/* Circles at 2 standard deviations around the modes of a Gaussian-mixture
 * toy data set (25gaussians, 8gaussians, ...): at most max, 0 for others. */
int plot_true_modes(const char *data, FigCircle *out, int max);

/* "NLL 1.23, 25/25 modes, MMD^2 0.012" from DIR/eval.json (`train-cpu eval
 * --json`), in PLplot's text escapes; "" without the file. */
void plot_scores(const char *dir, char *out, size_t n);

#endif
