#!/usr/bin/env python3
"""Independent oracle for stats tests (standard library only: no numpy, no scipy).

Means and variances are computed exactly with fractions. The Student-t CDF is
computed by integrating the density numerically (composite Gauss-Legendre, 5
points per panel, 4000 panels), which shares no code or method with gonum's
regularized incomplete beta; quantiles are found by bisection on that CDF.
Run: python3 stats/testdata/oracle.py  (prints the values stats_test.go uses).
"""
from fractions import Fraction
import math

GL_X = [0.0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640, 0.9061798459386640]
GL_W = [0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891]


def t_pdf(x, nu):
    # f(x) = Γ((ν+1)/2) / (sqrt(νπ) Γ(ν/2)) · (1 + x²/ν)^(−(ν+1)/2)
    c = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)
    return math.exp(c - (nu + 1) / 2 * math.log1p(x * x / nu))


def integrate(f, a, b, panels=4000):
    h = (b - a) / panels
    s = 0.0
    for i in range(panels):
        m = a + (i + 0.5) * h
        s += sum(w * f(m + 0.5 * h * x) for x, w in zip(GL_X, GL_W))
    return s * h / 2


def t_cdf(t, nu):
    half = integrate(lambda x: t_pdf(x, nu), 0.0, abs(t))
    return 0.5 + half if t >= 0 else 0.5 - half


def t_sf_two_sided(t, nu):
    # 2·P(T > |t|) = 1 − 2∫_0^|t| f
    return 1.0 - 2.0 * integrate(lambda x: t_pdf(x, nu), 0.0, abs(t))


def t_quantile(p, nu):
    lo, hi = 0.0, 1000.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if t_cdf(mid, nu) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def mean_var(xs):
    fx = [Fraction(str(x)) for x in xs]
    n = len(fx)
    m = sum(fx) / n
    v = sum((x - m) ** 2 for x in fx) / (n - 1)
    return m, v


def welch(a, b):
    ma, va = mean_var(a)
    mb, vb = mean_var(b)
    na, nb = len(a), len(b)
    se2 = va / na + vb / nb
    t = float(ma - mb) / math.sqrt(float(se2))
    # Welch–Satterthwaite
    df = float(se2 ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1)))
    return float(ma - mb), math.sqrt(float(se2)), t, df, t_sf_two_sided(t, df)


def cohen_d(a, b):
    ma, va = mean_var(a)
    mb, vb = mean_var(b)
    na, nb = len(a), len(b)
    sp = math.sqrt(float(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)))
    d = float(ma - mb) / sp
    df = na + nb - 2
    j = math.exp(math.lgamma(df / 2) - math.lgamma((df - 1) / 2)) / math.sqrt(df / 2)
    return d, d * j


def show(name, v):
    print(f"{name} = {v!r}")


if __name__ == "__main__":
    for nu in (1, 2, 7, 9, 10, 30):
        show(f"t_0.975({nu})", t_quantile(0.975, nu))
    show("t_0.95(25.0)", t_quantile(0.95, 25.0))
    show("t_0.995(4.5)", t_quantile(0.995, 4.5))

    xs = [2, 4, 4, 4, 5, 5, 7, 9]
    m, v = mean_var(xs)
    q = t_quantile(0.975, 7)
    h = q * math.sqrt(float(v)) / math.sqrt(len(xs))
    show("summary.mean", float(m))
    show("summary.sd", math.sqrt(float(v)))
    show("summary.ci95", (float(m) - h, float(m) + h))
    q90 = t_quantile(0.95, 7)
    h90 = q90 * math.sqrt(float(v)) / math.sqrt(len(xs))
    show("summary.ci90", (float(m) - h90, float(m) + h90))

    # Wikipedia "Welch's t-test", examples 1-3 (published, rounded: example 1
    # t = -2.46, df = 25.0, p = 0.021; example 2 t = -1.57, df = 9.9, p = 0.149).
    ex = [
        ([27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4],
         [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]),
        ([17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8],
         [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8]),
        ([19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0],
         [28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3]),
    ]
    for i, (a, b) in enumerate(ex, 1):
        diff, se, t, df, p = welch(a, b)
        q = t_quantile(0.975, df)
        show(f"welch{i}.t,df,p", (t, df, p))
        show(f"welch{i}.diff,ci95", (diff, diff - q * se, diff + q * se))
        q90 = t_quantile(0.95, df)
        show(f"welch{i}.ci90", (diff - q90 * se, diff + q90 * se))
        show(f"welch{i}.d,g", cohen_d(a, b))
        # TOST p-value for margins 1 and 4: max(P(T >= (d+m)/se), P(T <= (d-m)/se)).
        for margin in (1.0, 4.0):
            p_low = 1.0 - t_cdf((diff + margin) / se, df)
            p_high = t_cdf((diff - margin) / se, df)
            show(f"welch{i}.tost(margin={margin})", max(p_low, p_high))
