#include "workers.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "mono_clock.h"

enum { MAX_PARTS = 16, SPIN = 1 << 16 };

static int parts = 1, started = 0; /* helpers running: parts 1..started */
static WorkFn *job_fn;
static void *job_arg;
static atomic_int job_parts;
static atomic_uint gen;   /* bumped (under lock) for each job */
static atomic_int done;   /* helper parts finished of the current job */
static atomic_int parked; /* helpers sleep at once, not spin: OpenBLAS's pool has the CPUs */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* p: the helper's part in the low 8 bits, above them the job count when it
 * was started (a job posted before the thread runs is still its to do) */
static void *helper(void *p) {
  int part = (int)((unsigned long)p & 0xff);
  unsigned seen = (unsigned)((unsigned long)p >> 8);
  for (;;) {
    unsigned g;
    int spins = 0;
    while ((g = atomic_load_explicit(&gen, memory_order_acquire)) == seen && spins < SPIN &&
           !atomic_load_explicit(&parked, memory_order_relaxed)) {
      relax();
      spins++;
    }
    if (g == seen) { /* nothing for a while: sleep until the next job */
      pthread_mutex_lock(&lock);
      while ((g = atomic_load_explicit(&gen, memory_order_acquire)) == seen) pthread_cond_wait(&wake, &lock);
      pthread_mutex_unlock(&lock);
    }
    seen = g;
    int n = atomic_load_explicit(&job_parts, memory_order_relaxed); /* ordered by gen's acquire */
    if (part < n) {
      job_fn(job_arg, part, n);
      atomic_fetch_add_explicit(&done, 1, memory_order_release);
    }
  }
  return NULL;
}

/* workers_step's schedule: windows of at least MIN_STEPS steps and
 * WINDOW_S seconds, one split and one not, then KEEP windows the faster way
 * (back to the trials at once when split steps grow slower than the plain
 * trial's), and again: a losing trial costs at most a few percent */
#define WINDOW_S 0.01
enum { MIN_STEPS = 4, KEEP = 50 };
static struct {
  int stage, steps, windows;        /* stage 0: trying split, 1: trying plain, 2: keeping the faster */
  double last, start, win, best[2]; /* the previous call; this window's start and fastest step; each trial's */
} tune;

void workers_set(int n) {
  parts = n < 1 ? 1 : n > MAX_PARTS ? MAX_PARTS : n;
  atomic_store_explicit(&parked, 0, memory_order_relaxed); /* helpers spin between jobs again */
  tune.stage = tune.steps = tune.windows = 0;
}

void workers_retire(void) {
  parts = 1;
  atomic_store_explicit(&parked, 1, memory_order_relaxed);
}

static int plain_now(void) { return tune.stage == 1 || (tune.stage == 2 && tune.best[1] < tune.best[0]); }

int workers_parts(void) { return plain_now() ? 1 : parts; }

void workers_step(void) {
  if (parts == 1) return;
  double now = mono_seconds(), dt = now - tune.last;
  tune.last = now;
  if (tune.steps++ == 0) { /* a window's first step (a switch's) is not timed */
    tune.start = now;
    tune.win = 1e30;
    return;
  }
  if (dt < tune.win) tune.win = dt;
  if (tune.steps < MIN_STEPS || now - tune.start < WINDOW_S) return;
  tune.steps = 0;
  if (tune.stage < 2)
    tune.best[tune.stage] = tune.win;
  else if (!plain_now() && tune.win > tune.best[1])
    tune.windows = KEEP; /* the split lost its lead: try both again */
  if (tune.stage < 2 || ++tune.windows >= KEEP) {
    tune.stage = (tune.stage + 1) % 3;
    tune.windows = 0;
  }
}

void workers_run(WorkFn *fn, void *arg) {
  while (started < parts - 1) { /* a helper that cannot start leaves its part to fewer threads */
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    unsigned long start = (unsigned long)atomic_load(&gen) << 8 | (unsigned long)(started + 1);
    sigset_t all, old; /* signals (SIGTERM's checkpoint) stay with the threads that had them */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&t, &a, helper, (void *)start);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&a);
    if (rc) {
      parts = started + 1;
      break;
    }
    started++;
  }
  int n = parts;
  if (n == 1) {
    fn(arg, 0, 1);
    return;
  }
  pthread_mutex_lock(&lock);
  job_fn = fn;
  job_arg = arg;
  atomic_store_explicit(&job_parts, n, memory_order_relaxed);
  atomic_store_explicit(&done, 0, memory_order_relaxed);
  atomic_fetch_add_explicit(&gen, 1, memory_order_release);
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);
  fn(arg, 0, n);
  while (atomic_load_explicit(&done, memory_order_acquire) < n - 1) relax();
}
