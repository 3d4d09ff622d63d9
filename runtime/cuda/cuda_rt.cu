#include "cuda_rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADAM_QUALIFIER static __host__ __device__ __forceinline__
extern "C" {
#include "adam.h"
#include "data.h"
#include "xalloc.h"
}

enum { WORKSPACE = 4 << 20 }; /* cuBLAS workspace bytes: set, so capture never allocates */

static size_t align256(size_t x) { return (x + 255) & ~(size_t)255; }

/* ---------- errors ---------- */

int cuda_ok(CudaDev *d, cudaError_t e, const char *what) {
  if (e == cudaSuccess) return 0;
  snprintf(d->s->err, sizeof d->s->err, "CUDA error in %s at step %ld: %s", what, d->host_step, cudaGetErrorString(e));
  return 1;
}

int cuda_blas_ok(CudaDev *d, cublasStatus_t st, const char *what) {
  if (st == CUBLAS_STATUS_SUCCESS) return 0;
  snprintf(d->s->err, sizeof d->s->err, "cuBLAS error in %s at step %ld: %s", what, d->host_step,
           cublasGetStatusString(st));
  return 1;
}

int cuda_launched(CudaDev *d, const char *what) { return cuda_ok(d, cudaGetLastError(), what); }

/* ---------- small kernels every model uses ---------- */

static __global__ void k_log(const float *x, double *logs, int k, DevCtr *c, int check) {
  float v = x[0];
  logs[k] = v;
  if (!isfinite(v)) atomicCAS(&c->err, 0, 1 + 3 * check + (isinf(v) ? 2 : 1));
}

static __global__ void k_finite(const float *g, int n, DevCtr *c, int check) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    if (!isfinite(g[i])) atomicCAS(&c->err, 0, 1 + 3 * check);
}

static __global__ void k_tick(long long *opt_t, int o) { opt_t[o]++; }

static __global__ void k_bump(DevCtr *c) { c->step++; }

/* runtime/adam.c's update, with the step count read from the device */
static __global__ void k_adam(float *p, float *m, float *v, const float *g, int n, const long long *opt_t, int o,
                              double lr, double lr_min, long horizon, double b1, double b2, double eps) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  double t = (double)opt_t[o], sbc2 = sqrt(1 - pow(b2, t));
  double step = adam_lr(lr, lr_min, horizon, (long)opt_t[o]) / (1 - pow(b1, t));
  adam_update_f32(&p[i], &m[i], &v[i], g[i], b1, b2, eps, step, sbc2);
}

static __global__ void k_bias(float *C, const float *bias, int m, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < m * n) C[i] = C[i] + bias[i % m];
}

static int blocks(int n) { return (n + 255) / 256 < 1024 ? (n + 255) / 256 : 1024; }

int cuda_log(CudaDev *d, const float *x, int k, int check) {
  k_log<<<1, 1, 0, d->stream>>>(x, d->logs, k, d->ctr, check);
  return cuda_launched(d, "k_log (a log tap)");
}

int cuda_check_finite(CudaDev *d, const float *g, int n, int check) {
  k_finite<<<blocks(n), 256, 0, d->stream>>>(g, n, d->ctr, check);
  return cuda_launched(d, "k_finite (a gradient check)");
}

int cuda_opt_tick(CudaDev *d, int o) {
  k_tick<<<1, 1, 0, d->stream>>>(d->opt_t, o);
  return cuda_launched(d, "k_tick (an optimiser's step count)");
}

int cuda_adam(CudaDev *d, float *p, float *m, float *v, const float *g, int n, int o, double lr, double lr_min,
              long horizon, double b1, double b2, double eps) {
  k_adam<<<(n + 255) / 256, 256, 0, d->stream>>>(p, m, v, g, n, d->opt_t, o, lr, lr_min, horizon, b1, b2, eps);
  return cuda_launched(d, "k_adam");
}

int cuda_copy(CudaDev *d, float *dst, const float *src, int n, const char *what) {
  return cuda_ok(d, cudaMemcpyAsync(dst, src, (size_t)n * sizeof(float), cudaMemcpyDeviceToDevice, d->stream), what);
}

