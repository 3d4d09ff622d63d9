/* The processes of a data-parallel run (`ebmforge build --mpi-ranks R`).
 * Two implementations, one linked per trainer: runtime/dist/dist_single.c
 * (one process, no dependency) and runtime/dist/dist_mpi.c (Open MPI). */
#ifndef EBM_DIST_H
#define EBM_DIST_H

#include <stddef.h>

/* Joins the run (MPI_Init); `timeout_s` bounds how long a collective may wait
 * for the other ranks before this one gives up (a peer died or hangs). 0 or -1. */
int dist_init(int *argc, char ***argv, int timeout_s, char *err, size_t errlen);
int dist_rank(void);
int dist_size(void);
/* this rank's index among the ranks on its node (a GPU trainer's device is this modulo the count) */
int dist_local_rank(void);
/* the --comm-timeout of dist_init (0: none): a GPU trainer's own waits use it too */
int dist_timeout(void);
const char *dist_kind(void); /* "single process" or the MPI library's version */
/* buf <- the mean over the ranks of buf (sum, then times 1/size). 0 or -1 with err. */
int dist_allreduce_mean(float *buf, int n, char *err, size_t errlen);
/* 1 when any rank passes a non-zero flag (all ranks get the same answer). */
int dist_any(int flag);
/* rank 0 receives every rank's n floats, rank order, in global (size * n). */
void dist_gather(const float *local, int n, float *global);
/* the value of rank 0 on every rank */
int dist_bcast_int(int v);
/* rank 0's `bytes` bytes at buf on every rank */
void dist_bcast(void *buf, int bytes);
void dist_finalize(void);
/* payload bytes this rank has sent into collectives so far, and how many it joined */
void dist_traffic(long *bytes, long *calls);
/* counts collectives run outside this file (NCCL on the GPU) into dist_traffic */
void dist_count(long bytes, long calls);

#endif
