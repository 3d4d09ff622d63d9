-- Bad input: a misspelt layer option (`biass` for `bias`) in a custom build.
model {
  name = "bad_layer_option",
  method = "custom",
  data = "25gaussians",
  batch = 16,
  build = function(cfg)
    local f = nn.seq{
      nn.linear(2, 100, { biass = true }), --< error
      nn.silu(),
      nn.linear(100, 1),
    }
    local opt = adam{ lr = 1e-3 }
    phase("energy", function(p)
      local loss = ebm.mean(f(ebm.data({cfg.batch, 2})))
      p:minimize(loss, f.params, opt)
      p:log("loss", loss)
    end)
  end,
}
