/* runtime/workers.c's choice between split and plain products
 * (workers_step): with steps that take 1 ms one way and 2-3 ms the other, the
 * trials must settle on the faster way and keep it, and when the kept split
 * turns slow, go back to plain; at one part nothing is ever split. The
 * products' bits do not depend on the choice (test_sgemm_small), so only the
 * schedule is tested here. */
#define _POSIX_C_SOURCE 200809L
#include "workers.h"

#include <time.h>

#include "check.h"

static void sleep_ms(int ms) {
  struct timespec t = {0, ms * 1000000L};
  nanosleep(&t, NULL);
}

/* n steps of a trainer whose split steps take split_ms and plain ones plain_ms;
 * returns how many of the last `tail` steps ran split */
static int steps(int n, int split_ms, int plain_ms, int tail) {
  int split = 0;
  for (int i = 0; i < n; i++) {
    int s = workers_parts() > 1;
    sleep_ms(s ? split_ms : plain_ms);
    workers_step();
    if (i >= n - tail) split += s;
  }
  return split;
}

int main(void) {
  /* trials take two windows of at least 10 ms: 30 steps leave 10 for the keeping */
  workers_set(2);
  CHECK(steps(40, 3, 1, 10) == 0, "split steps 3x slower: plain is kept after the trials");
  workers_set(2);
  CHECK(steps(40, 1, 2, 10) == 10, "split steps 2x faster: the split is kept after the trials");
  /* the kept split turns slower than the plain trial's steps: trials again within a window or two, then plain */
  CHECK(steps(60, 3, 2, 10) == 0, "a split that turns slow is dropped");
  workers_set(1);
  CHECK(steps(40, 1, 3, 40) == 0, "one part: never split");
  return report();
}
