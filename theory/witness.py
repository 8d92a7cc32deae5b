"""Witnesses: concrete counterexamples to certified radii that exceed the tight (Neyman-Pearson) radius.

A witness (JSON) is a fully explicit instance of randomized smoothing with Gaussian noise N(0, sigma^2 I_d):

* a base classifier ``f`` that depends on ``w . z`` only: ``f(z) = label`` of the interval of the real line
  containing ``w . z`` (binary: ``A`` on ``(-inf, b]``, ``B`` on ``(b, inf)``; multi-class:
  ``A | C<m> | ... | C1 | B``: the middle band, of probability 1 - pA - pB at x, is cut into
  m = ceil((1 - pA - pB)/pB) parallel slabs of equal probability at x, each <= pB, so that B is the runner-up
  class at x as the certificates' pB requires; K = m + 2 classes, recorded as ``num_classes``);
* a point ``x`` and a point ``x_prime``;
* the certificate (name, parameters) and its claimed radius at the exact probabilities of ``g`` at ``x``.

The smoothed probabilities are exact: ``P(w.(x+Z) in (lo, hi]) = Phi((hi - w.x)/s) - Phi((lo - w.x)/s)``
with ``s = sigma ||w||_2`` (``w.Z ~ N(0, s^2)``), computed with mpmath at 50 digits.  A witness holds when
``g(x) = A`` (A strictly above every other class), B is the runner-up at x (P(B) >= P(every class but A); the
certificates' pB is the runner-up's probability, so a multi-class radius computed with a smaller class's
probability would not be the certificate's), ``||x_prime - x|| <= claimed radius`` (in the certificate's norm),
and at ``x_prime`` some class is strictly more probable than A (the flip).

:func:`check_witness` recomputes all of this from the classifier, ``x`` and ``x_prime`` in the file (nothing
stored is trusted) and confirms it by Monte Carlo: ``n`` draws of Z (fixed seed), a two-sided Clopper-Pearson
interval at level 1 - 1e-6 per class and point; the prediction is confirmed when the intervals separate.
Probabilities below 1e-4 are also estimated by importance sampling (proposal shifted along w to the
interval's nearest end; CLT interval at 1e-6, z = 4.89) and compared with the exact value (for A, B and at
most ``IS_MAX_OTHER`` other classes per point: the most probable ones).

Why the paper's "with probability at least 1 - exp(-c^2/4)" does not rescue C11 / T18 here: given the base
classifier, pA and pB are numbers, not random variables; the witness exhibits x' inside the claimed ball
where the smoothed classifier's prediction is not cA, which the certificate rules out.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np

from theory import certificates as C
from theory import validate as V
from theory._progress import progress_bar

__all__ = ["make_witness", "save_witness", "check_witness", "generate_witnesses", "WITNESS_CERTIFICATES"]

DPS = 50
#: Working precision: 50 significant digits for every probability and its complement down to 1e-320
#: (1 - pA near 1e-300 must survive in pA itself, so the arithmetic carries 50 + 320 digits).
WORK_DPS = DPS + 320
MC_SAMPLES = 1_000_000
MC_LEVEL = 1e-6            # two-sided Clopper-Pearson level of the Monte Carlo intervals
IS_SAMPLES = 200_000
IS_Z = 4.891638475698      # two-sided normal quantile at 1e-6 (Phi^{-1}(1 - 5e-7))
IS_BELOW = 1e-4            # probabilities below this are also checked by importance sampling
IS_MAX_OTHER = 8           # ... for A, B and at most this many other classes per point (the most probable)
#: Largest number of classes of a multi-class witness (ImageNet's 1000).
MAX_WITNESS_CLASSES = 1000

#: Certificates a witness can be built for (Gaussian mechanism, radius with an exact mpmath formula).
WITNESS_CERTIFICATES = {"c11": "C11", "t18": "T18", "cohen": None, "cohen-linf": None}
_DEFAULT_D = {"l2": 2, "linf": 4}


# ----------------------------------------------------------------------------------------------------
# exact (mpmath) pieces
# ----------------------------------------------------------------------------------------------------

def _mpf(x: str | float | mp.mpf) -> mp.mpf:
    if isinstance(x, str) and x.strip() in ("inf", "+inf"):
        return mp.inf
    if isinstance(x, str) and x.strip() == "-inf":
        return -mp.inf
    return mp.mpf(x)


def _phi_interval(lo: mp.mpf, hi: mp.mpf, mu: mp.mpf, s: mp.mpf) -> mp.mpf:
    """P(lo < N(mu, s^2) <= hi), in the tail form that does not cancel."""
    a = (lo - mu) / s
    b = (hi - mu) / s
    if a >= 0:  # both in the upper tail: Phi(-a) - Phi(-b)
        return mp.ncdf(-a) - mp.ncdf(-b)
    return mp.ncdf(b) - mp.ncdf(a)


def _phi_inv_mp(p: mp.mpf | float) -> mp.mpf:
    """Phi^{-1}(p) at the working precision (Newton on log Phi, started from the float value)."""
    p = mp.mpf(p)
    if p == mp.mpf("0.5"):
        return mp.mpf(0)
    if p > mp.mpf("0.5"):
        return -_phi_inv_mp(1 - p)
    from scipy.special import ndtri_exp
    x0 = float(ndtri_exp(float(mp.log(p))))
    return mp.findroot(lambda x: mp.log(mp.ncdf(x)) - mp.log(p), x0)


def _mp_radius(name: str, params: dict[str, Any], sigma: float | mp.mpf, pA: mp.mpf, pB: mp.mpf | None,
               binary: bool) -> mp.mpf:
    """The certificate's radius in mpmath (same formulas as theory.certificates, written independently)."""
    sigma = mp.mpf(sigma)
    if binary:
        pB = 1 - pA
    if name in ("c11", "t18"):
        c = mp.mpf(params["c"])
        t = mp.log(pA) - mp.log(pB)
        r = mp.sqrt(2) * sigma * t / (2 * (1 + c)) if t > 0 else mp.mpf(0)
        return r / mp.sqrt(params["d"]) if name == "t18" else r
    if name in ("cohen", "cohen-linf"):
        r = sigma * _phi_inv_mp(pA) if binary else sigma / 2 * (_phi_inv_mp(pA) - _phi_inv_mp(pB))
        r = max(r, mp.mpf(0))
        return r / mp.sqrt(params["d"]) if name == "cohen-linf" else r
    raise ValueError(f"certificate must be one of {sorted(WITNESS_CERTIFICATES)} for a witness, got {name!r}")


