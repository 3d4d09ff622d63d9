/* A small hand-written Model (what `ebmforge build` would emit as tables) for
 * the checkpoint fuzzer and its seed: two parameters under one Adam, a buffer. */
#ifndef EBM_FUZZ_TINY_MODEL_H
#define EBM_FUZZ_TINY_MODEL_H

#include "model.h"

static const ModelVar tiny_vars[] = {
  {"net.w", MODEL_PARAM, 2, {2, 3}, 6, 0, 0.0, 0.1, 0},
  {"net.b", MODEL_PARAM, 1, {3}, 3, 0, 0.0, 0.0, 0},
  {"buf", MODEL_BUFFER, 2, {4, 2}, 8, 0, 0.0, 1.0, -1},
};
static const ModelOpt tiny_opts[] = {{"adam", 1e-3, 0.9, 0.999, 1e-8}};
static const Model tiny_model = {
  .name = "tiny", .method = "custom", .data = "8gaussians", .fingerprint = "0123456789abcdef",
  .n_vars = 3, .vars = tiny_vars, .n_opts = 1, .opts = tiny_opts,
};

#endif
