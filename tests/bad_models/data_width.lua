-- Asking the 2-D toy data for 3 columns.
model {
  method = "custom",
  data = "25gaussians",
  build = function(cfg)
    phase("energy", function(p)
      local x = ebm.data({16, 3}) --< error
      p:log("m", ebm.mean(x))
    end)
  end,
}
