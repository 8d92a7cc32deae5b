"""Audit-certificate witnesses, checked: the piece that :mod:`theory.witness` and :mod:`theory.audit_certificate`
share (issue 22: the witness checker must not import the audit tool above it).

An audit witness (``kind`` = :data:`WITNESS_KIND`, written by :func:`theory.audit_certificate.make_audit_witness`)
holds a binary classifier (a half-space, or the max+min rule of eq.-6 noise), a clean point ``x`` and a point
``x_prime`` inside the claimed ball at which the smoothed prediction is not A.  :func:`check_audit_witness`
recomputes both probabilities exactly (mpmath, :data:`WITNESS_DPS` digits), the claimed radius from the registry or
the user's function, the tight radius (:func:`theory.neyman_pearson.tight_radius`), and confirms the two
predictions by Monte Carlo with two-sided Clopper-Pearson intervals at level 1 - :data:`MC_LEVEL`.

Also here: loading the user's radius function (:func:`load_radius_function`, ``MODULE:FUNCTION`` or
``PATH.py:FUNCTION``) and a registry certificate in the same calling convention
(:func:`registered_radius_function`).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from theory import neyman_pearson as NP
from theory import noises
from theory import validate as V
from theory.np_cells import WitnessLaw

if TYPE_CHECKING:
    import mpmath as mp

__all__ = ["WITNESS_KIND", "RadiusFn", "check_audit_witness", "load_radius_function", "registered_radius_function"]

#: A radius function ``radius(pA, pB, sigma, d, **params) -> float`` (a user's or the registry's).
RadiusFn = Callable[..., float]

WITNESS_KIND = "audit-certificate witness"
MC_SAMPLES = 1_000_000
MC_LEVEL = 1e-6
WITNESS_DPS = 50


def load_radius_function(spec: str) -> RadiusFn:
    """``MODULE:FUNCTION`` (a module importable from sys.path or from the current directory, as under
    ``python -m theory``, also under the ``rs-verify`` console script) or ``PATH.py:FUNCTION`` (that file only).

    Errors -- a malformed spec, a module that cannot be imported or raises while being imported, a missing
    function -- are ``ValueError`` naming the spec (``FileNotFoundError`` for a missing ``PATH.py``).

    >>> load_radius_function("math:hypot")(3.0, 4.0)
    5.0
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"radius must be MODULE:FUNCTION or PATH.py:FUNCTION, got {spec!r}")
    mod_part, _, fn_name = spec.rpartition(":")
    if not mod_part or not fn_name:
        raise ValueError(f"radius must be MODULE:FUNCTION or PATH.py:FUNCTION, got {spec!r}")
    if mod_part.endswith(".py") or Path(mod_part).is_file():
        path = Path(mod_part)
        if not path.is_file():
            raise FileNotFoundError(f"radius module file {mod_part} does not exist")
        name = f"_audit_user_{abs(hash(str(path.resolve())))}"
        mspec = importlib.util.spec_from_file_location(name, path)
        if mspec is None or mspec.loader is None:
            raise ValueError(f"radius module file {mod_part} cannot be imported")
        mod = importlib.util.module_from_spec(mspec)
        try:
            mspec.loader.exec_module(mod)
        except Exception as exc:  # the user's code: any error while importing it is a one-line error
            raise ValueError(f"radius module file {mod_part} raised {exc.__class__.__name__} while being "
                             f"imported: {_one_line(exc)}") from None
    else:
        # `python -m theory` has the current directory on sys.path, a console script (rs-verify) has not:
        # both look there (issue 20.10), first, as `python -m` does
        cwd = os.getcwd()
        added = cwd not in sys.path and "" not in sys.path
        if added:
            sys.path.insert(0, cwd)
        try:
            mod = importlib.import_module(mod_part)
        except ImportError as exc:
            raise ValueError(f"radius module {mod_part!r} cannot be imported: {exc}") from None
        except Exception as exc:
            raise ValueError(f"radius module {mod_part!r} raised {exc.__class__.__name__} while being imported: "
                             f"{_one_line(exc)}") from None
        finally:
            if added:
                sys.path.remove(cwd)
    fn: RadiusFn | None = getattr(mod, fn_name, None)
    if not callable(fn):
        raise ValueError(f"radius function {fn_name!r} not found (or not callable) in {mod_part}")
    return fn


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + (" ..." if len(text) > 200 else "")


