-- Bad input: ebm.grad of a non-scalar ([B, 1]) output.
model {
  name = "bad_grad",
  method = "custom",
  data = "25gaussians",
  batch = 16,
  build = function(cfg)
    local f = nn.seq{ nn.linear(2, 8), nn.silu(), nn.linear(8, 1) }
    local opt = adam{ lr = 1e-3 }
    phase("energy", function(p)
      local x = ebm.data({cfg.batch, 2})
      local g = ebm.grad(f(x), x) --< error
      local loss = ebm.mean(f(x)) + ebm.mean(g * g)
      p:minimize(loss, f.params, opt)
      p:log("loss", loss)
    end)
  end,
}
