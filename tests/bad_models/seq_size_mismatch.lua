-- Bad input: consecutive layers of nn.seq disagree on the feature count
-- (64 out, 32 in); the error points at the layer that gets the wrong input.
model {
  name = "bad_seq",
  method = "custom",
  data = "25gaussians",
  batch = 16,
  build = function(cfg)
    local f = nn.seq{
      nn.linear(2, 64),
      nn.silu(),
      nn.linear(32, 1), --< error
    }
    local opt = adam{ lr = 1e-3 }
    phase("energy", function(p)
      local loss = ebm.mean(f(ebm.data({cfg.batch, 2})))
      p:minimize(loss, f.params, opt)
      p:log("loss", loss)
    end)
  end,
}
