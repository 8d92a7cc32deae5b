"""Soundness simulation: how often does each certificate certify more than the TRUE robust radius?

A certificate maps a lower confidence bound on the top-class probability of the smoothed classifier
``g(x) = argmax_c P(f(x + Z) = c)`` to a radius.  It is *sound at level alpha* when Cohen et al.'s CERTIFY
(Cohen, Rosenfeld & Kolter 2019, Section 3.2, "CERTIFY") run with it returns a radius larger than the true
robust radius of g at x (or a wrong class) with probability at most alpha over the noise draws.

The simulation needs classifiers whose smoothed probabilities and true robust radius are known exactly
(the ground truths of :mod:`theory.ground_truth`).  For each ground truth it draws the counts of CERTIFY from
their exact law,

    selection:   counts0 ~ Multinomial(n0, p)          cA = argmax counts0 (lowest index on ties)
    estimation:  counts  ~ Multinomial(n,  p)          (independent of the selection draws)

(vectorised over ``trials`` runs, fixed seed), runs CERTIFY with every certificate that applies to the
ground truth's mechanism and norm (``theory.certificates``: one-sided Clopper-Pearson bound, abstain when
it is below 1/2, radius in binary form pB = 1 - pA_lower), and counts the failures

    failure  <=>  not abstained  and  (cA != true top class  or  radius > true_radius * (1 + 1e-12)).

(The 1e-12 relative slack only absorbs floating-point ties at the boundary; it is far below any effect
reported.)  A multi-class variant for the certificates' forms that use pB bounds pA at alpha/2 and every
other class at alpha / (2 (K - 1)) (Bonferroni) and uses pB_upper = min(1 - pA_lower, max_c upper_c).

How the runs are evaluated: CERTIFY's outcome depends on the run only through (cA, count of cA) -- and
the largest other count in the pB form -- and is monotone in the counts (the Clopper-Pearson bound and
every radius are non-decreasing in pA_lower).  So the distinct counts drawn are sorted and the failure
boundary among them is found by bisection (pB form: a saddleback search over the two counts), each
evaluation being CERTIFY through ``theory.certificates``; a few random distinct counts per setting are
evaluated directly and must agree with the classification (a non-monotone certificate raises), and the
outcome is compared bitwise with ``certify_from_counts``.  tests/theory/test_soundness.py checks the
classification against running certify_from_counts on every single draw.

For binary ground truths the failure probability is also computed EXACTLY, by a second route: the binomial
law instead of draws,

    P(fail) = P(sel = A) * P[Bin(n, pA) >= k_A*] + P(sel = B) * P[Bin(n, 1 - pA) >= k_B*]

with k_A* the smallest count in 0..n whose radius exceeds the true radius and k_B* the smallest count
that certifies at all (bisection over 0..n, started from the boundary the simulation found), and
``P(sel = A) = P[Bin(n0, pA) >= ceil(n0 / 2)]``.  The tests compare it with an explicit sum over every k.

Ground truths (x is the clean input, f the base classifier): :mod:`theory.ground_truth` (``halfspace-l2``,
``halfspace-linf``, ``axis-exp``, ``corner-exp``, ``slab-multiclass``; their derivations are there).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from theory import validate as V
from theory._progress import progress_bar
from theory.ground_truth import (
    GroundTruth,
    axis_exponential,
    corner_exponential,
    corner_exponential_pB,
    exponential_axis_tail,
    halfspace_l2,
    halfspace_linf,
    slab_multiclass,
)
from theory.jsonio import dump_json, load_result, to_jsonable
from theory.report import Provenance, fmt, new_figure, save_figure

__all__ = [
    "GroundTruth",
    "halfspace_l2",
    "halfspace_linf",
    "axis_exponential",
    "corner_exponential",
    "slab_multiclass",
    "exponential_axis_tail",
    "corner_exponential_pB",
    "CertSpec",
    "cert_specs",
    "draw_counts",
    "simulate_setting",
    "exact_failure_probability",
    "failure_threshold",
    "reach_thresholds",
    "SettingResult",
    "default_grid",
    "compute_soundness",
    "SoundnessResult",
    "write_soundness_report",
    "render_markdown",
    "check_outputs",
    "eq6_summary",
    "run_soundness",
]

TIE_RTOL = 1e-12  # relative slack at the true radius (floating-point ties only)


# =====================================================================================================
# Certificates under test (adapters over theory.certificates; nothing is re-derived here)
# =====================================================================================================

@dataclass(frozen=True)
class CertSpec:
    """One certificate of :data:`theory.certificates.CERTIFICATES` with its parameters, as run here.

    ``form`` is "binary" (Cohen's CERTIFY: pB = 1 - pA_lower) or "multiclass" (the certificate's pB form with
    the Bonferroni bounds of the module doc).  ``failure_allowance`` is the failure probability the paper
    itself admits for the certificate (C11 and T18: "with probability at least 1 - exp(-c^2/4)"), None for
    certificates stated without one.

    Examples
    --------
    >>> spec = cert_specs()[0]
    >>> spec.name, spec.form, spec.norm
    ('cohen', 'binary', 'l2')
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()  # ((key, value), ...) -- hashable
    form: str = "binary"
    mechanism: str = "gaussian"
    norm: str = "l2"
    paper: bool = False
    failure_allowance: float | None = None

    @property
    def label(self) -> str:
        p = ", ".join(f"{k}={v:g}" for k, v in self.params)
        s = self.name + (f" ({p})" if p else "")
        return s + (" [pB form]" if self.form == "multiclass" else "")

    def kwargs(self, gt: GroundTruth) -> dict[str, Any]:
        kw = dict(self.params)
        kw["d"] = gt.d  # accepted (validated) by every certificate; used by the l_inf ones
        return kw


#: values of C11 / T18's c searched ("each setting the paper uses or allows": c = 3 "is enough", figures use 1, 3)
C_VALUES = (0.5, 1.0, 3.0)


def cert_specs(multiclass: bool = True) -> list[CertSpec]:
    """Every certificate of the registry, with C_VALUES for those taking c; pB forms when they exist.

    Examples
    --------
    >>> len(cert_specs()), len(cert_specs(multiclass=False)) < len(cert_specs())
    (18, True)
    """
    C = _certificates()
    out = []
    for name, cert in C.CERTIFICATES.items():
        if cert.mechanism not in ("gaussian", "exponential-linf"):  # no ground truth here (issue 14: audit-certificate)
            continue
        variants = [()] if "c" not in cert.params else [(("c", c),) for c in C_VALUES]
        forms = ["binary"] + (["multiclass"] if multiclass and cert.multiclass and cert.norm == "l2" else [])
        for form in forms:
            for prm in variants:
                allowance = math.exp(-dict(prm)["c"] ** 2 / 4.0) if "c" in dict(prm) else None
                out.append(CertSpec(name, prm, form, cert.mechanism, cert.norm, bool(cert.paper), allowance))
    return out


def _certificates() -> Any:
    from theory import certificates  # lazily: the ground truths do not need it

    return certificates


# =====================================================================================================
# CERTIFY outcomes as functions of the counts
# =====================================================================================================

