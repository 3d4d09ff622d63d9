#!/usr/bin/python3
"""PyTorch CPU eager at the layer shapes of bench/conv_layers.c, one thread:
conv = F.conv2d, conv_tx = its input gradient and conv_tw = its weight
gradient (aten::convolution_backward, what autograd calls). Best of REPS calls
after one warm-up call, in process CPU time
(time.process_time, as conv_layers.c); one JSON line per layer and op, as conv_layers.c.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_conv_layers.py [REPS [BASE]]   BASE: as conv_layers.c
"""
import json
import sys
import time

import torch

LAYERS = [("e1", 1, 32, 64, 3, 1), ("e2", 64, 32, 64, 4, 2), ("e3", 64, 16, 128, 3, 1), ("e4", 128, 16, 128, 4, 2),
          ("e5", 128, 8, 256, 3, 1), ("e6", 256, 8, 256, 4, 2), ("e7", 256, 4, 512, 3, 1), ("g1", 256, 8, 512, 4, 2),
          ("g2", 128, 16, 256, 4, 2), ("g3", 64, 32, 128, 4, 2), ("g4", 64, 32, 1, 3, 1)]


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    base = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    torch.set_num_threads(1)
    N = 64
    for name, C, H, O, k, S in LAYERS:
        C, O = (c if c == 1 else c * base // 64 for c in (C, O))
        x, w = torch.rand(N, C, H, H) - 0.5, torch.rand(O, C, k, k) - 0.5
        y = torch.nn.functional.conv2d(x, w, None, S, 1)
        HO = y.shape[2]

        def back(mask):
            return lambda: torch.ops.aten.convolution_backward(y, x, w, None, [S, S], [1, 1], [1, 1], False, [0, 0], 1, mask)

        ops = {"conv": lambda: torch.nn.functional.conv2d(x, w, None, S, 1),
               "conv_tx": back([True, False, False]), "conv_tw": back([False, True, False])}
        flops = 2.0 * N * O * HO * HO * C * k * k
        for op, f in ops.items():
            best = 1e30
            with torch.no_grad():
                for r in range(reps + 1):
                    t = time.process_time()
                    f()
                    t = time.process_time() - t
                    if r > 0:
                        best = min(best, t)
            print(json.dumps({"layer": name, "op": op, "N": N, "C": C, "H": H, "O": O, "k": k, "stride": S,
                              "ms": round(1e3 * best, 3), "gflops": round(flops / best / 1e9, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