def _norm(v: Sequence[mp.mpf], norm: str) -> mp.mpf:
    return mp.sqrt(mp.fsum(x * x for x in v)) if norm == "l2" else max(abs(x) for x in v)


def _exact_probs(cls: dict[str, Any], x: Sequence[mp.mpf], sigma: float) -> dict[str, mp.mpf]:
    w = cls["w"]
    s = mp.mpf(sigma) * mp.sqrt(mp.fsum(wi * wi for wi in w))
    mu = mp.fsum(wi * xi for wi, xi in zip(w, x, strict=True))
    return {lab: _phi_interval(lo, hi, mu, s) for lab, lo, hi in cls["intervals"]}


def _argmax(probs: dict[str, mp.mpf]) -> str:
    return max(probs, key=lambda k: probs[k])


def _s(x: mp.mpf, digits: int = 40) -> str:
    return str(mp.nstr(x, digits, strip_zeros=False)) if mp.isfinite(x) else ("inf" if x > 0 else "-inf")


# ----------------------------------------------------------------------------------------------------
# building
# ----------------------------------------------------------------------------------------------------

def make_witness(name: str, params: dict[str, Any] | None, one_minus_pA: float, *, pB: float | None = None,
                 sigma: float = 1.0, d: int | None = None, shrink: float = 2.0 ** -20,
                 max_classes: int = MAX_WITNESS_CLASSES) -> dict[str, Any]:
    """A witness that certificate ``name`` (with ``params``) over-certifies at 1 - pA = ``one_minus_pA``.

    Binary (pB None): ``f(z) = A`` iff ``w.z <= b`` with ``b = sigma ||w|| Phi^{-1}(pA)`` (rounded to a decimal
    that defines the classifier; pA is then recomputed from it).  Multi-class (pB given, pB < 1 - pA): ``A`` iff
    ``w.z <= a``, ``B`` iff ``w.z > b_0``, and the band (a, b_0] (probability 1 - pA - pB at x) cut into
    m = ceil((1 - pA - pB)/pB) slabs ``C1`` (next to B) ... ``Cm`` (next to A) of equal probability at x, each
    <= pB, so that B is the runner-up (checked exactly; m is raised by one if rounding the thresholds made a
    slab exceed pB).  The witness has K = m + 2 classes (``num_classes``); more than ``max_classes`` raises
    ValueError (pB too small for a K-class problem: K classes need pB >= (1 - pA)/(K - 1)).
    ``x = 0``; ``x_prime = (1 - shrink) * r_claimed * v`` where v is the unit vector e_1 (l2) or the
    all-ones corner (l_inf, ||v||_inf = 1) and w = v: the worst direction for a half-space classifier.
    ``d``: dimension (default 2 for l2, the certificate's d or 4 for l_inf; for T18 it must equal params d).

    Raises ValueError when the point is not a counterexample (the certificate does not exceed the tight
    radius there), so that a stored witness is always a real one.
    """
    V.choice("name", name, WITNESS_CERTIFICATES)
    cert = C.get(name)
    params, d = _witness_params(cert, name, params, d)
    sigma = V.positive("sigma", sigma)
    e = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 0.5)
    shrink = V.in_open_interval("shrink", shrink, 0.0, 1.0)
    binary = pB is None
    max_classes = V.count("max_classes", max_classes, minimum=3)
    m = 0
    if pB is not None:
        pB, m = _fewest_slabs(e, pB, max_classes)
    from scipy.special import ndtri

    with mp.workdps(WORK_DPS):
        v = [mp.mpf(1)] + [mp.mpf(0)] * (d - 1) if cert.norm == "l2" else [mp.mpf(1)] * d
        w = list(v)
        wn = mp.sqrt(mp.fsum(wi * wi for wi in w))
        # thresholds: decimal strings with 17 significant digits define the classifier exactly
        sw = sigma * math.sqrt(float(wn ** 2))
        a = mp.mpf(repr(float(-sw * ndtri(e))))
        x = [mp.mpf(0)] * d
        if pB is None:
            intervals = [["A", mp.ninf, a], ["B", a, mp.inf]]
            cls = {"type": "intervals of w.z", "w": w, "intervals": intervals}
            px = _exact_probs(cls, x, sigma)
        else:
            intervals, cls, px, m = _slab_classifier(w, x, sigma, sw, a, e, pB, m, max_classes)
        pA_x, pB_x = px["A"], px["B"]
        r_claim = _mp_radius(name, params, sigma, pA_x, pB_x, binary)
        tight = C.get(cert.tight)
        r_tight = _mp_radius(tight.name, {k: params[k] for k in tight.params}, sigma, pA_x, pB_x, binary)
        step = r_claim * (1 - mp.mpf(shrink))
        xp = [step * vi for vi in v]
        pxp = _exact_probs(cls, xp, sigma)
        pred_x, pred_xp = _argmax(px), _argmax(pxp)
        if not (pred_x == "A" and any(v > pxp["A"] for k, v in pxp.items() if k != "A")):
            raise ValueError(f"not a counterexample: certificate {name} {params} at 1 - pA = {e!r}"
                             f"{'' if binary else f', pB = {pB!r}'} (claimed radius {mp.nstr(r_claim, 8)}, "
                             f"tight {mp.nstr(r_tight, 8)}); the prediction at x' is {pred_xp}")
        out = _witness_record(
            cert, name, params, binary, intervals, sigma, d, w, x, xp, r_claim, r_tight, tight.name, px, pxp,
            requested={"one_minus_pA": e, "pB": None if binary else pB, "shrink": shrink,
                       "max_classes": max_classes}, m=m)
    return out


