#!/usr/bin/python3
"""Golden values for the Go tests, computed by PyTorch in float64 as an independent oracle.

Run:  /usr/bin/python3 bench/make_fixtures.py [--out DIR] [--only CASE ...]
It rewrites every fixture (default folder net/testdata/fixtures) and then re-reads each
network fixture and recomputes its forward passes, losses and Adam step with numpy (a
second, torch-free implementation); the output is deterministic (fixed seeds), so a rerun
changes no file unless this script changed.

One JSON file per case:
  {"description": str, "config": {...}, "tensors": {name: {"shape": [...], "data": [...]}}}
data is flat and row-major. Inputs and parameters are rounded to 6 decimals BEFORE
anything is computed, so the stored values are exactly the ones the oracle used.

Network cases (see NETWORK SEMANTICS below) use a tiny dense autoencoder 6-5-3-5-6
with layers E1, E2, D1, D2, a tiny convolutional autoencoder (8x8x3 input, two strided
convolutions, two transposed convolutions, with and without batch norm) and a tiny
convolutional classifier (conv, max pool, batch norm, dense, softmax cross-entropy);
fgrelu_unit.json tests the FG-ReLU unit alone, maxpool_ties.json max pooling alone.

To add a case, write a function that returns a fixture dict and decorate it with
@case("file_name"); network cases build a NetSpec and call network_fixture(). The
layer classes (Dense, Conv) carry everything layer-specific: parameter shapes and init,
the pre-activation, the layers after the activation (max pooling, batch norm), how a
layer acts as a feedback source (summarize) and how mu_D reaches its units (expand_mu),
and how its tensors are written in the Go engine's layout (to_go).

LAYOUT. The oracle computes in PyTorch's own layouts (NCHW images, Conv2d weights
[out, in, kH, kW], ConvTranspose2d weights [in, out, kH, kW], flatten in C,H,W order)
with plain torch.nn.functional calls; every tensor is then WRITTEN in the Go engine's
layout: images NHWC, conv weights [out, kH, kW, in], transposed-conv weights
[in, kH, kW, out], and any weight that reads a flattened image (a dense layer after a
conv, a feedback map from a flattened conv source) with its input index in H,W,C order,
(h*W + w)*C + c. numpy_recheck reads the written files and recomputes everything in
that Go layout, so it checks the permutations as well as the values.
"""

import argparse
import json
import math
import os
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

BETA_MAX = 0.9
ETA = 0.5
ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
MARGIN = 1e-3        # no relu argument within MARGIN of 0, no mu_D within MARGIN of eta
MIN_GRAD = 1e-6      # every gradient entry is exactly 0 or at least this large
MIN_ACTIVE_PER_CHANNEL = 0.05  # every conv channel has at least this share of active units, every pass
PARAM_DECIMALS = 6   # inputs and parameters are rounded to this many decimals
OUT_DIGITS = 10      # significant digits written for computed values
MAX_TRIES = 5000     # seeds tried per case before giving up (a conv case may need ~1000: it has
                     # hundreds of ReLU arguments, none of which may lie near 0)
BN_EPS = 1e-5        # batch norm: PyTorch's defaults
BN_MOMENTUM = 0.1

CASES = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


# ---------------------------------------------------------------------------
# The unit (SPEC.md section 1), written directly from the formulas.

def gain(mu_d, beta_max, eta):
    """gain = 1 / (1 - min(beta_max/eta * mu_d, beta_max))."""
    beta = torch.minimum(mu_d * (beta_max / eta), torch.full_like(mu_d, beta_max))
    return 1.0 / (1.0 - beta)


def fg_activation(s, mu_d, alpha, mode, beta_max, eta):
    """mode: "gain"            f = relu(s) * gain(mu_d)              (paper eq. 6)
             "gain+threshold"  f = relu(s + alpha*mu_d) * gain(mu_d)  (eq. 8)
             "threshold-only"  f = relu(s + alpha*mu_d)               (appendix)"""
    if mode == "gain":
        return torch.relu(s) * gain(mu_d, beta_max, eta)
    if mode == "gain+threshold":
        return torch.relu(s + alpha * mu_d) * gain(mu_d, beta_max, eta)
    if mode == "threshold-only":
        return torch.relu(s + alpha * mu_d)
    raise ValueError(f"unknown mode {mode!r}")


def relu_argument(s, mu_d, alpha, mode):
    return s if mode == "gain" else s + alpha * mu_d


# ---------------------------------------------------------------------------
# Layers. Parameters live in one dict name -> tensor so that autograd, Adam and the
# JSON writer all see the same flat list. They are kept in PyTorch's layout; to_go
# converts a parameter (or its gradient, or its Adam update) to the Go layout for writing.

def chw_cols_to_hwc(w, chw):
    """A weight [n, C*H*W] that reads a tensor flattened in PyTorch's C,H,W order, rewritten
    to read the same tensor flattened in H,W,C order (the Go engine's): column
    (h*W + w)*C + c of the result is column c*H*W + h*W + w of w."""
    c, h, wd = chw
    return w.reshape(w.shape[0], c, h, wd).permute(0, 2, 3, 1).reshape(w.shape[0], -1)


def nchw_to_nhwc(t):
    return t.permute(0, 2, 3, 1)


