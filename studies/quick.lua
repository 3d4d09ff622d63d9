-- A quick study (about a minute on 2 cores): three methods on two toy sets,
-- two seeds, scored after 300 and 600 iterations. Far too short to fit the
-- data; it shows the machinery: `ebmforge study studies/quick.lua -j 2`.
study {
  name = "quick",
  models = { "../models/toy_ebm_lb.lua", "../models/toy_bb.lua", "../models/toy_mle.lua" },
  data = { "25gaussians", "moons" },
  seeds = { 1, 2 },
  budgets = { 300, 600 },
  ckpt_every = 100,
  log_every = 50,
}
