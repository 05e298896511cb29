"""Shared pieces of the PyTorch benchmark references (bench/torch_*.py).

The three scripts differ only in their model and data; this module holds what
they share: the FG-ReLU unit, Glorot initialisation, the dropout mask helper,
the command line, the timing loop and the report lines.

Import order matters: each script sets OPENBLAS_NUM_THREADS before it imports
this module, because this module imports torch and OpenBLAS reads the variable
once, when it is loaded.
"""

import argparse
import os
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# SPEC.md section 4: every benchmark uses these.
BATCH = 128
PASSES = 2
BETA_MAX = 0.95
ETA = 5.0
LR = 1e-3


class FGReLU(nn.Module):
    """Feedback-gated ReLU, gain variant (SPEC.md section 1, paper eq. 6).

        beta(mu_d) = min(beta_max / eta * mu_d, beta_max)
        f          = relu(s) / (1 - beta(mu_d))

    mu_d=None means "no feedback yet" (pass 1): gain 1, a plain ReLU.
    mu_d has one value per unit (dense) or per (example, filter) (conv); for a
    conv layer the caller passes it shaped (B, C, 1, 1) so it broadcasts over
    the spatial positions.
    """

    def __init__(self, beta_max=BETA_MAX, eta=ETA):
        super().__init__()
        if not 0.0 < beta_max < 1.0:
            raise ValueError(f"FGReLU: beta_max must lie in (0, 1), got {beta_max}")
        if eta <= 0.0:
            raise ValueError(f"FGReLU: eta must be > 0, got {eta}")
        self.beta_max = beta_max
        self.eta = eta

    def forward(self, s, mu_d=None):
        if mu_d is None:
            return F.relu(s)
        beta = torch.clamp(mu_d * (self.beta_max / self.eta), max=self.beta_max)
        return F.relu(s) / (1.0 - beta)

    def extra_repr(self):
        return f"beta_max={self.beta_max}, eta={self.eta}"


