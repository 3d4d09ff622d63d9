#define _POSIX_C_SOURCE 200809L /* fileno, isatty */
#include "progress.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mono_clock.h"

#define BAR_WIDTH 20
#define REDRAW_S 0.1 /* at most 10 redraws a second: terminals are slow */

void progress_format_eta(double seconds, char *buf, size_t n) {
  if (!(seconds >= 0) || seconds > 1e9) { /* NaN, negative, or no rate yet */
    snprintf(buf, n, "?");
    return;
  }
  long s = lround(seconds);
  if (s < 60)
    snprintf(buf, n, "%lds", s);
  else if (s < 3600)
    snprintf(buf, n, "%ldm%02lds", s / 60, s % 60);
  else
    snprintf(buf, n, "%ldh%02ldm", s / 3600, s % 3600 / 60);
}

void progress_start(Progress *p, long total, int fd) {
  memset(p, 0, sizeof *p);
  p->total = total;
  p->fd = fd;
  p->tty = isatty(fd);
  p->t0 = mono_seconds();
  p->last_draw = -1e30; /* the first update draws */
  p->last_tenth = 0;
}

/* Appends to buf[*k..n), never past the end (long loss lists are cut). */
static void add(char *buf, size_t n, size_t *k, const char *fmt, ...) {
  if (*k >= n) return;
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(buf + *k, n - *k, fmt, ap);
  va_end(ap);
  if (m > 0) *k = *k + (size_t)m < n ? *k + (size_t)m : n - 1;
}

void progress_update(Progress *p, long done, int n_terms, const char *const *names, const double *values) {
  if (p->total <= 0 || p->last_tenth >= 10) return; /* nothing to show, or finished */
  if (done > p->total) done = p->total;
  int finished = done == p->total;
  int tenth = (int)(10.0 * (double)done / (double)p->total);
  double t = mono_seconds();
  if (p->tty ? !finished && t - p->last_draw < REDRAW_S : !finished && tenth <= p->last_tenth) return;
  p->last_draw = t;
  if (!p->tty || finished) p->last_tenth = finished ? 10 : tenth;

  double elapsed = t - p->t0;
  double rate = elapsed > 0 ? (double)(done - p->done0) / elapsed : 0;
  char eta[32];
  if (finished)
    progress_format_eta(elapsed, eta, sizeof eta);
  else
    progress_format_eta(rate > 0 ? (double)(p->total - done) / rate : -1, eta, sizeof eta);

  char buf[1024];
  size_t k = 0, n = sizeof buf - 8; /* room for "\033[K\n" */
  if (p->tty) {
    int fill = (int)((double)BAR_WIDTH * (double)done / (double)p->total);
    add(buf, n, &k, "\r[");
    for (int i = 0; i < BAR_WIDTH; i++) add(buf, n, &k, i < fill ? "#" : " ");
    add(buf, n, &k, "] %ld/%ld", done, p->total);
  } else {
    add(buf, n, &k, "step %ld/%ld", done, p->total);
  }
  add(buf, n, &k, " %.1f it/s %s %s", rate, finished ? "time" : "ETA", eta);
  for (int i = 0; i < n_terms; i++) add(buf, n, &k, " %s=%.4g", names[i], values[i]);
  if (p->tty) { /* clear what a longer previous line left */
    memcpy(buf + k, "\033[K", 3);
    k += 3;
  }
  if (!p->tty || finished) buf[k++] = '\n';
  /* Progress is best effort: a closed or full stderr must not stop training. */
  ssize_t w = write(p->fd, buf, k);
  (void)w;
}