@dataclass
class Dense:
    name: str
    n_in: int
    n_out: int
    activation: str  # "relu", "sigmoid" or "identity" (logits of a softmax loss)

    # set by NetSpec: per-example input and output shapes (PyTorch layout)
    in_shape = None
    out_shape = None

    def param_shapes(self):
        return {f"{self.name}.weight": [self.n_out, self.n_in], f"{self.name}.bias": [self.n_out]}

    def init_params(self, gen, scale):
        limit = scale * math.sqrt(6.0 / (self.n_in + self.n_out))  # Glorot-uniform, scaled
        return {f"{self.name}.weight": uniform(gen, [self.n_out, self.n_in], limit),
                f"{self.name}.bias": uniform(gen, [self.n_out], 0.3)}

    def output_shape(self, in_shape):
        assert math.prod(in_shape) == self.n_in, (self.name, in_shape)
        return (self.n_out,)

    def input_shape(self, batch):
        return [batch, self.n_in]

    def pre_activation(self, p, h):
        if h.dim() > 2:  # after a convolution: PyTorch's flatten, C,H,W order
            h = h.flatten(1)
        return h @ p[f"{self.name}.weight"].T + p[f"{self.name}.bias"]

    def post(self, p, h, buffers, record):
        return h

    # Feedback: as a source, a dense layer sends its units; as a receiver, it takes one
    # mu_D per unit.
    def feedback_width(self, source="units"):
        return self.n_out

    def summarize(self, h, source="units"):
        return h

    def expand_mu(self, mu):
        return mu

    def to_go(self, pname, t):
        if pname == f"{self.name}.weight" and len(self.in_shape) == 3:
            return chw_cols_to_hwc(t, self.in_shape)
        return t

    def describe(self):
        return {"name": self.name, "kind": "dense", "in": self.n_in, "out": self.n_out,
                "activation": self.activation}


@dataclass
class Conv:
    """Conv2d (transposed=False) or ConvTranspose2d (transposed=True), then the activation,
    then optionally max pooling (kernel = stride = pool) and batch norm, in that order
    (SPEC.md section 4; the Go engine's LayerSpec order: pool, BN, dropout)."""
    name: str
    c_in: int
    c_out: int
    kernel: int
    activation: str
    stride: int = 1
    pad: int = 0
    out_pad: int = 0          # transposed only: extra rows/columns at the bottom/right
    transposed: bool = False
    pool: int = 0             # max-pool window (and stride); 0 none
    batch_norm: bool = False  # training mode: batch statistics, running averages updated

    in_shape = None
    out_shape = None

    def weight_shape(self):
        k = self.kernel
        return [self.c_in, self.c_out, k, k] if self.transposed else [self.c_out, self.c_in, k, k]

    def init_params(self, gen, scale):
        shape = self.weight_shape()
        rf = self.kernel * self.kernel
        fan_in, fan_out = shape[1] * rf, shape[0] * rf  # PyTorch's fans for both kinds
        limit = scale * math.sqrt(6.0 / (fan_in + fan_out))
        p = {f"{self.name}.weight": uniform(gen, shape, limit),
             f"{self.name}.bias": uniform(gen, [self.c_out], 0.3)}
        if self.batch_norm:  # random affine parameters, so that a mix-up would show
            p[f"{self.name}.bn.weight"] = torch.round(1.0 + uniform(gen, [self.c_out], 0.5), decimals=PARAM_DECIMALS)
            p[f"{self.name}.bn.bias"] = uniform(gen, [self.c_out], 0.3)
        return p

    def buffer_names(self):
        return [f"{self.name}.bn.running_mean", f"{self.name}.bn.running_var"] if self.batch_norm else []

    def output_shape(self, in_shape):
        c, h, w = in_shape
        assert c == self.c_in, (self.name, in_shape)
        k, s, p = self.kernel, self.stride, self.pad
        if self.transposed:  # PyTorch's ConvTranspose2d formula
            h, w = (h - 1) * s - 2 * p + k + self.out_pad, (w - 1) * s - 2 * p + k + self.out_pad
        else:
            h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        if self.pool:
            h, w = h // self.pool, w // self.pool
        return (self.c_out, h, w)

    def pre_activation(self, p, h):
        w, b = p[f"{self.name}.weight"], p[f"{self.name}.bias"]
        if self.transposed:
            return F.conv_transpose2d(h, w, b, stride=self.stride, padding=self.pad, output_padding=self.out_pad)
        return F.conv2d(h, w, b, stride=self.stride, padding=self.pad)

    def post(self, p, h, buffers, record):
        if self.pool:
            if record is not None:
                record.setdefault("_pool_in", []).append((h, self.pool))
            h = F.max_pool2d(h, self.pool)
        if self.batch_norm:
            if record is not None:
                record.setdefault("_bn_var", []).append(h.var(dim=(0, 2, 3), unbiased=False))
            mean, var = buffers[f"{self.name}.bn.running_mean"], buffers[f"{self.name}.bn.running_var"]
            h = F.batch_norm(h, mean, var, p[f"{self.name}.bn.weight"], p[f"{self.name}.bn.bias"],
                             training=True, momentum=BN_MOMENTUM, eps=BN_EPS)
        return h

    # Feedback (SPEC.md section 2): filter-wise, one mu_D per channel shared by all
    # positions; as a source, the channels averaged over space ("mean") or the whole
    # output flattened ("flatten").
    def feedback_width(self, source="mean"):
        return self.out_shape[0] if source == "mean" else math.prod(self.out_shape)

    def summarize(self, h, source="mean"):
        return h.mean(dim=(2, 3)) if source == "mean" else h.flatten(1)

    def expand_mu(self, mu):
        return mu[:, :, None, None]

    def to_go(self, pname, t):
        if pname == f"{self.name}.weight":  # [out, in, k, k] or [in, out, k, k] -> dims 0, k, k, 1
            return t.permute(0, 2, 3, 1)
        return t

    def describe(self):
        return {"name": self.name, "kind": "convT" if self.transposed else "conv", "in": self.c_in,
                "out": self.c_out, "kernel": self.kernel, "stride": self.stride, "pad": self.pad,
                "out_pad": self.out_pad, "pool": self.pool, "batch_norm": self.batch_norm,
                "activation": self.activation}