/* ---------- GEMM with a bias epilogue ---------- */

static const float one = 1.0f, zero = 0.0f;

/* CUBLAS_COMPUTE_32F: float accumulation, never TF32 (that is CUBLAS_COMPUTE_32F_FAST_TF32) */
static cublasStatus_t lt_gemm_bias(CudaDev *d, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                                   const float *A, int lda, const float *B, int ldb, const float *bias, float *C) {
  cublasLtMatmulDesc_t op = NULL;
  cublasLtMatrixLayout_t la = NULL, lb = NULL, lc = NULL;
  cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_BIAS;
  cublasStatus_t st = cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  if (!st) st = cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta);
  if (!st) st = cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb);
  if (!st) st = cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi);
  if (!st) st = cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias);
  if (!st) st = cublasLtMatrixLayoutCreate(&la, CUDA_R_32F, ta == CUBLAS_OP_N ? m : k, ta == CUBLAS_OP_N ? k : m, lda);
  if (!st) st = cublasLtMatrixLayoutCreate(&lb, CUDA_R_32F, tb == CUBLAS_OP_N ? k : n, tb == CUBLAS_OP_N ? n : k, ldb);
  if (!st) st = cublasLtMatrixLayoutCreate(&lc, CUDA_R_32F, m, n, m);
  if (!st)
    st = cublasLtMatmul(d->lt, op, &one, A, la, B, lb, &zero, C, lc, C, lc, NULL, d->workspace, WORKSPACE, d->stream);
  if (lc) cublasLtMatrixLayoutDestroy(lc);
  if (lb) cublasLtMatrixLayoutDestroy(lb);
  if (la) cublasLtMatrixLayoutDestroy(la);
  if (op) cublasLtMatmulDescDestroy(op);
  return st;
}

int cuda_gemm_bias(CudaDev *d, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const float *A, int lda,
                   const float *B, int ldb, const float *bias, float *C, const char *what) {
  if (lt_gemm_bias(d, ta, tb, m, n, k, A, lda, B, ldb, bias, C) == CUBLAS_STATUS_SUCCESS) return 0;
  cudaGetLastError(); /* cuBLASLt declined (no algorithm for these shapes): the same sum in two steps */
  if (cuda_blas_ok(d, cublasSgemm(d->blas, ta, tb, m, n, k, &one, A, lda, B, ldb, &zero, C, m), what)) return 1;
  k_bias<<<(m * n + 255) / 256, 256, 0, d->stream>>>(C, bias, m, n);
  return cuda_launched(d, what);
}

/* ---------- data batches ---------- */

/* One DATA node's draw: the host function of a graph keeps a pointer to it. */
struct DataSlot {
  CudaDev *d;
  float *host; /* pinned */
  size_t cap;
  int B, ranks; /* draws ranks * B rows */
  uint32_t stream, iter;
};

static void CUDART_CB draw_batch(void *p) {
  DataSlot *sl = (DataSlot *)p;
  CudaDev *d = sl->d;
  if (!d->s->data ||
      data_sample(d->s->data, sl->host, sl->B * sl->ranks, d->s->seed, sl->stream, sl->iter, (uint32_t)d->host_step))
    d->data_failed = 1;
}

