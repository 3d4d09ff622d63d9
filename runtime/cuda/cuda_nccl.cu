/* The GPUs of a data-parallel CUDA trainer (ebmforge build --mpi-ranks R):
 * one rank per GPU, gradients averaged by NCCL on the trainer's stream.
 * Linked only into such trainers (with Open MPI, NCCL and runtime/dist/dist_mpi.c).
 *
 * MPI bootstraps: rank and size come from dist.h, rank 0's ncclUniqueId is
 * broadcast over MPI, and the device is the rank's index on its node modulo
 * the GPUs it sees (srun --gpus-per-task=1 leaves one: device 0).
 *
 * The all-reduce is inside the captured CUDA Graph of the training step: NCCL
 * supports stream capture (2.9 and later), every rank captures the same
 * sequence at the same step, and each replay then runs the step's kernels and
 * its all-reduces in one launch, as on one GPU. (All-reducing between captured
 * pieces would need a graph per phase and a host round trip per phase.)
 *
 * A dead or hung peer must not block the others forever: the communicator is
 * non-blocking, every NCCL call and every wait for the stream polls with the
 * --comm-timeout (dist_timeout); past it, or on an asynchronous NCCL error,
 * the communicator is aborted (ncclCommAbort) and the rank exits 4 without
 * MPI_Finalize, as dist_mpi.c does, so that mpirun or srun ends the job. */
#include <nccl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cuda_rt.h"

extern "C" {
#include "dist.h"
#include "xalloc.h"
}

typedef struct {
  ncclComm_t comm;
  long step_bytes, step_calls; /* the all-reduces of one training step (counted when captured) */
} Nccl;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* the end of this rank: the others learn of it from mpirun */
static void give_up(ncclComm_t comm, const char *why, const char *what) {
  fprintf(stderr, "rank %d: %s in %s; aborting NCCL and giving up\n", dist_rank(), why, what);
  if (comm) ncclCommAbort(comm);
  _exit(4);
}

/* Waits until the communicator's last call has finished (non-blocking calls
 * may return ncclInProgress), or gives up after `timeout` seconds (0: never).
 * 0, or 1 with d->s->err. */
static int settle_within(CudaDev *d, ncclComm_t comm, ncclResult_t r, const char *what, int timeout) {
  const double t0 = now();
  while (r == ncclInProgress) {
    if (timeout > 0 && now() - t0 > timeout) give_up(comm, "no answer from the other ranks", what);
    usleep(100);
    if (ncclCommGetAsyncError(comm, &r) != ncclSuccess) break;
  }
  if (r == ncclSuccess) return 0;
  if (r == ncclRemoteError || r == ncclSystemError) give_up(comm, ncclGetErrorString(r), what);
  snprintf(d->s->err, sizeof d->s->err, "NCCL error in %s at step %ld: %s", what, d->host_step, ncclGetErrorString(r));
  return 1;
}

static int settle(CudaDev *d, ncclComm_t comm, ncclResult_t r, const char *what) {
  return settle_within(d, comm, r, what, dist_timeout());
}

/* cudaStreamSynchronize(st), bounded: the stream holds all-reduces. 0, or 1 with d->s->err */
static int drain(CudaDev *d, ncclComm_t comm, cudaStream_t st, const char *what) {
  const double t0 = now();
  const int timeout = dist_timeout();
  cudaError_t e;
  while ((e = cudaStreamQuery(st)) == cudaErrorNotReady) {
    ncclResult_t r;
    if (ncclCommGetAsyncError(comm, &r) == ncclSuccess && r != ncclSuccess && r != ncclInProgress)
      give_up(comm, ncclGetErrorString(r), what);
    if (timeout > 0 && now() - t0 > timeout) give_up(comm, "no answer from the other ranks", what);
    usleep(20);
  }
  return cuda_ok(d, e, what);
}

/* One all-reduce before the step is captured: NCCL connects the ranks at a
 * communicator's first collectives, which is better done outside a capture. */
