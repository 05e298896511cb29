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
with layers E1, E2, D1, D2; fgrelu_unit.json tests the FG-ReLU unit alone.

To add a case, write a function that returns a fixture dict and decorate it with
@case("file_name"); network cases build a NetSpec and call network_fixture(). The
layer classes (Dense) carry everything layer-specific: parameter shapes and init,
input_shape, the pre-activation, how a layer acts as a feedback source (summarize) and
how mu_D reaches its units (expand_mu). A Conv class would use summarize = mean over
space, expand_mu = mu[:, :, None, None], and should state its weight layout in describe()
(PyTorch stores OIHW, the Go code OHWI; transposed conv: PyTorch [in, out, kH, kW], Go
[in, kH, kW, out]) or write the tensors already permuted; numpy_recheck covers dense
layers only.
"""

import argparse
import json
import math
import os
from dataclasses import dataclass, field

import torch

torch.set_default_dtype(torch.float64)

BETA_MAX = 0.9
ETA = 0.5
ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
MARGIN = 1e-3        # no relu argument within MARGIN of 0, no mu_D within MARGIN of eta
PARAM_DECIMALS = 6   # inputs and parameters are rounded to this many decimals
OUT_DIGITS = 10      # significant digits written for computed values
MAX_TRIES = 500      # seeds tried per case before giving up

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
# JSON writer all see the same flat list.

@dataclass
class Dense:
    name: str
    n_in: int
    n_out: int
    activation: str  # "relu" or "sigmoid"

    def param_shapes(self):
        return {f"{self.name}.weight": [self.n_out, self.n_in], f"{self.name}.bias": [self.n_out]}

    def init_params(self, gen, scale):
        limit = scale * math.sqrt(6.0 / (self.n_in + self.n_out))  # Glorot-uniform, scaled
        return {f"{self.name}.weight": uniform(gen, [self.n_out, self.n_in], limit),
                f"{self.name}.bias": uniform(gen, [self.n_out], 0.3)}

    def input_shape(self, batch):
        return [batch, self.n_in]

    def pre_activation(self, p, h):
        return h @ p[f"{self.name}.weight"].T + p[f"{self.name}.bias"]

    # Feedback: as a source, a dense layer sends its units; as a receiver, it takes one
    # mu_D per unit.
    def feedback_width(self):
        return self.n_out

    def summarize(self, h):
        return h

    def expand_mu(self, mu):
        return mu

    def describe(self):
        return {"name": self.name, "kind": "dense", "in": self.n_in, "out": self.n_out,
                "activation": self.activation}


@dataclass
class NetSpec:
    description: str
    layers: list
    edges: list                 # [(from, to)]; the receivers are the gated layers
    passes: int
    mode: str                   # "gain", "gain+threshold", "threshold-only", "constant-gain"
    loss_mode: str              # "mean" (of per-pass losses) or "last"
    alpha_init: dict = field(default_factory=dict)     # threshold modes: layer -> alpha
    constant_gain: dict = field(default_factory=dict)  # mode constant-gain: layer -> gain
    batch: int = 4
    weight_scale: float = 1.5   # Glorot limit multiplier
    feedback_limit: float = 1.5 # feedback weights ~ U(-limit, limit)
    seed: int = 1

    def gated(self):
        names = [l.name for l in self.layers]
        receivers = {to for _, to in self.edges}
        return [n for n in names if n in receivers]

    def by_name(self, name):
        return next(l for l in self.layers if l.name == name)

    def edge_param(self, src, dst):
        return f"fb.{src}->{dst}.weight"


def uniform(gen, shape, limit):
    t = (torch.rand(shape, generator=gen) * 2.0 - 1.0) * limit
    return torch.round(t, decimals=PARAM_DECIMALS)


def init_params(spec, gen):
    params = {}
    for layer in spec.layers:
        params.update(layer.init_params(gen, spec.weight_scale))
    for src, dst in spec.edges:
        shape = [spec.by_name(dst).feedback_width(), spec.by_name(src).feedback_width()]
        params[spec.edge_param(src, dst)] = uniform(gen, shape, spec.feedback_limit)
    for name in spec.gated():
        if spec.mode in ("gain+threshold", "threshold-only"):
            params[f"{name}.alpha"] = torch.tensor([spec.alpha_init[name]])
    return params


# ---------------------------------------------------------------------------
# NETWORK SEMANTICS (SPEC.md section 2):
# - the same x is presented for T passes; all passes share all parameters;
# - pass 1: mu_D = 0 for every gated layer (gain 1, threshold 0);
# - pass t > 1: mu_D(i) = sum over edges j -> i of summarize(h_j(t-1)) @ W_e^T, W_e of shape
#   [n_i, m_j], no bias, h_j the post-activation output of layer j on pass t-1;
# - per-pass loss = binary cross-entropy of the sigmoid output vs x, averaged over all
#   elements; training loss = mean over passes ("mean") or the last pass ("last");
# - gradients flow through the feedback into earlier passes (nothing is detached).

def bce(y, target):
    return -(target * torch.log(y) + (1.0 - target) * torch.log(1.0 - y)).mean()


def forward(spec, params, x, record=None):
    """Runs all passes; returns the training loss. record (a dict) receives per-pass
    tensors and the values that the kink checks need."""
    gated = set(spec.gated())
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
                    mu = sum(spec.by_name(src).summarize(prev[src]) @ params[spec.edge_param(src, dst)].T
                             for src, dst in spec.edges if dst == name)
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
            else:
                raise ValueError(f"unknown activation {layer.activation!r}")
            outs[name] = h
            if record is not None:
                record[f"pass{p}.{name}.out"] = h
        loss_p = bce(h, x)
        losses.append(loss_p)
        if record is not None:
            record[f"pass{p}.loss"] = loss_p.reshape(1)
        prev = outs
    if spec.loss_mode == "mean":
        return sum(losses) / len(losses)
    if spec.loss_mode == "last":
        return losses[-1]
    raise ValueError(f"unknown loss mode {spec.loss_mode!r}")


def acceptable(spec, record, grads):
    """Why a draw is rejected (None when it is fine): a kink within MARGIN, a saturated
    sigmoid, a mostly dead hidden layer, a parameter without gradient, or feedback that
    misses a regime."""
    for a in record.get("_relu_args", []):
        if a.abs().min() < MARGIN:
            return f"relu argument {a.abs().min().item():.2e} from 0"
        if (a > 0).double().mean() < 0.25:
            return "a hidden layer has fewer than 25% active units in some pass"
    for z in record.get("_logits", []):
        if z.abs().max() > 6.0:
            return "sigmoid pre-activation beyond +-6"
    for k, g in grads.items():
        if g.abs().max() < (1e-3 if k.endswith(".alpha") else 1e-6):
            return f"gradient of {k} is (nearly) zero"
    mus = record.get("_mu", [])
    if not mus:
        return None
    active_mu = torch.cat([mu[arg > 0].flatten() for mu, arg in mus])
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
    for seed in range(spec.seed, spec.seed + MAX_TRIES):
        gen = torch.Generator().manual_seed(seed)
        x = torch.round(torch.rand(spec.layers[0].input_shape(spec.batch), generator=gen), decimals=PARAM_DECIMALS)
        params = init_params(spec, gen)
        names = list(params)
        leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        record = {}
        loss = forward(spec, leaves, x, record)
        grads = dict(zip(names, torch.autograd.grad(loss, [leaves[k] for k in names])))
        if acceptable(spec, record, grads) is None:
            break
    else:
        raise RuntimeError(f"no acceptable seed in {MAX_TRIES} tries for: {spec.description}")

    # Self-check of the oracle: autograd against central finite differences.
    flat = lambda *vals: forward(spec, dict(zip(names, vals)), x)
    assert torch.autograd.gradcheck(flat, tuple(leaves[k] for k in names), eps=1e-6, atol=1e-7), spec.description

    tensors = {"x": x}
    tensors.update(params)
    tensors.update({k: v for k, v in record.items() if not k.startswith("_")})
    tensors["loss"] = loss.reshape(1)
    tensors.update({f"grad.{k}": g for k, g in grads.items()})
    tensors.update({f"adam1.{k}": v for k, v in adam_step(params, grads).items()})

    config = {
        "dtype": "float64",
        "batch": spec.batch,
        "sizes": [spec.layers[0].n_in] + [l.n_out for l in spec.layers],
        "layers": [l.describe() for l in spec.layers],
        "gated": spec.gated(),
        "edges": [{"from": s, "to": d, "weight": spec.edge_param(s, d)} for s, d in spec.edges],
        "passes": spec.passes,
        "mode": spec.mode,
        "beta_max": BETA_MAX,
        "eta": ETA,
        "alpha_init": {k: spec.alpha_init[k] for k in spec.gated()} if "threshold" in spec.mode else None,
        "constant_gain": spec.constant_gain or None,
        "pass1_mu_d": 0.0,
        "feedback_bias": False,
        "loss": "bce, mean over all elements, per pass",
        "loss_mode": spec.loss_mode,
        "adam": ADAM,
        "params": names,
        "seed": seed,
        "margins": {"relu_argument_from_0": MARGIN, "mu_d_from_eta": MARGIN},
    }
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


def numpy_recheck(path):
    """Re-reads a written dense-network fixture and recomputes, with numpy only, every
    pass's mu_d, outputs and loss, the training loss and the Adam step. Returns the
    largest absolute difference (a check of both the oracle and the JSON writing)."""
    import numpy as np
    with open(path) as f:
        d = json.load(f)
    c = d["config"]
    t = {k: np.array(v["data"], dtype=np.float64).reshape(v["shape"]) for k, v in d["tensors"].items()}
    if any(l["kind"] != "dense" for l in c["layers"]):
        return 0.0  # only dense layers are re-implemented here
    bm, eta, x = c["beta_max"], c["eta"], t["x"]
    worst, prev, losses = 0.0, None, []
    for p in range(1, c["passes"] + 1):
        h, outs = x, {}
        for layer in c["layers"]:
            n = layer["name"]
            s = h @ t[n + ".weight"].T + t[n + ".bias"]
            if n in c["gated"]:
                mu = (np.zeros_like(s) if p == 1 else
                      sum(prev[e["from"]] @ t[e["weight"]].T for e in c["edges"] if e["to"] == n))
                worst = max(worst, np.abs(mu - t[f"pass{p}.{n}.mu_d"]).max())
                g = 1.0 / (1.0 - np.minimum(bm / eta * mu, bm))
                a = t[n + ".alpha"][0] if n + ".alpha" in t else 0.0
                h = {"gain": np.maximum(s, 0) * g,
                     "gain+threshold": np.maximum(s + a * mu, 0) * g,
                     "threshold-only": np.maximum(s + a * mu, 0)}[c["mode"]]
            elif c["constant_gain"] and n in c["constant_gain"]:
                h = c["constant_gain"][n] * np.maximum(s, 0)
            elif layer["activation"] == "relu":
                h = np.maximum(s, 0)
            else:
                h = 1.0 / (1.0 + np.exp(-s))
            outs[n] = h
            worst = max(worst, np.abs(h - t[f"pass{p}.{n}.out"]).max())
        losses.append(-(x * np.log(h) + (1 - x) * np.log(1 - h)).mean())
        worst = max(worst, abs(losses[-1] - t[f"pass{p}.loss"][0]))
        prev = outs
    loss = np.mean(losses) if c["loss_mode"] == "mean" else losses[-1]
    worst = max(worst, abs(loss - t["loss"][0]))
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