int cuda_data(CudaDev *d, float *dst, int B, int cols, uint32_t stream, uint32_t iter, int ranks) {
  size_t bytes = (size_t)B * cols * sizeof(float), drawn = bytes * ranks;
  if (d->cursor == d->n_slots) {
    d->slots = (DataSlot **)xrealloc(d->slots, (d->n_slots + 1) * sizeof *d->slots, "data slots");
    d->slots[d->n_slots++] = (DataSlot *)xcalloc(1, sizeof(DataSlot), "a data slot");
  }
  DataSlot *sl = d->slots[d->cursor++];
  if (sl->cap < drawn) {
    cudaFreeHost(sl->host);
    sl->host = NULL;
    sl->cap = 0;
    if (cuda_ok(d, cudaMallocHost(&sl->host, drawn), "cudaMallocHost (a data batch)")) return 1;
    sl->cap = drawn;
  }
  sl->d = d;
  sl->B = B;
  sl->ranks = ranks;
  sl->stream = stream;
  sl->iter = iter;
  if (cuda_ok(d, cudaLaunchHostFunc(d->stream, draw_batch, sl), "cudaLaunchHostFunc (a data batch)")) return 1;
  const char *rows = (const char *)sl->host + (ranks > 1 ? (size_t)d->s->rank * bytes : 0);
  return cuda_ok(d, cudaMemcpyAsync(dst, rows, bytes, cudaMemcpyHostToDevice, d->stream), "copying a data batch");
}

/* ---------- the device state ---------- */

static int copy_vars(CudaDev *d, cudaMemcpyKind kind) {
  const CudaLayout *lay = d->lay;
  for (int v = 0; v < model.n_vars; v++) {
    size_t bytes = (size_t)model.vars[v].numel * sizeof(float);
    float *host[3] = {d->s->vars[v], d->s->adam_m[v], d->s->adam_v[v]};
    long off[3] = {lay->var_off[v], lay->m_off[v], lay->v_off[v]};
    for (int k = 0; k < 3; k++) {
      if (!host[k] || off[k] < 0) continue;
      cudaError_t e = kind == cudaMemcpyHostToDevice ? cudaMemcpyAsync(d->F + off[k], host[k], bytes, kind, d->stream)
                                                     : cudaMemcpyAsync(host[k], d->F + off[k], bytes, kind, d->stream);
      if (cuda_ok(d, e, kind == cudaMemcpyHostToDevice ? "uploading the state" : "downloading the state")) return 1;
    }
  }
  /* the run's hyper-parameters, as the kernels read them (float); fixed for a run, so only uploaded */
  if (kind == cudaMemcpyHostToDevice && model.n_hparams) {
    float hp[256]; /* IR_MAX_HPARAMS */
    for (int k = 0; k < model.n_hparams && k < 256; k++) hp[k] = (float)d->s->hparams[k];
    if (cuda_ok(d, cudaMemcpyAsync(d->F + lay->hp_off, hp, model.n_hparams * sizeof(float), kind, d->stream),
                "uploading the hyper-parameters") ||
        cuda_ok(d, cudaStreamSynchronize(d->stream), "uploading the hyper-parameters"))
      return 1;
  }
  /* pageable host memory: an upload is staged before the call returns, a download done when it returns */
  long long t[64];
  int n = model.n_opts;
  for (int o = 0; o < n; o++) t[o] = d->s->opt_t[o];
  void *dst = kind == cudaMemcpyHostToDevice ? (void *)d->opt_t : (void *)t;
  const void *src = kind == cudaMemcpyHostToDevice ? (const void *)t : (const void *)d->opt_t;
  if (n && cuda_ok(d, cudaMemcpyAsync(dst, src, n * sizeof(long long), kind, d->stream), "copying the optimiser steps"))
    return 1;
  if (cuda_ok(d, cudaStreamSynchronize(d->stream), "copying the state")) return 1;
  for (int o = 0; o < n; o++) d->s->opt_t[o] = (long)t[o];
  return 0;
}

