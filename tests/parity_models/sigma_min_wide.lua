-- Parity fixture (tests/test_parity.c): sigma_min of dG/dz for a latent wider
-- than 2 (methods.md §3a) inside a compiled trainer: the Jacobi eigen-solve
-- (d = 4), block-1 LOBPCG and the shifted power iteration, each with its
-- reverse-over-forward phi-gradient, maximised by one generator.
local sv = require "sv"
local entries = require "entries"
model {
  name = "sigma_min_wide",
  method = "custom",
  data = "25gaussians",
  batch = 16,
  build = function()
    local B = 16
    local G = nets.toy_generator{ width = 32, latent = 4, out = 6 }.build("generator")
    local E = nets.toy_energy{ width = 8 }.build("energy")
    local opt = adam{ lr = 1e-3 }
    phase("generator", function(p)
      local z = ebm.normal({B, 4})
      local exact = ebm.mean(sv.log_sigma_min(G, z, { algorithm = "jacobi" }))
      local lobpcg = ebm.mean(sv.log_sigma_min(G, z, { algorithm = "lobpcg", iters = 2 }))
      local power = ebm.mean(sv.log_sigma_min(G, z, { algorithm = "power", iters = 3 }))
      local x = G(z, "train")                     -- keeps the BN running statistics moving
      p:minimize(0.01 * ebm.mean(x * x) - exact - lobpcg - power, G.params, opt)
      p:log("log_sigma_min", exact)
      p:log("lobpcg", lobpcg)
      p:log("power", power)
    end)
    entries.sample(B, 2, function(xs)
      phase("sample", function(p) p:set(xs, ebm.slice(G(ebm.normal({B, 4}), "eval"), 2, 1, 2)) end)
    end)
    entries.energy(E, 2)
  end,
}
