-- Bad input: a custom method whose build multiplies [B, 2] data by a
-- [3, 4] parameter (inner sizes 2 and 3 differ).
model {
  name = "bad_matmul",
  method = "custom",
  data = "25gaussians",
  batch = 16,
  build = function(cfg)
    local W = ebm.param("W", {3, 4}, {"normal", 0, 1})
    local opt = adam{ lr = 1e-3 }
    phase("energy", function(p)
      local x = ebm.data({cfg.batch, 2})
      local h = ebm.matmul(x, W) --< error
      local loss = ebm.mean(h)
      p:minimize(loss, {W}, opt)
      p:log("loss", loss)
    end)
  end,
}