@dataclass
class NetSpec:
    description: str
    layers: list
    edges: list                 # [(from, to)] or [(from, to, source)]; the receivers are the gated layers
    passes: int
    mode: str                   # "gain", "gain+threshold", "threshold-only", "constant-gain"
    loss_mode: str              # "mean" (of per-pass losses) or "last"
    alpha_init: dict = field(default_factory=dict)     # threshold modes: layer -> alpha
    constant_gain: dict = field(default_factory=dict)  # mode constant-gain: layer -> gain
    batch: int = 4
    weight_scale: float = 1.5   # Glorot limit multiplier
    feedback_limit: float = 1.5 # feedback weights ~ U(-limit, limit)
    feedback_limits: dict = field(default_factory=dict)  # (from, to) -> limit, overrides feedback_limit
    seed: int = 1
    image: tuple = None         # per-example input (C, H, W) of an image network; None: dense input
    loss: str = "bce"           # "bce" (target: the input) or "softmax-ce" (target: labels)

    def __post_init__(self):
        shape = self.image if self.image is not None else (self.layers[0].n_in,)
        for layer in self.layers:
            layer.in_shape = tuple(shape)
            shape = layer.output_shape(shape)
            layer.out_shape = tuple(shape)

    def gated(self):
        names = [l.name for l in self.layers]
        receivers = {e[1] for e in self.edges}
        return [n for n in names if n in receivers]

    def by_name(self, name):
        return next(l for l in self.layers if l.name == name)

    def edge_list(self):
        """[(from, to, source)]: a dense source sends its units, a conv source its channel
        means unless "flatten" is given."""
        out = []
        for e in self.edges:
            src = self.by_name(e[0])
            source = "units" if isinstance(src, Dense) else (e[2] if len(e) > 2 else "mean")
            out.append((e[0], e[1], source))
        return out

    def edge_param(self, src, dst):
        return f"fb.{src}->{dst}.weight"

    def input_shape(self):
        if self.image is None:
            return self.layers[0].input_shape(self.batch)
        return [self.batch, *self.image]

    def buffers(self):
        """Initial batch-norm running averages (PyTorch's: mean 0, variance 1)."""
        b = {}
        for layer in self.layers:
            for name in getattr(layer, "buffer_names", lambda: [])():
                b[name] = (torch.zeros if name.endswith("mean") else torch.ones)(layer.c_out)
        return b

    def to_go(self, name, t):
        """A tensor in the Go engine's layout (see LAYOUT at the top)."""
        for prefix in ("grad.", "adam1."):
            if name.startswith(prefix):
                return self.to_go(name[len(prefix):], t)
        if name == "x" or (name.startswith("pass") and name.endswith(".out")):
            return nchw_to_nhwc(t) if t.dim() == 4 else t
        if name.startswith("fb."):
            for src, dst, source in self.edge_list():
                if name == self.edge_param(src, dst) and source == "flatten":
                    return chw_cols_to_hwc(t, self.by_name(src).out_shape)
            return t
        for layer in self.layers:
            if name.startswith(layer.name + "."):
                return layer.to_go(name, t)
        return t


def uniform(gen, shape, limit):
    t = (torch.rand(shape, generator=gen) * 2.0 - 1.0) * limit
    return torch.round(t, decimals=PARAM_DECIMALS)


def init_params(spec, gen):
    params = {}
    for layer in spec.layers:
        params.update(layer.init_params(gen, spec.weight_scale))
    for src, dst, source in spec.edge_list():
        shape = [spec.by_name(dst).feedback_width(), spec.by_name(src).feedback_width(source)]
        limit = spec.feedback_limits.get((src, dst), spec.feedback_limit)
        params[spec.edge_param(src, dst)] = uniform(gen, shape, limit)
    for name in spec.gated():
        if spec.mode in ("gain+threshold", "threshold-only"):
            params[f"{name}.alpha"] = torch.tensor([spec.alpha_init[name]])
    return params


# ---------------------------------------------------------------------------
# NETWORK SEMANTICS (SPEC.md section 2):
# - the same x is presented for T passes; all passes share all parameters;
# - pass 1: mu_D = 0 for every gated layer (gain 1, threshold 0);
# - pass t > 1: mu_D(i) = sum over edges j -> i of summarize(h_j(t-1)) @ W_e^T, W_e of shape
#   [n_i, m_j], no bias, h_j the output of layer j on pass t-1 (after its activation and
#   its pooling / batch norm, i.e. what the next layer reads); a conv receiver's mu_D is
#   one value per (example, filter), broadcast over all positions;
# - batch norm runs in training mode on every pass: each pass normalises with its own
#   batch statistics and updates the running averages (a PyTorch module called T times);
# - per-pass loss = binary cross-entropy of the sigmoid output vs x, averaged over all
#   elements, or softmax cross-entropy of the logits vs labels, averaged over the batch;
#   training loss = mean over passes ("mean") or the last pass ("last");
# - gradients flow through the feedback into earlier passes (nothing is detached).

def bce(y, target):
    return -(target * torch.log(y) + (1.0 - target) * torch.log(1.0 - y)).mean()


def forward(spec, params, x, record=None, labels=None):
    """Runs all passes; returns the training loss. record (a dict) receives per-pass
    tensors, the batch-norm running averages after the last pass (after.*), and the
    values that the kink checks need."""
    gated = set(spec.gated())
    edges = spec.edge_list()
    buffers = spec.buffers()
    prev = None
    losses = []
    for p in range(1, spec.passes + 1):
        outs = {}
        h = x
        for layer in spec.layers:
            s = layer.pre_activation(params, h)
            name = layer.name
            if name in gated:
                if p == 1:
                    mu = torch.zeros(s.shape[0], layer.feedback_width())
                else:
                    mu = sum(spec.by_name(src).summarize(prev[src], source) @ params[spec.edge_param(src, dst)].T
                             for src, dst, source in edges if dst == name)
                alpha = params.get(f"{name}.alpha")
                mu_units = layer.expand_mu(mu)
                h = fg_activation(s, mu_units, alpha, spec.mode, BETA_MAX, ETA)
                if record is not None:
                    record[f"pass{p}.{name}.mu_d"] = mu
                    record.setdefault("_relu_args", []).append(relu_argument(s, mu_units, alpha, spec.mode))
                    if p > 1:
                        record.setdefault("_mu", []).append((mu_units, relu_argument(s, mu_units, alpha, spec.mode)))
            elif name in spec.constant_gain:
                h = spec.constant_gain[name] * torch.relu(s)
                if record is not None:
                    record.setdefault("_relu_args", []).append(s)
            elif layer.activation == "relu":
                h = torch.relu(s)
                if record is not None:
                    record.setdefault("_relu_args", []).append(s)
            elif layer.activation == "sigmoid":
                h = torch.sigmoid(s)
                if record is not None:
                    record.setdefault("_logits", []).append(s)
            elif layer.activation == "identity":
                h = s
            else:
                raise ValueError(f"unknown activation {layer.activation!r}")
            h = layer.post(params, h, buffers, record)
            outs[name] = h
            if record is not None:
                record[f"pass{p}.{name}.out"] = h
        if spec.loss == "bce":
            loss_p = bce(h, x)
        elif spec.loss == "softmax-ce":
            loss_p = F.cross_entropy(h, labels)
        else:
            raise ValueError(f"unknown loss {spec.loss!r}")
        losses.append(loss_p)
        if record is not None:
            record[f"pass{p}.loss"] = loss_p.reshape(1)
        prev = outs
    if record is not None:
        record.update({f"after.{k}": v.clone() for k, v in buffers.items()})
    if spec.loss_mode == "mean":
        return sum(losses) / len(losses)
    if spec.loss_mode == "last":
        return losses[-1]
    raise ValueError(f"unknown loss mode {spec.loss_mode!r}")