def _witness_params(cert: C.Certificate, name: str, params: dict[str, Any] | None,
                    d: int | None) -> tuple[dict[str, Any], int]:
    """The certificate's validated parameters and the witness's dimension (a certificate's own ``d`` wins; by
    default 2 for l2, 4 for l_inf)."""
    params = dict(params or {})
    if "d" in cert.params:
        if d is not None and params.get("d") not in (None, d):
            raise ValueError(f"d must equal params['d'] = {params.get('d')} for certificate {name}, got {d}")
        d = params.get("d", d if d is not None else _DEFAULT_D[cert.norm])
        params["d"] = d
    d = V.dimension("d", d if d is not None else _DEFAULT_D[cert.norm])
    return cert._params(params), d


def _fewest_slabs(e: float, pB: float, max_classes: int) -> tuple[float, int]:
    """The validated pB in (0, 1 - pA) and the fewest slabs m of probability <= pB that hold the 1 - pA - pB
    between A and B (ValueError when K = m + 2 exceeds ``max_classes``)."""
    pB = V.in_open_interval("pB", pB, 0.0, 1.0)
    if pB >= e:
        raise ValueError(f"pB must lie in (0, 1 - pA) = (0, {e}) for the multi-class form (pB = 1 - pA is the "
                         f"binary form), got {pB}")
    # fewest slabs of probability <= pB (the 1e-12 absorbs float noise in an exact ratio; checked below)
    m = max(1, math.ceil((e - pB) / pB * (1 - 1e-12)))
    if m + 2 > max_classes:
        raise ValueError(f"pB = {pB!r} at 1 - pA = {e!r} needs K = {m + 2} classes (B the runner-up, the rest "
                         f"{e - pB:.3g} in classes <= pB) > max_classes = {max_classes}")
    return pB, m


