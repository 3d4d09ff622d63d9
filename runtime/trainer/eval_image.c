/* Evaluation of image models (methods.md §7.4):
 *   classifiers (a `logits` entry): accuracy on the test split;
 *   energy models: OOD AUROC with the score -E(x), Fashion-MNIST test against
 *     MNIST test (when --ood-mnist DIR names its IDX files), uniform noise and
 *     constant images, all padded like the training data;
 *   fd (classifiers with a `features` entry): FD-FMNIST, the Frechet distance of
 *     samples to the test split in the classifier's 128-d features. */
#include "eval_image.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_load.h"
#include "cli.h"
#include "data.h"
#include "entries.h"
#include "metrics.h"
#include "npy.h"
#include "philox.h"
#include "state.h"
#include "xalloc.h"

/* every picture of a split as rows of `cols` floats (labels appended when cols says so) */
static float *split_rows(const char *spec, int cols, int test, long *n, char *err, size_t errlen) {
  DataSource ds;
  if (data_open_split(&ds, spec, cols, test, err, errlen)) return NULL;
  float *x = xmalloc((size_t)ds.n * cols * sizeof(float), "evaluation pictures");
  for (long i = 0; i < ds.n; i++) {
    image_to_floats(&ds.images, i, ds.pad, 0, x + (size_t)i * cols);
    if (ds.label) x[(size_t)i * cols + cols - 1] = ds.images.labels[i];
  }
  *n = ds.n;
  data_close(&ds);
  return x;
}

static int eval_classifier(ModelState *s, const char *data, FILE *out) {
  char err[600];
  long n;
  float *rows = split_rows(data, 785, 1, &n, err, sizeof err);
  if (!rows) {
    fprintf(stderr, "%s: %s\n", prog, err);
    return 2;
  }
  float *x = xmalloc((size_t)n * 784 * sizeof(float), "classifier inputs"),
        *logits = xmalloc((size_t)n * 10 * sizeof(float), "classifier logits");
  for (long i = 0; i < n; i++) memcpy(x + i * 784, rows + i * 785, 784 * sizeof(float));
  int K, rc = 0;
  if (entry_map(&model, s, "logits", x, n, logits, &K)) {
    fprintf(stderr, "%s: %s\n", prog, s->err);
    rc = 1;
  } else {
    long correct = 0;
    for (long i = 0; i < n; i++) {
      int best = 0;
      for (int k = 1; k < K; k++)
        if (logits[i * K + k] > logits[i * K + best]) best = k;
      correct += best == (int)rows[i * 785 + 784];
    }
    fprintf(out, "{\"test_accuracy\": %.4f, \"n_test\": %ld}\n", (double)correct / n, n);
  }
  free(rows);
  free(x);
  free(logits);
  return rc;
}

/* -E of n rows; 0 or -1 */
static int scores(ModelState *s, const float *x, long n, float *sc) {
  if (entry_energies(&model, s, x, n, sc)) return -1;
  for (long i = 0; i < n; i++) sc[i] = -sc[i];
  return 0;
}

