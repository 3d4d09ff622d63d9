-- Bad input: an elementwise product of shapes that do not broadcast
-- ([B, 2] times [3]).
model {
  name = "bad_broadcast",
  method = "custom",
  data = "25gaussians",
  batch = 16,
  build = function(cfg)
    local w = ebm.param("w", {3}, 0)
    local opt = adam{ lr = 1e-3 }
    phase("energy", function(p)
      local x = ebm.data({cfg.batch, 2})
      local loss = ebm.mean(x * w) --< error
      p:minimize(loss, {w}, opt)
      p:log("loss", loss)
    end)
  end,
}
