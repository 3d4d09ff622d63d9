/* dist.h for a trainer built without MPI: one process, rank 0 of 1. */
#include <string.h>

#include "dist.h"

int dist_init(int *argc, char ***argv, int timeout_s, char *err, size_t errlen) { return 0; }
int dist_rank(void) { return 0; }
int dist_size(void) { return 1; }
int dist_local_rank(void) { return 0; }
int dist_timeout(void) { return 0; }
const char *dist_kind(void) { return "single process"; }
int dist_allreduce_mean(float *buf, int n, char *err, size_t errlen) { return 0; }
int dist_any(int flag) { return flag != 0; }
void dist_gather(const float *local, int n, float *global) { memcpy(global, local, (size_t)n * sizeof(float)); }
int dist_bcast_int(int v) { return v; }
void dist_bcast(void *buf, int bytes) {}
void dist_finalize(void) {}
void dist_traffic(long *bytes, long *calls) { *bytes = *calls = 0; }
void dist_count(long bytes, long calls) {}
