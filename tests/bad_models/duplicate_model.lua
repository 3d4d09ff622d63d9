-- Bad input: two model{...} declarations in one file.
model { name = "first", method = "mle-gd", data = "25gaussians" }
model { name = "second", method = "mle-gd", data = "25gaussians" } --< error
