/* compare_runs A B RTOL [ATOL]: two training runs agree up to float rounding.
 * Every logged value of A/log.jsonl and B/log.jsonl (line by line, timings
 * excluded) within RTOL of the larger magnitude (+ ATOL, default 0: losses
 * near zero of runs on different hardware), and every tensor of
 * A/ckpt.safetensors within RTOL * (its largest magnitude) (+ ATOL) of B's,
 * which must hold the same tensors and step. Prints the worst relative
 * differences; exit 0 agree, 1 differ, 2 unreadable. Used by
 * tests/mpi_data_parallel.sh and tests/nccl_compile.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"

static double abs_tol;

/* the next line that is not a session's opening event (they carry the clock) */
static char *next_line(char *buf, int n, FILE *f) {
  char *r;
  while ((r = fgets(buf, n, f)) && (strstr(buf, "\"event\": \"start\"") || strstr(buf, "\"event\": \"resume\""))) {
  }
  return r;
}

static int compare_logs(const char *a, const char *b, double rtol, double *worst) {
  char pa[4200], pb[4200], la[4096], lb[4096];
  snprintf(pa, sizeof pa, "%s/log.jsonl", a);
  snprintf(pb, sizeof pb, "%s/log.jsonl", b);
  FILE *fa = fopen(pa, "r"), *fb = fopen(pb, "r");
  if (!fa || !fb) {
    fprintf(stderr, "compare_runs: cannot read %s or %s\n", pa, pb);
    return 2;
  }
  int lines = 0, bad = 0;
  for (;;) {
    char *ra = next_line(la, sizeof la, fa), *rb = next_line(lb, sizeof lb, fb);
    if (!ra || !rb) {
      if (ra || rb) {
        printf("logs: different lengths after %d lines\n", lines);
        bad = 1;
      }
      break;
    }
    lines++;
    /* "key": value pairs in the same order; steps_per_s and wall are timings */
    char *p = la, *q = lb;
    while ((p = strchr(p, '"')) && (q = strchr(q, '"'))) {
      char *ke = strchr(p + 1, '"'), *qe = strchr(q + 1, '"');
      if (!ke || !qe || ke - p != qe - q || strncmp(p, q, ke - p)) {
        printf("logs: line %d has other keys\n", lines);
        bad = 1;
        break;
      }
      int timing = !strncmp(p, "\"steps_per_s\"", 13) || !strncmp(p, "\"wall\"", 6);
      double x = strtod(ke + 2, &p), y = strtod(qe + 2, &q);
      if (timing) continue;
      double m = fmax(fabs(x), fabs(y)), r = m > 0 ? fabs(x - y) / m : 0;
      if (r > *worst) *worst = r;
      if (!(r <= rtol || fabs(x - y) <= rtol * m + abs_tol)) {
        if (!bad) printf("logs: line %d %.*s: %.9g vs %.9g (relative %.3g)\n", lines, (int)(ke - q), q + 1, x, y, r);
        bad = 1;
      }
    }
  }
  fclose(fa);
  fclose(fb);
  if (!lines) {
    printf("logs: empty\n");
    bad = 1;
  }
  return bad;
}

static int compare_ckpts(const char *a, const char *b, double rtol, double *worst) {
  char pa[4200], pb[4200], err[600];
  snprintf(pa, sizeof pa, "%s/ckpt.safetensors", a);
  snprintf(pb, sizeof pb, "%s/ckpt.safetensors", b);
  StFile fa, fb;
  int ra = st_read(pa, &fa, err, sizeof err);
  if (ra) fprintf(stderr, "compare_runs: %s\n", err);
  int rb = st_read(pb, &fb, err, sizeof err);
  if (rb) fprintf(stderr, "compare_runs: %s\n", err);
  int bad = ra || rb ? 2 : 0;
  if (!bad && (fa.n != fb.n || strcmp(st_meta(&fa, "step"), st_meta(&fb, "step")))) {
    printf("checkpoints: %d vs %d tensors, step %s vs %s\n", fa.n, fb.n, st_meta(&fa, "step"), st_meta(&fb, "step"));
    bad = 1;
  }
  for (int i = 0; !bad && i < fa.n; i++) {
    const StEntry *x = &fa.t[i], *y = st_find(&fb, x->name);
    long n = 1, m = 1;
    for (int k = 0; k < x->rank; k++) n *= x->shape[k];
    if (y)
      for (int k = 0; k < y->rank; k++) m *= y->shape[k];
    if (!y || n != m) {
      printf("checkpoints: %s missing or of another size in %s\n", x->name, pb);
      bad = 1;
      break;
    }
    double diff = 0, mag = 0;
    for (long k = 0; k < n; k++) {
      diff = fmax(diff, fabs((double)x->data[k] - y->data[k]));
      mag = fmax(mag, fabs((double)y->data[k]));
    }
    double r = mag > 0 ? diff / mag : diff;
    if (r > *worst) *worst = r;
    if (!(r <= rtol || diff <= rtol * mag + abs_tol)) {
      printf("checkpoints: %s differs by %.3g relative\n", x->name, r);
      bad = 1;
    }
  }
  st_free(&fa);
  st_free(&fb);
  return bad;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: compare_runs RUN_A RUN_B RTOL [ATOL]\n");
    return 2;
  }
  double rtol = atof(argv[3]), wl = 0, wc = 0;
  abs_tol = argc == 5 ? atof(argv[4]) : 0;
  int l = compare_logs(argv[1], argv[2], rtol, &wl), c = compare_ckpts(argv[1], argv[2], rtol, &wc);
  printf("worst relative difference: logs %.3g, checkpoint tensors %.3g (tolerance %g)\n", wl, wc, rtol);
  return l == 2 || c == 2 ? 2 : l || c;
}
