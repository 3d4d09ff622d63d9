-- The papers' toy study: every toy method on the nine toy sets, 5 seeds,
-- scored on the way to the papers' budgets: 150k iterations for the
-- bound and MLE methods, 100k for the diffusion methods (bb-sv-diff,
-- bb-mi-diff, DDAEBM). Long: some 164 CPU hours, 3.4 days with -j 2 on this
-- project's 2-core machine (docs/studies.md); `ebmforge study studies/papers_toy.lua` can be stopped and
-- started again at any moment (finished stages are kept).
local bound = { 20000, 50000, 100000, 150000 }
local diffusion = { 20000, 50000, 100000 }
study {
  name = "papers_toy",
  models = {
    { file = "../models/toy_mle.lua", budgets = bound },          -- mle-langevin
    { file = "../models/toy_mle_gd.lua", budgets = bound },       -- mle-gd
    { file = "../models/toy_ebm0gp.lua", budgets = bound },       -- ebm-0gp
    { file = "../models/toy_ebm_lb.lua", budgets = bound },       -- ebm-lb
    { file = "../models/toy_bb.lua", budgets = bound },           -- bb-sv-gp
    { file = "../models/toy_bb_mi.lua", budgets = bound },        -- bb-mi-gp
    { file = "../models/toy_bb_sv_diff.lua", budgets = diffusion },
    { file = "../models/toy_bb_mi_diff.lua", budgets = diffusion },
    { file = "../models/toy_ddaebm.lua", budgets = diffusion },
  },
  data = { "25gaussians", "8gaussians", "swissroll", "moons", "circles", "rings", "pinwheel", "2spirals", "checkerboard" },
  seeds = { 1, 2, 3, 4, 5 },
  budgets = bound,
  ckpt_every = 5000,
  log_every = 500,
}
