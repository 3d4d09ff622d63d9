#include "sample_cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "ckpt_load.h"
#include "cli.h"
#include "entries.h"
#include "npy.h"
#include "run_arrays.h"
#include "state.h"
#include "xalloc.h"

/* sample -n: the samples array is held in memory whole */
#define SAMPLE_MAX_BYTES (4L << 30)

int cmd_sample(int argc, char **argv) {
  const char *ckpt = NULL, *o = NULL, *pngp = NULL;
  long n = 2000, seed = -1;
  const CliOpt opts[] = {
      OPT_STRING("--ckpt", &ckpt, "CKPT", "the trained model", .required = 1),
      OPT_LONG("-n", &n, "N", 1, CLI_NO_MAX,
               "how many samples: at most what fits in 4 GiB of float32 (536870912 points of 2 values)"),
      OPT_STRING("-o", &o, "SAMPLES.npy", "the samples, float32 [N, D]"),
      OPT_STRING("--png", &pngp, "PLOT.png",
                 "a scatter plot of [-4, 4]^2 (2-D points) or a grid of the first 64 pictures (images)"),
      OPT_LONG("--seed", &seed, "S", 0, CLI_NO_MAX, "another seed changes the draws", .dflt = "the run's seed"),
      OPT_END};
  const CliCommand cmd = {"sample",
                          "Draws N samples from the method's sampler (the generator, or the MCMC/gradient\n"
                          "sampler of MLE methods) at the checkpoint, into -o and/or --png. Reads no data set.\n",
                          opts, NULL};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc) return rc == CLI_HELP ? 0 : rc;
  if (!o && !pngp) return bad("sample needs -o SAMPLES.npy and/or --png PLOT.png");
  int D = sample_width(), width = D ? D : 1;
  if (n > SAMPLE_MAX_BYTES / (width * (long)sizeof(float)))
    return badf("-n %ld is over the limit of %ld samples of %d values (%ld GiB)", n,
                SAMPLE_MAX_BYTES / (width * (long)sizeof(float)), D, SAMPLE_MAX_BYTES >> 30);
  ModelState s;
  rc = load_state(ckpt, &s);
  if (rc) return rc;
  if (seed >= 0) s.seed = (uint64_t)seed;
  float *x = xmalloc((size_t)n * width * sizeof(float), "samples");
  char err[600];
  int64_t shape[2] = {n, D};
  if (entry_samples(&model, &s, x, n, 0)) {
    fprintf(stderr, "%s: %s\n", prog, s.err);
    rc = 1;
  } else if (o && npy_write_f32(o, x, 2, shape, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    rc = 1;
  } else if (pngp && plot_samples(pngp, x, n, D, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    rc = 1;
  }
  free(x);
  state_free(&s, &model);
  return rc;
}