/* sets_dir/NAME.npy: the pictures an AUROC was computed on, for scoring another model on the same ones */
static int write_set(const char *sets_dir, const char *name, const float *x, long n, int D) {
  if (!sets_dir) return 0;
  char path[4200], err[600];
  snprintf(path, sizeof path, "%s/%s.npy", sets_dir, name);
  int64_t shape[2] = {n, D};
  if (npy_write_f32(path, x, 2, shape, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    return -1;
  }
  return 0;
}

static int eval_ood(ModelState *s, const char *data, const char *mnist, const char *sets_dir, FILE *out) {
  char err[600];
  int D = model.data_cols;
  long n;
  float *x = split_rows(data, D, 1, &n, err, sizeof err);
  if (!x) {
    fprintf(stderr, "%s: %s\n", prog, err);
    return 2;
  }
  if (write_set(sets_dir, "test", x, n, D)) {
    free(x);
    return 1;
  }
  float *s_in = xmalloc(n * sizeof(float), "OOD scores"), *s_out = xmalloc(n * sizeof(float), "OOD scores");
  if (scores(s, x, n, s_in)) {
    fprintf(stderr, "%s: %s\n", prog, s->err);
    free(x);
    return 1;
  }
  int side = (int)lround(sqrt(D)), pad = side == 32 ? 2 : 0; /* 1-channel pictures, framed like the data */
  fprintf(out, "{\"n_in\": %ld", n);
  for (int set = 0; set < 3; set++) {
    long m = n;
    float *y = NULL;
    const char *name = set == 0 ? "mnist" : set == 1 ? "uniform_noise" : "constant";
    if (set == 0) {
      if (!mnist) continue;
      char spec[4200];
      snprintf(spec, sizeof spec, "mnist:%s", mnist);
      y = split_rows(spec, D, 1, &m, err, sizeof err);
      if (!y) {
        fprintf(stderr, "%s: %s\n", prog, err);
        free(x);
        return 2;
      }
    } else {
      y = xmalloc((size_t)m * D * sizeof(float), "OOD pictures");
      for (long i = 0; i < m; i++) {
        float c = (float)(2 * philox_uniform(0, 1000 + set, 0, 0, (uint32_t)i) - 1);
        for (int k = 0; k < D; k++) {
          int r = k / side % side, q = k % side;
          int inside = r >= pad && r < side - pad && q >= pad && q < side - pad;
          float u = (float)(2 * philox_uniform(0, 1000, (uint32_t)i, 0, (uint32_t)k) - 1);
          y[(size_t)i * D + k] = !inside ? -1.0f : set == 1 ? u : c;
        }
      }
    }
    if (write_set(sets_dir, name, y, m, D)) {
      free(y);
      free(x);
      return 1;
    }
    float *so = m > n ? xrealloc(s_out, m * sizeof(float), "OOD scores") : s_out;
    s_out = so;
    if (scores(s, y, m, s_out)) {
      fprintf(stderr, "%s: %s\n", prog, s->err);
      free(y);
      free(x);
      return 1;
    }
    fprintf(out, ", \"auroc_%s\": %.4f", name, auroc(s_in, n, s_out, m));
    free(y);
  }
  fprintf(out, "}\n");
  free(x);
  free(s_in);
  free(s_out);
  return 0;
}

int cmd_eval_image(int argc, char **argv) {
  const char *ckpt = NULL, *data = model.data, *mnist = NULL, *sets_dir = NULL;
  const CliOpt opts[] = {
      OPT_STRING("--ckpt", &ckpt, "CKPT", "the trained model", .required = 1),
      OPT_STRING("--data", &data, "SPEC", "the image set whose test split is scored"),
      OPT_STRING("--ood-mnist", &mnist, "DIR",
                 "also score MNIST test: a folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]"),
      OPT_STRING("--ood-sets", &sets_dir, "OUT_DIR",
                 "write the pictures scored, OUT_DIR/{test,mnist,uniform_noise,constant}.npy (float32 [N, D]), to "
                 "score another "
                 "model on the same ones"),
      OPT_END};
  const CliCommand cmd = {"eval",
                          "Image evaluation (docs/methods.md §7.4), printed as JSON. A classifier reports its\n"
                          "accuracy on the test split. An energy model reports OOD AUROC with the score\n"
                          "-E(x): the test split of its data against uniform noise and constant pictures\n"
                          "(framed like the data), and against MNIST test with --ood-mnist.\n",
                          opts, NULL};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc) return rc == CLI_HELP ? 0 : rc;
  ModelState s;
  rc = load_state(ckpt, &s);
  if (rc) return rc;
  if (entry_find(&model, "logits"))
    rc = eval_classifier(&s, data, stdout);
  else if (entry_find(&model, "energy"))
    rc = eval_ood(&s, data, mnist, sets_dir, stdout);
  else
    rc = bad("this model has neither a logits nor an energy entry to evaluate");
  state_free(&s, &model);
  return rc;
}

