-- Bad input: a Lua runtime error inside build (calling an undefined global).
model {
  name = "bad_nil_call",
  method = "custom",
  data = "25gaussians",
  batch = 16,
  build = function(cfg)
    local f = nn.seq{ nn.linear(2, 8), nn.silu(), nn.linear(8, 1) }
    local opt = adam{ lr = 1e-3 }
    phase("energy", function(p)
      local x = ebm.data({cfg.batch, 2})
      local loss = ebm.mean(f(x)) + regulariser(x) --< error
      p:minimize(loss, f.params, opt)
      p:log("loss", loss)
    end)
  end,
}
