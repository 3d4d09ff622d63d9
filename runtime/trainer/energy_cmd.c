#include "energy_cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "ckpt_load.h"
#include "cli.h"
#include "entries.h"
#include "eval_toy.h"
#include "npy.h"
#include "png.h"
#include "run_arrays.h"
#include "state.h"
#include "xalloc.h"

int cmd_energy(int argc, char **argv) {
  const char *ckpt = NULL, *o = NULL, *pngp = NULL, *input = NULL;
  long R = 0;
  double A = EVAL_RANGE;
  const CliOpt opts[] = {
      OPT_STRING("--ckpt", &ckpt, "CKPT", "the trained model", .required = 1),
      OPT_LONG(
          "--grid", &R, "R", 2, 4096,
          "float32 [R, R] energies at the cell centres of [-A, A]^2, row index = y, column index = x (2-D points only)",
          .dflt = ""),
      OPT_DOUBLE("--range", &A, "A", 0, CLI_NO_MAX, "the half-width of --grid's square"),
      OPT_STRING("--input", &input, "X.npy", "float32 [N] energies at the rows of a float32 [N, D] array instead"),
      OPT_STRING("-o", &o, "ENERGY.npy", "the energies"),
      OPT_STRING("--png", &pngp, "DENSITY.png", "the density exp(-E) of --grid"),
      OPT_END};
  const CliCommand cmd = {"energy",
                          "Energies E(x) of the trained model: exactly one of --grid and --input, into -o\n"
                          "and/or --png. Reads no data set: the checkpoint is the whole model.\n",
                          opts, NULL};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc) return rc == CLI_HELP ? 0 : rc;
  if (!R == !input) return bad("energy needs exactly one of --grid R and --input X.npy");
  if (!o && !pngp) return bad("energy needs -o ENERGY.npy and/or --png DENSITY.png");
  if (pngp && !R) return bad("--png draws grids only");
  if (R && points_not_2d())
    return bad("--grid covers the plane: this model's points have more than 2 columns (use --input X.npy)");
  ModelState s;
  rc = load_state(ckpt, &s);
  if (rc) return rc;
  char err[600];
  float *e = NULL, *x = NULL;
  int64_t shape[4];
  int rank = 0;
  if (R) {
    e = xmalloc((size_t)R * R * sizeof(float), "an energy grid");
    shape[0] = R;
    shape[1] = R;
    rank = 2;
    if (entry_energy_grid(&model, &s, (int)R, A, e)) {
      fprintf(stderr, "%s: %s\n", prog, s.err);
      rc = 1;
    }
  } else {
    int xr;
    if (npy_read_f32(input, &x, &xr, shape, err, sizeof err) ||
        npy_check_points(input, x, xr, shape, model.data_cols ? model.data_cols : 2, err, sizeof err)) {
      fprintf(stderr, "%s: bad --input: %s\n", prog, err);
      rc = 2;
    } else {
      e = xmalloc(shape[0] * sizeof(float), "energies");
      rank = 1;
      if (entry_energies(&model, &s, x, (long)shape[0], e)) {
        fprintf(stderr, "%s: %s\n", prog, s.err);
        rc = 1;
      }
    }
  }
  if (!rc && o && npy_write_f32(o, e, rank, shape, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    rc = 1;
  }
  if (!rc && pngp) {
    for (long i = 0; i < R * R; i++) e[i] = -e[i];
    if (png_density(pngp, e, (int)R, (int)R, err, sizeof err)) {
      fprintf(stderr, "%s: %s\n", prog, err);
      rc = 1;
    }
  }
  free(e);
  free(x);
  state_free(&s, &model);
  return rc;
}