int cmd_fd(int argc, char **argv) {
  const char *ckpt = NULL, *samples = NULL, *data = model.data;
  long limit = 0;
  const CliOpt opts[] = {
      OPT_STRING("--ckpt", &ckpt, "CKPT", "the classifier", .required = 1),
      OPT_STRING(
          "--samples", &samples, "S.npy|SET",
          "float32 [N, 1024] pictures of 32x32 (centre-cropped to 28x28) or [N, 784]; or an image set's name: its "
          "training pictures, the real-data floor",
          .required = 1),
      OPT_LONG("-n", &limit, "N", 2, CLI_NO_MAX, "use the first N samples only", .dflt = "all"),
      OPT_STRING("--data", &data, "SPEC", "the image set whose test split is the reference"), OPT_END};
  const CliCommand cmd = {"fd",
                          "FD-FMNIST (docs/methods.md §7.4; a Frechet distance, not FID): the classifier's\n"
                          "128-d features of the test split against those of the samples.\n",
                          opts, NULL};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc) return rc == CLI_HELP ? 0 : rc;
  if (!entry_find(&model, "features")) return bad("fd needs a classifier (a model with a features entry)");
  char err[600];
  float *raw = NULL;
  int rank;
  int64_t shape[4];
  size_t sl = strlen(samples);
  if (sl < 4 || strcmp(samples + sl - 4, ".npy")) { /* an image set: its training pictures, the real-data reference */
    long nt;
    raw = split_rows(samples, 784, 0, &nt, err, sizeof err);
    if (!raw) {
      fprintf(stderr, "%s: %s\n", prog, err);
      return 2;
    }
    rank = 2;
    shape[0] = nt;
    shape[1] = 784;
  } else if (npy_read_f32(samples, &raw, &rank, shape, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", prog, err);
    return 2;
  }
  if (rank != 2 || (shape[1] != 784 && shape[1] != 1024)) {
    free(raw);
    return bad("--samples must be float32 [N, 1024] (32x32) or [N, 784] (28x28)");
  }
  long ng = limit && limit < shape[0] ? limit : (long)shape[0];
  float *g = xmalloc((size_t)ng * 784 * sizeof(float), "generated pictures");
  for (long i = 0; i < ng; i++)
    for (int r = 0; r < 28; r++)
      for (int c = 0; c < 28; c++)
        g[i * 784 + r * 28 + c] = shape[1] == 784 ? raw[i * 784 + r * 28 + c] : raw[i * 1024 + (r + 2) * 32 + c + 2];
  free(raw);
  long nr;
  float *real = split_rows(data, 784, 1, &nr, err, sizeof err);
  if (!real) {
    free(g);
    fprintf(stderr, "%s: %s\n", prog, err);
    return 2;
  }
  ModelState s;
  rc = load_state(ckpt, &s);
  if (rc) {
    free(g);
    free(real);
    return rc;
  }
  enum { F = 128 };
  float *fr = xmalloc((size_t)nr * F * sizeof(float), "FD features"),
        *fg = xmalloc((size_t)ng * F * sizeof(float), "FD features");
  double *mr = xmalloc(F * sizeof(double), "FD means"), *mg = xmalloc(F * sizeof(double), "FD means");
  double *Sr = xmalloc(F * F * sizeof(double), "FD covariances"),
         *Sg = xmalloc(F * F * sizeof(double), "FD covariances");
  int fc;
  if (entry_map(&model, &s, "features", real, nr, fr, &fc) || fc != F ||
      entry_map(&model, &s, "features", g, ng, fg, &fc)) {
    fprintf(stderr, "%s: %s\n", prog, s.err[0] ? s.err : "the features entry is not 128 wide");
    rc = 1;
  } else {
    feature_stats(fr, nr, F, mr, Sr);
    feature_stats(fg, ng, F, mg, Sg);
    printf("{\"fd_fmnist\": %.4f, \"n_real\": %ld, \"n_samples\": %ld}\n", frechet_distance(mr, Sr, mg, Sg, F), nr, ng);
  }
  state_free(&s, &model);
  free(g);
  free(real);
  free(fr);
  free(fg);
  free(mr);
  free(mg);
  free(Sr);
  free(Sg);
  return rc;
}