static CudaDev *open_device(ModelState *s, const CudaLayout *lay) {
  /* every kernel loaded up front: none is first loaded while the step is being captured */
  setenv("CUDA_MODULE_LOADING", "EAGER", 0);
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    snprintf(s->err, sizeof s->err, "no CUDA device (%s); train-cpu runs without one",
             e != cudaSuccess ? cudaGetErrorString(e) : "none found");
    return NULL;
  }
  if (model.n_opts > 64) {
    snprintf(s->err, sizeof s->err, "more than 64 optimisers");
    return NULL;
  }
  CudaDev *d = (CudaDev *)xcalloc(1, sizeof *d, "the GPU state");
  d->s = s;
  d->lay = lay;
  d->dev_step = -1;
  if (lay->dist && lay->dist->open(d)) { /* this rank's GPU first: everything below lives on it */
    free(d);
    return NULL;
  }
  d->head = align256(sizeof(DevCtr) + (model.n_opts + model.n_logs) * 8);
  size_t floats = align256(lay->floats * sizeof(float)), bytes = d->head + floats + WORKSPACE;
  int bad = cuda_ok(d, cudaStreamCreateWithFlags(&d->stream, cudaStreamNonBlocking), "cudaStreamCreate") ||
            cuda_blas_ok(d, cublasCreate(&d->blas), "cublasCreate") ||
            cuda_blas_ok(d, cublasSetMathMode(d->blas, CUBLAS_PEDANTIC_MATH), "cublasSetMathMode (no TF32)") ||
            cuda_blas_ok(d, cublasSetStream(d->blas, d->stream), "cublasSetStream") ||
            cuda_blas_ok(d, cublasLtCreate(&d->lt), "cublasLtCreate") ||
            cuda_ok(d, cudaMalloc(&d->base, bytes), "cudaMalloc (the arena)") ||
            cuda_ok(d, cudaMemsetAsync(d->base, 0, bytes, d->stream), "cudaMemset (the arena)") ||
            cuda_ok(d, cudaMallocHost(&d->pinned, d->head), "cudaMallocHost (the logs)");
  if (!bad) {
    d->ctr = (DevCtr *)d->base;
    d->opt_t = (long long *)(d->base + sizeof(DevCtr));
    d->logs = (double *)(d->base + sizeof(DevCtr) + model.n_opts * 8);
    d->F = (float *)(d->base + d->head);
    d->workspace = d->base + d->head + floats;
    bad = cuda_blas_ok(d, cublasSetWorkspace(d->blas, d->workspace, WORKSPACE), "cublasSetWorkspace") ||
          copy_vars(d, cudaMemcpyHostToDevice);
  }
  s->device = d;
  if (bad) {
    char err[sizeof s->err];
    memcpy(err, s->err, sizeof err);
    cuda_release(s);
    memcpy(s->err, err, sizeof err);
    return NULL;
  }
  return d;
}

extern "C" void cuda_release(ModelState *s) {
  CudaDev *d = (CudaDev *)s->device;
  if (!d) return;
  if (d->stream) cudaStreamSynchronize(d->stream);
  if (d->graph) cudaGraphExecDestroy(d->graph);
  if (d->dist) d->lay->dist->close(d); /* after the graph, whose all-reduces use the communicator */
  for (int i = 0; i < d->n_slots; i++) {
    cudaFreeHost(d->slots[i]->host);
    free(d->slots[i]);
  }
  free(d->slots);
  cudaFree(d->base);
  cudaFreeHost(d->pinned);
  if (d->blas) cublasDestroy(d->blas);
  if (d->lt) cublasLtDestroy(d->lt);
  if (d->stream) cudaStreamDestroy(d->stream);
  free(d);
  s->device = NULL;
}

extern "C" int cuda_pull(ModelState *s) {
  CudaDev *d = (CudaDev *)s->device;
  if (!d) return 0;
  return cuda_ok(d, cudaStreamSynchronize(d->stream), "synchronising before a checkpoint") ||
                 copy_vars(d, cudaMemcpyDeviceToHost)
             ? -1
             : 0;
}

/* ---------- entries ---------- */

/* Everything an entry does on the stream (captured or not): reset the check
 * flag, its phases, the step counter (training), the head back to the host. */
static int sequence(CudaDev *d, int (*body)(CudaDev *), int bump) {
  if (cuda_ok(d, cudaMemsetAsync(&d->ctr->err, 0, sizeof(int), d->stream), "resetting the check flag")) return 1;
  int rc = body(d);
  if (rc) return rc;
  if (bump) {
    k_bump<<<1, 1, 0, d->stream>>>(d->ctr);
    if (cuda_launched(d, "k_bump (the step counter)")) return 1;
  }
  return cuda_ok(d, cudaMemcpyAsync(d->pinned, d->base, d->head, cudaMemcpyDeviceToHost, d->stream),
                 "copying the logs back");
}

