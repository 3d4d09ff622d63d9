-- A small convolutional MLE model for parity tests of the conv lowering
-- (the real image models are in models/): the image energy with base width 4
-- on Fashion-MNIST pictures padded to 32x32, 2 Langevin steps.
model {
  name = "conv_mle",
  method = "mle-langevin",
  data = "fashion-mnist",
  batch = 4,
  iters = 100,
  energy = nets.image_energy { base = 4, act = "silu" },
  K = 2,
}