class _Outcomes:
    """CERTIFY outcomes for one ground truth, n and alpha, as functions of counts (cached).

    Binary form: exactly :func:`theory.certificates.certify_from_counts` -- the same Clopper-Pearson bound
    (``scipy.stats.beta.ppf(alpha, k, n - k + 1)``, vectorised over many counts at once by :meth:`prefetch`),
    the same 1 - pA_lower (``beta.isf(alpha, n - k + 1, k)``; ``-expm1(log(alpha)/n)`` at k = n), the same
    abstention rule (pA_lower < 1/2) and the registry's radius; :meth:`check_against_api` confirms bitwise
    equality with ``certify_from_counts`` at sampled counts of every setting.
    Multi-class form (module doc): pA_lower at alpha/2, pB_upper = min(1 - pA_lower, upper bound of the
    largest other count at alpha/(2(K-1))), abstain when pA_lower <= pB_upper.
    """

    def __init__(self, gt: GroundTruth, n: int, alpha: float):
        self.C = _certificates()
        self.gt, self.n, self.alpha = gt, int(n), float(alpha)
        self._low: dict[tuple[int, float], tuple[float, float]] = {}
        self._up: dict[tuple[int, float], float] = {}
        self._res: dict[Any, tuple[bool, float]] = {}
        self.evaluations = 0

    # -- Clopper-Pearson, cached -----------------------------------------------------------------------
    def prefetch(self, ks: Any, level: float) -> None:
        ks = np.unique(np.asarray(ks, dtype=np.int64))
        ks = np.array([k for k in ks if (int(k), level) not in self._low], dtype=np.int64)
        if ks.size == 0:
            return
        n = self.n
        with np.errstate(all="ignore"):
            lo = stats.beta.ppf(level, ks, n - ks + 1)
            om = stats.beta.isf(level, n - ks + 1, ks)
        for k, l_, o in zip(ks.tolist(), lo.tolist(), om.tolist(), strict=True):
            if k == 0:
                l_, o = 0.0, 1.0
            elif k == n:
                o = -math.expm1(math.log(level) / n)
            self._low[(k, level)] = (float(l_), float(o))

    def prefetch_upper(self, ks: Any, level: float) -> None:
        """Vectorised ``clopper_pearson_upper`` (``beta.isf(level, k + 1, n - k)``; 1 at k = n) for many counts."""
        ks = np.unique(np.asarray(ks, dtype=np.int64))
        ks = np.array([k for k in ks if (int(k), level) not in self._up], dtype=np.int64)
        if ks.size == 0:
            return
        with np.errstate(all="ignore"):
            up = stats.beta.isf(level, ks + 1, self.n - ks)
        for k, u in zip(ks.tolist(), up.tolist(), strict=True):
            self._up[(k, level)] = 1.0 if k == self.n else float(u)

    def lower(self, k: int, level: float) -> tuple[float, float]:
        key = (int(k), level)
        if key not in self._low:
            pl = self.C.clopper_pearson_lower(int(k), self.n, level)
            if k == 0:
                om = 1.0
            elif k == self.n:
                om = -math.expm1(math.log(level) / self.n)
            else:
                om = float(stats.beta.isf(level, self.n - k + 1, k))
            self._low[key] = (pl, om)
        return self._low[key]

    def upper(self, k: int, level: float) -> float:
        key = (int(k), level)
        if key not in self._up:
            self._up[key] = self.C.clopper_pearson_upper(int(k), self.n, level)
        return self._up[key]

    # -- outcomes ---------------------------------------------------------------------------------------
    def binary(self, spec: CertSpec, k: int) -> tuple[bool, float]:
        """(abstain, radius) of CERTIFY in binary form with count k of the selected class."""
        key = (spec, int(k))
        if key not in self._res:
            self.evaluations += 1
            pl, om = self.lower(k, self.alpha)
            if pl < 0.5:
                self._res[key] = (True, 0.0)
            else:
                r = self.C.get(spec.name).radius(one_minus_pA=om, sigma=self.gt.sigma, **spec.kwargs(self.gt))
                self._res[key] = (False, float(r))
        return self._res[key]

    def multiclass(self, spec: CertSpec, kA: int, kB: int) -> tuple[bool, float]:
        """(abstain, radius) of the multi-class variant: count kA of the selected class, kB the largest
        other count."""
        key = (spec, int(kA), int(kB))
        if key not in self._res:
            self.evaluations += 1
            K = self.gt.n_classes
            pl, om = self.lower(kA, self.alpha / 2)
            pu = min(om, self.upper(kB, self.alpha / (2 * (K - 1))))  # om = 1 - pA_lower, exact
            if kA == 0 or pl <= pu or pu <= 0.0:
                # pu = 0 only if every other class has count 0 and n is astronomically large: never here
                self._res[key] = (True, 0.0) if (kA == 0 or pl <= pu) else (False, math.inf)
            else:
                r = self.C.get(spec.name).radius(one_minus_pA=om, pB=pu, sigma=self.gt.sigma,
                                                 **spec.kwargs(self.gt))
                self._res[key] = (False, float(r))
        return self._res[key]

    def abstain_threshold(self, observed: Any = None) -> int:
        """Smallest count with pA_lower >= 1/2 (CERTIFY certifies from there on), n + 1 if none; cached.
        ``observed``: sorted distinct counts, searched first to bracket the bisection over 0..n."""
        if not hasattr(self, "_abst_thr"):
            def f(k: int) -> bool:
                return self.lower(k, self.alpha)[0] >= 0.5

            lo, hi = -1, self.n + 1
            if observed is not None and len(observed):
                t = failure_threshold(f, observed)
                lo = int(observed[t - 1]) if t > 0 else -1
                hi = int(observed[t]) if t < len(observed) else self.n + 1
            if hi == self.n + 1 and not f(self.n):
                self._abst_thr = self.n + 1
            else:
                self._abst_thr = failure_threshold(f, _Range(self.n), lo, hi)
        return self._abst_thr

    def check_against_api(self, spec: CertSpec, ks: Any) -> None:
        """Bitwise agreement of :meth:`binary` with ``certify_from_counts`` at the counts ``ks``."""
        for k in ks:
            res = self.C.certify_from_counts(int(k), self.n, self.alpha, self.gt.sigma, spec.name,
                                             **spec.kwargs(self.gt))
            mine = self.binary(spec, int(k))
            if (res.abstain, res.radius) != mine:
                raise RuntimeError(f"soundness: CERTIFY re-evaluation disagrees with certify_from_counts for "
                                   f"{spec.label} at k={k}, n={self.n}: {mine} vs {(res.abstain, res.radius)}")


def _fails_binary(out: _Outcomes, spec: CertSpec, k: int, right_class: bool) -> bool:
    a, r = out.binary(spec, k)
    if a:
        return False
    return (not right_class) or r > out.gt.true_radius * (1.0 + TIE_RTOL)


def _fails_multi(out: _Outcomes, spec: CertSpec, kA: int, kB: int, right_class: bool) -> bool:
    a, r = out.multiclass(spec, kA, kB)
    if a:
        return False
    return (not right_class) or r > out.gt.true_radius * (1.0 + TIE_RTOL)


