#define _GNU_SOURCE /* mkdtemp, nftw, program_invocation_short_name */
#include "check.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int checks_failed, checks_passed;

void check_fail(const char *file, int line, const char *fmt, ...) {
  fprintf(stderr, "FAIL %s:%d: ", file, line);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  checks_failed++;
}

int report(void) {
  printf("%d passed, %d failed\n", checks_passed, checks_failed);
  return checks_failed ? 1 : 0;
}

static char dir[256];

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  if (remove(path) != 0) perror(path);
  return 0;
}

static void cleanup(void) {
  if (checks_failed) {
    fprintf(stderr, "kept %s for inspection\n", dir);
    return;
  }
  if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

const char *test_dir(void) {
  if (dir[0]) return dir;
  snprintf(dir, sizeof dir, "/tmp/%s_XXXXXX", program_invocation_short_name);
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    exit(1);
  }
  atexit(cleanup);
  return dir;
}

const char *test_path(const char *name) {
  static char buf[8][512];
  static int next;
  char *b = buf[next++ % 8];
  if (snprintf(b, sizeof buf[0], "%s/%s", test_dir(), name) >= (int)sizeof buf[0]) {
    fprintf(stderr, "test_path: %s/%s too long\n", test_dir(), name);
    exit(1);
  }
  return b;
}
