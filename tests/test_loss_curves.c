/* Loss curves (generator/loss_curves.h): a log resumed before its last logged
 * step keeps the later records; the mean over seeds is term by term over the
 * iterations all logs share; events and the wall clock are not curves; the
 * report's figure is written. */
#include "loss_curves.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

int main(void) {
  char dir[] = "/tmp/test_loss_curves_XXXXXX", a[200], b[200], png[200], err[600];
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  snprintf(a, sizeof a, "%s/a.jsonl", dir);
  snprintf(b, sizeof b, "%s/b.jsonl", dir);
  snprintf(png, sizeof png, "%s/loss.png", dir);
  /* seed a: logged to 30, resumed from 10 (20 and 30 again, new values) and on to 40 */
  write_file(a,
             "{\"iter\": 0, \"event\": \"start\"}\n"
             "{\"iter\": 10, \"loss\": 1, \"wall\": 1}\n{\"iter\": 20, \"loss\": 2}\n{\"iter\": 30, \"loss\": 3}\n"
             "{\"iter\": 10, \"event\": \"resume\"}\n"
             "{\"iter\": 20, \"loss\": 20, \"late\": 5}\n{\"iter\": 30, \"loss\": 30}\n{\"iter\": 40, \"loss\": 40}\n");
  write_file(b, "{\"iter\": 10, \"loss\": 3}\n{\"iter\": 20, \"loss\": 4}\n{\"iter\": 30, \"loss\": 6, \"late\": 1}\n");
  Curves c[2], m;
  CHECK(curves_read(a, &c[0]) == 0 && curves_read(b, &c[1]) == 0, "read");
  CHECK(c[0].n == 4 && c[0].x[0] == 10 && c[0].x[1] == 20 && c[0].x[3] == 40, "a: %d steps, want 10 20 30 40", c[0].n);
  CHECK(c[0].n_terms == 2, "a: %d terms (loss, late; not wall)", c[0].n_terms);
  CHECK(c[0].y[0][1] == 20 && c[0].y[0][2] == 30 && isnan(c[0].y[1][0]) && c[0].y[1][1] == 5 && isnan(c[0].y[1][2]),
        "a: the resumed records replace the first ones");
  curves_mean(c, 2, &m);
  CHECK(m.n == 3, "mean over the 3 shared steps, got %d", m.n);
  CHECK(m.n_terms == 2 && m.y[0][0] == 2 && m.y[0][1] == 12 && m.y[0][2] == 18, "mean of loss: %g %g %g", m.y[0][0],
        m.y[0][1], m.y[0][2]);
  CHECK(isnan(m.y[1][0]) && m.y[1][1] == 5 && m.y[1][2] == 1, "a term one seed lacks: the others' mean");
  CHECK(curves_draw(&m, png, FIG_PNG, "test", err, sizeof err) == 0 && access(png, R_OK) == 0, "draw: %s", err);
  curves_free(&c[0]);
  curves_free(&c[1]);
  curves_free(&m);
  CHECK(curves_read("/nonexistent/log.jsonl", &m) == -1, "a missing file: -1");
  unlink(a);
  unlink(b);
  unlink(png);
  rmdir(dir);
  return report();
}