def failure_threshold(fails: Callable[[int], bool], values: Any, lo: int = -1, hi: int | None = None) -> int:
    """Index of the first element of the sorted ``values`` at which the non-decreasing predicate ``fails``
    holds (bisection, log2(len) evaluations); ``len(values)`` when it never holds.

    ``lo`` / ``hi``: a known bracket (``fails`` is False at index lo, or lo = -1; True at index hi, or
    hi = len(values)).

    Examples
    --------
    >>> failure_threshold(lambda k: k >= 7, range(20))   # the first value that fails
    7
    """
    hi = len(values) if hi is None else hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fails(int(values[mid])):
            hi = mid
        else:
            lo = mid
    return hi


class _Range:
    """The integers 0..n as a lazy sorted sequence (for bisection over every possible count)."""

    def __init__(self, n: int) -> None:
        self.n = int(n)

    def __len__(self) -> int:
        return self.n + 1

    def __getitem__(self, i: int) -> int:
        return int(i)


# =====================================================================================================
# Simulation
# =====================================================================================================

def _rng(seed: int, key: str) -> np.random.Generator:
    """The generator of one setting: depends only on the seed and the setting's key, so adding settings
    changes no other setting's draws."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(key.encode())]))


def draw_counts(gt: GroundTruth, n0: int, n: int, trials: int,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Selection winners and estimation counts of ``trials`` independent CERTIFY runs, from the exact law.

    Returns ``(sel, counts)``: ``sel`` (trials,) the argmax of Multinomial(n0, probs) (lowest index on ties);
    ``counts`` (trials, K) ~ Multinomial(n, probs), independent of the selection.  Binary: the count of
    class B is drawn as Bin(n, 1 - pA) with 1 - pA given exactly (down to 1e-300).  K > 2: classes are drawn
    smallest first and the top class takes the remainder, for the same reason.

    Examples
    --------
    >>> import numpy as np
    >>> sel, counts = draw_counts(halfspace_l2(0.1, 0.5), 100, 1000, 5, np.random.default_rng(0))
    >>> sel.shape, counts.shape, bool((counts.sum(axis=1) == 1000).all())
    ((5,), (5, 2), True)
    """
    K = gt.n_classes
    if K == 2:
        q = gt.one_minus_pA
        selB = rng.binomial(n0, q, size=trials)
        sel = (selB > n0 - selB).astype(np.int64)
        kB = rng.binomial(n, q, size=trials)
        return sel, np.stack([n - kB, kB], axis=1)
    rev = np.array(gt.probs[::-1], dtype=float)
    rev[-1] = max(0.0, 1.0 - rev[:-1].sum())  # numpy's multinomial gives the last class the remainder
    sel = np.argmax(rng.multinomial(n0, rev, size=trials)[:, ::-1], axis=1)
    counts = rng.multinomial(n, rev, size=trials)[:, ::-1]
    return sel, counts


def _classify_sorted(fails: Callable[[int], bool], uniq: np.ndarray, rng: np.random.Generator,
                     spot: int) -> tuple[np.ndarray, int]:
    """(boolean failure verdict for each sorted distinct count, index of the first failing count): bisection
    for the boundary (the outcome is non-decreasing in the count), then direct evaluation at ``spot`` random
    distinct counts, each of which must agree (else RuntimeError: the certificate is not monotone and the
    shortcut would be invalid)."""
    t = failure_threshold(fails, uniq)
    verdict = np.arange(len(uniq)) >= t
    if len(uniq):
        for i in rng.choice(len(uniq), size=min(spot, len(uniq)), replace=False):
            if fails(int(uniq[i])) != bool(verdict[i]):
                raise RuntimeError(f"soundness: CERTIFY outcome not monotone in the count near k={uniq[i]}")
    return verdict, t


