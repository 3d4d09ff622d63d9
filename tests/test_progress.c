/* Progress display: plain lines into a file (one per 10% and one at the end,
 * each exactly once, also when updates skip steps), the bar on a
 * pseudo-terminal, and the ETA formatting. */
#define _XOPEN_SOURCE 600 /* posix_openpt */
#include "progress.h"

#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void test_eta(void) {
  static const struct {
    double s;
    const char *want;
  } cases[] = {
      {0, "0s"},           {0.4, "0s"},      {42, "42s"},     {59.4, "59s"},   {59.6, "1m00s"}, {60, "1m00s"},
      {185, "3m05s"},      {3599, "59m59s"}, {3600, "1h00m"}, {3720, "1h02m"}, {3779, "1h02m"}, {7322, "2h02m"},
      {360000, "100h00m"}, {-1, "?"},        {NAN, "?"},      {INFINITY, "?"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[32];
    progress_format_eta(cases[i].s, buf, sizeof buf);
    CHECK(!strcmp(buf, cases[i].want), "ETA(%g) = '%s', want '%s'", cases[i].s, buf, cases[i].want);
  }
}

/* Feeds updates at done = every, 2*every, ... (and total) into a temp file
 * and returns its text (malloc'ed). */
static char *run_plain(long total, long every, int repeat_end) {
  char path[] = "/tmp/test_progress_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return NULL;
  unlink(path);
  Progress p;
  progress_start(&p, total, fd);
  CHECK(!p.tty, "a temp file counts as a terminal");
  const char *names[2] = {"loss", "gp"};
  for (long d = every; d < total + every; d += every) {
    long done = d < total ? d : total;
    double v[2] = {0.123, 1.5e-5};
    progress_update(&p, done, 2, names, v);
  }
  for (int i = 0; i < repeat_end; i++) progress_update(&p, total, 0, NULL, NULL);
  off_t len = lseek(fd, 0, SEEK_END);
  char *text = calloc((size_t)len + 1, 1);
  if (pread(fd, text, (size_t)len, 0) != len) text[0] = '\0';
  close(fd);
  return text;
}

/* Lines must be "step D/total ..." with D the first update at or past each
 * tenth, and the last one the finished step. */
static void check_plain(long total, long every) {
  char *text = run_plain(total, every, 3);
  CHECK(text != NULL, "mkstemp failed");
  if (!text) return;
  int lines = 0;
  long tenth_seen[11] = {0};
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    long d = -1, t = -1;
    CHECK(sscanf(line, "step %ld/%ld", &d, &t) == 2 && t == total, "odd line '%s'", line);
    CHECK(strstr(line, " it/s ") != NULL, "line '%s' lacks it/s", line);
    CHECK(strstr(line, d == total ? " time " : " ETA ") != NULL, "line '%s' lacks ETA/time", line);
    CHECK(strchr(line, '\r') == NULL && strchr(line, '\033') == NULL, "terminal codes in a plain line");
    if (every == 1) CHECK(strstr(line, "loss=0.123 gp=1.5e-05") != NULL, "line '%s' lacks the losses", line);
    int tenth = (int)(10 * d / total);
    /* Tenth k is reached at the first d with 10 d >= k total; the line
     * comes at the first update (a multiple of every) at or past it. */
    long reach = (tenth * total + 9) / 10;
    long want = (reach + every - 1) / every * every;
    if (want > total) want = total;
    CHECK(d == want, "line for tenth %d at step %ld, want %ld", tenth, d, want);
    if (tenth >= 0 && tenth <= 10) tenth_seen[tenth]++;
    lines++;
  }
  for (int k = 1; k <= 10; k++)
    CHECK(tenth_seen[k] == 1, "total %ld every %ld: %ld lines at %d0%%", total, every, tenth_seen[k], k);
  CHECK(tenth_seen[0] == 0, "a line before 10%%");
  CHECK(lines == 10, "total %ld every %ld: %d lines, want 10", total, every, lines);
  free(text);
}

static void test_plain(void) {
  check_plain(1000, 1);
  check_plain(1000, 70); /* updates every 70 steps: 140 stands for 10%, and so on */
  check_plain(50000, 1);
  check_plain(15, 1); /* tenths between steps: 2 stands for 10%, 3 for 20%, 5 for 30% */
}

/* Fewer than 10 steps: a line per step reached, the last one the end;
 * a run of 0 steps shows nothing. */
static void test_short_and_empty(void) {
  char *text = run_plain(3, 1, 2);
  CHECK(text && strstr(text, "step 3/3 ") != NULL, "no end line for a 3-step run: '%s'", text ? text : "");
  int lines = 0;
  for (char *c = text; c && *c; c++) lines += *c == '\n';
  CHECK(lines == 3, "3-step run printed %d lines, want 3", lines);
  free(text);
  text = run_plain(0, 1, 1);
  CHECK(text && text[0] == '\0', "a run of 0 steps printed '%s'", text ? text : "");
  free(text);
}

static void test_tty(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    printf("  no pseudo-terminal here; bar not tested\n");
    if (master >= 0) close(master);
    return;
  }
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  CHECK(slave >= 0, "cannot open the pty slave");
  if (slave < 0) return;
  Progress p;
  progress_start(&p, 2000, slave);
  CHECK(p.tty, "a pty is not seen as a terminal");
  const char *names[1] = {"loss"};
  double v[1] = {0.5};
  for (long d = 1; d <= 2000; d++) progress_update(&p, d, 1, names, v);
  /* A pty hands its output over in pieces: read until it stays quiet. */
  char buf[8192];
  ssize_t n = 0;
  struct pollfd pfd = {master, POLLIN, 0};
  while (n < (ssize_t)sizeof buf - 1 && poll(&pfd, 1, 200) > 0) {
    ssize_t m = read(master, buf + n, sizeof buf - 1 - (size_t)n);
    if (m <= 0) break;
    n += m;
  }
  buf[n] = '\0';
  int draws = 0;
  for (char *c = buf; *c; c++) draws += *c == '\r' && c[1] == '[';
  CHECK(draws >= 1 && draws <= 3, "%d redraws for a sub-second run, want 1..3 (10 a second at most)", draws);
  CHECK(strstr(buf, "[####################] 2000/2000 ") != NULL, "no full bar at the end: '%s'", buf);
  CHECK(strstr(buf, "loss=0.5\033[K") != NULL, "no clear-to-end-of-line after the losses");
  CHECK(n > 0 && buf[n - 1] == '\n', "no newline after the last draw");
  close(slave);
  close(master);
}

int main(void) {
  test_eta();
  test_plain();
  test_short_and_empty();
  test_tty();
  return report();
}