def _check_signature(fn: RadiusFn, params: dict[str, Any]) -> None:
    """ValueError unless ``fn`` can be called as ``fn(pA, pB, sigma, d, **params)``."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature (some builtins): the first call will tell
        return
    try:
        sig.bind(0.9, 0.1, 1.0, 1, **params)
    except TypeError as exc:
        name = getattr(fn, "__name__", "radius")
        raise ValueError(f"the radius function {name}{sig} cannot be called as radius(pA, pB, sigma, d"
                         f"{''.join(f', {k}=...' for k in params)}): {exc}") from None


def _call(fn: RadiusFn, pA: float, pB: float, sigma: float, d: int, params: dict[str, Any]) -> float:
    try:
        r = fn(pA, pB, sigma, d, **params)
    except Exception as exc:  # the user's code: its error becomes a ValueError naming where it happened
        raise ValueError(f"the radius function raised {exc.__class__.__name__} at pA={pA!r}, pB={pB!r}: "
                         f"{_one_line(exc)}") from None
    try:
        r = float(r)
    except (TypeError, ValueError):
        raise ValueError(f"the radius function returned {r!r} (not a number) at pA={pA!r}, pB={pB!r}") from None
    if math.isnan(r) or r < 0:
        raise ValueError(f"the radius function returned {r!r} at pA={pA!r}, pB={pB!r}: radii must be >= 0, not NaN")
    return r


def registered_radius_function(name: str) -> RadiusFn:
    """The registry certificate ``name`` as ``radius(pA, pB, sigma, d, **params)`` (binary iff pB == 1 - pA).

    >>> round(registered_radius_function("cohen")(0.99, 0.01, 0.5, 1), 6)      # sigma Phi^-1(pA)
    1.163174
    """
    from theory import certificates as C

    cert = C.get(name)

    def radius(pA: float, pB: float, sigma: float, d: int, **params: float) -> float:
        e = 1.0 - pA
        kw = dict(params)
        if "d" in cert.params:
            kw["d"] = d
        if pB == e or not cert.multiclass:
            return cert.radius(one_minus_pA=e, sigma=sigma, **kw)
        return cert.radius(one_minus_pA=e, pB=pB, sigma=sigma, **kw)

    radius.__name__ = name
    return radius


def _witness_law(mechanism: str) -> WitnessLaw:
    law = noises.get(mechanism).witness
    if law is None:
        raise ValueError(f"no witness classifier for the {mechanism} noise (theory.noises: witness is None)")
    return law


def _pB_exact(cls: dict[str, Any], mechanism: str, sigma: float, d: int, x: Sequence[str]) -> mp.mpf:
    """P(f(x + Z) = B) exactly (mpmath) for the witness classifiers."""
    import mpmath as mp

    s = mp.mpf(sigma)
    b = mp.mpf(cls["b"])
    if cls["type"] == "max+min":
        if any(mp.mpf(xi) != mp.mpf(x[0]) for xi in x):
            raise ValueError("max+min witnesses need x and x' on the diagonal")
        t = mp.mpf(x[0])
        u = (b - t) / s
        return mp.exp(-u) / 2 if u >= 0 else 1 - mp.exp(u) / 2
    w = [mp.mpf(wi) for wi in cls["w"]]
    if abs(mp.fsum(wi * wi for wi in w) - 1) > mp.mpf(10) ** -30:
        raise ValueError("malformed witness: w must be a unit vector")
    # B iff w.Z > u  (w read from the file is not checked to have length d: zip truncates, as before)
    u = b - mp.fsum(wi * mp.mpf(xi) for wi, xi in zip(w, x, strict=False))
    law = _witness_law(mechanism)
    if not law.rotation_invariant and sum(1 for wi in w if wi != 0) != 1:
        raise ValueError("malformed witness: non-Gaussian half-space witnesses must be axis-aligned")
    return law.tail(u, s)


def _witness_exact(w: dict[str, Any]) -> dict[str, mp.mpf]:
    import mpmath as mp

    with mp.workdps(WITNESS_DPS):
        pbx = _pB_exact(w["classifier"], w["mechanism"], w["sigma"], w["d"], w["x"])
        pbxp = _pB_exact(w["classifier"], w["mechanism"], w["sigma"], w["d"], w["x_prime"])
        diff = [mp.mpf(a) - mp.mpf(b) for a, b in zip(w["x_prime"], w["x"], strict=True)]
        if w["norm"] == "l1":
            dist = mp.fsum(abs(v) for v in diff)
        elif w["norm"] == "l2":
            dist = mp.sqrt(mp.fsum(v * v for v in diff))
        else:
            dist = max(abs(v) for v in diff)
        return {"pB_x": pbx, "pB_x_prime": pbxp, "one_minus_pA_x": pbx, "perturbation_norm": dist}


def _sample(mechanism: str, sigma: float, d: int, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    sample = noises.get(mechanism).sample
    if sample is None:
        raise ValueError(f"no sampler for {mechanism!r}")
    return sample(rng, sigma, d, n)


def _classify(cls: dict[str, Any], z: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_]
    if cls["type"] == "max+min":
        out = z.max(axis=1) + z.min(axis=1) >= 2 * float(cls["b"])
        return out
    w = np.array([float(v) for v in cls["w"]])
    out = z @ w > float(cls["b"])
    return out


def check_audit_witness(path: str | Path, *, samples: int = MC_SAMPLES, seed: int = 0) -> dict[str, Any]:
    """Recompute an audit witness exactly (mpmath) and confirm it by Monte Carlo (``samples`` draws per point,
    two-sided Clopper-Pearson intervals at level 1 - 1e-6).  The claimed radius is recomputed from the registry
    (``registered``) or the user's function (``radius_spec``, when importable); otherwise the stored value is used and
    the check ``claimed_radius_recomputed`` is absent.  Returns the dict shape of
    :func:`theory.witness.check_witness`."""
    import mpmath as mp

    from theory.certificates import clopper_pearson_interval

    t0 = time.time()
    samples = V.count("samples", samples, minimum=1000)
    try:
        w = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"witness file {str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(w, dict) or w.get("kind") != WITNESS_KIND:
        raise ValueError(f"witness file {str(path)!r} is not an {WITNESS_KIND}")
    for k in ("mechanism", "norm", "sigma", "d", "pA", "classifier", "x", "x_prime", "claimed_radius"):
        if k not in w:
            raise ValueError(f"witness file {str(path)!r} lacks the field {k!r}")
    V.choice("mechanism", w["mechanism"], NP.NOISES)
    V.choice("norm", w["norm"], NP.NORMS)
    d = V.dimension("d", w["d"])
    sigma = V.positive("sigma", w["sigma"])
    if not (len(w["x"]) == len(w["x_prime"]) == d):
        raise ValueError(f"malformed witness: x and x_prime must have length d = {d}")
    checks: dict[str, bool] = {}
    ex = _witness_exact(w)
    e = float(ex["pB_x"])
    pA = float(w["pA"])
    checks["classifier_pA_matches"] = abs(e - (1.0 - pA)) <= 1e-12 * max(e, 1e-300) + 1e-16
    claimed = float(w["claimed_radius"])
    fn: RadiusFn | None = None
    if w.get("registered"):
        fn = registered_radius_function(w["registered"])
    elif w.get("radius_spec"):
        try:
            fn = load_radius_function(w["radius_spec"])
        except (ValueError, FileNotFoundError, ImportError):
            fn = None
    if fn is not None:
        r = _call(fn, pA, 1.0 - pA, sigma, d, dict(w.get("params") or {}))
        checks["claimed_radius_recomputed"] = abs(r - claimed) <= 1e-12 * claimed
    tight = NP.tight_radius(w["mechanism"], w["norm"], sigma=sigma, d=d, one_minus_pA=1.0 - pA)
    with mp.workdps(WITNESS_DPS):
        checks["prediction_x_is_A"] = bool(ex["pB_x"] < mp.mpf(1) / 2)
        checks["x_prime_inside_claimed_radius"] = bool(ex["perturbation_norm"] <= mp.mpf(w["claimed_radius"]))
        checks["prediction_x_prime_not_A"] = bool(ex["pB_x_prime"] > mp.mpf(1) / 2)
        checks["x_prime_outside_tight_radius"] = bool(float(ex["perturbation_norm"]) > tight.upper)
    rng = np.random.default_rng(seed)
    mc: dict[str, dict[str, Any]] = {}
    for tag, pt in (("x", w["x"]), ("x_prime", w["x_prime"])):
        xf = np.array([float(v) for v in pt])
        hits = 0
        left = samples
        while left > 0:
            m = min(left, max(1, 2_000_000 // d))
            z = _sample(w["mechanism"], sigma, d, m, rng) + xf
            hits += int(np.count_nonzero(_classify(w["classifier"], z)))
            left -= m
        ci = clopper_pearson_interval(hits, samples, MC_LEVEL)
        exact_p = float(ex["pB_x"] if tag == "x" else ex["pB_x_prime"])
        mc[tag] = {"counts": {"A": samples - hits, "B": hits}, "ci_B": list(ci), "exact_B": exact_p,
                   "exact_inside_ci": bool(ci[0] <= exact_p <= ci[1])}
    checks["mc_prediction_x_is_A"] = mc["x"]["ci_B"][1] < 0.5
    checks["mc_prediction_x_prime_not_A"] = mc["x_prime"]["ci_B"][0] > 0.5
    checks["mc_consistent_with_exact"] = mc["x"]["exact_inside_ci"] and mc["x_prime"]["exact_inside_ci"]
    exact: dict[str, Any] = {
             "at_x": {"A": 1 - float(ex["pB_x"]), "B": float(ex["pB_x"])},
             "at_x_prime": {"A": 1 - float(ex["pB_x_prime"]), "B": float(ex["pB_x_prime"])},
             "claimed_radius": claimed, "tight_radius": tight.upper,
             "perturbation_norm": float(ex["perturbation_norm"]),
             "prediction_x": "A" if checks["prediction_x_is_A"] else "B",
             "prediction_x_prime": "B" if checks["prediction_x_prime_not_A"] else "A"}
    return {"path": str(path), "certificate": w.get("certificate"), "claim": None, "params": w.get("params") or {},
            "form": "binary", "num_classes": 2, "confirmed": bool(all(checks.values())), "checks": checks,
            "exact": exact, "monte_carlo": {"samples": samples, "seed": seed, "level": MC_LEVEL, **mc},
            "importance_sampling": [], "seconds": time.time() - t0}
