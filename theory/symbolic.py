"""Symbolic derivations (sympy) of the closed forms the numeric code relies on.

Each ``derive_*`` integrates densities symbolically -- nothing is typed in as the answer -- and
returns a sympy expression; the tests compare it with :mod:`theory.mechanisms` numerically.

* :func:`derive_gaussian_renyi_1d` / :func:`derive_gaussian_renyi` -- L22 (Bun & Steinke 2016,
  Lemma 2.5): D_alpha(N(0, s^2) || N(mu, s^2)) = alpha mu^2/(2 s^2) by integrating
  p^alpha q^(1-alpha) over R; the d-dimensional form by additivity over coordinates
  (N(0, s^2 I) is a product), giving alpha ||delta||_2^2 / (2 s^2).
* :func:`derive_eq6_normaliser` -- eq. (6): Z = int_{R^d} exp(-||z||_inf/s) dz for symbolic d,
  via the l_inf-ball volume vol{||z||_inf <= t} = (2t)^d (layer cake: Z = int_0^inf e^{-t/s} d(2t)^d).
* :func:`derive_t15_expected_linf` -- T15: E||z||_inf = int_0^inf t e^{-t/s} d(2t)^d / Z.
* :func:`derive_r14_mixture_density` -- R14: int_{||z||_inf}^inf Gamma(d+1, s)(R) (2R)^{-d} dR,
  the density at z of "R ~ Gamma(shape d+1, scale s), then z ~ Uniform([-R, R]^d)".
* :func:`derive_laplace_renyi` -- Mironov (2017) Prop. 6: the three-piece integral of
  p^alpha q^(1-alpha) for Laplace(0, b) vs Laplace(Delta, b), Delta > 0.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

__all__ = [
    "symbols",
    "derive_gaussian_renyi_1d",
    "derive_gaussian_renyi",
    "derive_eq6_normaliser",
    "derive_eq6_density",
    "derive_t15_expected_linf",
    "derive_r14_mixture_density",
    "derive_laplace_renyi",
]

alpha = sp.Symbol("alpha", positive=True)
sigma = sp.Symbol("sigma", positive=True)
mu = sp.Symbol("mu", real=True)
d = sp.Symbol("d", positive=True, integer=True)
t = sp.Symbol("t", positive=True)
R = sp.Symbol("R", positive=True)
rho = sp.Symbol("rho", positive=True)  # ||z||_inf
b = sp.Symbol("b", positive=True)
Delta = sp.Symbol("Delta", positive=True)
x = sp.Symbol("x", real=True)


def symbols() -> dict[str, sp.Symbol]:
    """The sympy symbols used by the derivations (alpha, sigma, mu, d, t, R, rho, b, Delta, x).

    Examples
    --------
    >>> sorted(symbols())[:4]
    ['Delta', 'R', 'alpha', 'b']
    """
    return dict(alpha=alpha, sigma=sigma, mu=mu, d=d, t=t, R=R, rho=rho, b=b, Delta=Delta, x=x)


def _renyi_from_integral(integral: sp.Expr) -> sp.Expr:
    return sp.simplify(sp.log(integral) / (alpha - 1))


@cache
def derive_gaussian_renyi_1d() -> sp.Expr:
    """L22 in one dimension: 1/(alpha-1) log int N(x; 0, sigma^2)^alpha N(x; mu, sigma^2)^(1-alpha) dx."""
    log_p = -x ** 2 / (2 * sigma ** 2) - sp.log(2 * sp.pi * sigma ** 2) / 2  # log N(x; 0, sigma^2)
    log_q = -(x - mu) ** 2 / (2 * sigma ** 2) - sp.log(2 * sp.pi * sigma ** 2) / 2  # log N(x; mu, sigma^2)
    # p^alpha q^(1-alpha) = exp(alpha log p + (1-alpha) log q), a Gaussian in x
    log_integrand = sp.expand(alpha * log_p + (1 - alpha) * log_q)
    c2, c1, c0 = sp.Poly(log_integrand, x).all_coeffs()  # quadratic in x
    # integrate exp(c2 x^2 + k x) for a generic real k (faster for sympy), then put k = c1 back
    k = sp.Symbol("k", real=True)
    integral = sp.integrate(sp.exp(c2 * x ** 2 + k * x), (x, -sp.oo, sp.oo), conds="none")
    integral = sp.simplify(integral).subs(k, c1)
    return sp.simplify(sp.expand_log(sp.log(integral) + c0, force=True) / (alpha - 1))


@cache
def derive_gaussian_renyi(dim: int | None = None) -> sp.Expr:
    """L22 in d dimensions by additivity: sum_i D_alpha(N(0, s^2)||N(delta_i, s^2)).
    With ``dim`` an int returns the expression in symbols delta_1..delta_dim; else in ||delta||_2^2
    (symbol ``delta2``) after substituting sum delta_i^2 = delta2."""
    one = derive_gaussian_renyi_1d()
    if dim is None:
        delta2 = sp.Symbol("delta2", positive=True)
        # the 1-d result is linear in mu^2: replace mu^2 by ||delta||^2 (sum of coordinates)
        coeff = sp.simplify(one / mu ** 2)
        if coeff.has(mu):
            raise AssertionError("1-d Gaussian Renyi divergence is not proportional to mu^2")
        return sp.simplify(coeff * delta2)
    deltas = sp.symbols(f"delta1:{int(dim) + 1}", real=True)
    return sp.simplify(sum(one.subs(mu, dl) for dl in deltas))


@cache
def derive_eq6_normaliser() -> sp.Expr:
    """Z(d, sigma) = int_0^inf e^{-t/sigma} d/dt[(2t)^d] dt  (layer cake with vol B_inf(t) = (2t)^d)."""
    vol = (2 * t) ** d
    Z = sp.integrate(sp.exp(-t / sigma) * sp.diff(vol, t), (t, 0, sp.oo), conds="none")
    return sp.simplify(sp.gammasimp(Z))


@cache
def derive_eq6_density() -> sp.Expr:
    """The eq.-6 density at a point with ||z||_inf = rho: exp(-rho/sigma) / Z."""
    return sp.simplify(sp.exp(-rho / sigma) / derive_eq6_normaliser())


@cache
def derive_t15_expected_linf() -> sp.Expr:
    """T15: E||z||_inf = int_0^inf t e^{-t/sigma} d/dt[(2t)^d] dt / Z  (should be d*sigma)."""
    vol = (2 * t) ** d
    num = sp.integrate(t * sp.exp(-t / sigma) * sp.diff(vol, t), (t, 0, sp.oo), conds="none")
    return sp.simplify(sp.gammasimp(num / derive_eq6_normaliser()))


@cache
def derive_r14_mixture_density() -> sp.Expr:
    """R14: density at z (||z||_inf = rho) of z = R U, R ~ Gamma(shape d+1, scale sigma),
    U ~ Uniform([-1, 1]^d):  int_rho^inf Gamma(d+1, sigma)(R) * (2R)^{-d} dR."""
    gamma_pdf = R ** d * sp.exp(-R / sigma) / (sp.gamma(d + 1) * sigma ** (d + 1))
    uniform_pdf = (2 * R) ** (-d)
    dens = sp.integrate(sp.powsimp(gamma_pdf * uniform_pdf, force=True), (R, rho, sp.oo), conds="none")
    return sp.simplify(dens)


@cache
def derive_laplace_renyi() -> sp.Expr:
    """Mironov (2017) Prop. 6: 1/(alpha-1) log int Lap(x; 0, b)^alpha Lap(x; Delta, b)^(1-alpha) dx,
    Delta > 0, alpha > 1, with |x| and |x - Delta| resolved on (-inf, 0), (0, Delta), (Delta, inf)."""
    a = sp.Symbol("a", positive=True)  # a = alpha - 1 > 0 keeps the convergence conditions decidable
    al = a + 1
    c = 1 / (2 * b)
    pieces = [
        ((-sp.oo, 0), -x, Delta - x),
        ((0, Delta), x, Delta - x),
        ((Delta, sp.oo), x, x - Delta),
    ]
    total = 0
    for (lo, hi), ax, axd in pieces:
        integrand = c * sp.exp(-(al * ax + (1 - al) * axd) / b)
        total += sp.integrate(sp.expand(integrand), (x, lo, hi), conds="none")
    total = sp.simplify(total)
    return sp.simplify((sp.log(total) / a).subs(a, alpha - 1))