static int warm_up(CudaDev *d, ncclComm_t comm) {
  float *x = NULL;
  cudaStream_t st = NULL;
  const char *what = "the first all-reduce (connecting the ranks)";
  int bad =
      cuda_ok(d, cudaMalloc(&x, sizeof(float)), "cudaMalloc (the first all-reduce)") ||
      cuda_ok(d, cudaMemset(x, 0, sizeof(float)), "cudaMemset (the first all-reduce)") ||
      cuda_ok(d, cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "cudaStreamCreate (the first all-reduce)") ||
      settle(d, comm, ncclAllReduce(x, x, 1, ncclFloat, ncclSum, comm, st), what) || drain(d, comm, st, what);
  if (st) cudaStreamDestroy(st);
  cudaFree(x);
  return bad;
}

static int nccl_open(CudaDev *d) {
  int count = 0, dev;
  if (cuda_ok(d, cudaGetDeviceCount(&count), "cudaGetDeviceCount")) return 1;
  dev = dist_local_rank() % count;
  if (cuda_ok(d, cudaSetDevice(dev), "cudaSetDevice (this rank's GPU)")) return 1;
  if (dist_size() <= 1) return 0; /* sample, energy, eval: one process, no communicator */
  ncclUniqueId id;
  if (dist_rank() == 0) {
    ncclResult_t r = ncclGetUniqueId(&id);
    if (r != ncclSuccess) give_up(NULL, ncclGetErrorString(r), "ncclGetUniqueId");
  }
  dist_bcast(&id, sizeof id);
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  Nccl *n = (Nccl *)xcalloc(1, sizeof *n, "the NCCL state");
  ncclResult_t r = ncclCommInitRankConfig(&n->comm, dist_size(), id, dist_rank(), &config);
  if (settle(d, n->comm, r, "ncclCommInitRankConfig (joining the other ranks' GPUs)") || warm_up(d, n->comm)) {
    ncclCommAbort(n->comm);
    free(n);
    return 1;
  }
  d->dist = n;
  return 0;
}

/* after entry e: its stream may hold all-reduces (the training step's) */
static int nccl_wait(CudaDev *d, int e, const char *what) {
  Nccl *n = (Nccl *)d->dist;
  if (!n) return cuda_ok(d, cudaStreamSynchronize(d->stream), what);
  if (drain(d, n->comm, d->stream, what)) return 1;
  if (e == 0) dist_count(n->step_bytes, n->step_calls);
  return 0;
}

/* Unbounded, like MPI_Finalize: rank 0 may still be drawing its plots. A
 * peer that died is an NCCL error (give_up), or mpirun ends the job. */
static void nccl_close(CudaDev *d) {
  Nccl *n = (Nccl *)d->dist;
  if (!settle_within(d, n->comm, ncclCommFinalize(n->comm), "ncclCommFinalize", 0))
    ncclCommDestroy(n->comm);
  else
    ncclCommAbort(n->comm);
  free(n);
  d->dist = NULL;
}

const CudaDist cuda_nccl = {nccl_open, nccl_wait, nccl_close};

static __global__ void k_scale(float *x, int n, float by) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) x[i] = x[i] * by;
}

int cuda_allreduce_mean(CudaDev *d, float *buf, int n) {
  Nccl *c = (Nccl *)d->dist;
  if (!c) {
    snprintf(d->s->err, sizeof d->s->err, "a data-parallel step without the other ranks (launch with mpirun)");
    return 1;
  }
  if (settle(d, c->comm, ncclAllReduce(buf, buf, n, ncclFloat, ncclSum, c->comm, d->stream),
             "ncclAllReduce (the gradients)"))
    return 1;
  /* not ncclAvg, which scales before summing: the same rounding as the CPU trainer's sum, then times 1/size */
  const int blocks = (n + 255) / 256 < 1024 ? (n + 255) / 256 : 1024;
  k_scale<<<blocks, 256, 0, d->stream>>>(buf, n, 1.0f / (float)dist_size());
  c->step_bytes += (long)n * sizeof(float);
  c->step_calls++;
  return cuda_launched(d, "k_scale (averaging the gradients)");
}