def acceptable(spec, record, grads):
    """Why a draw is rejected (None when it is fine): a kink within MARGIN (ReLU argument,
    mu_D at eta, two candidates of a max-pool window), a saturated sigmoid, a mostly dead
    hidden layer, a batch-norm channel with (nearly) no variance, a parameter without
    gradient, or feedback that misses a regime."""
    for a in record.get("_relu_args", []):
        if a.abs().min() < MARGIN:
            return f"relu argument {a.abs().min().item():.2e} from 0"
        if (a > 0).double().mean() < 0.25:
            return "a hidden layer has fewer than 25% active units in some pass"
        if a.dim() == 4 and (a > 0).double().mean(dim=(0, 2, 3)).min() < MIN_ACTIVE_PER_CHANNEL:
            return "a convolution channel has too few active units in some pass"
    for z in record.get("_logits", []):
        if z.abs().max() > 6.0:
            return "sigmoid pre-activation beyond +-6"
    for h, k in record.get("_pool_in", []):
        b, c, hh, ww = h.shape
        win = h[:, :, :hh // k * k, :ww // k * k].reshape(b, c, hh // k, k, ww // k, k)
        win = win.permute(0, 1, 2, 4, 3, 5).reshape(b, c, hh // k, ww // k, k * k)
        top2 = win.topk(2, dim=-1).values
        # a window of zeros (all units off) is a tie that carries no gradient; any other
        # window must have a clear winner
        if ((top2[..., 0] > 0) & (top2[..., 0] - top2[..., 1] < MARGIN)).any():
            return "a max-pool window has two candidates within MARGIN"
    for v in record.get("_bn_var", []):
        if v.min() < 1e-2:
            return f"a batch-norm channel has variance {v.min().item():.2e}"
    for k, g in grads.items():
        if g.abs().max() < (1e-3 if k.endswith(".alpha") else 1e-6):
            return f"gradient of {k} is (nearly) zero"
        # an entry that is not exactly zero (a dead unit, a padding tap) but tiny: the first
        # Adam step lr*g/(|g| + eps) turns float32 rounding of such a g into a visible change
        tiny = g[g != 0].abs()
        if tiny.numel() and tiny.min() < MIN_GRAD:
            return f"gradient of {k} has an entry {tiny.min().item():.2e}, nonzero but below {MIN_GRAD}"
    mus = record.get("_mu", [])
    if not mus:
        return None
    active_mu = torch.cat([mu.expand_as(arg)[arg > 0].flatten() for mu, arg in mus])
    all_mu = torch.cat([mu.flatten() for mu, _ in mus])
    if (all_mu - ETA).abs().min() < MARGIN:
        return "mu_D within MARGIN of eta"
    # the regimes must be visited by ACTIVE units, else the gain never matters
    if not ((active_mu < 0).any() and ((active_mu > 0) & (active_mu < ETA)).any() and (active_mu > ETA).any()):
        return "active units miss a mu_D regime"
    return None


def adam_step(params, grads):
    """One torch.optim.Adam step from the given gradients, on copies of the parameters."""
    copies = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    opt = torch.optim.Adam(copies.values(), lr=ADAM["lr"], betas=(ADAM["beta1"], ADAM["beta2"]),
                           eps=ADAM["eps"], weight_decay=ADAM["weight_decay"], amsgrad=ADAM["amsgrad"])
    for k, p in copies.items():
        p.grad = grads[k].clone()
    opt.step()
    return {k: p.detach() for k, p in copies.items()}


def network_fixture(spec):
    image = spec.image is not None
    n_classes = spec.layers[-1].n_out if spec.loss == "softmax-ce" else None
    for seed in range(spec.seed, spec.seed + MAX_TRIES):
        gen = torch.Generator().manual_seed(seed)
        x = torch.round(torch.rand(spec.input_shape(), generator=gen), decimals=PARAM_DECIMALS)
        params = init_params(spec, gen)
        labels = torch.randint(0, n_classes, (spec.batch,), generator=gen) if n_classes else None
        names = list(params)
        leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        record = {}
        loss = forward(spec, leaves, x, record, labels)
        grads = dict(zip(names, torch.autograd.grad(loss, [leaves[k] for k in names])))
        if acceptable(spec, record, grads) is None:
            break
    else:
        raise RuntimeError(f"no acceptable seed in {MAX_TRIES} tries for: {spec.description}")

    # Self-check of the oracle: autograd against central finite differences.
    flat = lambda *vals: forward(spec, dict(zip(names, vals)), x, labels=labels)
    assert torch.autograd.gradcheck(flat, tuple(leaves[k] for k in names), eps=1e-6, atol=1e-7), spec.description

    tensors = {"x": x}
    if labels is not None:
        tensors["labels"] = labels.double()
    tensors.update(params)
    tensors.update(spec.buffers())
    tensors.update({k: v for k, v in record.items() if not k.startswith("_")})
    tensors["loss"] = loss.reshape(1)
    tensors.update({f"grad.{k}": g for k, g in grads.items()})
    tensors.update({f"adam1.{k}": v for k, v in adam_step(params, grads).items()})
    tensors = {k: spec.to_go(k, v.detach()).contiguous() for k, v in tensors.items()}

    config = {"dtype": "float64", "batch": spec.batch}
    if image:
        c, h, w = spec.image
        config["input"] = [h, w, c]
    else:
        config["sizes"] = [spec.layers[0].n_in] + [l.n_out for l in spec.layers]
    config.update({
        "layers": [l.describe() for l in spec.layers],
        "gated": spec.gated(),
        "edges": [{"from": s, "to": d, "weight": spec.edge_param(s, d), **({"source": src} if image else {})}
                  for s, d, src in spec.edge_list()],
        "passes": spec.passes,
        "mode": spec.mode,
        "beta_max": BETA_MAX,
        "eta": ETA,
        "alpha_init": {k: spec.alpha_init[k] for k in spec.gated()} if "threshold" in spec.mode else None,
        "constant_gain": spec.constant_gain or None,
        "pass1_mu_d": 0.0,
        "feedback_bias": False,
    })
    if image:
        config["loss"] = {"bce": "bce, mean over all elements, per pass",
                          "softmax-ce": "softmax cross-entropy vs labels, mean over the batch, per pass"}[spec.loss]
        config["loss_name"] = spec.loss
        config["layout"] = ("Go engine's: x and pass*.out NHWC; conv weight [out,kH,kW,in]; convT weight "
                            "[in,kH,kW,out]; dense weight after a conv and flattened-source feedback weight "
                            "[n, H*W*C] with input index (h*W+w)*C+c")
        config["batch_norm"] = {"eps": BN_EPS, "momentum": BN_MOMENTUM, "mode": "training, batch statistics, "
                                "biased variance to normalise, running_var updated with the unbiased one, "
                                "running averages updated on every pass"}
        config["buffers"] = list(spec.buffers())
    else:
        config["loss"] = "bce, mean over all elements, per pass"
    config.update({
        "loss_mode": spec.loss_mode,
        "adam": ADAM,
        "params": names,
        "seed": seed,
        "margins": {"relu_argument_from_0": MARGIN, "mu_d_from_eta": MARGIN,
                    **({"maxpool_top_two": MARGIN, "nonzero_gradient_at_least": MIN_GRAD,
                        "active_per_conv_channel": MIN_ACTIVE_PER_CHANNEL, "bn_batch_variance_at_least": 1e-2} if image else {})},
    })
    return {"description": spec.description, "config": config, "tensors": tensors}


# ---------------------------------------------------------------------------
# Cases.

def autoencoder(sizes=(6, 5, 3, 5, 6)):
    n0, n1, n2, n3, n4 = sizes
    return [Dense("E1", n0, n1, "relu"), Dense("E2", n1, n2, "relu"),
            Dense("D1", n2, n3, "relu"), Dense("D2", n3, n4, "sigmoid")]


COMPREHENSIVE = [("E2", "E1"), ("D1", "E1"), ("D2", "E1"), ("D1", "E2"), ("D2", "E2"), ("D2", "D1")]


@case("partial_gain_T2")
def partial_gain_T2():
    return network_fixture(NetSpec(
        "Dense AE 6-5-3-5-6, partial feedback D1->E1, T=2, FG-ReLU gain, loss = mean of the per-pass losses.",
        autoencoder(), [("D1", "E1")], passes=2, mode="gain", loss_mode="mean", seed=100))


@case("partial_gain_T2_lastpass")
def partial_gain_T2_lastpass():
    return network_fixture(NetSpec(
        "Same network, weights and input as partial_gain_T2, loss on the last pass only.",
        autoencoder(), [("D1", "E1")], passes=2, mode="gain", loss_mode="last", seed=100))


@case("comprehensive_gainthreshold_T3")
def comprehensive_gainthreshold_T3():
    return network_fixture(NetSpec(
        "Dense AE 6-5-3-5-6, comprehensive feedback (E1<-E2,D1,D2; E2<-D1,D2; D1<-D2), T=3, "
        "gain+threshold f = relu(s + alpha*mu_D)*gain(mu_D), alpha nonzero, loss = mean of the per-pass losses.",
        autoencoder(), COMPREHENSIVE, passes=3, mode="gain+threshold", loss_mode="mean",
        alpha_init={"E1": 0.3, "E2": -0.2, "D1": 0.25}, feedback_limit=1.2, seed=300))


@case("partial_thresholdonly_T2")
def partial_thresholdonly_T2():
    return network_fixture(NetSpec(
        "Dense AE 6-5-3-5-6, partial feedback D1->E1, T=2, threshold-only f = relu(s + alpha*mu_D), "
        "alpha nonzero, loss = mean of the per-pass losses.",
        autoencoder(), [("D1", "E1")], passes=2, mode="threshold-only", loss_mode="mean",
        alpha_init={"E1": 0.3}, seed=400))


@case("constant_gain")
def constant_gain():
    return network_fixture(NetSpec(
        "Dense AE 6-5-3-5-6, no feedback, E1's gain fixed to 10 (f = 10*relu(s)), T=1.",
        autoencoder(), [], passes=1, mode="constant-gain", loss_mode="mean",
        constant_gain={"E1": 10.0}, weight_scale=1.0, seed=500))


def conv_autoencoder(batch_norm=False):
    """The paper's CIFAR AE (SPEC.md section 4) made tiny: 8x8x3 -> 4x4x4 -> 2x2x4 -> 4x4x4 -> 8x8x3,
    5x5 kernels, stride 2, padding 2, output padding 1 on the transposed convolutions;
    batch norm (optional) after the activations of E1, E2, D1."""
    return [Conv("E1", 3, 4, 5, "relu", stride=2, pad=2, batch_norm=batch_norm),
            Conv("E2", 4, 4, 5, "relu", stride=2, pad=2, batch_norm=batch_norm),
            Conv("D1", 4, 4, 5, "relu", stride=2, pad=2, out_pad=1, transposed=True, batch_norm=batch_norm),
            Conv("D2", 4, 3, 5, "sigmoid", stride=2, pad=2, out_pad=1, transposed=True)]


def conv_classifier():
    """The paper's CIFAR classifier (SPEC.md section 4) made tiny, without dropout:
    8x8x3 -> conv 4@5x5 p2 -> pool 2 -> BN -> conv 4@5x5 p2 -> pool 2 -> BN -> 16 -> 6 -> 5."""
    return [Conv("C1", 3, 4, 5, "relu", pad=2, pool=2, batch_norm=True),
            Conv("C2", 4, 4, 5, "relu", pad=2, pool=2, batch_norm=True),
            Dense("F1", 16, 6, "relu"), Dense("OUT", 6, 5, "identity")]


@case("conv_ae_T2")
def conv_ae_T2():
    return network_fixture(NetSpec(
        "Conv AE 8x8x3 (E1 conv 3->4, E2 conv 4->4, 5x5 s2 p2; D1 convT 4->4, D2 convT 4->3, 5x5 s2 p2 "
        "output_padding 1), feedback D1->E1 from D1's channels averaged over space, one mu_D per E1 filter, "
        "T=2, FG-ReLU gain, BCE, loss = mean of the per-pass losses.",
        conv_autoencoder(), [("D1", "E1")], passes=2, mode="gain", loss_mode="mean",
        batch=3, image=(3, 8, 8), seed=600))


@case("conv_ae_bn_T2")
def conv_ae_bn_T2():
    return network_fixture(NetSpec(
        "Conv AE as conv_ae_T2 with batch norm (training mode, batch statistics) after the activations "
        "of E1, E2, D1; the feedback source is D1's output after its batch norm. after.* are the running "
        "averages after both passes (each pass updates them).",
        conv_autoencoder(batch_norm=True), [("D1", "E1")], passes=2, mode="gain", loss_mode="mean",
        batch=3, image=(3, 8, 8), seed=700))


@case("conv_ae_flatten_T2")
def conv_ae_flatten_T2():
    return network_fixture(NetSpec(
        "Conv AE as conv_ae_T2 with two edges into E1: D1->E1 (channel means) and D2->E1 from D2's whole "
        "output flattened (192 values, H,W,C order in the Go layout), T=2, FG-ReLU gain, BCE, "
        "loss = mean of the per-pass losses.",
        conv_autoencoder(), [("D1", "E1"), ("D2", "E1", "flatten")], passes=2, mode="gain", loss_mode="mean",
        batch=3, image=(3, 8, 8), feedback_limits={("D2", "E1"): 0.15}, seed=900))


@case("conv_cls_T2")
def conv_cls_T2():
    return network_fixture(NetSpec(
        "Conv classifier 8x8x3: C1 conv 3->4 5x5 p2 (gated) -> maxpool 2 -> BN -> C2 conv 4->4 5x5 p2 (ReLU) "
        "-> maxpool 2 -> BN -> flatten (16) -> F1 dense 16->6 (ReLU) -> OUT dense 6->5, softmax cross-entropy "
        "vs labels, feedback F1->C1 (6 units -> one mu_D per C1 filter), T=2, gain+threshold with alpha "
        "nonzero, no dropout, loss = mean of the per-pass losses.",
        conv_classifier(), [("F1", "C1")], passes=2, mode="gain+threshold", loss_mode="mean",
        alpha_init={"C1": 0.3}, batch=4, image=(3, 8, 8), loss="softmax-ce", seed=800))


@case("maxpool_ties")
def maxpool_ties():
    """F.max_pool2d alone on inputs full of ties. In the networks above a tie can only
    happen among the zeros of inactive ReLUs, whose gradient is 0 whichever input wins, so
    the networks cannot show which one PyTorch picks; here the gradient does. PyTorch's
    CPU kernel keeps the first maximum in row-major window order (strictly greater
    replaces), which a direct loop below confirms."""
    gen = torch.Generator().manual_seed(11)
    n, c, h, w = 2, 3, 5, 7  # odd sizes: the last row/column that fills no window is dropped
    x = torch.randint(0, 3, (n, c, h, w), generator=gen).double() / 4  # values {0, 0.25, 0.5}
    x[0, 0] = 0.5  # a whole channel of equal values
    tensors = {"x": nchw_to_nhwc(x)}
    for k in (2, 3):
        oh, ow = h // k, w // k
        dy = torch.round(torch.rand(n, c, oh, ow, generator=gen) * 2 - 1, decimals=PARAM_DECIMALS)
        leaf = x.clone().requires_grad_(True)
        y = F.max_pool2d(leaf, k)
        (dx,) = torch.autograd.grad((y * dy).sum(), [leaf])
        want = torch.zeros_like(x)  # first maximum in row-major order gets the gradient
        for b in range(n):
            for ch in range(c):
                for i in range(oh):
                    for j in range(ow):
                        win = x[b, ch, i * k:(i + 1) * k, j * k:(j + 1) * k].flatten().tolist()
                        first = win.index(max(win))
                        want[b, ch, i * k + first // k, j * k + first % k] += dy[b, ch, i, j]
        assert torch.equal(dx, want), k
        tensors.update({f"k{k}.y": nchw_to_nhwc(y.detach()), f"k{k}.dy": nchw_to_nhwc(dy),
                        f"k{k}.dx": nchw_to_nhwc(dx)})
    return {
        "description": "F.max_pool2d (kernel = stride = k, k in {2, 3}) on an input with many ties, NHWC: "
                       "k{k}.y the output, k{k}.dx the gradient of sum(dy * y); among equal maxima the first "
                       "in row-major window order wins.",
        "config": {"dtype": "float64", "layout": "NHWC", "kernels": [2, 3], "x_shape": [n, h, w, c],
                   "tie_rule": "first maximum in row-major window order"},
        "tensors": tensors,
    }


@case("fgrelu_unit")
def fgrelu_unit():
    """The unit alone: f and the gradients of sum(dy * f) for each mode."""
    gen = torch.Generator().manual_seed(7)
    s_vals = torch.tensor([-1.3, -0.4, 0.35, 1.2])
    # mu_D: negative, zero (pass 1), inside (0, eta), just below eta, saturated (x2)
    mu_vals = torch.tensor([-0.8, 0.0, 0.2, 0.45, 0.7, 1.5])
    s = s_vals[:, None].expand(4, 6).clone()
    mu = mu_vals[None, :].expand(4, 6).clone()
    alpha = torch.tensor([-0.6])  # flips s=-0.4 on at mu=-0.8 and s=0.35 off at mu=0.7
    dy = torch.round(torch.rand(4, 6, generator=gen) * 2 - 1, decimals=PARAM_DECIMALS)
    tensors = {"s": s, "mu_d": mu, "alpha": alpha, "dy": dy,
               "gain": gain(mu, BETA_MAX, ETA)}
    for mode in ("gain", "gain+threshold", "threshold-only"):
        assert relu_argument(s, mu, alpha, mode).abs().min() >= MARGIN
        leaves = [t.clone().requires_grad_(True) for t in (s, mu, alpha)]
        f = fg_activation(*leaves, mode, BETA_MAX, ETA)
        ds, dmu, dalpha = torch.autograd.grad((f * dy).sum(), leaves, allow_unused=True)
        # hand-derived gradients, as a check on the oracle
        g = gain(mu, BETA_MAX, ETA)
        dg = torch.where(mu * (BETA_MAX / ETA) < BETA_MAX, (BETA_MAX / ETA) * g * g, torch.zeros_like(g))
        arg = relu_argument(s, mu, alpha, mode)
        on = (arg > 0).double()
        if mode == "gain":
            want = (dy * on * g, dy * torch.relu(arg) * dg, None)
        elif mode == "gain+threshold":
            want = (dy * on * g, dy * (on * alpha * g + torch.relu(arg) * dg), (dy * on * g * mu).sum().reshape(1))
        else:
            want = (dy * on, dy * on * alpha, (dy * on * mu).sum().reshape(1))
        for got, exp in zip((ds, dmu, dalpha), want):
            assert (got is None and exp is None) or torch.allclose(got, exp, atol=1e-12), mode
        tensors[f"{mode}.f"] = f.detach()
        tensors[f"{mode}.ds"] = ds
        tensors[f"{mode}.dmu_d"] = dmu
        if dalpha is not None:
            tensors[f"{mode}.dalpha"] = dalpha
    return {
        "description": "FG-ReLU unit alone, elementwise over a 4x6 grid: rows s in {-1.3,-0.4,0.35,1.2}, "
                       "columns mu_d in {-0.8, 0, 0.2, 0.45, 0.7, 1.5} (negative, pass-1 zero, unsaturated, "
                       "saturated). {mode}.ds/.dmu_d/.dalpha are the gradients of sum(dy * f).",
        "config": {"dtype": "float64", "beta_max": BETA_MAX, "eta": ETA, "alpha": alpha.item(),
                   "modes": {"gain": "f = relu(s) * gain(mu_d)",
                             "gain+threshold": "f = relu(s + alpha*mu_d) * gain(mu_d)",
                             "threshold-only": "f = relu(s + alpha*mu_d)"},
                   "gain": "1 / (1 - min(beta_max/eta * mu_d, beta_max))",
                   "margins": {"relu_argument_from_0": MARGIN, "mu_d_from_eta": MARGIN}},
        "tensors": tensors,
    }


# ---------------------------------------------------------------------------
# JSON writing: one tensor per line so diffs stay readable.

def fmt(v):
    v = float(v)
    if v == 0.0:
        return "0"
    return format(v, f".{OUT_DIGITS}g")


def write_fixture(path, fixture):
    lines = ["{",
             f' "description": {json.dumps(fixture["description"])},',
             f' "config": {json.dumps(fixture["config"])},',
             ' "tensors": {']
    items = list(fixture["tensors"].items())
    for i, (name, t) in enumerate(items):
        t = t.detach()
        data = ", ".join(fmt(v) for v in t.flatten().tolist())
        comma = "," if i + 1 < len(items) else ""
        lines.append(f'  {json.dumps(name)}: {{"shape": {json.dumps(list(t.shape))}, "data": [{data}]}}{comma}')
    lines += [" }", "}"]
    text = "\n".join(lines) + "\n"
    json.loads(text)  # must parse
    with open(path, "w") as f:
        f.write(text)
    return len(text)


def np_conv(np, x, w, b, stride, pad):
    """Conv2d on NHWC x with an [out, kH, kW, in] weight, written from the definition:
    y[n, i, j, o] = b[o] + sum over kh, kw, c of xpad[n, i*stride + kh, j*stride + kw, c] * w[o, kh, kw, c]."""
    n, h, wd, _ = x.shape
    k = w.shape[1]
    oh, ow = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    y = np.zeros((n, oh, ow, w.shape[0])) + b
    for kh in range(k):
        for kw in range(k):
            patch = xp[:, kh:kh + stride * (oh - 1) + 1:stride, kw:kw + stride * (ow - 1) + 1:stride, :]
            y += patch @ w[:, kh, kw, :].T
    return y


def np_conv_transpose(np, x, w, b, stride, pad, out_pad):
    """ConvTranspose2d on NHWC x with an [in, kH, kW, out] weight: input pixel (i, j) adds
    x[n, i, j, :] @ w[:, kh, kw, :] to output pixel (i*stride - pad + kh, j*stride - pad + kw);
    pixels outside [0, H_out) are dropped, H_out = (H-1)*stride - 2*pad + k + out_pad."""
    n, h, wd, _ = x.shape
    k = w.shape[1]
    oh, ow = (h - 1) * stride - 2 * pad + k + out_pad, (wd - 1) * stride - 2 * pad + k + out_pad
    full = np.zeros((n, max((h - 1) * stride + k, pad + oh), max((wd - 1) * stride + k, pad + ow), w.shape[3]))
    for kh in range(k):
        for kw in range(k):
            full[:, kh:kh + stride * (h - 1) + 1:stride, kw:kw + stride * (wd - 1) + 1:stride, :] += x @ w[:, kh, kw, :]
    return full[:, pad:pad + oh, pad:pad + ow, :] + b


def numpy_recheck(path):
    """Re-reads a written network fixture and recomputes, with numpy only and in the Go
    layout as written (NHWC, OHWI, H,W,C flattening), every pass's mu_d, outputs and loss,
    the training loss, the batch-norm running averages and the Adam step. Returns the
    largest absolute difference (a check of the oracle, of the layout conversion and of
    the JSON writing)."""
    import numpy as np
    with open(path) as f:
        d = json.load(f)
    c = d["config"]
    t = {k: np.array(v["data"], dtype=np.float64).reshape(v["shape"]) for k, v in d["tensors"].items()}
    bm, eta, x = c["beta_max"], c["eta"], t["x"]
    bn = c.get("batch_norm", {})
    running = {k: t[k].copy() for k in c.get("buffers", [])}
    worst, prev, losses = 0.0, None, []
    for p in range(1, c["passes"] + 1):
        h, outs = x, {}
        for layer in c["layers"]:
            n, kind = layer["name"], layer["kind"]
            w, b = t[n + ".weight"], t[n + ".bias"]
            if kind == "conv":
                s = np_conv(np, h, w, b, layer["stride"], layer["pad"])
            elif kind == "convT":
                s = np_conv_transpose(np, h, w, b, layer["stride"], layer["pad"], layer["out_pad"])
            else:
                s = h.reshape(h.shape[0], -1) @ w.T + b
            if n in c["gated"]:
                mu = (np.zeros((s.shape[0], s.shape[-1])) if p == 1 else
                      sum((prev[e["from"]].mean(axis=(1, 2)) if e.get("source") == "mean"
                           else prev[e["from"]].reshape(s.shape[0], -1)) @ t[e["weight"]].T
                          for e in c["edges"] if e["to"] == n))
                worst = max(worst, np.abs(mu - t[f"pass{p}.{n}.mu_d"]).max())
                g = 1.0 / (1.0 - np.minimum(bm / eta * mu, bm))
                a = t[n + ".alpha"][0] if n + ".alpha" in t else 0.0
                if s.ndim == 4:  # one mu_D per filter, the same at every position
                    mu, g = mu[:, None, None, :], g[:, None, None, :]
                h = {"gain": np.maximum(s, 0) * g,
                     "gain+threshold": np.maximum(s + a * mu, 0) * g,
                     "threshold-only": np.maximum(s + a * mu, 0)}[c["mode"]]
            elif c["constant_gain"] and n in c["constant_gain"]:
                h = c["constant_gain"][n] * np.maximum(s, 0)
            elif layer["activation"] == "relu":
                h = np.maximum(s, 0)
            elif layer["activation"] == "sigmoid":
                h = 1.0 / (1.0 + np.exp(-s))
            else:
                h = s
            if layer.get("pool"):
                k = layer["pool"]
                b_, hh, ww, ch = h.shape
                h = h[:, :hh // k * k, :ww // k * k, :].reshape(b_, hh // k, k, ww // k, k, ch).max(axis=(2, 4))
            if layer.get("batch_norm"):
                mean, var = h.mean(axis=(0, 1, 2)), h.var(axis=(0, 1, 2))
                m = h.size // h.shape[-1]
                h = (h - mean) / np.sqrt(var + bn["eps"]) * t[n + ".bn.weight"] + t[n + ".bn.bias"]
                rm, rv = n + ".bn.running_mean", n + ".bn.running_var"
                running[rm] = (1 - bn["momentum"]) * running[rm] + bn["momentum"] * mean
                running[rv] = (1 - bn["momentum"]) * running[rv] + bn["momentum"] * var * m / (m - 1)
            outs[n] = h
            worst = max(worst, np.abs(h - t[f"pass{p}.{n}.out"]).max())
        if c.get("loss_name", "bce") == "bce":
            losses.append(-(x * np.log(h) + (1 - x) * np.log(1 - h)).mean())
        else:
            labels = t["labels"].astype(int)
            z = h - h.max(axis=1, keepdims=True)
            losses.append(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(labels)), labels]))
        worst = max(worst, abs(losses[-1] - t[f"pass{p}.loss"][0]))
        prev = outs
    loss = np.mean(losses) if c["loss_mode"] == "mean" else losses[-1]
    worst = max(worst, abs(loss - t["loss"][0]))
    for k, v in running.items():
        worst = max(worst, np.abs(v - t["after." + k]).max())
    lr, eps = c["adam"]["lr"], c["adam"]["eps"]
    for k in c["params"]:  # first Adam step: bias corrections give p - lr*g/(|g|+eps)
        g = t["grad." + k]
        worst = max(worst, np.abs(t[k] - lr * g / (np.abs(g) + eps) - t["adam1." + k]).max())
    return float(worst)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "net", "testdata", "fixtures"))
    ap.add_argument("--only", nargs="*", help="case names to write (default: all)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, make in CASES.items():
        if args.only and name not in args.only:
            continue
        fixture = make()
        path = os.path.join(args.out, name + ".json")
        size = write_fixture(path, fixture)
        seed = fixture["config"].get("seed", "-")
        msg = f"{name}.json: {len(fixture['tensors'])} tensors, {size} bytes, seed {seed}"
        if "passes" in fixture["config"]:
            worst = numpy_recheck(path)
            # outputs are written with OUT_DIGITS significant digits and are at most ~20
            assert worst < 1e-7, f"{name}: numpy recheck differs by {worst}"
            msg += f", numpy recheck max diff {worst:.1e}"
        print(msg)


if __name__ == "__main__":
    main()
