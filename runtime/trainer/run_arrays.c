#include "run_arrays.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "entries.h"
#include "eval_toy.h"
#include "npy.h"
#include "png.h"
#include "run_data.h"
#include "xalloc.h"

int sample_width(void) {
  const ModelEntry *e = entry_find(&model, "sample");
  return e ? model.vars[e->out_var].numel / model.vars[e->out_var].shape[0] : 0;
}

int plot_samples(const char *path, const float *x, long n, int D, char *err, size_t errlen) {
  int c, h, w;
  if (D == 2) return png_scatter(path, x, (int)n, EVAL_RANGE, 512, err, errlen);
  if (png_image_geometry(D, &c, &h, &w)) {
    snprintf(err, errlen, "rows of %d values are neither points nor pictures", D);
    return -1;
  }
  return png_image_grid(path, x, n < 64 ? (int)n : 64, c, h, w, 8, err, errlen);
}

int points_not_2d(void) { return model.data_cols && model.data_cols != 2 && data_is_points(model.data); }

void run_arrays(const char *dir, ModelState *s, long step, const char *data) {
  char path[4200], err[600];
  int D = sample_width();
  if (points_not_2d()) return;
  if (D > 2) { /* images: a grid of samples; densities over pictures are not drawn */
    float *x = xmalloc((size_t)64 * D * sizeof(float), "plotted samples");
    snprintf(path, sizeof path, "%s/samples.png", dir);
    if (entry_samples(&model, s, x, 64, 0))
      fprintf(stderr, "%s: no samples plot: %s\n", prog, s->err);
    else if (plot_samples(path, x, 64, D, err, sizeof err))
      fprintf(stderr, "%s: no samples plot: %s\n", prog, err);
    free(x);
    return;
  }
  if (entry_find(&model, "sample")) {
    float *xy = xmalloc(2000 * 2 * sizeof(float), "the run's samples");
    int64_t shape[2] = {2000, 2};
    snprintf(path, sizeof path, "%s/samples.npy", dir);
    if (entry_samples(&model, s, xy, 2000, 0))
      fprintf(stderr, "%s: no samples: %s\n", prog, s->err);
    else if (npy_write_f32(path, xy, 2, shape, err, sizeof err))
      fprintf(stderr, "%s: %s\n", prog, err);
    free(xy);
  }
  if (entry_find(&model, "energy")) {
    int R = EVAL_GRID;
    int64_t shape[2] = {R, R};
    float *e = xmalloc((size_t)R * R * sizeof(float), "the run's energy grid");
    snprintf(path, sizeof path, "%s/energy_grid.npy", dir);
    if (entry_energy_grid(&model, s, R, EVAL_RANGE, e))
      fprintf(stderr, "%s: no energy grid: %s\n", prog, s->err);
    else if (npy_write_f32(path, e, 2, shape, err, sizeof err))
      fprintf(stderr, "%s: %s\n", prog, err);
    free(e);
  }
  snprintf(path, sizeof path, "%s/arrays.json", dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "%s: cannot write %s\n", prog, path);
    return;
  }
  fprintf(f, "{\"model\": ");
  run_json_str(f, model.name);
  fprintf(f, ", \"method\": ");
  run_json_str(f, model.method);
  fprintf(f, ", \"data\": ");
  run_json_str(f, data ? data : model.data);
  fprintf(f, ", \"step\": %ld, \"seed\": %llu, \"grid\": %d, \"range\": %g}\n", step, (unsigned long long)s->seed,
          EVAL_GRID, EVAL_RANGE);
  if (fclose(f)) fprintf(stderr, "%s: writing %s failed\n", prog, path);
}
