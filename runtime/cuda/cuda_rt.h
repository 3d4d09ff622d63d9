/* The CUDA trainer's runtime: one device arena holding the whole state, a
 * stream, the cuBLAS handle (pedantic math: no TF32), error checks that name
 * the kernel and the step, the training step captured once into a CUDA Graph
 * and replayed, and the state copied between host and device for the shared
 * C trainer (checkpoints, logs, entries). Included by model.cu only (C++). */
#ifndef EBM_CUDA_RT_H
#define EBM_CUDA_RT_H

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <stdint.h>

extern "C" {
#include "model.h"
}

/* The head of the arena: the Philox counter words the kernels read (the step
 * advances on the device, by a kernel in the captured graph), the first failed
 * check, then opt_t[n_opts] (long long) and logs[n_logs] (double). */
typedef struct {
  unsigned long long seed;
  unsigned int step;
  int err;  /* 0, or 1 + 3 * check + (0 not finite, 1 NaN, 2 Inf) */
  int rank; /* data-parallel: this process's rank (its batch rows' Philox indices) */
} DevCtr;

struct CudaDev;

/* How the GPUs of a data-parallel trainer talk (runtime/cuda/cuda_nccl.cu,
 * linked only into trainers built with --mpi-ranks; NULL in the others). */
typedef struct {
  /* before the arena is allocated: selects this rank's GPU and joins the communicator */
  int (*open)(struct CudaDev *d);
  /* instead of cudaStreamSynchronize after entry e: gives up on a dead or hung peer */
  int (*wait)(struct CudaDev *d, int e, const char *what);
  void (*close)(struct CudaDev *d);
} CudaDist;

extern const CudaDist cuda_nccl;

/* Where model.cu placed every variable in the float part of the arena (offsets in floats). */
typedef struct {
  const long *var_off, *m_off, *v_off; /* m_off/v_off: -1 for non-parameters */
  long floats;                         /* variables, moments, the all-reduce buffer and the phases' scratch */
  int n_checks;
  const char *const *checks; /* check k: "phase P: the gradient of V is not finite" or "phase P: L is" */
  const CudaDist *dist;      /* NULL: one process */
  long hp_off;               /* the hyper-parameters (model.n_hparams floats, uploaded with the state) */
} CudaLayout;

struct DataSlot;

typedef struct CudaDev {
  ModelState *s;
  const CudaLayout *lay;
  cudaStream_t stream;
  cublasHandle_t blas;
  cublasLtHandle_t lt; /* GEMMs with a bias epilogue */
  void *workspace;     /* cuBLAS(Lt) workspace, inside the arena */
  char *base;          /* the one device allocation */
  DevCtr *ctr;
  long long *opt_t;
  double *logs;
  float *F;              /* the float part: F + offset */
  size_t head;           /* bytes before F */
  char *pinned;          /* host copy of the head, written at the end of every step */
  cudaGraphExec_t graph; /* the training step, captured on its first call */
  long host_step;        /* the step being run (for data batches and messages) */
  long dev_step;         /* the step the device counter holds, -1 when unknown */
  uint64_t dev_seed;
  struct DataSlot **slots;
  int n_slots, cursor, kept; /* kept: slots owned by the captured graph */
  int data_failed;
  void *dist; /* the CudaDist's state (the NCCL communicator), NULL without one */
} CudaDev;

/* Error checks: on failure they write s->err naming `what` (kernel or call)
 * and the step, and return non-zero. */
int cuda_ok(CudaDev *d, cudaError_t e, const char *what);
int cuda_blas_ok(CudaDev *d, cublasStatus_t st, const char *what);
int cuda_launched(CudaDev *d, const char *what); /* after a kernel launch */

/* A data batch [B, cols] for (stream, iter) at the running step into dst: drawn
 * on the host by data_sample (in a host node when captured), then copied. With
 * ranks > 1 the whole batch [ranks B, cols] is drawn (a toy set shuffles it), and
 * rows [rank B, (rank + 1) B) are this rank's. */
int cuda_data(CudaDev *d, float *dst, int B, int cols, uint32_t stream, uint32_t iter, int ranks);
/* log k <- x[0] (as double); a non-finite value records check `check` */
int cuda_log(CudaDev *d, const float *x, int k, int check);
/* records check `check` if any of g[0..n) is not finite */
int cuda_check_finite(CudaDev *d, const float *g, int n, int check);
/* optimiser o: t += 1 (on the device), then Adam steps on its parameters */
int cuda_opt_tick(CudaDev *d, int o);
/* lr_min, horizon: the cosine schedule of adam_lr (horizon 0: none) */
int cuda_adam(CudaDev *d, float *p, float *m, float *v, const float *g, int n, int o, double lr, double lr_min,
              long horizon, double b1, double b2, double eps);
int cuda_copy(CudaDev *d, float *dst, const float *src, int n, const char *what);
/* Data-parallel (cuda_nccl.cu): buf <- the mean over the ranks of buf, on the stream
 * (sum, then times 1/size, as dist_allreduce_mean on the CPU) */
int cuda_allreduce_mean(CudaDev *d, float *buf, int n);
/* Column-major C[m, n] = op(A) op(B) + bias[m] broadcast along n (cuBLASLt's
 * bias epilogue; where cuBLASLt declines, cublasSgemm and a bias kernel). */
int cuda_gemm_bias(CudaDev *d, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const float *A, int lda,
                   const float *B, int ldb, const float *bias, float *C, const char *what);

/* Runs entry `e` of the model at `step` through body (which launches its
 * phases): the training step (e == 0) as a CUDA Graph replay, other entries
 * directly, uploading their input variable and downloading their output. */
int cuda_entry(ModelState *s, const CudaLayout *lay, int e, long step, int (*body)(CudaDev *d));

/* Model.device_pull and Model.device_release */
extern "C" int cuda_pull(ModelState *s);
extern "C" void cuda_release(ModelState *s);

#endif