/* Relaxed: a first data batch allocates its pinned buffer during the capture */
static int capture(CudaDev *d, int (*body)(CudaDev *)) {
  if (cuda_ok(d, cudaStreamBeginCapture(d->stream, cudaStreamCaptureModeRelaxed), "cudaStreamBeginCapture")) return 1;
  int rc = sequence(d, body, 1);
  cudaGraph_t g = NULL;
  cudaError_t e = cudaStreamEndCapture(d->stream, &g);
  if (!rc) rc = cuda_ok(d, e, "capturing the training step");
  if (!rc) rc = cuda_ok(d, cudaGraphInstantiate(&d->graph, g, 0), "cudaGraphInstantiate (the training step)");
  if (g) cudaGraphDestroy(g);
  d->kept = d->cursor; /* the graph's host functions keep their data slots */
  return rc;
}

int cuda_entry(ModelState *s, const CudaLayout *lay, int e, long step, int (*body)(CudaDev *d)) {
  CudaDev *d = s->device ? (CudaDev *)s->device : open_device(s, lay);
  if (!d) return 1;
  const ModelEntry *me = &model.entries[e];
  d->host_step = step;
  d->data_failed = 0;
  d->cursor = d->kept;
  if (d->dev_step != step || d->dev_seed != s->seed) { /* otherwise the counter already holds it */
    DevCtr c = {s->seed, (unsigned)step, 0, s->rank};
    if (cuda_ok(d, cudaMemcpyAsync(d->ctr, &c, sizeof c, cudaMemcpyHostToDevice, d->stream),
                "setting the Philox counter"))
      return 1;
    d->dev_seed = s->seed;
  }
  d->dev_step = -1;
  int rc = 0;
  if (e == 0) {
    if (!d->graph) rc = capture(d, body);
    if (!rc) rc = cuda_ok(d, cudaGraphLaunch(d->graph, d->stream), "cudaGraphLaunch (the training step)");
  } else {
    if (me->in_var >= 0)
      rc = cuda_ok(
          d,
          cudaMemcpyAsync(d->F + lay->var_off[me->in_var], s->vars[me->in_var],
                          (size_t)model.vars[me->in_var].numel * sizeof(float), cudaMemcpyHostToDevice, d->stream),
          "uploading an entry's input");
    if (!rc) rc = sequence(d, body, 0);
    if (!rc && me->out_var >= 0)
      rc = cuda_ok(
          d,
          cudaMemcpyAsync(s->vars[me->out_var], d->F + lay->var_off[me->out_var],
                          (size_t)model.vars[me->out_var].numel * sizeof(float), cudaMemcpyDeviceToHost, d->stream),
          "downloading an entry's output");
  }
  char what[80];
  snprintf(what, sizeof what, "the %s entry", me->name);
  if (!rc) rc = lay->dist ? lay->dist->wait(d, e, what) : cuda_ok(d, cudaStreamSynchronize(d->stream), what);
  if (rc) return rc;
  d->dev_step = e == 0 ? step + 1 : step;
  const DevCtr *hc = (const DevCtr *)d->pinned;
  const long long *t = (const long long *)(d->pinned + sizeof(DevCtr));
  for (int o = 0; o < model.n_opts; o++) s->opt_t[o] = (long)t[o];
  memcpy(s->logs, d->pinned + sizeof(DevCtr) + model.n_opts * 8, model.n_logs * sizeof(double));
  if (d->data_failed) {
    snprintf(s->err, sizeof s->err, "the data could not be sampled");
    return 1;
  }
  if (hc->err) {
    int k = (hc->err - 1) / 3, kind = (hc->err - 1) % 3;
    snprintf(s->err, sizeof s->err, "%s%s", k < lay->n_checks ? lay->checks[k] : "a check failed",
             kind == 0   ? ""
             : kind == 1 ? " NaN"
                         : " Inf");
    return 3;
  }
  return 0;
}
