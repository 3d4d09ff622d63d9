-- Mode weights (docs/results.md, "Mode weights"): the two single-EBM minimax
-- methods on the unequal-weight mixture (0.6 / 0.3 / 0.1), scored along the
-- way; eval's mode_tv_density / mode_tv_samples say whether the energy's
-- density and the samples weigh the modes as the data do.
-- `ebmforge study studies/mode_weights.lua -j 1` (about 15 minutes on 2 cores).
study {
  name = "mode_weights",
  models = { "../models/toy_bb.lua", "../models/toy_bb_mi.lua" },
  data = { "unequal3" },
  seeds = { 1, 2 },
  budgets = { 5000, 10000, 20000 },
  ckpt_every = 1000,
  log_every = 100,
}