def glorot_init(module):
    """Project default (SPEC.md section 3): Glorot-uniform weights, zero biases."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def dropout_mask(shape, p, like):
    """Inverted-dropout mask: 0 with probability p, else 1/(1-p).

    Drawn once per training step and multiplied into the activations of every
    pass, so an example's dropped units stay dropped in all passes (SPEC.md
    section 2). F.dropout cannot be used for that: it draws a fresh mask per call.
    """
    keep = 1.0 - p
    return torch.empty(shape, dtype=like.dtype, device=like.device).bernoulli_(keep).div_(keep)


def parse_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--windows", type=int, default=7, help="number of timed windows (default 7)")
    ap.add_argument("--seconds", type=float, default=2.0, help="length of each timed window in s (default 2)")
    ap.add_argument("--warmup-steps", type=int, default=20,
                    help="warm-up ends after this many steps or --warmup-seconds, whichever comes first (default 20)")
    ap.add_argument("--warmup-seconds", type=float, default=2.0, help="see --warmup-steps (default 2)")
    ap.add_argument("--seed", type=int, default=1, help="torch.manual_seed (default 1)")
    ap.add_argument("--memory-format", choices=["channels_last", "contiguous"], default="channels_last",
                    help="layout of images and convolution weights (default channels_last, NHWC: oneDNN's "
                         "fastest convolutions here, and fgrelu's layout; contiguous is NCHW)")
    args = ap.parse_args()
    if args.threads < 1 or args.windows < 1 or args.seconds <= 0:
        ap.error("--threads and --windows must be >= 1 and --seconds > 0")
    return args


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_library():
    """The BLAS shared object torch actually loaded (from /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
    except OSError:
        return "unknown"
    return ",".join(sorted(os.path.basename(p) for p in libs)) or "none"


def load_average():
    """1-minute load average: on a 2-core machine anything above ~2 during a run means the
    cores were shared and the numbers are not to be trusted."""
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "unknown"


def environment_line(threads, memory_format="n/a"):
    env = lambda k: os.environ.get(k, "unset")
    return (f"env: torch {torch.__version__} threads={threads} memory_format={memory_format} interop={torch.get_num_interop_threads()} "
            f"mkldnn={torch.backends.mkldnn.is_available()} blas={blas_library()} "
            f"OPENBLAS_CORETYPE={env('OPENBLAS_CORETYPE')} OPENBLAS_L2_SIZE={env('OPENBLAS_L2_SIZE')} "
            f"OPENBLAS_NUM_THREADS={env('OPENBLAS_NUM_THREADS')} cpu=\"{cpu_model()}\" "
            f"nproc={os.cpu_count()} loadavg1={load_average()} python {platform.python_version()}")


def run_benchmark(name, args, train_step, flops_fwd, flops_bwd, batch=BATCH):
    """Warm up, time args.windows windows of >= args.seconds each, print the report.

    train_step() runs one full training step and returns the loss tensor.
    flops_fwd / flops_bwd: analytic FLOPs per training sample (see each script).
    The last line printed is "samples/s: N", the median over the windows.
    """
    t0 = time.perf_counter()
    steps = 0
    while steps < args.warmup_steps and (steps < 2 or time.perf_counter() - t0 < args.warmup_seconds):
        loss = train_step()
        steps += 1
    print(f"{name}: warm-up {steps} steps in {time.perf_counter() - t0:.2f} s, loss {loss.item():.5f}", flush=True)

    rates = []
    for w in range(args.windows):
        steps = 0
        start = time.perf_counter()
        while True:
            loss = train_step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= args.seconds:
                break
        rate = steps * batch / elapsed
        rates.append(rate)
        print(f"window {w + 1}: {steps} steps in {elapsed:.3f} s = {rate:.1f} samples/s "
              f"(loss {loss.item():.5f})", flush=True)

    median = statistics.median(rates)
    print(f"windows: min {min(rates):.1f}, median {median:.1f}, max {max(rates):.1f} samples/s "
          f"(max/min {max(rates) / min(rates):.2f})")
    flops = flops_fwd + flops_bwd
    print(f"flops/sample: {flops:.6g} (forward {flops_fwd:.6g}, backward {flops_bwd:.6g}; "
          f"2 x multiply-adds of every matmul/conv that runs)")
    print(f"achieved: {median * flops / 1e9:.2f} GFLOP/s at the median")
    print(environment_line(args.threads, args.memory_format))
    print(f"samples/s: {median:.1f}")


def setup(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)


def to_memory_format(args, model, images):
    """Puts a convolutional model and its input images in the layout --memory-format names."""
    fmt = torch.channels_last if args.memory_format == "channels_last" else torch.contiguous_format
    return model.to(memory_format=fmt), [x.contiguous(memory_format=fmt) for x in images]


# --- FLOP counting helpers ---------------------------------------------------
# FLOPs = 2 x multiply-adds. One matmul or convolution costs the same number of
# multiply-adds M in the forward pass, in the input-gradient (dX) and in the
# weight-gradient (dW) computation of the backward pass, so each layer
# contributes M x (number of forward runs + dX runs + dW runs). Autograd skips dX
# for a layer whose input needs no gradient (the first layer: its input is the
# data) and skips a layer's whole backward if its output does not reach the loss.

def linear_macs(n_in, n_out):
    return n_in * n_out


def conv_macs(c_in, c_out, k, h_out, w_out):
    """Conv2d per sample: every output position of every filter is a k*k*c_in dot product
    (padded taps included, as im2col/oneDNN compute them)."""
    return c_out * h_out * w_out * c_in * k * k


def conv_transpose_macs(c_in, c_out, k, h_in, w_in):
    """ConvTranspose2d per sample: every input position scatters a k*k*c_out patch
    (it runs as the input-gradient of a conv, so taps that fall outside the output
    are computed and dropped)."""
    return c_in * h_in * w_in * c_out * k * k


def autoencoder_step(model, opt, batches):
    """A training step of a feedback autoencoder on cycled batches: BCE of the last pass's
    logits against the input (the benchmark workloads train on the last pass only)."""
    state = {"step": 0}

    def train_step():
        x = batches[state["step"] % len(batches)]
        state["step"] += 1
        opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(x)[-1], x)
        loss.backward()
        opt.step()
        return loss

    return train_step
