#!/usr/bin/python3
"""The compute ceiling on the PyTorch side: the bench models' largest products timed alone.

One thread, like the peer. Prints one JSON object: {name: {"median_ms", "gflops"}} for the
same shapes bench/worker.ts times on the wasm backend (its `ops` part). Needs torch only.
"""
import json
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(7)


def timed(f, flops, reps=21, warmup=5):
    for _ in range(warmup):
        f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    m = ts[len(ts) // 2]
    return {"median_ms": m, "gflops": flops / m / 1e6}


x = torch.rand(64, 784)
w = torch.rand(784, 256)
h = torch.rand(64, 16, 13, 13)
k = torch.rand(32, 16, 3, 3)
dy = torch.rand(64, 32, 11, 11)
with torch.no_grad():
    out = {
        "matmul 64x784 @ 784x256": timed(lambda: x @ w, 2 * 64 * 784 * 256),
        "conv2d 64x13x13x16 * 3x3x16x32": timed(lambda: F.conv2d(h, k), 2 * 64 * 11 * 11 * 32 * 144),
        "conv2d input gradient, same shapes": timed(lambda: torch.nn.grad.conv2d_input((64, 16, 13, 13), k, dy), 2 * 64 * 11 * 11 * 32 * 144),
    }
print(json.dumps(out))
