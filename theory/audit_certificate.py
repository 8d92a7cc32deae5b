"""Audit any certified radius against the Neyman-Pearson tight radius (issue 14): the plug-in entry point.

A user's certificate is a function ``radius(pA, pB, sigma, d, **params) -> float`` (binary form: pB = 1 - pA) for
additive noise ``mechanism`` (a noise of :mod:`theory.neyman_pearson`) against the norm ``norm``.  The audit

1. **search** -- compares it with the engine's tight radius (:func:`theory.neyman_pearson.tight_radius`) on a
   log-spaced grid of 1 - pA in [1e-15, 1/2) (pA handed to the function as a float; 1 - pA = 1 - float(pA) is
   exact, so both sides see the same probabilities), the boundaries of the exceeding set refined by bisection; and
   in the runner-up form on (pA, pB) pairs of a K-class problem ((1 - pA)/(K - 1) <= pB <= 1 - pA) when the engine has
   it.  A certificate *exceeds the tight radius* where radius > upper * (1 + 1e-9) (``upper`` = the tight radius in
   exact cells, an upper bound on it otherwise); it is *sound on the grid* where radius <= lower * (1 + 1e-9);
   in between (bracket cells only) the audit says *undecided*.
2. **CERTIFY simulation** -- :func:`theory.soundness.simulate_setting` (Cohen et al.'s CERTIFY on counts drawn from
   their exact law, exact failure probability by binomial tails) on the engine's worst-case classifier, whose true
   radius is the tight one (exact cells only).  The user's function is registered in
   :data:`theory.certificates.CERTIFICATES` for the duration of the run under a name ``audit:<label>`` and removed.
3. **witness** -- where it exceeds in an exact cell with an explicit worst-case classifier (a half-space for
   Gaussian / Laplace-l1 / uniform-l1, the max+min rule for eq.-6 noise in l_inf): x = 0 and x' inside the claimed
   ball, in the worst direction, at which the smoothed prediction is not A.  :func:`check_audit_witness` recomputes
   it (mpmath) and confirms it by Monte Carlo; ``python -m theory witness FILE`` dispatches here.

Compute / render split: :func:`audit_certificate` returns an :class:`AuditCertificateResult` (frozen, writes
nothing); :func:`write_audit_certificate_report` writes Markdown + JSON + the witness.  The paper's own
certificates go through the same path: :func:`audit_registered_certificate`.

>>> from theory.certificates import radius as R
>>> res = audit_certificate(lambda pA, pB, sigma, d: 1.05 * R("cohen", pA=pA, sigma=sigma), mechanism="gaussian",
...                         norm="l2", simulate=False, grid=24, multiclass=False)
>>> res.exceeds_tight, round(res.max_ratio, 6)
(True, 1.05)
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from theory import neyman_pearson as NP
from theory import validate as V
from theory.audit_witness import (
    WITNESS_DPS,
    WITNESS_KIND,
    RadiusFn,
    _call,
    _check_signature,
    _witness_exact,
    _witness_law,
    check_audit_witness,
    load_radius_function,
    registered_radius_function,
)
from theory.jsonio import dump_json, load_result, to_jsonable
from theory.report.tables import fmt, md_table

if TYPE_CHECKING:
    from theory.certificates import Probabilities

__all__ = [
    "SCHEMA_VERSION",
    "WITNESS_KIND",
    "AuditCertificateResult",
    "audit_certificate",
    "audit_registered_certificate",
    "check_audit_witness",
    "load_radius_function",
    "make_audit_witness",
    "write_audit_certificate_report",
]

SCHEMA_VERSION = 1
EXCEED_RTOL = 1e-9          # as theory.certificates.EXCEED_RTOL: radii are accurate to ~1e-13 in exact cells
DEFAULT_NUM_CLASSES = 10


# ----------------------------------------------------------------------------------------------------
# loading the user's function
# ----------------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------------
# result
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditCertificateResult:
    """Outcome of :func:`audit_certificate` (JSON: :meth:`to_json`, :meth:`from_json`).

    ``exceeds_tight``: True (exceeds the tight radius somewhere on the grid), False (never: radius <= the tight radius,
    or its lower bound, everywhere), None (undecided: between the bounds of a bracket cell).  ``from_one_minus_pA``:
    the upper end of the first exceeding interval in 1 - pA ("exceeds for 1 - pA below this").  ``max_ratio``: the
    largest radius / tight (upper bound) ratio and ``at_one_minus_pA`` where.  ``multiclass``: the pB search (dict) or
    None.  ``simulation``: rows of the CERTIFY simulation.  ``witness``: the witness dict or None.
    """

    certificate: str
    radius_spec: str | None
    registered: str | None
    mechanism: str
    norm: str
    d: int
    sigma: float
    params: dict[str, Any]
    engine_exact: bool
    engine_method: str
    range_one_minus_pA: tuple[float, float]
    grid: int
    exceeds_tight: bool | None
    verdict: str
    from_one_minus_pA: float | None
    intervals: tuple[Sequence[float], ...]
    max_ratio: float
    at_one_minus_pA: float
    max_ratio_to_lower: float
    multiclass: dict[str, Any] | None
    simulation: tuple[dict[str, Any], ...]
    witness: dict[str, Any] | None
    seconds: float
    command: str = ""
    notes: tuple[str, ...] = ()
    schema_version: int = SCHEMA_VERSION

    @property
    def n_min(self) -> int | None:
        """The number of draws below which CERTIFY at alpha = 0.001 cannot reach the exceeding region
        (its bound never exceeds alpha^(1/n), so 1 - pA < ``from_one_minus_pA`` needs n > log(alpha) /
        log(1 - from_one_minus_pA)); None when the certificate never exceeds."""
        if self.from_one_minus_pA is None:
            return None
        return math.ceil(math.log(0.001) / math.log1p(-self.from_one_minus_pA))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-shaped dict (:func:`theory.jsonio.to_jsonable` of the fields)."""
        out: dict[str, Any] = to_jsonable(asdict(self))
        return out

    def to_json(self, path: str | Path) -> Path:
        """Write the result as JSON (the layout of ``audit_certificate_<label>.json``); returns ``path``."""
        return dump_json(self.to_dict(), path, indent=1, ensure_ascii=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditCertificateResult:
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version must be {SCHEMA_VERSION}, got {data.get('schema_version')!r}")
        data = dict(data)
        for k in ("range_one_minus_pA", "simulation", "notes"):
            data[k] = tuple(data[k])
        data["intervals"] = tuple(tuple(iv) for iv in data["intervals"])
        return cls(**data)

    @classmethod
    def from_json(cls, path: str | Path) -> AuditCertificateResult:
        """Read a result written by :meth:`to_json`; a file that is not one is a ``ValueError`` naming it
        (theory.jsonio.load_result)."""
        return load_result(path, "an audit-certificate result", cls.from_dict)


# ----------------------------------------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------------------------------------

def _tight(mechanism: str, norm: str, sigma: float, d: int, e: float, pB: float | None = None) -> NP.TightRadius:
    kw = {"one_minus_pA": e}
    if pB is not None:
        kw["pB"] = pB
    return NP.tight_radius(mechanism, norm, sigma=sigma, d=d, **kw)


def _grid_pA(lo_e: float, n: int) -> list[tuple[float, float]]:
    """Floats pA = 1 - e on a log grid of e in [lo_e, 1/2 - 1e-9]; returned with e = 1 - pA exact."""
    out = []
    for e in np.exp(np.linspace(math.log(lo_e), math.log(0.5 - 1e-9), n)):
        pA = 1.0 - float(e)
        out.append((pA, 1.0 - pA))
    return out


def _binary_point(fn: RadiusFn, mechanism: str, norm: str, sigma: float, d: int, params: dict[str, Any], pA: float,
                  e: float) -> tuple[float, NP.TightRadius]:
    r = _call(fn, pA, e, sigma, d, params)
    t = _tight(mechanism, norm, sigma, d, e)
    return r, t


def _log_excess(r: float, bound: float) -> float:
    if bound <= 0:
        return math.inf if r > 0 else 0.0
    if r <= 0:
        return -math.inf
    return math.log(r / bound)


def _search_binary(fn: RadiusFn, mechanism: str, norm: str, sigma: float, d: int, params: dict[str, Any],
                   lo_e: float, grid: int) -> dict[str, Any]:
    thr = math.log1p(EXCEED_RTOL)
    pts = _grid_pA(lo_e, grid)
    rows: list[tuple[float, float, float, NP.TightRadius]] = []
    for pA, e in pts:
        r, t = _binary_point(fn, mechanism, norm, sigma, d, params, pA, e)
        rows.append((pA, e, r, t))
    g_hi = [_log_excess(r, t.upper) - thr for _, _, r, t in rows]   # > 0: definitely exceeds
    g_lo = [_log_excess(r, t.lower) - thr for _, _, r, t in rows]   # <= 0: definitely sound

    def g_at(e_log: float) -> float:
        pA = 1.0 - math.exp(e_log)
        e = 1.0 - pA
        r, t = _binary_point(fn, mechanism, norm, sigma, d, params, pA, e)
        return _log_excess(r, t.upper) - thr

    intervals: list[list[float]] = []
    i = 0
    n = len(rows)
    while i < n:
        if g_hi[i] > 0:
            j = i
            while j + 1 < n and g_hi[j + 1] > 0:
                j += 1
            a = rows[i][1] if i == 0 else math.exp(_bisect(g_at, math.log(rows[i - 1][1]), math.log(rows[i][1])))
            b = rows[j][1] if j == n - 1 else math.exp(_bisect(g_at, math.log(rows[j + 1][1]), math.log(rows[j][1])))
            intervals.append([a, b])
            i = j + 1
        else:
            i += 1
    k = int(np.argmax(g_hi))
    exceeds = bool(intervals)
    undecided = (not exceeds) and any(v > 0 for v in g_lo)
    return {
        "rows": rows, "intervals": intervals, "exceeds": exceeds, "undecided": undecided,
        "max_ratio": math.exp(g_hi[k] + thr), "at_one_minus_pA": rows[k][1],
        "max_ratio_to_lower": math.exp(max(g_lo) + thr),
    }


def _bisect(g: Callable[[float], float], x_false: float, x_true: float, iters: int = 60) -> float:
    """Boundary between x_false (g <= 0) and x_true (g > 0), in log(1 - pA)."""
    a, b = x_false, x_true
    for _ in range(iters):
        m = 0.5 * (a + b)
        if g(m) > 0:
            b = m
        else:
            a = m
        if abs(b - a) < 1e-12 * max(1.0, abs(b)):
            break
    return b


def _search_multiclass(fn: RadiusFn, mechanism: str, norm: str, sigma: float, d: int, params: dict[str, Any],
                       lo_e: float, grid: int, num_classes: int, pB_grid: int = 12) -> dict[str, Any]:
    thr = math.log1p(EXCEED_RTOL)
    worst: tuple[float, float, float] | None = None
    from_e: float | None = None
    for pA, e in _grid_pA(lo_e, max(grid // 8, 8)):
        lo_pb = e / (num_classes - 1)
        for pb in [lo_pb] + [math.exp(v) for v in np.linspace(math.log(lo_pb), math.log(e), pB_grid)[1:-1]]:
            r = _call(fn, pA, pb, sigma, d, params)
            t = _tight(mechanism, norm, sigma, d, e, pb)
            v = _log_excess(r, t.upper)
            if worst is None or v > worst[0]:
                worst = (v, e, pb)
            if v > thr and (from_e is None or e > from_e):
                from_e = e
    assert worst is not None   # the grids of pA (>= 8 points) and pB (>= 1 point) are not empty
    v, e, pb = worst
    return {"exceeds_tight": bool(v > thr), "max_ratio": math.exp(v), "at_one_minus_pA": e, "at_pB": pb,
            "largest_one_minus_pA_exceeding": from_e, "num_classes": num_classes,
            "range_pB": ["(1 - pA)/(K - 1)", "1 - pA (exclusive)"]}


# ----------------------------------------------------------------------------------------------------
# CERTIFY simulation (theory.soundness) on the worst-case classifier
# ----------------------------------------------------------------------------------------------------

def _simulate(fn: RadiusFn, label: str, mechanism: str, norm: str, sigma: float, d: int, params: dict[str, Any],
              qs: Sequence[float], ns: Sequence[int], trials: int, seed: int, alpha: float) -> list[dict[str, Any]]:
    from theory import certificates as C
    from theory import soundness

    name = f"audit:{label}"

    def rad(p: Probabilities, s: float) -> float:
        pA = -math.expm1(p.log_one_minus_pA)
        return _call(fn, pA, 1.0 - pA, s, d, params)

    def no_inverse(*a: Any, **k: Any) -> NoReturn:
        raise ValueError("the audited certificate has no inverse")

    cert = C.Certificate(name, mechanism, norm, "audited", label, (), False, name, label, rad, no_inverse)
    if name in C.CERTIFICATES:
        raise RuntimeError(f"certificate name {name} already registered")
    C.CERTIFICATES[name] = cert
    rows: list[dict[str, Any]] = []
    try:
        spec = soundness.CertSpec(name, (), "binary", mechanism, norm, False, None)
        for q in qs:
            t = _tight(mechanism, norm, sigma, d, q)
            assert t.value is not None   # run only in exact cells (audit_certificate checks probe.exact)
            gt = soundness.GroundTruth("np-worst-case", mechanism, norm, sigma, d, (1.0 - q, q), q, t.value,
                               f"Neyman-Pearson worst case ({t.method}, {t.direction}), {mechanism}, {norm}, d={d}")
            for n in ns:
                for r in soundness.simulate_setting(gt, [spec], n=n, alpha=alpha, trials=trials, seed=seed):
                    rows.append({"one_minus_pA": q, "n": n, "true_radius": r.true_radius, "trials": r.trials,
                                 "failures": r.failures, "rate": r.rate, "ci": [r.ci_low, r.ci_high],
                                 "exact_failure_probability": r.exact, "alpha": alpha,
                                 "median_ratio": r.median_ratio, "verdict": r.verdict})
    finally:
        C.CERTIFICATES.pop(name, None)
    return rows


# ----------------------------------------------------------------------------------------------------
# public entry
# ----------------------------------------------------------------------------------------------------

def audit_certificate(fn: RadiusFn, *, mechanism: str, norm: str, d: int = 1, sigma: float = 1.0,
                      params: dict[str, Any] | None = None, label: str | None = None, radius_spec: str | None = None,
                      registered: str | None = None, min_one_minus_pA: float = 1e-15, grid: int = 120,
                      multiclass: bool = True, num_classes: int = DEFAULT_NUM_CLASSES, simulate: bool = True,
                      trials: int = 2000, ns: Iterable[int] = (10_000, 1_000_000), alpha: float = 0.001, seed: int = 0,
                      witness: bool = True, command: str = "") -> AuditCertificateResult:
    """Audit ``fn(pA, pB, sigma, d, **params)`` for ``mechanism`` (noise of :mod:`theory.neyman_pearson`) in ``norm``.

    See the module docstring.  ``multiclass``: also search the runner-up form (only where the engine has it).
    ``simulate``: run the CERTIFY simulation (exact cells).  Nothing is written (see
    :func:`write_audit_certificate_report`).
    """
    t0 = time.perf_counter()
    if not callable(fn):
        raise ValueError("fn must be callable: radius(pA, pB, sigma, d, **params) -> float")
    _check_signature(fn, dict(params or {}))
    V.choice("mechanism", mechanism, NP.NOISES)
    V.choice("norm", norm, NP.NORMS)
    d = V.dimension("d", d)
    sigma = V.positive("sigma", sigma)
    params = dict(params or {})
    lo_e = V.in_open_interval("min_one_minus_pA", min_one_minus_pA, 0.0, 0.5)
    grid = V.count("grid", grid, minimum=8)
    num_classes = V.count("num_classes", num_classes, minimum=3)
    trials = V.count("trials", trials, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    label = label or str(getattr(fn, "__name__", "radius"))
    notes: list[str] = []
    if mechanism == "exponential-l2" and d > 1 and lo_e < NP.RADIAL_MIN_ONE_MINUS_PA:
        lo_e = NP.RADIAL_MIN_ONE_MINUS_PA * 1.001   # (1 - float(1 - e) may round below the limit)
        grid = min(grid, 16)
        notes.append(f"exponential-l2: 1 - pA searched down to {lo_e:g} only (the radial quadrature's validated "
                     "range), on a grid of 16 points")
    probe = _tight(mechanism, norm, sigma, d, 0.01)
    s = _search_binary(fn, mechanism, norm, sigma, d, params, lo_e, grid)
    mc: dict[str, Any] | None = None
    if multiclass and NP.supports_multiclass(mechanism, norm):
        mc = _search_multiclass(fn, mechanism, norm, sigma, d, params, lo_e, grid, num_classes)
    elif multiclass:
        notes.append(f"no runner-up (pB) form of the tight radius for {mechanism} in {norm}: binary form only")
    if s["exceeds"] or (mc or {}).get("exceeds_tight"):
        exceeds: bool | None
        exceeds, verdict = True, "EXCEEDS the tight radius (unsound)"
        if not s["exceeds"]:
            verdict += " in the runner-up form only"
    elif s["undecided"]:
        exceeds, verdict = None, "undecided: between the engine's lower and upper bounds somewhere"
    else:
        exceeds, verdict = False, "never exceeds the tight radius on the grid (sound there)"
    sim: tuple[dict[str, Any], ...] = ()
    if simulate and probe.exact:
        qs = {0.1, 1e-2, 1e-4}
        ns_t = tuple(ns)
        if s["intervals"]:
            # inside the exceeding region, with enough draws for CERTIFY to reach it (n > log(alpha)/log(1 - t))
            t_ex = s["intervals"][0][1]
            q_in = min(t_ex / 2.0, 0.25)
            n_reach = 10 * math.ceil(math.log(alpha) / math.log1p(-t_ex))
            if q_in >= 1e-9 and n_reach <= 10 ** 8:
                qs.add(q_in)
                ns_t = tuple(sorted(set(ns_t) | {max(n_reach, 1000)}))
                notes.append(f"simulation includes 1 - pA = {q_in:.3g} (inside the exceeding region) and "
                             f"n = {max(n_reach, 1000):.3g} (10x the draws CERTIFY needs to reach it)")
        sim = tuple(_simulate(fn, label, mechanism, norm, sigma, d, params, sorted(qs, reverse=True), ns_t, trials,
                              seed, alpha))
    elif simulate:
        notes.append("CERTIFY simulation skipped: the engine gives only a bracket here (no classifier whose true "
                     "radius is the tight one)")
    wit: dict[str, Any] | None = None
    if witness and s["exceeds"]:
        try:
            wit = make_audit_witness(fn, s, mechanism=mechanism, norm=norm, sigma=sigma, d=d, params=params,
                                     label=label, radius_spec=radius_spec, registered=registered)
        except ValueError as exc:
            notes.append(f"no witness: {exc}")
    return AuditCertificateResult(
        certificate=label, radius_spec=radius_spec, registered=registered, mechanism=mechanism, norm=norm, d=d,
        sigma=sigma, params=params, engine_exact=bool(probe.exact), engine_method=probe.method,
        range_one_minus_pA=(lo_e, 0.5), grid=grid, exceeds_tight=exceeds, verdict=verdict,
        from_one_minus_pA=s["intervals"][0][1] if s["intervals"] else None,
        intervals=tuple(tuple(iv) for iv in s["intervals"]), max_ratio=s["max_ratio"],
        at_one_minus_pA=s["at_one_minus_pA"], max_ratio_to_lower=s["max_ratio_to_lower"], multiclass=mc,
        simulation=sim, witness=wit, seconds=time.perf_counter() - t0, command=command, notes=tuple(notes))


def audit_registered_certificate(name: str, *, d: int | None = None, sigma: float = 1.0,
                                 **kw: Any) -> AuditCertificateResult:
    """:func:`audit_certificate` for a certificate of :data:`theory.certificates.CERTIFICATES` (C11, T13, T18, ...).

    Parameters of the certificate (``c``) go in ``params``; ``d`` defaults to 1 (l2/l1) or 3072 (l_inf).
    """
    from theory import certificates as C

    cert = C.get(name)
    if cert.mechanism not in NP.NOISES:    # the noises of the table with a Neyman-Pearson cell
        raise ValueError(f"certificate {name} has mechanism {cert.mechanism}, which the engine does not model")
    if d is None:
        d = 3072 if cert.norm == "linf" else 1
    label = kw.pop("label", None) or name + "".join(f" {k}={v:g}" for k, v in (kw.get("params") or {}).items())
    kw["multiclass"] = kw.get("multiclass", True) and cert.multiclass   # binary-only certificates: binary search
    return audit_certificate(registered_radius_function(name), mechanism=cert.mechanism, norm=cert.norm,
                             d=d, sigma=sigma, label=label, registered=name, **kw)


# ----------------------------------------------------------------------------------------------------
# witnesses
# ----------------------------------------------------------------------------------------------------

def make_audit_witness(fn: RadiusFn, search: dict[str, Any], *, mechanism: str, norm: str, sigma: float, d: int,
                       params: dict[str, Any], label: str, radius_spec: str | None = None,
                       registered: str | None = None, shrink: float = 2.0 ** -20) -> dict[str, Any]:
    """Witness at the exceeding grid point with the largest flip margin pB(x') - 1/2 (so that Monte Carlo resolves
    the flip).  x = 0, x' = (1 - shrink) r_claimed v (v: the axis e_1 or the corner (1, ..., 1)); the classifier is the
    engine's worst case: B iff w.z > b (half-space) or max_i z_i + min_i z_i >= 2b (eq.-6 noise, l_inf)."""
    law = _witness_law(mechanism)          # the noise's worst-case classifiers (theory.noises, theory.np_cells)
    refused = law.refuse(norm, d)
    if refused is not None:
        raise ValueError(refused)
    thr = math.log1p(EXCEED_RTOL)
    best: tuple[float, float, float, float, float | None] | None = None
    for pA, e, r, t in search["rows"]:
        if _log_excess(r, t.upper) <= thr:
            continue
        m = NP.flip_margin(mechanism, norm, r * (1 - shrink), sigma=sigma, d=d, one_minus_pA=e)
        if best is None or m > best[0]:
            best = (m, pA, e, r, t.value)
    if best is None or best[0] <= 0:
        raise ValueError("no exceeding grid point gives a flip")
    _, pA, e, r, tight = best
    import mpmath as mp

    cls: dict[str, Any]
    with mp.workdps(WITNESS_DPS):
        direction = "corner" if norm == "linf" and law.corner_linf else "axis"
        b = law.threshold(e, sigma)
        if law.max_min_linf and d > 1:
            cls = {"type": "max+min", "description": "f(z) = B iff max_i z_i + min_i z_i >= 2 b, A otherwise",
                   "b": mp.nstr(b, 40)}
        else:
            if direction == "corner":
                w = [mp.nstr(1 / mp.sqrt(d), 40)] * d
            else:
                w = ["1"] + ["0"] * (d - 1)
            cls = {"type": "half-space", "description": "f(z) = B iff w.z > b, A otherwise", "w": w,
                   "b": mp.nstr(b, 40)}
        v = [1] * d if direction == "corner" else [1] + [0] * (d - 1)
        step = mp.mpf(r) * (1 - mp.mpf(shrink))
        xp = [mp.nstr(step * vi, 40) for vi in v]
    wit: dict[str, Any] = {"kind": WITNESS_KIND, "version": 1, "certificate": label, "radius_spec": radius_spec,
           "registered": registered, "params": params, "form": "binary", "mechanism": mechanism, "norm": norm,
           "sigma": sigma, "d": d, "pA": repr(pA), "one_minus_pA": repr(e), "classifier": cls,
           "x": ["0"] * d, "x_prime": xp, "direction": direction, "claimed_radius": repr(r),
           "tight_radius": repr(tight),
           "note": "x' lies inside the claimed ball; the smoothed prediction there is B (exact probabilities of the "
                   "classifier under the noise); the classifier has P(B) = 1 - pA at x."}
    exact = _witness_exact(wit)
    if not (exact["pB_x"] < 0.5 < exact["pB_x_prime"]):
        raise ValueError("witness construction failed: no flip at x'")
    wit["exact"] = {k: (mp.nstr(v, 30) if not isinstance(v, str) else v) for k, v in exact.items()}
    return wit


# ----------------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------------

def _f(x: object, digits: int = 4) -> str:
    """A report cell: :func:`theory.report.fmt` in ``g`` notation with ``digits`` digits (integers too), None as
    "–", booleans as True / False (Markdown escaping is :func:`theory.report.md_table`'s)."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        x = float(x)
    return fmt(x, digits, style="g", none="–")


def _slug(s: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in s)[:80]


def write_audit_certificate_report(result: AuditCertificateResult, out_dir: str | Path, *,
                                   json_path: str | Path | None = None, figures: bool = True) -> dict[str, str]:
    """Write ``audit_certificate_<label>.md``, the JSON (``out_dir/audit_certificate_<label>.json`` unless
    ``json_path``) and, when there is one, ``witness_<label>.json`` into ``out_dir``; returns their paths
    (``{"markdown", "json"[, "witness"]}``).  The report has no figure (``figures`` is accepted for the common
    writer signature)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    slug = _slug(result.certificate)
    md = out / f"audit_certificate_{slug}.md"
    js = Path(json_path) if json_path is not None else out / f"audit_certificate_{slug}.json"
    paths = {"markdown": str(md), "json": str(js)}
    if result.witness is not None:
        wp = out / f"witness_{slug}.json"
        dump_json(result.witness, wp, indent=2, ensure_ascii=True)
        paths["witness"] = str(wp)
    result.to_json(js)
    md.write_text(_markdown(result, paths.get("witness")))
    return paths


def _markdown(r: AuditCertificateResult, witness_path: str | None) -> str:
    """The Markdown report of ``r`` (``witness_path``: where its witness file was written)."""
    intervals = "; ".join(f"[{_f(a, 6)}, {_f(b, 6)}]" for a, b in r.intervals) or "–"
    fields = [["certificate", f"{r.certificate} ({r.radius_spec or r.registered or 'python function'})"],
              ["noise, norm, d, sigma", f"{r.mechanism}, {r.norm}, {r.d}, {_f(r.sigma)}"],
              ["params", json.dumps(r.params)],
              ["tight radius", f"{'exact' if r.engine_exact else 'bracket [lower, upper]'} ({r.engine_method})"],
              ["searched 1 - pA", f"[{_f(r.range_one_minus_pA[0])}, 1/2), {r.grid} log-spaced points"],
              ["exceeds_tight", str(r.exceeds_tight)],
              ["from_one_minus_pA (exceeds below)", _f(r.from_one_minus_pA, 8)],
              ["exceeding intervals of 1 - pA", intervals],
              [f"largest ratio radius / tight{'' if r.engine_exact else ' (upper bound)'}",
               f"{_f(r.max_ratio, 8)} at 1 - pA = {_f(r.at_one_minus_pA)}"]]
    if not r.engine_exact:
        fields.append(["largest ratio radius / lower bound", _f(r.max_ratio_to_lower, 8)])
    if r.multiclass:
        m = r.multiclass
        fields.append([f"runner-up form (K = {m['num_classes']})",
                       f"exceeds: {m['exceeds_tight']}, largest ratio {_f(m['max_ratio'], 8)} at 1 - pA = "
                       f"{_f(m['at_one_minus_pA'])}, pB = {_f(m['at_pB'])}"])
    if r.witness and witness_path is not None:
        fields.append(["witness", f"`{Path(witness_path).name}` at 1 - pA = {_f(float(r.witness['one_minus_pA']))} "
                                  f"(re-check: `python -m theory witness {witness_path}`)"])
    L = [f"# Certificate audit: {r.certificate}\n",
         f"Generated by `{r.command or 'theory.audit_certificate.audit_certificate'}`; do not edit by hand.  "
         "Method: `theory/audit_certificate.py` (module docstring), tight radius by `theory/neyman_pearson.py`.\n",
         f"**Verdict: {r.verdict}.**\n",
         md_table(["field", "value"], fields), ""]
    if r.simulation:
        L.append("## CERTIFY simulation on the worst-case classifier (true radius = tight radius)\n")
        L.append("`theory.soundness.simulate_setting`: counts from their exact law, failure = certified radius > true "
                 "radius; *exact* = failure probability by binomial tails.\n")
        L.append(md_table(["1 - pA", "n", "true radius", "trials", "failures", "rate", "interval (1 - 1e-6)",
                           "exact P(fail)", "alpha", "verdict"],
                          [[_f(s["one_minus_pA"]), _f(s["n"], 6), _f(s["true_radius"], 6), s["trials"], s["failures"],
                            _f(s["rate"]), f"[{_f(s['ci'][0])}, {_f(s['ci'][1])}]",
                            _f(s["exact_failure_probability"]), _f(s["alpha"], 6), s["verdict"]]
                           for s in r.simulation]))
        L.append("")
        if r.n_min is not None:
            L.append(f"CERTIFY's bound never exceeds alpha^(1/n), so the exceeding region (1 - pA < "
                     f"{_f(r.from_one_minus_pA)}) is reachable only with n > {r.n_min:.3g} draws at alpha = 0.001.\n")
    if r.notes:
        L.append("## Notes\n")
        L += [f"* {n}" for n in r.notes]
        L.append("")
    L.append(f"Runtime {r.seconds:.1f} s.\n")
    return "\n".join(L)
