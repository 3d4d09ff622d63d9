/* `train eval` of point models (toy sets and .npy files): on the data the
 * checkpoint recorded (run_data.h), against held-out points. */
#include "eval_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_load.h"
#include "cli.h"
#include "eval_image.h"
#include "eval_points.h"
#include "eval_toy.h"
#include "npy.h"
#include "run_data.h"
#include "state.h"

/* eval --from DIR: another implementation's energy grid and samples */
static int eval_arrays(const char *dir, const DataSource *ds, ToyEval *r) {
  char gp[4200], sp[4200], err[600];
  snprintf(gp, sizeof gp, "%s/energy_grid.npy", dir);
  snprintf(sp, sizeof sp, "%s/samples.npy", dir);
  float *g = NULL, *x = NULL;
  int gr, xr, rc = 2;
  int64_t gs[4], xs[4];
  if (npy_read_f32(gp, &g, &gr, gs, err, sizeof err) || npy_read_f32(sp, &x, &xr, xs, err, sizeof err))
    fprintf(stderr, "%s: %s\n", prog, err);
  else if (gr != 2 || gs[0] != EVAL_GRID || gs[1] != EVAL_GRID)
    fprintf(stderr, "%s: %s must be float32 [%d, %d]\n", prog, gp, EVAL_GRID, EVAL_GRID);
  else if (npy_check_points(sp, x, xr, xs, 2, err, sizeof err))
    fprintf(stderr, "%s: %s\n", prog, err);
  else {
    eval_toy_arrays(ds, g, x, (long)xs[0], r);
    rc = 0;
  }
  free(g);
  free(x);
  return rc;
}

int cmd_eval(int argc, char **argv) {
  if (model.data_cols > 2 && !data_is_points(model.data))
    return cmd_eval_image(argc, argv); /* images and classifiers */
  const char *ckpt = NULL, *json = NULL, *from = NULL;
  DataArgs da = {0};
  const CliOpt opts[] = {
      OPT_STRING("--ckpt", &ckpt, "CKPT", "the trained model (or --from)"),
      OPT_STRING("--from", &from, "DIR",
                 "score another implementation's DIR/energy_grid.npy (float32 [256, 256] energies at the cell centres, "
                 "row = y) "
                 "and DIR/samples.npy with the same code"),
      OPT_STRING("--data", &da.data, "NAME|X.npy", "other data than those the checkpoint recorded",
                 .dflt = "the recorded data"),
      OPT_STRING("--test-data", &da.test_data, "T.npy", "held-out points: every row of this file"),
      OPT_FLAG("--data-changed", &da.changed, "accept data whose sha256 differs from the recorded data"),
      OPT_STRING("--json", &json, "OUT.json", "also write the JSON to this file"),
      OPT_END};
  const CliCommand cmd = {"eval",
                          "Toy evaluation (docs/methods.md §7) of a checkpoint, printed as JSON: test NLL\n"
                          "with the density normalised on a 256 x 256 grid over [-4, 4]^2 (20,000 held-out\n"
                          "points; test_nll at the points, test_nll_grid with each point's cell), KL(data ||\n"
                          "model) of cell probabilities, MMD^2 of 2,000 samples against 2,000 held-out\n"
                          "points, for the Gaussian mixtures the modes covered and each mode's mass under the\n"
                          "density and in the samples beside its true weight (\"modes\", mode_tv_density,\n"
                          "mode_tv_samples: total variation from the true weights), the induced density for mle-gd,\n"
                          "the log Z sandwich for (a)-type generators and, for the diffusion methods, per-step\n"
                          "bounds A_k <= log Z <= C_k beside grid quadrature and the chain's ELBO (\"chain\").\n"
                          "Points of D != 2 columns get what needs no grid: MMD^2, energy statistics on\n"
                          "training rows, held-out rows and noise, and the log Z bounds as a bracket on the\n"
                          "test NLL (test_nll_lb, test_nll_ub) for (a)-type generators.\n\n"
                          "The data default to those the checkpoint recorded; another file (sha256) is refused\n"
                          "unless --data-changed. Held-out points (\"test\" in the JSON): toy sets draw fresh ones,\n"
                          "a .npy file's held-out rows (one in 10, never trained on) or --test-data T.npy.\n",
                          opts, NULL};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc) return rc == CLI_HELP ? 0 : rc;
  if (!ckpt && !from) return bad("eval needs --ckpt CKPT or --from DIR");
  int D = model.data_cols ? model.data_cols : 2;
  if (from && D != 2) return bad("--from scores 2-D toy arrays only");
  DataSource ds, test;
  DataId id;
  rc = run_data_open(&da, from ? NULL : ckpt, D, &ds, &id);
  if (rc) return rc;
  /* the held-out side of a 2-D evaluation: the data themselves (fresh toy draws,
   * a file's held-out rows) or the --test-data file, every row of it */
  const DataSource *held = &ds;
  int own_test = !strcmp(id.test, "file");
  if (own_test) {
    char err[600];
    if (data_open(&test, id.test_path, D, err, sizeof err)) {
      fprintf(stderr, "%s: bad --test-data: %s\n", prog, err);
      data_close(&ds);
      return 2;
    }
    data_keep_all(&test);
    held = &test;
  }
  ToyEval r;
  if (from)
    rc = eval_arrays(from, held, &r);
  else {
    ModelState s;
    rc = load_state(ckpt, &s);
    if (!rc) {
      if (D != 2)
        rc = eval_points(&model, &s, &ds, &id, stdout, json); /* prints its own JSON */
      else if (eval_toy(&model, &s, held, &r)) {
        fprintf(stderr, "%s: %s\n", prog, s.err);
        rc = 1;
      }
      state_free(&s, &model);
    }
  }
  if (!rc && D == 2) {
    r.data = &id;
    eval_toy_json(&r, stdout);
    FILE *f = json ? fopen(json, "w") : NULL;
    if (json && (!f || (eval_toy_json(&r, f), fclose(f)))) {
      fprintf(stderr, "%s: cannot write %s\n", prog, json);
      rc = 1;
    }
  }
  if (own_test) data_close(&test);
  data_close(&ds);
  return rc;
}