def _slab_classifier(w: list[mp.mpf], x: list[mp.mpf], sigma: float, sw: float, a: mp.mpf, e: float, pB: float,
                     m: int, max_classes: int) -> tuple[list[list[Any]], dict[str, Any], dict[str, mp.mpf], int]:
    """The multi-class half-space classifier: A below ``a``, B in the upper pB tail, the band between cut into m
    slabs of equal probability at x (m raised until B is the runner-up, checked exactly); its intervals, the
    classifier, its exact class probabilities at x and m."""
    from scipy.special import ndtri

    while True:
        # upper-tail quantiles: P(w.Z > t_j) = pB + j (1 - pA - pB)/m, j = 0..m (t_m = a)
        q = (e - pB) / m
        ts = [mp.mpf(repr(float(-sw * ndtri(pB + j * q)))) for j in range(m)] + [a]
        if any(ts[j + 1] >= ts[j] for j in range(m)):
            raise ValueError(f"slab thresholds not distinct at 1 - pA = {e!r}, pB = {pB!r}, m = {m}")
        intervals = [["A", mp.ninf, a]] + [[f"C{j}", ts[j], ts[j - 1]] for j in range(m, 0, -1)] + [
            ["B", ts[0], mp.inf]]
        cls = {"type": "intervals of w.z", "w": w, "intervals": intervals}
        px = _exact_probs(cls, x, sigma)
        if all(px["B"] >= v for k, v in px.items() if k != "A"):
            break
        m += 1
        if m + 2 > max_classes:
            raise ValueError(f"pB = {pB!r} at 1 - pA = {e!r} needs more than max_classes = {max_classes} "
                             "classes")
    if not px["A"] > px["B"]:
        raise ValueError("class A must be the strict argmax at x: need pA > pB")
    return intervals, cls, px, m


def _witness_record(cert: C.Certificate, name: str, params: dict[str, Any], binary: bool,
                    intervals: list[list[Any]], sigma: float, d: int, w: list[mp.mpf], x: list[mp.mpf],
                    xp: list[mp.mpf], r_claim: mp.mpf, r_tight: mp.mpf, tight_name: str, px: dict[str, mp.mpf],
                    pxp: dict[str, mp.mpf], *, requested: dict[str, Any], m: int) -> dict[str, Any]:
    """The witness as saved (version 2): certificate, classifier, x and x', radii and the exact probabilities."""
    return {
        "kind": "certified-radius witness",
        "version": 2,
        "claim": WITNESS_CERTIFICATES[name],
        "certificate": name,
        "certificate_reference": cert.reference,
        "certificate_formula": cert.formula,
        "params": params,
        "form": "binary" if binary else "multiclass",
        "num_classes": len(intervals),
        "mechanism": "gaussian",
        "norm": cert.norm,
        "sigma": sigma,
        "d": d,
        "dps": DPS,
        "classifier": {
            "type": "intervals of w.z",
            "description": "f(z) = label of the interval (lo, hi] containing w.z",
            "w": [_s(wi) for wi in w],
            "intervals": [[lab, _s(lo), _s(hi)] for lab, lo, hi in intervals],
        },
        "x": [_s(xi) for xi in x],
        "x_prime": [_s(xi) for xi in xp],
        "perturbation_norm": _s(_norm(xp, cert.norm)),
        "claimed_radius": _s(r_claim),
        "tight_radius": _s(r_tight),
        "tight_certificate": tight_name,
        "exact": {
            "at_x": {k: _s(val) for k, val in px.items()},
            "at_x_prime": {k: _s(val) for k, val in pxp.items()},
            "complement_at_x": {k: _s(1 - val) for k, val in px.items()},
            "complement_at_x_prime": {k: _s(1 - val) for k, val in pxp.items()},
            "prediction_x": _argmax(px),
            "prediction_x_prime": _argmax(pxp),
        },
        "requested": requested,
        "note": ("x_prime lies inside the claimed ball (norm <= claimed radius) and the smoothed "
                 "prediction there is not A. The probabilities are exact functions of the classifier, so "
                 "no probability-of-failure reading of the certificate applies."
                 + ("" if binary else f" Multi-class: B is the runner-up at x (the {m} middle classes C1..C{m} "
                    "have equal probability <= P(B) there), as the certificates' pB requires.")),
    }


def save_witness(witness: dict[str, Any], out_dir: str | Path = "reports/witnesses", suffix: str = "") -> Path:
    """Write ``witness`` as ``OUT_DIR/<certificate>_<params>_<form>[_<suffix>].json``; returns the path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tag = "_".join(f"{k}{v:g}" if isinstance(v, float) else f"{k}{v}" for k, v in sorted(witness["params"].items()))
    stem = f"{witness['certificate']}_{tag + '_' if tag else ''}{witness['form']}"
    path = out / f"{stem}{'_' + suffix if suffix else ''}.json"
    path.write_text(json.dumps(witness, indent=2) + "\n")
    return path


# ----------------------------------------------------------------------------------------------------
# checking
# ----------------------------------------------------------------------------------------------------

def _kind(path: str | Path) -> object:
    """The ``kind`` field of a witness file (None when unreadable; _load reports the error)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data.get("kind") if isinstance(data, dict) else None


