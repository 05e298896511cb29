#!/usr/bin/python3
"""PyTorch reference for `fgrelu bench cifar-ae` (SPEC.md section 4).

Convolutional autoencoder on 3x32x32 inputs, 16 filters of 5x5 everywhere:
  E1 conv 3->16 stride 2 pad 2 (FG-ReLU)                      -> 16x16x16
  E2 conv 16->16 stride 2 pad 2 (ReLU)                        -> 16x8x8
  D1 transposed conv 16->16 stride 2 pad 2 output-pad 1 (ReLU) -> 16x16x16
  D2 transposed conv 16->3 stride 2 pad 2 output-pad 1 (sigmoid) -> 3x32x32
Feedback: D1's 16 channels averaged over space -> dense 16x16, no bias -> one mu_D per
E1 filter, shared by all its positions. float32, batch 128, T = 2, beta_max 0.95, eta 5,
random inputs in [0, 1), BCE against the input on the last pass only, backward through
both passes, Adam lr 1e-3.

Run:  /usr/bin/python3 bench/torch_cifar_ae.py [--threads 2] [--windows 7] [--seconds 2]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before torch loads OpenBLAS

import torch
import torch.nn as nn
import torch.nn.functional as F

import benchlib as bl


class ConvFeedbackAE(nn.Module):
    def __init__(self, channels=3, filters=16, k=5, passes=bl.PASSES):
        super().__init__()
        self.passes = passes
        p = k // 2
        self.e1 = nn.Conv2d(channels, filters, k, stride=2, padding=p)
        self.e2 = nn.Conv2d(filters, filters, k, stride=2, padding=p)
        self.d1 = nn.ConvTranspose2d(filters, filters, k, stride=2, padding=p, output_padding=1)
        self.d2 = nn.ConvTranspose2d(filters, channels, k, stride=2, padding=p, output_padding=1)
        self.feedback = nn.Linear(filters, filters, bias=False)  # pooled D1 -> E1 filters
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
                # filter-wise feedback: one mu_D per (example, E1 filter)
                mu_d = self.feedback(d1.mean(dim=(2, 3)))[:, :, None, None]
        return logits


def flops_per_sample(c=3, f=16, k=5, hw=32):
    e1 = bl.conv_macs(c, f, k, hw // 2, hw // 2)
    e2 = bl.conv_macs(f, f, k, hw // 4, hw // 4)
    d1 = bl.conv_transpose_macs(f, f, k, hw // 4, hw // 4)
    d2 = bl.conv_transpose_macs(f, c, k, hw // 2, hw // 2)
    fb = bl.linear_macs(f, f)
    # Forward: all four layers in both passes, the feedback map once.
    fwd = 2 * (e1 + e2 + d1 + d2) + fb
    # Backward (loss on pass 2 only):
    #   pass 2: D2, D1, E2 dX+dW; E1 dW only (its input is the data)
    #   feedback: dX + dW;  pass 1: D1, E2 dX+dW; E1 dW; pass-1 D2 gets no gradient
    bwd = 2 * d2 + 4 * d1 + 4 * e2 + 2 * e1 + 2 * fb
    return 2 * fwd, 2 * bwd


def main():
    args = bl.parse_args(__doc__.splitlines()[0])
    bl.setup(args)
    model = ConvFeedbackAE()
    opt = torch.optim.Adam(model.parameters(), lr=bl.LR)
    batches = [torch.rand(bl.BATCH, 3, 32, 32) for _ in range(8)]  # made before timing
    model, batches = bl.to_memory_format(args, model, batches)
    with torch.no_grad():
        out = model(batches[0])[-1]
    assert out.shape == batches[0].shape, f"cifar-ae: output {tuple(out.shape)} != input"
    train_step = bl.autoencoder_step(model, opt, batches)

    fwd, bwd = flops_per_sample()
    bl.run_benchmark("cifar-ae", args, train_step, fwd, bwd)


if __name__ == "__main__":
    main()
