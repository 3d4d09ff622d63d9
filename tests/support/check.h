/* Shared assertions and temp files of the C tests: CHECK counts into
 * checks_passed / checks_failed and report() prints the totals; test_dir()
 * is a per-process directory under /tmp, removed at exit unless a check
 * failed (then kept for inspection and its path printed). */
#ifndef EBM_CHECK_H
#define EBM_CHECK_H

extern int checks_failed, checks_passed;

/* Counts a passed check, or prints "FAIL file:line: message" on stderr and
 * counts a failure. The message is a printf format with its arguments. */
#define CHECK(cond, ...)                                      \
  do {                                                        \
    if (cond) {                                               \
      checks_passed++;                                        \
    } else {                                                  \
      check_fail(__FILE__, __LINE__, __VA_ARGS__);            \
    }                                                         \
  } while (0)

void check_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int report(void); /* prints "N passed, M failed", returns the exit code */

/* /tmp/<program>_XXXXXX, created on first use (exits if it cannot be). */
const char *test_dir(void);
/* test_dir()/name in one of 8 rotating buffers: a few paths can be live at once. */
const char *test_path(const char *name);

#endif
