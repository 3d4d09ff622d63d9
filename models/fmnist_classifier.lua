-- The Fashion-MNIST classifier of FD-FMNIST (methods.md §7.4): two 3x3 convs
-- with max pooling, Linear(3136, 128)-ReLU, Linear(128, 10); cross-entropy,
-- Adam lr 1e-3 betas (0.9, 0.999), batch 128, 5 epochs, fixed seed.
--   train-cpu train --seed 0 --out runs/clf      # about 2,300 iterations
--   train-cpu eval --ckpt runs/clf/ckpt.safetensors             # test accuracy
--   train-cpu fd --ckpt runs/clf/ckpt.safetensors --samples s.npy  # FD-FMNIST of samples
model {
  name = "fmnist_classifier",
  method = "classifier",
  data = "fashion-mnist",
  batch = 128,
  iters = 2343,
  net = nets.fmnist_classifier(),
}
