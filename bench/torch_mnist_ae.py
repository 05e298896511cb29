#!/usr/bin/python3
"""PyTorch reference for `fgrelu bench mnist-ae` (SPEC.md section 4).

Dense autoencoder 784 -> 392 (FG-ReLU) -> 10 (ReLU) -> 392 (ReLU) -> 784 (sigmoid),
feedback D1 (392, post-ReLU) -> dense 392x392, no bias -> mu_D of E1.
float32, batch 128, T = 2, beta_max 0.95, eta 5, random inputs in [0, 1),
BCE against the input on the last pass only, backward through both passes, Adam lr 1e-3.

Run:  /usr/bin/python3 bench/torch_mnist_ae.py [--threads 2] [--windows 7] [--seconds 2]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before torch loads OpenBLAS

import torch
import torch.nn as nn
import torch.nn.functional as F

import benchlib as bl


class FeedbackAE(nn.Module):
    def __init__(self, sizes=(784, 392, 10, 392, 784), passes=bl.PASSES):
        super().__init__()
        n_in, n_e1, n_code, n_d1, n_out = sizes
        self.passes = passes
        self.e1 = nn.Linear(n_in, n_e1)
        self.e2 = nn.Linear(n_e1, n_code)
        self.d1 = nn.Linear(n_code, n_d1)
        self.d2 = nn.Linear(n_d1, n_out)
        self.feedback = nn.Linear(n_d1, n_e1, bias=False)  # D1 -> E1
        self.gate = bl.FGReLU()
        bl.glorot_init(self)

    def forward(self, x):
        """Returns the output-layer logits of every pass (sigmoid is applied in the loss)."""
        mu_d = None  # pass 1: no feedback, gain 1
        logits = []
        for t in range(self.passes):
            h = self.gate(self.e1(x), mu_d)
            h = F.relu(self.e2(h))
            d1 = F.relu(self.d1(h))
            logits.append(self.d2(d1))
            if t + 1 < self.passes:
                mu_d = self.feedback(d1)
        return logits


def flops_per_sample(n_in=784, n_e1=392, n_code=10, n_d1=392, n_out=784):
    e1, e2, d1, d2 = (bl.linear_macs(n_in, n_e1), bl.linear_macs(n_e1, n_code),
                      bl.linear_macs(n_code, n_d1), bl.linear_macs(n_d1, n_out))
    fb = bl.linear_macs(n_d1, n_e1)
    # Forward: all four layers in both passes, the feedback map once (between the passes).
    fwd = 2 * (e1 + e2 + d1 + d2) + fb
    # Backward (loss on pass 2 only):
    #   pass 2: D2, D1, E2 dX+dW; E1 dW only (its input is the data)
    #   feedback: dX (into pass-1 D1) + dW
    #   pass 1: D1, E2 dX+dW; E1 dW; pass-1 D2 does not reach the loss: no backward
    bwd = 2 * d2 + 4 * d1 + 4 * e2 + 2 * e1 + 2 * fb
    return 2 * fwd, 2 * bwd


def main():
    args = bl.parse_args(__doc__.splitlines()[0])
    bl.setup(args)
    model = FeedbackAE()
    opt = torch.optim.Adam(model.parameters(), lr=bl.LR)
    # A few fixed random batches, made before timing so that data generation is not timed.
    batches = [torch.rand(bl.BATCH, 784) for _ in range(8)]
    train_step = bl.autoencoder_step(model, opt, batches)

    fwd, bwd = flops_per_sample()
    bl.run_benchmark("mnist-ae", args, train_step, fwd, bwd)


if __name__ == "__main__":
    main()
