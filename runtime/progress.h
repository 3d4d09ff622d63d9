/* The training progress display.
 *
 * On a terminal: one bar redrawn in place, at most 10 times a second,
 *   [#########           ] 1200/50000 812.3 it/s ETA 1m02s loss=0.123 ...
 * and a newline when the last step is reached. Elsewhere (a log file, a
 * pipe, a batch job): one plain line at each 10% of the run and at the end,
 *   step 5000/50000 812.3 it/s ETA 55s loss=0.123
 * so logs stay short and readable. Each line or redraw is one write(2). */
#ifndef EBM_PROGRESS_H
#define EBM_PROGRESS_H

#include <stddef.h>

typedef struct {
  long total;
  double t0, last_draw; /* monotonic seconds */
  int tty;
  int fd;         /* where to write (2 for stderr) */
  int last_tenth; /* last 10% mark printed; 10 once finished */
  long done0;     /* steps already done at t0: a resumed run sets this so it/s counts only new steps */
} Progress;

/* Starts the clock. fd is where the display goes (trainers pass 2, stderr);
 * it is a bar if isatty(fd), plain lines otherwise. */
void progress_start(Progress *p, long total, int fd);

/* done steps of total are finished; names[i] = values[i] are the latest loss
 * terms, printed with 4 significant digits. Cheap to call every step. */
void progress_update(Progress *p, long done, int n_terms, const char *const *names, const double *values);

/* 42s, 3m05s, 1h02m (seconds rounded; "?" if unknown or negative). */
void progress_format_eta(double seconds, char *buf, size_t n);

#endif
