-- A model that goes NaN on purpose (tests/nan_rollback.sh, tests/study_diverged.sh): one
-- parameter w, loss w with Adam at rate 1 (w moves by -1 a step), and a logged
-- sqrt(3.5 + w), NaN from iteration 5 (w = -4).
model {
  name = "rollback", method = "custom", data = "25gaussians", batch = 4,
  build = function(cfg)
    local w = ebm.param("w", {1}, 0)
    local opt = adam{ lr = 1, betas = {0, 0.9}, eps = 1e-8 }
    phase("energy", function(p)
      local headroom = ebm.sqrt(3.5 + ebm.sum(w))
      p:minimize(ebm.sum(w) + 0 * headroom, {w}, opt)
      p:log("w", ebm.sum(w))
      p:log("headroom", headroom)
    end)
  end,
}
