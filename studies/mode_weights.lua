-- Mode weights (docs/results.md, "Mode weights"): the two single-EBM minimax
-- methods on the unequal-weight mixture (0.6 / 0.3 / 0.1), scored along the
-- way; eval's mode_tv_density / mode_tv_samples say whether the energy's
-- density and the samples weigh the modes as the data do.
-- toy_bb_logdet is bb-sv-gp with the exact entropy log|det J| in place of the
-- bound (a); the "-noc" runs switch bound (c) off (tau = 1e6, a run-time
-- parameter): which term sets the wells' depths. More seeds: add them.
-- `ebmforge study studies/mode_weights.lua -j 2` (about 40 minutes on 2 busy cores).
study {
  name = "mode_weights",
  models = {
    "../models/toy_bb.lua",
    "../models/toy_bb_mi.lua",
    { file = "../models/toy_bb_logdet.lua", label = "bb-sv-gp-logdet" },
    -- bound (c) switched off at run time: relu(lambda P - tau) = 0 for tau = 1e6
    { file = "../models/toy_bb.lua", label = "bb-sv-gp-noc", params = { thre = { 1e6 } } },
    { file = "../models/toy_bb_logdet.lua", label = "bb-sv-gp-logdet-noc", params = { thre = { 1e6 } } },
    { file = "../models/toy_bb_mi.lua", label = "bb-mi-gp-noc", params = { thre = { 1e6 } } },
  },
  data = { "unequal3" },
  seeds = { 1, 2 },
  budgets = { 5000, 10000, 20000 },
  ckpt_every = 1000,
  log_every = 100,
}
