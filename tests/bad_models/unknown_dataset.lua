-- A misspelt data set name: refused at the model declaration, naming the known sets.
model { method = "mle-gd", data = "25gausians" } --< error
