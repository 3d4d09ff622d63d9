/* dist.h over MPI (Open MPI: Debian openmpi-bin, libopenmpi-dev).
 *
 * A rank that dies must not leave the others blocked forever in a collective:
 * errors are returned (MPI_ERRORS_RETURN) and reported, and a watchdog thread
 * ends this process when one collective has waited longer than the timeout.
 * Either way the rank exits non-zero without MPI_Finalize, and mpirun (or
 * srun) then terminates the whole job. */
#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"
#include "mono_clock.h"

static int rank, size = 1, local_rank, timeout;
static long sent_bytes, n_calls;
static volatile double waiting_since; /* 0: not inside a collective */
static const char *volatile waiting_in;

static void *watchdog(void *arg) {
  (void)arg;
  for (;;) {
    sleep(1);
    double t = waiting_since;
    if (t > 0 && mono_seconds() - t > timeout) {
      fprintf(stderr, "rank %d: no answer from the other ranks for %d s in %s: a rank died or hangs; giving up\n", rank,
              timeout, waiting_in);
      _exit(4);
    }
  }
  return NULL;
}

static void enter(const char *what, long bytes) {
  waiting_in = what;
  waiting_since = mono_seconds();
  sent_bytes += bytes;
  n_calls++;
}

/* after a collective: a failed one ends this rank with the reason */
static void leave(int rc) {
  waiting_since = 0;
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  fprintf(stderr, "rank %d: %s failed: %s (a peer rank probably died); giving up\n", rank, waiting_in, msg);
  _exit(4);
}

int dist_init(int *argc, char ***argv, int timeout_s, char *err, size_t errlen) {
  int provided;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    snprintf(err, errlen, "MPI_Init failed");
    return -1;
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  /* the ranks sharing this node's memory, hence its GPUs */
  MPI_Comm node;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
    MPI_Comm_rank(node, &local_rank);
    MPI_Comm_free(&node);
  }
  timeout = timeout_s;
  pthread_t t;
  if (timeout > 0 && pthread_create(&t, NULL, watchdog, NULL)) {
    snprintf(err, errlen, "cannot start the watchdog thread");
    return -1;
  }
  return 0;
}

int dist_rank(void) { return rank; }
int dist_size(void) { return size; }
int dist_local_rank(void) { return local_rank; }
int dist_timeout(void) { return timeout; }

const char *dist_kind(void) {
  static char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(v, &len);
  v[strcspn(v, ",\n")] = 0;
  return v;
}

int dist_allreduce_mean(float *buf, int n, char *err, size_t errlen) {
  enter("the gradient all-reduce", (long)n * sizeof(float));
  leave(MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD));
  const float inv = 1.0f / (float)size;
  for (int i = 0; i < n; i++) buf[i] *= inv;
  return 0;
}

int dist_any(int flag) {
  int any = 0;
  enter("the stop-flag all-reduce", sizeof(int));
  leave(MPI_Allreduce(&flag, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD));
  return any;
}

void dist_gather(const float *local, int n, float *global) {
  enter("the checkpoint gather", (long)n * sizeof(float));
  leave(MPI_Gather(local, n, MPI_FLOAT, global, n, MPI_FLOAT, 0, MPI_COMM_WORLD));
}

int dist_bcast_int(int v) {
  enter("a broadcast", sizeof(int));
  leave(MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD));
  return v;
}

void dist_bcast(void *buf, int bytes) {
  enter("a broadcast", bytes);
  leave(MPI_Bcast(buf, bytes, MPI_BYTE, 0, MPI_COMM_WORLD));
}

void dist_finalize(void) { MPI_Finalize(); }

void dist_traffic(long *bytes, long *calls) {
  *bytes = sent_bytes;
  *calls = n_calls;
}

void dist_count(long bytes, long calls) {
  sent_bytes += bytes;
  n_calls += calls;
}