def _staircase(fails2: Callable[[int, int], bool], A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """thr[j] = first index i of sorted A with fails2(A[i], B[j]) (len(A) if none), for sorted B.

    fails2 is non-decreasing in a and non-increasing in b, so thr is non-decreasing in j: a galloping search
    from the previous threshold (saddleback search, O(len(A) + len(B) log) evaluations)."""
    thr = np.empty(len(B), dtype=np.int64)
    t = 0
    for j, b in enumerate(B.tolist()):
        if t < len(A) and fails2(int(A[t]), b):
            thr[j] = t
            continue
        step, lo = 1, t  # fails2(A[lo], b) is False (or lo == len(A))
        hi = lo + step
        while hi < len(A) and not fails2(int(A[hi]), b):
            lo, step = hi, step * 2
            hi = lo + step
        hi = min(hi, len(A))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if fails2(int(A[mid]), b):
                hi = mid
            else:
                lo = mid
        t = hi if lo < len(A) else len(A)
        thr[j] = t
    return thr


@dataclass(frozen=True)
class SettingResult:
    """One row of the report: a certificate on a ground truth at (n0, n, alpha).

    Examples
    --------
    >>> spec = cert_specs()[0]                                    # Cohen et al., l2
    >>> row = simulate_setting(halfspace_l2(0.1, 0.5), [spec], n=1000, trials=500)[0]
    >>> row.certificate, row.verdict, row.exact <= row.alpha
    ('cohen', 'sound', True)
    """

    certificate: str
    name: str
    params: dict[str, Any]
    form: str
    paper: bool
    failure_allowance: float | None
    setting: str
    ground_truth: str
    mechanism: str
    norm: str
    sigma: float
    d: int
    probs: list[float]
    one_minus_pA: float
    true_radius: float
    n0: int
    n: int
    alpha: float
    trials: int
    failures: int
    wrong_class: int
    abstentions: int
    rate: float
    ci_low: float
    ci_high: float
    ci_level: float
    exact: float | None
    median_ratio: float | None
    verdict: str


def _verdict(failures: int, trials: int, alpha: float, ci_level: float,
             exact: float | None) -> tuple[float, float, str]:
    C = _certificates()
    lo, hi = C.clopper_pearson_interval(failures, trials, 1.0 - ci_level)
    if lo > alpha:
        v = "UNSOUND"
    elif exact is not None and exact > alpha * (1.0 + 1e-9):
        v = "unsound (exact)"
    else:
        v = "sound"
    return lo, hi, v


def simulate_setting(gt: GroundTruth, specs: Iterable[CertSpec], *, n: int, n0: int = 100, alpha: float = 0.001,
                     trials: int = 10_000, seed: int = 0, exact: bool = True, spot: int = 4,
                     ci_level: float = 1.0 - 1e-6) -> list[SettingResult]:
    """Run CERTIFY ``trials`` times on ``gt`` with each certificate of ``specs`` (shared draws).

    The draws are those of :func:`draw_counts` with a generator fixed by ``seed`` and the setting.  Each run's
    outcome is CERTIFY's (see :class:`_Outcomes`).  Since the outcome is monotone in the count, the sorted
    distinct counts are classified by bisection; ``spot`` further distinct counts per certificate are
    evaluated directly and must agree, and ``check_against_api`` compares with ``certify_from_counts``.
    ``exact``: also compute the exact failure probability (binary ground truth, binary form).
    ``ci_level``: level of the two-sided Clopper-Pearson interval on the failure rate (default 1 - 1e-6).

    Examples
    --------
    >>> rows = simulate_setting(halfspace_l2(0.1, 0.5), cert_specs()[:1], n=1000, trials=500)
    >>> [(r.certificate, r.verdict) for r in rows]
    [('cohen', 'sound')]
    """
    n = V.count("n", n, minimum=1)
    n0 = V.count("n0", n0, minimum=1)
    trials = V.count("trials", trials, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    key = f"{gt.key()}|n={n}|n0={n0}|trials={trials}"
    rng = _rng(seed, key)
    sel, counts = draw_counts(gt, n0, n, trials, rng)
    check_rng = _rng(seed, key + "|checks")
    idx = np.arange(trials)
    kA = counts[idx, sel]
    right = sel == 0
    out = _Outcomes(gt, n, alpha)
    k_abst = out.abstain_threshold(np.unique(kA))
    K = gt.n_classes
    results = []
    for spec in specs:
        if spec.mechanism != gt.mechanism or spec.norm != gt.norm or (spec.form == "multiclass" and gt.binary):
            continue
        if spec.form == "binary":
            fail = np.zeros(trials, dtype=bool)
            brackets = {}
            for rc in (True, False):
                mask = right if rc else ~right
                if not mask.any():
                    continue
                uniq, inv = np.unique(kA[mask], return_inverse=True)
                verdict, t = _classify_sorted(functools.partial(_fails_binary, out, spec, right_class=rc), uniq,
                                              check_rng, spot)
                fail[mask] = verdict[inv.reshape(-1)]
                # the simulation's boundary brackets the exact threshold over 0..n
                brackets[rc] = (int(uniq[t - 1]) if t > 0 else -1, int(uniq[t]) if t < len(uniq) else n + 1)
            out.check_against_api(spec, check_rng.choice(kA, size=2))
            abst = kA < k_abst  # CERTIFY's abstention rule (pA_lower < 1/2), monotone in the count
            abst_count = int(np.count_nonzero(abst))
            ok = right & ~abst
            med = (out.binary(spec, int(np.sort(kA[ok])[(ok.sum() - 1) // 2]))[1] / gt.true_radius
                   if ok.any() else None)
        else:
            others = counts.copy()
            others[idx, sel] = -1
            kB = others.max(axis=1)
            out.prefetch(kA, alpha / 2)
            out.prefetch_upper(kB, alpha / (2 * (K - 1)))
            fail = np.zeros(trials, dtype=bool)
            for rc in (True, False):
                mask = right if rc else ~right
                if not mask.any():
                    continue
                A = np.unique(kA[mask])
                B, invB = np.unique(kB[mask], return_inverse=True)
                thr = _staircase(functools.partial(_fails_multi, out, spec, right_class=rc), A, B)
                posA = np.searchsorted(A, kA[mask])
                fail[mask] = posA >= thr[invB.reshape(-1)]
                for i in check_rng.choice(int(mask.sum()), size=min(spot, int(mask.sum())), replace=False):
                    a_, b_ = int(kA[mask][i]), int(kB[mask][i])
                    if _fails_multi(out, spec, a_, b_, rc) != bool(fail[mask][i]):
                        raise RuntimeError(f"soundness: multi-class CERTIFY outcome not monotone at ({a_}, {b_})")
            abst_count = -1  # not tracked in the pB form (would need every pair)
            med = None
        failures = int(np.count_nonzero(fail))
        wrong = int(np.count_nonzero(fail & ~right))
        ex = None
        if exact and gt.binary and spec.form == "binary":
            ex = exact_failure_probability(spec, gt, n=n, n0=n0, alpha=alpha, outcomes=out,
                                           brackets=brackets if spec.form == "binary" else None)
        lo, hi, v = _verdict(failures, trials, alpha, ci_level, ex)
        results.append(SettingResult(
            spec.label, spec.name, dict(spec.params), spec.form, spec.paper, spec.failure_allowance,
            gt.label, gt.kind, gt.mechanism, gt.norm, gt.sigma, gt.d, [float(p) for p in gt.probs],
            gt.one_minus_pA, gt.true_radius, n0, n, alpha, trials, failures, wrong, abst_count,
            failures / trials, lo, hi, ci_level, ex, med, v))
    return results


def exact_failure_probability(spec: CertSpec, gt: GroundTruth, *, n: int, n0: int = 100,
                              alpha: float = 0.001, outcomes: _Outcomes | None = None,
                              brackets: dict[Any, Any] | None = None) -> float:
    """Exact P(CERTIFY fails) for a binary ground truth in binary form.

    ``P(sel = A) P[Bin(n, pA) >= k_A*] + P(sel = B) P[Bin(n, 1 - pA) >= k_B*]`` (module doc): the thresholds
    by bisection over every count 0..n of CERTIFY's outcome, the binomial tails by scipy.stats.binom with
    1 - pA used directly.  ``brackets`` ({True: (lo, hi), False: (lo, hi)}, counts) narrow the bisections
    (the simulation passes the boundary it found among the drawn counts); the bracket ends are re-checked.

    Examples
    --------
    >>> p = exact_failure_probability(cert_specs()[0], halfspace_l2(0.1, 0.5), n=1000)
    >>> 0 < p <= 0.001                                          # Cohen et al.: at most alpha
    True
    """
    if not gt.binary or spec.form != "binary":
        raise ValueError("the exact failure probability needs a binary ground truth and the binary form")
    out = outcomes if outcomes is not None else _Outcomes(gt, n, alpha)
    q = gt.one_minus_pA
    def thr(rc: bool) -> int:
        def f(k: int) -> bool:
            return _fails_binary(out, spec, k, rc)

        lo, hi = (brackets or {}).get(rc, (-1, n + 1))
        if (lo >= 0 and f(lo)) or (hi <= n and not f(hi)):
            lo, hi = -1, n + 1  # a bracket that does not hold is ignored
        if hi == n + 1 and not f(n):
            return n + 1  # never fails (monotone): one evaluation
        return failure_threshold(f, _Range(n), lo, hi)

    kA = thr(True)
    kB = out.abstain_threshold()
    p_selA = float(stats.binom.cdf(n0 // 2, n0, q))  # A wins iff its count >= n0 - its count
    p_selB = float(stats.binom.sf(n0 // 2, n0, q))
    pA_part = float(stats.binom.cdf(n - kA, n, q)) if kA <= n else 0.0  # P[Bin(n, pA) >= kA]
    pB_part = float(stats.binom.sf(kB - 1, n, q)) if kB <= n else 0.0  # P[Bin(n, 1-pA) >= kB]
    return p_selA * pA_part + p_selB * pB_part


# =====================================================================================================
# The grid, the run, the report
# =====================================================================================================

#: 1 - pA of the binary ground truths: from a weak top class to "pA near 1"
DEFAULT_Q = (0.4, 0.1, 1e-2, 1e-4, 1e-6, 1e-9, 1e-12, 1e-300)
#: number of estimation draws n (Cohen et al. use n = 100,000); 1e8 goes beyond, where C11 with c = 1 breaks
DEFAULT_N = (100, 10_000, 100_000, 1_000_000, 100_000_000)
#: (pA, pB) of the three-class ground truths (pC = 1 - pA - pB)
DEFAULT_MULTI = ((0.45, 0.2), (0.5, 0.3), (0.9, 0.06), (0.99, 0.008), (1 - 1e-6, 5e-7))
DEFAULT_SIGMA = 0.5  # the mechanism sigma of the paper's Figures 1-3
LINF_DIMS = (3072,)  # CIFAR-10
EXP_DIMS = (1, 10)
CORNER_DIMS = (2, 10)  # corner-exp: d = 1 would repeat axis-exp at d = 1 (both are the Laplace half-line)


def default_grid(qs: Iterable[float] = DEFAULT_Q, ns: Iterable[int] = DEFAULT_N,
                 multi: Iterable[tuple[float, float]] = DEFAULT_MULTI,
                 sigma: float = DEFAULT_SIGMA) -> list[tuple[GroundTruth, int]]:
    """[(ground truth, n), ...] of the default run (module doc for each kind).

    Examples
    --------
    >>> len(default_grid(qs=(0.1,), ns=(100,), multi=()))   # one 1 - pA, one n: each ground truth once
    6
    """
    grid = []
    for q in qs:
        for n in ns:
            grid.append((halfspace_l2(q, sigma), n))
            for d in LINF_DIMS:
                grid.append((halfspace_linf(q, sigma, d), n))
            for d in EXP_DIMS:
                grid.append((axis_exponential(q, sigma, d), n))
            for d in CORNER_DIMS:
                grid.append((corner_exponential(q, sigma, d), n))
    for pA, pB in multi:
        for n in ns:  # every n, 1e8 included: that is where the pB forms of C11 with c = 1 break
            grid.append((slab_multiclass(pA, pB, sigma), n))
    return grid


#: Version of the JSON layout of :class:`SoundnessResult` (bump when a field changes meaning or shape).
SCHEMA_VERSION = 1

#: The figure of the report (next to soundness.md).
FIGURE = "soundness_rates.png"

#: Cohen et al. (2019) certify with n = 100,000 draws: the "reachable?" column of the threshold table.
COHEN_N = 100_000


@dataclass(frozen=True)
class SoundnessResult:
    """Everything ``reports/soundness.md`` shows, computed by :func:`compute_soundness` (no files written).

    Attributes
    ----------
    rows
        One :class:`SettingResult` per (certificate, ground truth, n), each with its verdict.
    summary
        Per certificate: settings, unsound settings, maximal failure rate, worst setting, verdict.
    thresholds
        :func:`reach_thresholds`: where each binary certificate exceeds its tight reference, the n needed.
    eq6
        Eq.-6 ground truths: true radius / Yang's radius and per certificate the worst exact P(fail), verdict.
    figures
        File names of the figures the report links (drawn by :func:`write_soundness_report`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> res = compute_soundness(trials=100, grid=[(halfspace_l2(0.1, 0.5), 1000)], progress=False)
    >>> path = res.to_json(pathlib.Path(tempfile.mkdtemp()) / "s.json")
    >>> SoundnessResult.from_json(path).rows == res.rows
    True
    """

    command: str
    trials_per_setting: int
    alpha: float
    n0: int
    seed: int
    settings: int
    total_certify_runs: int
    ci: str
    runtime_s: float
    summary: tuple[dict[str, Any], ...]
    rows: tuple[SettingResult, ...]
    thresholds: tuple[dict[str, Any], ...]
    eq6: tuple[dict[str, Any], ...]
    figures: tuple[str, ...]
    provenance: Provenance
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The JSON-shaped dict of the result."""
        d: dict[str, Any] = to_jsonable(self)
        return d

    def to_json(self, path: str | Path) -> Path:
        """Write the result as JSON (the layout of ``reports/soundness.json``)."""
        return dump_json(self, path, indent=1, ensure_ascii=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SoundnessResult:
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version must be {SCHEMA_VERSION}, got {d.get('schema_version')!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw.update(summary=tuple(d["summary"]), thresholds=tuple(d["thresholds"]), eq6=tuple(d["eq6"]),
                  figures=tuple(d["figures"]), provenance=Provenance.from_dict(d["provenance"]),
                  rows=tuple(SettingResult(**{k: _from_json_number(k, v) for k, v in r.items()})
                             for r in d["rows"]))
        return cls(**kw)

    @classmethod
    def from_json(cls, path: str | Path) -> SoundnessResult:
        """Read a result written by :meth:`to_json` (the report can be re-rendered without recomputing); a file
        that is not one is a ``ValueError`` naming it (theory.jsonio.load_result)."""
        return load_result(path, "a soundness result", cls.from_dict)


_FLOAT_FIELDS = {f.name for f in dataclasses.fields(SettingResult) if f.type in ("float", "float | None")}


def _from_json_number(key: str, v: Any) -> Any:
    if key in _FLOAT_FIELDS and isinstance(v, str):
        return float(v)  # "inf" / "nan" as written by to_jsonable
    return v


def compute_soundness(*, trials: int = 10_000, alpha: float = 0.001, n0: int = 100, seed: int = 0,
                      grid: Iterable[tuple[GroundTruth, int]] | None = None,
                      progress: bool = True, command: str | None = None) -> SoundnessResult:
    """Simulate CERTIFY on every ground truth of ``grid`` (default :func:`default_grid`); write nothing.

    Parameters
    ----------
    trials
        CERTIFY runs per setting (>= 1; the report's claims need >= 10,000).
    alpha
        CERTIFY's failure probability (Cohen et al. 2019): a sound certificate fails with probability <= alpha.
    n0
        Selection draws.
    seed
        Random seed (each setting draws from its own stream keyed by the setting).
    grid
        ``[(GroundTruth, n), ...]``.
    progress
        Progress bar on stderr.
    command
        The command recorded in the report.

    Returns
    -------
    SoundnessResult
        Verdicts per setting and per certificate, thresholds, eq.-6 table; render it with
        :func:`write_soundness_report`.

    Examples
    --------
    >>> res = compute_soundness(trials=200, grid=[(halfspace_l2(0.1, 0.5), 1000)], progress=False)
    >>> {s["certificate"]: s["verdict"] for s in res.summary}["cohen"]
    'sound in every setting'
    """
    trials = V.count("trials", trials, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    n0 = V.count("n0", n0, minimum=1)
    seed = V.count("seed", seed)
    t0 = time.perf_counter()
    grid = default_grid() if grid is None else list(grid)
    specs = cert_specs()
    rows: list[SettingResult] = []
    bar = progress_bar(total=len(grid), enabled=progress)
    for gt, n in grid:
        bar.set_description(f"{gt.kind} n={n:g}")
        rows.extend(simulate_setting(gt, specs, n=n, n0=n0, alpha=alpha, trials=trials, seed=seed))
        bar.update(1)
    bar.close()
    runtime = time.perf_counter() - t0
    command = command or "python -m theory soundness"
    res = _summarise(rows, trials=trials, alpha=alpha, n0=n0, seed=seed, runtime=runtime, command=command)
    binary_ns = {r.n for r in rows if len(r.probs) == 2}
    return SoundnessResult(**res, rows=tuple(rows), thresholds=tuple(reach_thresholds(specs, alpha)),
                           eq6=tuple(eq6_summary(rows)), figures=(FIGURE,) if binary_ns else (),
                           provenance=Provenance.collect(command, seed=seed))


def check_outputs(out_dir: str | Path = "reports", json_path: str | Path | None = None) -> None:
    """Raise (PermissionError, IsADirectoryError, FileNotFoundError) unless the report files can be written:
    call it before a long computation.

    Examples
    --------
    >>> import tempfile
    >>> check_outputs(tempfile.mkdtemp())   # nothing raised: both files can be written
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for f in (out / "soundness.md", Path(json_path) if json_path is not None else out / "soundness.json"):
        _check_writable(f)


def write_soundness_report(result: SoundnessResult, out_dir: str | Path = "reports", *,
                           json_path: str | Path | None = None,
                           figures: bool = True) -> list[Path]:
    """Write ``soundness.md``, the JSON (``out_dir/soundness.json`` unless ``json_path``) and, with ``figures``,
    ``soundness_rates.png`` into ``out_dir``; return the paths written.

    Without figures the result is written with no figure (the Markdown then links none).

    Examples
    --------
    >>> import tempfile
    >>> res = compute_soundness(trials=100, grid=[(halfspace_l2(0.1, 0.5), 1000)], progress=False)
    >>> [p.name for p in write_soundness_report(res, tempfile.mkdtemp())]
    ['soundness.md', 'soundness.json', 'soundness_rates.png']
    """
    check_outputs(out_dir, json_path)
    out = Path(out_dir)
    if not figures:
        result = dataclasses.replace(result, figures=())
    written = []
    md = out / "soundness.md"
    md.write_text(render_markdown(result))
    written.append(md)
    written.append(result.to_json(Path(json_path) if json_path is not None else out / "soundness.json"))
    if result.figures:
        written.append(_figures(list(result.rows), out, result.alpha))
    return written


def run_soundness(out_dir: str | Path = "reports", json_path: str | Path | None = None, *, figures: bool = True,
                  **kw: Any) -> SoundnessResult:
    """:func:`compute_soundness` (keywords ``kw``) then :func:`write_soundness_report` into ``out_dir``
    (the outputs are checked for writability before any work).

    Examples
    --------
    >>> import tempfile
    >>> res = run_soundness(tempfile.mkdtemp(), trials=100, grid=[(halfspace_l2(0.1, 0.5), 1000)], progress=False)
    >>> res.settings == len(res.rows)
    True
    """
    check_outputs(out_dir, json_path)
    result = compute_soundness(**kw)
    write_soundness_report(result, out_dir, json_path=json_path, figures=figures)
    return result


def _check_writable(path: Path) -> None:
    """PermissionError naming ``path`` unless it can be (over)written (checked before any work)."""
    import os

    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise IsADirectoryError(f"output {path} is a directory")
    if (path.exists() and not os.access(path, os.W_OK)) or (not path.exists() and not os.access(parent, os.W_OK)):
        raise PermissionError(f"output {path} cannot be written")
    if not parent.is_dir():
        raise FileNotFoundError(f"output folder {parent} does not exist")


def reach_thresholds(specs: Iterable[CertSpec], alpha: float) -> list[dict[str, Any]]:
    """For each binary-form certificate that can exceed its tight reference radius: the threshold t of 1 - pA
    below which it does (``theory.certificates.exceeds_tight``, searched down to 1e-300) and the smallest n
    with which CERTIFY can reach it at all.  CERTIFY's bound is at most alpha^(1/n) (all n counts for cA), so
    1 - pA_lower >= 1 - alpha^(1/n) and the excess region is reachable only if
    n > log(alpha) / log(1 - t)  (~ -log(alpha) / t).  Below that n the certificate cannot fail through the
    excess (it still fails with probability <= alpha through the confidence bound).

    Examples
    --------
    >>> th = {t["certificate"]: t for t in reach_thresholds(cert_specs(), 0.001)}
    >>> th["c11 (c=1)"]["min_n_to_reach"], th["c11 (c=1)"]["reachable_with_cohen_n"]
    (2845447, False)
    """
    C = _certificates()
    out = []
    for spec in specs:
        if spec.form != "binary":
            continue
        prm = dict(spec.params)
        if "d" in C.get(spec.name).params:
            prm["d"] = LINF_DIMS[0]
        ex = C.exceeds_tight(spec.name, multiclass=False, **prm)
        t = ex["beyond_range"]["from_one_minus_pA"] if ex["beyond_range"]["exceeds_tight"] else None
        n_min = None if t is None else math.ceil(math.log(alpha) / math.log1p(-t))
        # a tight certificate compared with itself: "never" holds by construction, it is no finding
        out.append({"certificate": spec.label, "tight": ex["tight"], "exceeds_tight_below_one_minus_pA": t,
                    "min_n_to_reach": n_min, "reference": spec.name == ex["tight"],
                    "reachable_with_cohen_n": n_min is not None and n_min <= COHEN_N})
    return out


def _summarise(rows: list[SettingResult], *, trials: int, alpha: float, n0: int, seed: int, runtime: float,
               command: str) -> dict[str, Any]:
    by_cert: dict[str, dict[str, Any]] = {}
    for r in rows:
        s = by_cert.setdefault(r.certificate, {"certificate": r.certificate, "settings": 0, "unsound_settings": 0,
                                               "max_rate": 0.0, "worst": None, "paper": r.paper,
                                               "failure_allowance": r.failure_allowance,
                                               "max_exact": None})  # worst: None = no failure
        s["settings"] += 1
        if r.verdict != "sound":
            s["unsound_settings"] += 1
        if r.rate > s["max_rate"]:
            s["max_rate"] = r.rate
            s["worst"] = f"{_gt_str(r)}, {_setting_str(r)}, n={r.n:g}"
        if r.failure_allowance is not None and r.ci_low > r.failure_allowance + alpha:
            s["exceeds_paper_allowance"] = True
        if r.exact is not None:
            s["max_exact"] = r.exact if s["max_exact"] is None else max(s["max_exact"], r.exact)
    for s in by_cert.values():
        s["verdict"] = "UNSOUND in some settings" if s["unsound_settings"] else "sound in every setting"
        if s["failure_allowance"] is not None:
            s.setdefault("exceeds_paper_allowance", False)
    return {
        "command": command,
        "trials_per_setting": trials,
        "alpha": alpha,
        "n0": n0,
        "seed": seed,
        "settings": len(rows),
        "total_certify_runs": int(sum(r.trials for r in rows)),
        "ci": "two-sided Clopper-Pearson interval at level 1 - 1e-6",
        "runtime_s": runtime,
        "summary": tuple(by_cert.values()),
    }


def _fmt(x: Any, digits: int = 3) -> str:
    """:func:`theory.report.fmt` in ``g`` notation (integers too: 1000 -> "1e+03"), None as "–"."""
    if isinstance(x, (int, np.integer)):
        x = float(x)
    return fmt(x, digits, style="g", none="–")


def _gt_str(r: SettingResult) -> str:
    """The ground truth's kind, with its dimension when d > 1."""
    return r.ground_truth + (f" (d={r.d})" if r.d > 1 else "")


def _setting_str(r: SettingResult) -> str:
    if len(r.probs) == 2:
        return f"1-pA={r.one_minus_pA:g}"
    return f"pA={r.probs[0]:.7g}, pB={r.probs[1]:.3g}, pC={r.probs[2]:.3g}"


def render_markdown(result: SoundnessResult) -> str:
    """``reports/soundness.md`` from a :class:`SoundnessResult` (formatting only: verdicts are in the result).

    Examples
    --------
    >>> res = compute_soundness(trials=100, grid=[(halfspace_l2(0.1, 0.5), 1000)], progress=False)
    >>> render_markdown(res).splitlines()[0]
    '# Soundness of the certificates: CERTIFY simulated on ground-truth classifiers'
    """
    rows = result.rows
    a = result.alpha
    L: list[str] = []
    L.append("# Soundness of the certificates: CERTIFY simulated on ground-truth classifiers\n")
    L.append(f"Generated by `{result.command}` (seed {result.seed}) in {result.runtime_s:.1f} s; "
             "do not edit by hand.  Method: `theory/soundness.py` (module docstring).\n")
    L.append(result.provenance.markdown() + "\n")
    L.append(f"**{result.settings} settings, {result.trials_per_setting:,} CERTIFY runs each "
             f"({result.total_certify_runs:,} in all), n0 = {result.n0}, alpha = {a:g}.**\n")
    L.append("A certificate *fails* in a run when CERTIFY (Cohen et al. 2019) does not abstain and returns a wrong "
             "class or a radius larger than the TRUE robust radius of the smoothed classifier, known exactly for "
             "the ground truth (half-spaces under Gaussian noise: sigma Phi^-1(pA) in l2 and sigma Phi^-1(pA)/sqrt(d) "
             "in l_inf for w = 1/sqrt(d); the axis rule x_1 >= t under eq.-6 noise; the max+min rule under eq.-6 "
             "noise, the Neyman-Pearson worst case for the corner shift, whose true l_inf radius equals Yang et "
             "al.'s tight radius sigma log(1/(2(1 - pA))) in every d; three parallel classes under "
             "Gaussian noise).  Counts are drawn from their exact binomial / multinomial law.  A sound certificate "
             "fails with probability <= alpha.  *rate* = failures / trials with its two-sided Clopper-Pearson "
             "interval at level 1 - 1e-6; *exact* = the failure probability computed exactly (binomial tail sums "
             "over the count thresholds; binary settings).  Verdict: **UNSOUND** when the interval lies above "
             "alpha; *unsound (exact)* when the simulation cannot resolve it but the exact probability exceeds "
             "alpha; otherwise *sound*.  [pB form] = the certificate's multi-class form with Bonferroni bounds "
             "(pA at alpha/2, each other class at alpha/(2(K-1))).  sigma = 0.5 throughout.\n")
    L.append("## Verdict per certificate\n")
    L.append("| certificate | paper's | settings | unsound settings | max failure rate | worst setting | "
             "max exact P(fail) | paper's own failure allowance | verdict |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for s in result.summary:
        allow = "–" if s["failure_allowance"] is None else f"exp(-c²/4) = {s['failure_allowance']:.3g}"
        L.append(f"| {s['certificate']} | {'yes' if s['paper'] else 'no'} | {s['settings']} | "
                 f"{s['unsound_settings']} | {_fmt(s['max_rate'])} | {s['worst'] or '– (no failure)'} | "
                 f"{_fmt(s['max_exact'])} | "
                 f"{allow} | {s['verdict']} |")
    L.append("")
    L += _findings_lines(result)
    L += _eq6_section(result.eq6, a)
    L += _threshold_lines(result)
    if result.figures:
        L.append("## Figures\n")
        for f in result.figures:
            L.append(f"![{f}]({f})\n")
    L += _all_settings_lines(rows)
    return "\n".join(L)


def _findings_lines(result: SoundnessResult) -> list[str]:
    """The section "Findings": each certificate that fails with probability above alpha, where, and which are
    sound everywhere."""
    rows = result.rows
    a = result.alpha
    L: list[str] = []
    bad = [r for r in rows if r.verdict != "sound"]
    L.append("## Findings\n")
    if not bad:
        L.append(f"Every certificate failed at most at rate alpha = {a:g} within the interval in every setting.\n")
    else:
        certs = sorted({r.certificate for r in bad})
        for c in certs:
            rs = [r for r in bad if r.certificate == c]
            where = "; ".join(f"{_gt_str(r)} {_setting_str(r)}, n={r.n:g}: {r.failures}/{r.trials} "
                              f"(exact {_fmt(r.exact)})" for r in rs)
            L.append(f"* **{c}** exceeds the true radius with probability > alpha in {len(rs)} setting(s): {where}.")
        over_allowance = [s for s in result.summary if s.get("exceeds_paper_allowance")]
        if over_allowance:
            L.append("* The paper allows C11 / T18 a failure probability of exp(-c²/4) (\"with probability at least "
                     "1 - exp(-c²/4)\"); in some setting the rate's whole interval lies above even that allowance "
                     "plus alpha for: " +
                     ", ".join(s["certificate"] for s in over_allowance) + ".")
        sound = [s["certificate"] for s in result.summary if not s["unsound_settings"]]
        L.append(f"* Sound in every setting (rate <= alpha within the interval): {', '.join(sound)}.")
        L.append("")
    return L


def _threshold_lines(result: SoundnessResult) -> list[str]:
    """Why: where each certificate exceeds its tight radius and the n CERTIFY needs to get there."""
    if not result.thresholds:
        return []
    a = result.alpha
    L: list[str] = []
    L.append("## Why: where a certificate exceeds the tight radius, and the n needed to get there\n")
    L.append("A certificate can only certify more than the truth where its radius exceeds the tight "
             "(Neyman-Pearson) radius of the same probabilities: for 1 - pA below a threshold t "
             "(`theory.certificates.exceeds_tight`).  CERTIFY's Clopper-Pearson bound never exceeds "
             "alpha^(1/n), so that region is reachable only with n > log(alpha)/log(1 - t) draws.  "
             "Cohen et al. (2019) certify with n = 100,000.\n")
    L.append("| certificate | tight reference | exceeds it for 1 - pA below | smallest n that reaches it "
             f"(alpha = {a:g}) | reachable with n = 100,000? |")
    L.append("|---|---|---|---|---|")
    for t in result.thresholds:
        thr = t["exceeds_tight_below_one_minus_pA"]
        nm = t["min_n_to_reach"]
        if t.get("reference"):
            L.append(f"| {t['certificate']} | {t['tight']} (itself) | reference (tight by construction) | – | – |")
            continue
        never = "never (down to 1e-300)"
        L.append(f"| {t['certificate']} | {t['tight']} | {_fmt(thr) if thr is not None else never}"
                 f" | {f'{nm:.3g}' if nm is not None else '–'} | "
                 f"{'–' if nm is None else ('**yes**' if t['reachable_with_cohen_n'] else 'no')} |")
    L.append("")
    L.append("Rows marked *reference* compare a tight certificate with itself; they are no evidence of anything.\n")
    return L


def _all_settings_lines(rows: Sequence[SettingResult]) -> list[str]:
    """The table of every setting: ground truth, n, true radius, failures, rate, interval, exact P(fail), verdict."""
    L: list[str] = []
    L.append("## All settings\n")
    L.append("| certificate | ground truth | setting | n | true radius | trials | failures | rate | interval | "
             "alpha | exact P(fail) | median r / true r | verdict |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        v = f"**{r.verdict}**" if r.verdict != "sound" else r.verdict
        L.append(f"| {r.certificate} | {_gt_str(r)} | {_setting_str(r)} | {r.n:g} | {_fmt(r.true_radius, 5)} | "
                 f"{r.trials} | {r.failures} | {_fmt(r.rate)} | [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}] | {r.alpha:g} | "
                 f"{_fmt(r.exact)} | {_fmt(r.median_ratio)} | {v} |")
    L.append("")
    return L


def eq6_summary(rows: Iterable[SettingResult]) -> list[dict[str, Any]]:
    """Eq.-6 ground truths (axis rule, max+min rule): per (ground truth, d) the range of true radius / Yang's
    tight radius at the true pA, and per certificate its settings, worst exact P(fail), worst rate, verdict.

    Examples
    --------
    >>> res = compute_soundness(trials=100, grid=[(corner_exponential(0.1, 0.5, 2), 1000)], progress=False)
    >>> [(e["certificate"], round(e["ratio_to_yang_min"], 9), e["verdict"]) for e in eq6_summary(res.rows)]
    [('t13', 1.0, 'sound'), ('yang-linf', 1.0, 'sound')]
    """
    C = _certificates()
    exp_rows = [r for r in rows if r.mechanism == "exponential-linf" and r.ground_truth in ("axis-exp", "corner-exp")]
    out = []
    for kind in ("axis-exp", "corner-exp"):
        for d in sorted({r.d for r in exp_rows if r.ground_truth == kind}):
            sub = [r for r in exp_rows if r.ground_truth == kind and r.d == d]
            ratios = [r.true_radius / C.radius("yang-linf", one_minus_pA=r.one_minus_pA, sigma=r.sigma)
                      for r in sub]
            for cert in sorted({r.certificate for r in sub}):
                cs = [r for r in sub if r.certificate == cert]
                ex = [r.exact for r in cs if r.exact is not None]
                bad = sum(r.verdict != "sound" for r in cs)
                out.append({"ground_truth": kind, "d": d, "ratio_to_yang_min": min(ratios),
                            "ratio_to_yang_max": max(ratios), "certificate": cert, "settings": len(cs),
                            "max_exact": max(ex) if ex else None, "max_rate": max(r.rate for r in cs),
                            "unsound_settings": bad, "verdict": "sound" if not bad else f"unsound in {bad}"})
    return out


def _eq6_section(eq6: Iterable[dict[str, Any]], alpha: float) -> list[str]:
    """Eq.-6 noise: the axis rule vs the worst-case corner-exp ground truth (true radius / Yang, P(fail))."""
    L: list[str] = []
    if not eq6:
        return L
    L.append("## Eq.-6 noise: the axis rule is not the worst case in d > 1; the max+min rule is\n")
    L.append("The axis rule's true radius exceeds the tight (Yang et al.) radius at the same pA when d > 1, so a "
             "certificate can over-certify by that factor there and still never fail.  The max+min rule "
             "(`corner-exp`, module doc) has true radius = Yang's radius exactly in every d, so any certificate "
             "above the tight radius fails on it.  Per ground truth and d: true radius / Yang's radius at the "
             "true pA (range over 1 - pA), and the largest exact failure probability of each eq.-6 certificate "
             f"over its settings (alpha = {alpha:g}).\n")
    L.append("| ground truth | d | true radius / Yang radius | certificate | settings | max exact P(fail) | "
             "max failure rate | verdict |")
    L.append("|---|---|---|---|---|---|---|---|")
    for e in eq6:
        lo, hi = e["ratio_to_yang_min"], e["ratio_to_yang_max"]
        rr = f"{lo:.4g}" if hi - lo < 1e-9 else f"{lo:.3g}–{hi:.3g}"
        v = e["verdict"] if e["verdict"] == "sound" else f"**{e['verdict']}**"
        L.append(f"| {e['ground_truth']} | {e['d']} | {rr} | {e['certificate']} | {e['settings']} | "
                 f"{_fmt(e['max_exact']) if e['max_exact'] is not None else '–'} | {_fmt(e['max_rate'])} | {v} |")
    L.append("")
    return L


def _figures(rows: list[SettingResult], out: Path, alpha: float) -> Path:
    """soundness_rates.png: failure rate vs 1 - pA, one panel per (binary ground-truth kind, n) for the two
    largest n (where the unsound cases appear); a zero rate is drawn at 1/(2 trials); 1 - pA < 1e-15 (the
    1e-300 rows) is left to the tables."""
    import matplotlib
    from matplotlib.ticker import LogLocator, NullLocator

    panels = [("halfspace-l2", "half-space, Gaussian, l2"), ("halfspace-linf", "half-space, Gaussian, l_inf"),
              ("axis-exp", "axis rule, eq.-6 noise, l_inf"), ("corner-exp", "max+min rule, eq.-6 noise, l_inf")]
    ns = sorted({r.n for r in rows if len(r.probs) == 2})[-2:]
    if not ns:
        raise ValueError("rows must contain a binary setting to draw the failure-rate figure")
    tmax = max(r.trials for r in rows)
    per_d = ("axis-exp", "corner-exp")
    labels = sorted({r.certificate + (f", d={r.d}" if r.ground_truth in per_d else "") for r in rows})
    colour = {lab: matplotlib.colormaps["tab20"](i % 20) for i, lab in enumerate(labels)}
    fig, axes = new_figure(len(ns), len(panels), figsize=(17, 3.4 * len(ns)), squeeze=False, sharey=True)
    for i, n in enumerate(ns):
        for j, (kind, title) in enumerate(panels):
            ax = axes[i][j]
            sub = [r for r in rows if r.ground_truth == kind and r.n == n]
            lab = (lambda r: f"{r.certificate}, d={r.d}") if kind in per_d else (lambda r: r.certificate)
            for cert in sorted({lab(r) for r in sub}):
                pts = sorted((r.one_minus_pA, max(r.rate, 0.5 / tmax)) for r in sub
                             if lab(r) == cert and r.one_minus_pA >= 1e-15)
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, lw=1, label=cert,
                        color=colour.get(cert))
            ax.axhline(alpha, color="k", ls="--", lw=1)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.xaxis.set_major_locator(LogLocator(base=10.0, numticks=5))
            ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=6))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_minor_locator(NullLocator())
            ax.set_ylim(0.2 / tmax, 2.0)
            ax.set_xlim(3e-16, 1.0)
            ax.set_title(f"{title}, n = {n:g}", fontsize=9)
            ax.set_xlabel("1 - pA", fontsize=8)
            if j == 0:
                ax.set_ylabel("failure rate", fontsize=8)
            ax.tick_params(labelsize=7)
            if ax.get_lines()[:-1]:
                ax.legend(fontsize=6, loc="center left")
    fig.suptitle(f"Simulated CERTIFY failure rate ({tmax:,} runs per point; dashed: alpha = {alpha:g}; "
                 "0 drawn at 1/(2 runs); 1 - pA < 1e-15 only in the tables)",
                 fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.08, top=0.9, wspace=0.08, hspace=0.35)
    return save_figure(fig, out / FIGURE, dpi=100)
