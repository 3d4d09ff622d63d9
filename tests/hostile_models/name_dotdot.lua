-- Hostile: the model name becomes out/<name>: '../../x' escaped the output folder.
-- expect: option 'name' of model
model { --< error
  name = "../../x",
  method = "mle-langevin",
  data = "25gaussians",
}