def _load(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        data = json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"witness file {str(p)!r} is not valid JSON: {exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"witness file {str(p)!r} is not a text file") from None
    if not isinstance(data, dict) or data.get("kind") != "certified-radius witness":
        raise ValueError(f"witness file {str(p)!r} is not a certified-radius witness (field 'kind')")
    for key in ("certificate", "params", "form", "norm", "sigma", "d", "classifier", "x", "x_prime"):
        if key not in data:
            raise ValueError(f"witness file {str(p)!r} lacks the field {key!r}")
    return data


def _parse(data: dict[str, Any]) -> tuple[str, C.Certificate, dict[str, Any], float, int, dict[str, Any],
                                       list[mp.mpf], list[mp.mpf]]:
    try:
        name = V.choice("certificate", data["certificate"], WITNESS_CERTIFICATES)
        cert = C.get(name)
        params = cert._params(dict(data["params"]))
        sigma = V.positive("sigma", data["sigma"])
        d = V.dimension("d", data["d"])
        cls = data["classifier"]
        w = [_mpf(t) for t in cls["w"]]
        intervals = [[str(lab), _mpf(lo), _mpf(hi)] for lab, lo, hi in cls["intervals"]]
        x = [_mpf(t) for t in data["x"]]
        xp = [_mpf(t) for t in data["x_prime"]]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed witness: {exc!r}") from None
    if not (len(w) == len(x) == len(xp) == d):
        raise ValueError(f"malformed witness: w, x, x_prime must have length d = {d}")
    labels = [iv[0] for iv in intervals]
    if "A" not in labels or "B" not in labels or len(set(labels)) != len(labels):
        raise ValueError("malformed witness: the classifier's intervals must name classes A and B once each")
    iv_sorted = sorted(intervals, key=lambda t: t[1])
    if iv_sorted[0][1] != mp.ninf or iv_sorted[-1][2] != mp.inf or any(
            iv_sorted[i][2] != iv_sorted[i + 1][1] for i in range(len(iv_sorted) - 1)):
        raise ValueError("malformed witness: the classifier's intervals must partition the real line")
    if data["form"] not in ("binary", "multiclass") or (data["form"] == "binary") != (len(intervals) == 2):
        raise ValueError("malformed witness: form must be 'binary' (2 classes) or 'multiclass'")
    if data["form"] == "multiclass" and "num_classes" not in data:
        raise ValueError("malformed witness: a multi-class witness must record 'num_classes'")
    return name, cert, params, sigma, d, {"w": w, "intervals": intervals}, x, xp


def _monte_carlo(cls: dict[str, Any], x: Sequence[mp.mpf], sigma: float, d: int, n: int,
                 rng: np.random.Generator) -> dict[str, int]:
    """Counts per class of f(x + Z), Z ~ N(0, sigma^2 I_d), n draws in chunks."""
    w = np.array([float(t) for t in cls["w"]])
    xf = np.array([float(t) for t in x])
    edges = sorted((float(lo), float(hi), lab) for lab, lo, hi in cls["intervals"])
    labels = [lab for _, _, lab in edges]
    inner = np.array([hi for _, hi, _ in edges[:-1]])   # interval i = (inner[i-1], inner[i]]
    tot = np.zeros(len(edges), dtype=np.int64)
    left = n
    chunk = max(1, min(n, 4_000_000 // max(d, 1)))
    while left > 0:
        m = min(chunk, left)
        z = rng.standard_normal((m, d)) * sigma
        proj = (xf + z) @ w
        tot += np.bincount(np.searchsorted(inner, proj, side="left"), minlength=len(edges))
        left -= m
    return {lab: int(k) for lab, k in zip(labels, tot, strict=True)}


def _importance(cls: dict[str, Any], x: Sequence[mp.mpf], sigma: float, d: int, label: str, n: int,
                rng: np.random.Generator) -> dict[str, Any]:
    """P(f(x + Z) = label) by importance sampling: proposal N(x + t w/||w||, sigma^2 I) with t moving
    w.(x + .) to the interval's end nearest to w.x; weight = N(0)/N(t u) density ratio."""
    w = np.array([float(t) for t in cls["w"]])
    wn = float(np.linalg.norm(w))
    u = w / wn
    xf = np.array([float(t) for t in x])
    lo, hi = next((float(a), float(b)) for lab, a, b in cls["intervals"] if lab == label)
    mu = float(xf @ w)
    target = lo if abs(lo - mu) < abs(hi - mu) else hi
    if not math.isfinite(target):
        target = hi if math.isfinite(hi) else lo
    t = (target - mu) / wn       # shift along u (in z units)
    z = rng.standard_normal((n, d)) * sigma + t * u
    proj = (xf + z) @ w
    inside = (proj > lo) & (proj <= hi)
    # log N(z; 0) - log N(z; t u) = (-(z.z) + (z - t u).(z - t u)) / (2 sigma^2) = (-2 t z.u + t^2)/(2 sigma^2)
    logw = (-2.0 * t * (z @ u) + t * t) / (2.0 * sigma * sigma)
    if not inside.any():
        return {"label": label, "estimate": 0.0, "stderr": math.inf, "ci": [0.0, math.inf], "n": n, "shift": t}
    m = float(logw[inside].max())              # scale out e^m so that tiny weights do not underflow
    vals = np.where(inside, np.exp(logw - m), 0.0)
    mean, sd = float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(n))
    scale = math.exp(m)
    est, se = mean * scale, sd * scale
    return {"label": label, "estimate": est, "stderr": se,
            "ci": [(mean - IS_Z * sd) * scale, (mean + IS_Z * sd) * scale], "n": n, "shift": t}


def check_witness(path: str | Path, *, samples: int = MC_SAMPLES, seed: int = 0,
                  is_samples: int = IS_SAMPLES) -> dict[str, Any]:
    """Recompute a witness exactly and confirm it by Monte Carlo.  See the module docstring.

    Returns a dict with ``confirmed`` (all checks pass), ``checks`` (name -> bool), ``exact``,
    ``monte_carlo``, ``importance_sampling`` and ``seconds``.  Raises ValueError for a malformed file.
    """
    t0 = time.time()
    samples = V.count("samples", samples, minimum=1000)
    is_samples = V.count("is_samples", is_samples, minimum=1000)
    if _kind(path) == "audit-certificate witness":  # issue 14: witnesses of theory.audit_certificate
        from theory.audit_witness import check_audit_witness

        return check_audit_witness(path, samples=samples, seed=seed)
    data = _load(path)
    checks: dict[str, bool] = {}
    with mp.workdps(WORK_DPS):
        name, cert, params, sigma, d, cls, x, xp = _parse(data)
        exact = _exact_checks(data, name, cert, params, sigma, cls, x, xp, checks)
    rng = np.random.default_rng(seed)
    mc = _monte_carlo_checks(cls, x, xp, sigma, d, samples, rng, exact, checks)
    imp = _importance_checks(cls, x, xp, sigma, d, is_samples, rng, exact)
    if imp:
        checks["importance_sampling_consistent"] = all(r["exact_inside_ci"] for r in imp)
    return {"path": str(path), "certificate": name, "claim": data.get("claim"), "params": params,
            "form": data["form"], "num_classes": len(exact["at_x"]), "confirmed": bool(all(checks.values())),
            "checks": checks, "exact": exact,
            "monte_carlo": {"samples": samples, "seed": seed, "level": MC_LEVEL, **mc},
            "importance_sampling": imp, "seconds": time.time() - t0}


def _exact_checks(data: dict[str, Any], name: str, cert: C.Certificate, params: dict[str, Any], sigma: float,
                  cls: dict[str, Any], x: list[mp.mpf], xp: list[mp.mpf], checks: dict[str, bool]) -> dict[str, Any]:
    """The exact recomputation (at the working precision): add to ``checks`` that A wins at x and loses at x'
    inside the claimed radius and outside the tight one, that the float radius and the stored values agree;
    return the exact values."""
    binary = data["form"] == "binary"
    px = _exact_probs(cls, x, sigma)
    pxp = _exact_probs(cls, xp, sigma)
    r_claim = _mp_radius(name, params, sigma, px["A"], px["B"], binary)
    tight = C.get(cert.tight)
    r_tight = _mp_radius(tight.name, {k: params[k] for k in tight.params}, sigma, px["A"], px["B"], binary)
    dist = _norm([a - b for a, b in zip(xp, x, strict=True)], cert.norm)
    others = [k for k in px if k != "A"]
    checks["prediction_x_is_A"] = all(px["A"] > px[k] for k in others)
    # the certificates' pB is the runner-up's probability: B must be >= every class other than A at x
    checks["runner_up_x_is_B"] = all(px["B"] >= px[k] for k in others)
    checks["num_classes_recorded"] = data.get("num_classes", len(px)) == len(px)
    checks["x_prime_inside_claimed_radius"] = bool(dist <= r_claim)
    checks["prediction_x_prime_not_A"] = any(pxp[k] > pxp["A"] for k in others)
    checks["x_prime_outside_tight_radius"] = bool(dist > r_tight)
    # float path of theory.certificates agrees with the mpmath radius
    kw = {"log_one_minus_pA": float(mp.log(1 - px["A"]))}
    if not binary:
        kw["log_pB"] = float(mp.log(px["B"]))
    r_float = cert.radius(sigma=sigma, **kw, **params)
    checks["float_radius_agrees"] = bool(abs(r_float - float(r_claim)) <= 1e-9 * float(r_claim))
    if "exact" in data:
        checks["stored_exact_values_agree"] = _stored_exact_agree(data["exact"], px, pxp)
    return {
        "at_x": {k: float(v) for k, v in px.items()}, "at_x_prime": {k: float(v) for k, v in pxp.items()},
        "one_minus_pA_x": _s(1 - px["A"], 20), "claimed_radius": float(r_claim),
        "tight_radius": float(r_tight), "perturbation_norm": float(dist),
        "prediction_x": _argmax(px), "prediction_x_prime": _argmax(pxp)}


def _stored_exact_agree(stored: dict[str, Any], px: dict[str, mp.mpf], pxp: dict[str, mp.mpf]) -> bool:
    """Whether the witness's stored exact probabilities (and complements) agree with the recomputed ones to a
    relative 1e-30; ValueError when a class is missing."""
    tol = mp.mpf(10) ** (-30)

    def close(a: mp.mpf, b: mp.mpf) -> bool:
        return bool(abs(a - b) <= tol * abs(b) or (a == 0 and b == 0))

    try:
        agree = all(close(_mpf(stored[key][k]), probs[k]) and
                    close(_mpf(stored["complement_" + key][k]), 1 - probs[k])
                    for key, probs in (("at_x", px), ("at_x_prime", pxp)) for k in probs)
    except (KeyError, TypeError, ValueError):
        raise ValueError("malformed witness: field 'exact' does not list every class") from None
    return bool(agree)


def _monte_carlo_checks(cls: dict[str, Any], x: list[mp.mpf], xp: list[mp.mpf], sigma: float, d: int, samples: int,
                        rng: np.random.Generator, exact: dict[str, Any],
                        checks: dict[str, bool]) -> dict[str, dict[str, Any]]:
    """Monte Carlo at x and x' (Clopper-Pearson at MC_LEVEL): add to ``checks`` that A wins at x, loses at x' and
    that every exact probability is inside its interval; return the counts and intervals."""
    from theory.certificates import clopper_pearson_interval

    mc: dict[str, dict[str, Any]] = {}
    for tag, pt, exact_p in (("x", x, exact["at_x"]), ("x_prime", xp, exact["at_x_prime"])):
        counts = _monte_carlo(cls, pt, sigma, d, samples, rng)
        ci = {lab: clopper_pearson_interval(k, samples, MC_LEVEL) for lab, k in counts.items()}
        inside = {lab: bool(ci[lab][0] <= exact_p[lab] <= ci[lab][1]) for lab in counts}
        mc[tag] = {"counts": counts, "ci": ci, "exact_inside_ci": inside}

    def mc_others(pt: str) -> list[str]:
        return [lab for lab in mc[pt]["counts"] if lab != "A"]

    checks["mc_prediction_x_is_A"] = all(mc["x"]["ci"]["A"][0] > mc["x"]["ci"][lab][1] for lab in mc_others("x"))
    checks["mc_prediction_x_prime_not_A"] = any(mc["x_prime"]["ci"][lab][0] > mc["x_prime"]["ci"]["A"][1]
                                                for lab in mc_others("x_prime"))
    checks["mc_consistent_with_exact"] = all(all(v["exact_inside_ci"].values()) for v in mc.values())
    return mc


def _importance_checks(cls: dict[str, Any], x: list[mp.mpf], xp: list[mp.mpf], sigma: float, d: int,
                       is_samples: int, rng: np.random.Generator, exact: dict[str, Any]) -> list[dict[str, Any]]:
    """Importance sampling of the classes too rare for plain Monte Carlo (A, B and the likeliest others, each
    between 1e-300 and IS_BELOW), with whether each exact probability is inside its interval."""
    imp: list[dict[str, Any]] = []
    for tag, pt, exact_p in (("x", x, exact["at_x"]), ("x_prime", xp, exact["at_x_prime"])):
        rest = sorted((lab for lab in exact_p if lab not in ("A", "B")), key=lambda k: -exact_p[k])
        chosen = {"A", "B", *rest[:IS_MAX_OTHER]}
        for lab, p in exact_p.items():
            # (smaller ones are not representable as floats: exact check only)
            if lab in chosen and 1e-300 < p < IS_BELOW:
                r = _importance(cls, pt, sigma, d, lab, is_samples, rng)
                r.update({"point": tag, "exact": p, "exact_inside_ci": bool(r["ci"][0] <= p <= r["ci"][1])})
                imp.append(r)
    return imp


# ----------------------------------------------------------------------------------------------------
# generating every witness of the soundness search
# ----------------------------------------------------------------------------------------------------

#: l_inf witnesses use this dimension (the ratio radius / tight radius of T18 does not depend on d;
#: a small d keeps the Monte Carlo check fast).
WITNESS_LINF_D = 16
#: Multi-class witnesses: pB is raised by this relative margin above the search's smallest admissible pB, so that
#: rounding the slab thresholds cannot make a middle class exceed pB (which would need one more class).
MULTICLASS_PB_MARGIN = 1e-6


def generate_witnesses(out_dir: str | Path = "reports/witnesses", *, sigma: float = 1.0, progress: bool = True,
                       num_classes: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Run :func:`theory.certificates.exceeds_tight` over ``SOUNDNESS_SETTINGS`` and save one witness per
    exceeding (certificate, setting, form).  Returns one record per setting: the search result (``search``, its
    multi-class part for K = 10; at the setting's parameters), ``witness_params`` (the parameters of its witnesses:
    the setting's, except d = ``WITNESS_LINF_D`` for l_inf certificates, whose radius / tight radius does not depend
    on d), ``multiclass_by_K`` (:func:`theory.certificates.multiclass_exceeds_tight` for
    each K of ``num_classes``, default ``SOUNDNESS_NUM_CLASSES`` = (10, 1000)) and the witness paths.

    Binary form: at the 1 - pA of the largest excess in [1e-15, 1/2) (or, when it exceeds only below 1e-15, one
    below the range, labelled ``beyond-range``).  Multi-class form: for the smallest K at which the K-bounded
    search exceeds, at its largest excess (pB raised by ``MULTICLASS_PB_MARGIN``), with at most K classes
    (file suffix ``K<K>``; a witness with K classes is also one for every larger K).  No multi-class witness
    when no K of ``num_classes`` exceeds."""
    ks = sorted(C.SOUNDNESS_NUM_CLASSES if num_classes is None else num_classes)
    records = []
    items = [(n, s) for n, ss in C.SOUNDNESS_SETTINGS.items() for s in ss]
    for name, setting in progress_bar(items, desc="soundness search", enabled=progress):
        res = C.exceeds_tight(name, sigma=sigma, num_classes=ks[0], **setting)
        by_k = {k: (res["multiclass"] if k == ks[0] else
                    C.multiclass_exceeds_tight(name, num_classes=k, sigma=sigma, **setting)) for k in ks}
        rec = {"certificate": name, "setting": setting, "search": res, "multiclass_by_K": by_k, "witnesses": [],
               "witness_params": None}
        if name in WITNESS_CERTIFICATES:
            params = dict(setting)
            if "d" in params:  # searched at the setting's d, witnessed at WITNESS_LINF_D (same ratio, faster check)
                params["d"] = WITNESS_LINF_D
            rec["witness_params"] = params
            if res["exceeds_tight"]:
                wit = make_witness(name, params, res["at_one_minus_pA"], sigma=sigma)
                rec["witnesses"].append(str(save_witness(wit, out_dir)))
            elif res["beyond_range"]["exceeds_tight"]:
                # exceeds only below the searched range: one witness there too, labelled as such
                lo, hi = res["beyond_range"]["intervals"][0]
                e = math.exp(0.5 * (math.log(lo) + math.log(hi)))
                wit = make_witness(name, params, e, sigma=sigma)
                wit["note_range"] = (f"1 - pA = {e:.3g} lies below the searched range [1e-15, 1/2): the binary form "
                                     f"exceeds the tight radius only for 1 - pA < {hi:.4g}")
                rec["witnesses"].append(str(save_witness(wit, out_dir, "beyond-range")))
            k = next((k for k in ks if (by_k[k] or {}).get("exceeds_tight")), None)
            if k is not None:
                mc = by_k[k]
                assert mc is not None   # k was chosen with by_k[k] truthy
                e = mc["at_one_minus_pA"]
                pb = min(max(mc["at_pB"], C.min_runner_up(e, k)) * (1 + MULTICLASS_PB_MARGIN), e * (1 - 1e-9))
                wit = make_witness(name, params, e, pB=pb, sigma=sigma, max_classes=k)
                wit["search_num_classes"] = k
                rec["witnesses"].append(str(save_witness(wit, out_dir, f"K{k}")))
        records.append(rec)
    return records
