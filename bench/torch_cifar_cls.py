#!/usr/bin/python3
"""PyTorch reference for `fgrelu bench cifar-cls` (SPEC.md section 4).

  conv 3->64 5x5 pad 2 (FG-ReLU) -> max pool 2 -> BN -> dropout .5
  -> conv 64->64 5x5 pad 2 (ReLU) -> max pool 2 -> BN -> dropout .5
  -> flatten 4096 -> dense 200 (ReLU) -> dropout .5 -> dense 10, softmax cross-entropy.
Feedback: FC200's units after their dropout (dropped units send nothing) -> dense
200x64, no bias -> one mu_D per conv-1 filter, shared by all its positions.
Dropout masks are drawn once per example per step and reused in both passes; BN is in
training mode in both passes (so its running statistics are updated twice per step).
float32, batch 128, T = 2, beta_max 0.95, eta 5, random inputs in [0, 1) and random
labels, loss on the last pass only, backward through both passes, Adam lr 1e-3.

Run:  /usr/bin/python3 bench/torch_cifar_cls.py [--threads 2] [--windows 7] [--seconds 2]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before torch loads OpenBLAS

import torch
import torch.nn as nn
import torch.nn.functional as F

import benchlib as bl


class FeedbackCNN(nn.Module):
    def __init__(self, channels=3, filters=64, k=5, hidden=200, classes=10, hw=32,
                 p_drop=0.5, passes=bl.PASSES):
        super().__init__()
        self.passes = passes
        self.p_drop = p_drop
        self.conv1 = nn.Conv2d(channels, filters, k, padding=k // 2)
        self.bn1 = nn.BatchNorm2d(filters)
        self.conv2 = nn.Conv2d(filters, filters, k, padding=k // 2)
        self.bn2 = nn.BatchNorm2d(filters)
        self.fc1 = nn.Linear(filters * (hw // 4) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, classes)
        self.feedback = nn.Linear(hidden, filters, bias=False)  # FC200 -> conv-1 filters
        self.gate = bl.FGReLU()
        bl.glorot_init(self)

    def forward(self, x):
        """Returns the class logits of every pass."""
        b, _, h, w = x.shape
        f = self.conv1.out_channels
        if self.training:  # one mask per example, reused in every pass
            masks = [bl.dropout_mask((b, f, h // 2, w // 2), self.p_drop, x),
                     bl.dropout_mask((b, f, h // 4, w // 4), self.p_drop, x),
                     bl.dropout_mask((b, self.fc1.out_features), self.p_drop, x)]
        else:
            masks = [1.0, 1.0, 1.0]
        mu_d = None  # pass 1: no feedback, gain 1
        logits = []
        for t in range(self.passes):
            a = self.gate(self.conv1(x), mu_d)
            a = self.bn1(F.max_pool2d(a, 2)) * masks[0]
            a = F.relu(self.conv2(a))
            a = self.bn2(F.max_pool2d(a, 2)) * masks[1]
            hid = F.relu(self.fc1(a.flatten(1))) * masks[2]
            logits.append(self.fc2(hid))
            if t + 1 < self.passes:
                mu_d = self.feedback(hid)[:, :, None, None]
        return logits


def flops_per_sample(c=3, f=64, k=5, hw=32, hidden=200, classes=10):
    c1 = bl.conv_macs(c, f, k, hw, hw)
    c2 = bl.conv_macs(f, f, k, hw // 2, hw // 2)
    fc1 = bl.linear_macs(f * (hw // 4) ** 2, hidden)
    fc2 = bl.linear_macs(hidden, classes)
    fb = bl.linear_macs(hidden, f)
    # Forward: all four layers in both passes, the feedback map once.
    fwd = 2 * (c1 + c2 + fc1 + fc2) + fb
    # Backward (loss on pass 2 only):
    #   pass 2: FC10, FC200, conv2 dX+dW; conv1 dW only (its input is the data)
    #   feedback: dX + dW;  pass 1: FC200, conv2 dX+dW; conv1 dW; pass-1 FC10 gets no gradient
    bwd = 2 * fc2 + 4 * fc1 + 4 * c2 + 2 * c1 + 2 * fb
    return 2 * fwd, 2 * bwd


def main():
    args = bl.parse_args(__doc__.splitlines()[0])
    bl.setup(args)
    model = FeedbackCNN()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=bl.LR)
    # made before timing
    batches = [(torch.rand(bl.BATCH, 3, 32, 32), torch.randint(0, 10, (bl.BATCH,))) for _ in range(8)]
    model, images = bl.to_memory_format(args, model, [x for x, _ in batches])
    batches = [(x, y) for x, (_, y) in zip(images, batches)]
    step = 0

    def train_step():
        nonlocal step
        x, y = batches[step % len(batches)]
        step += 1
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x)[-1], y)
        loss.backward()
        opt.step()
        return loss

    fwd, bwd = flops_per_sample()
    bl.run_benchmark("cifar-cls", args, train_step, fwd, bwd)


if __name__ == "__main__":
    main()
