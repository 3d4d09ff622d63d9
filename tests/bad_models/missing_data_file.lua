-- A data file that is not there (a .npy path is relative to the model file).
model { method = "mle-langevin", data = "no_such_points.npy" } --< error
