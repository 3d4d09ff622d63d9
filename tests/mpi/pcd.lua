-- Persistent chains (a custom method): the sampler's state carries over from
-- step to step and starts at U[-4, 4]^2, so a data-parallel run must draw
-- each rank's initial rows at their global indices and gather and scatter
-- them through checkpoints. Every batch-sized draw uses cfg.batch.
model {
  name = "pcd", method = "custom", data = "25gaussians", batch = 40, iters = 100, log_every = 1,
  build = function(cfg)
    local B = cfg.batch
    local E = nets.toy_energy{ width = 16, act = "silu" }.build("energy")
    local opt = adam{ lr = 1e-3, betas = {0, 0.9}, eps = 1e-6 }
    local x = ebm.state("chains", {B, 2}, {"uniform", -4, 4})
    phase("chains", function(p)
      local g = ebm.grad(ebm.sum(E(x)), x)
      p:set(x, x - 0.1 * g + 0.01 * ebm.normal({B, 2}))
    end)
    phase("energy", function(p)
      local loss = ebm.mean(E(ebm.data({B, 2}))) - ebm.mean(E(ebm.stop_gradient(x)))
      p:minimize(loss, E.params, opt)
      p:log("loss", loss)
    end)
  end,
}
