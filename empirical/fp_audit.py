"""Audit of the engine's own floating-point arithmetic (issue 23): are its certificates true for base classifiers
that read floating-point structure?

Cohen et al.'s bound P_x'(cA) >= Phi(Phi^{-1}(pA_lower) - ||x' - x||_2 / sigma) holds for *any* base classifier only
because the noisy input at x' is the translate of the noisy input at x.  The float engine feeds fl(x + fl(sigma g)):
where a pixel is exactly 0 the input is the noise itself and keeps its low-order mantissa bits, where a pixel is
p >= 2^-8 a small input only arises by cancellation (Sterbenz: exact, a multiple of ulp(p)/2) and has no such bits.
A classifier that reads them separates the two noisy laws although the Gaussians overlap (Voracek & Hein, ICLR 2023,
"Sound randomized smoothing in floating-point arithmetic").

:func:`audit_fp` plants such classifiers, runs the engine's own noise-and-forward path
(:meth:`empirical.core.Smooth.sample_counts`, with :class:`empirical.core.FastForward` when ``compiled``) at the
constant image x (pixel ``x_pixel``/255) and at x' (pixel ``x_prime_pixel``/255), and checks every classifier's
certificate at x against its counts at x':

* CERTIFY at x: cA from n0 draws, pA_lower = the one-sided (1 - alpha) Clopper-Pearson bound of nA / n (for
  ``gaussian-lattice`` less the sampler's slack d * eta, :func:`theory.lattice_gaussian.lattice_certify_from_counts`),
  R = sigma Phi^{-1}(pA_lower);
* implied: P_x'(cA) >= Phi(Phi^{-1}(pA_lower) - ||x' - x||_2 / sigma) - slack (the Neyman-Pearson lemma the radius
  rests on; :func:`theory.lattice_gaussian.shift_lower_bound`); inside the ball (||x' - x|| < R) it is > 1/2;
* measured: the (1 - audit_alpha) Clopper-Pearson upper bound of P_x'(cA) from n fresh draws at x'.

**UNSOUND** when the upper bound is below the implied bound: for a sound engine that happens with probability at most
alpha + audit_alpha per classifier (the certificate's and the audit's failure probabilities).  The witness
(:meth:`AuditResult.as_dict`) carries the counts, so :func:`check_witness` recomputes every number.

The classifiers (all on the network's input y, pixel space, batch-first) share each noise draw: one module returns
the joint outcome (bit i = classifier i's class), so every classifier's counts come from the same engine run.

* ``fp-lowbits``   class 0 iff some coordinate with |y| < p'/2 is not a multiple of ulp(p')/2 (p' = x' pixel):
  reads the mantissa bits that fl(0 + z) keeps and fl(p' + z) loses;
* ``fp-canonical`` class 1 iff every coordinate equals fl(round(255 y) / 255), the float of its lattice point:
  catches lattice noise added in float (fl(k/255 + j/255) != fl((k + j)/255) at some (k, j));
* ``lattice-parity`` the parity of the first coordinate's lattice index round(255 y_0);
* ``half-space``   class 0 iff <w, y - x> <= ||x' - x|| + sigma, w = (x' - x)/||x' - x||: the classifier that makes
  Cohen's bound tight (P_x'(0) = Phi(1) exactly for the Gaussian), a check of the audit's own power.

>>> r = audit_fp("gaussian", 0.25, (1, 8, 8), n0=20, n=200, seed=0, classifiers=("half-space",))
>>> r.verdict
'no contradiction found'
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
from torch import nn

from theory import certificates as C
from theory import validate as V
from theory.jsonio import dump_json, load_result
from theory.lattice_gaussian import lattice_certify_from_counts, shift_lower_bound

NOISES = ("gaussian", "gaussian-lattice")
CLASSIFIERS = ("fp-lowbits", "fp-canonical", "lattice-parity", "half-space")
AUDIT_ALPHA = 1e-6
UNSOUND = "UNSOUND"
SOUND = "no contradiction found"


class PlantedClassifiers(nn.Module):
    """The joint outcome of the planted classifiers ``names`` on network inputs y [B, *shape]: logits over
    2^len(names) classes, one-hot at sum_i 2^i class_i (class_i in {0, 1})."""

    w: torch.Tensor  # buffers (registered in __init__)
    x0: torch.Tensor

    def __init__(self, names, x_pixel: int, x_prime_pixel: int, sigma: float, shape, levels: int = 255):
        super().__init__()
        self.names = tuple(names)
        for nm in self.names:
            V.choice("classifier", nm, CLASSIFIERS)
        self.levels = levels
        p = float(np.float32(max(x_pixel, x_prime_pixel)) / np.float32(levels))  # the nonzero one of the two
        e = math.floor(math.log2(p))
        self.thr = 2.0 ** (e - 1)            # |y| < p'/2 -> y = p' + z exactly (Sterbenz), a multiple of 2^(e-24)
        self.grid = 2.0 ** -(e - 24)          # y * grid is an integer iff y is a multiple of 2^(e-24) (exact scaling)
        d = int(np.prod(shape))
        dist = abs(x_prime_pixel - x_pixel) / levels * math.sqrt(d)
        sign = 1.0 if x_prime_pixel >= x_pixel else -1.0
        self.register_buffer("w", torch.full(tuple(shape), sign / math.sqrt(d)))
        self.register_buffer("x0", torch.full(tuple(shape), float(np.float32(x_pixel) / np.float32(levels))))
        self.b = dist + sigma
        self.k = 2 ** len(self.names)

    def classes(self, y: torch.Tensor) -> torch.Tensor:
        """[B] joint class of a batch."""
        flat = y.flatten(1)
        code = torch.zeros(y.shape[0], dtype=torch.int64, device=y.device)
        for i, nm in enumerate(self.names):
            if nm == "fp-lowbits":
                s = flat * self.grid
                fine = (flat.abs() < self.thr) & (s != torch.round(s))
                c = (~fine.any(dim=1)).to(torch.int64)
            elif nm == "fp-canonical":
                canon = torch.round(flat * self.levels) / self.levels
                c = (canon == flat).all(dim=1).to(torch.int64)
            elif nm == "lattice-parity":
                c = torch.remainder(torch.round(flat[:, 0] * self.levels).to(torch.int64), 2)
            else:  # half-space
                proj = ((y - self.x0) * self.w).flatten(1).sum(dim=1, dtype=torch.float64)
                c = (proj > self.b).to(torch.int64)
            code = code + (c << i)
        return code

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.one_hot(self.classes(y), self.k).to(y.dtype)


class _Quick:
    """The planted classifiers compiled on their own (no ``predict_noisy``: the engine's eager noise add feeds it);
    eager when compilation fails."""

    def __init__(self, module: nn.Module, compile: bool = True):
        self.module = module
        self._fn = torch.compile(module.forward, dynamic=False) if compile else None
        self.description = "eager noise add, " + ("compiled planted classifier" if compile else "eager classifier")

    def __call__(self, y):
        if self._fn is not None:
            try:
                return self._fn(y)
            except Exception:  # no compiler here: the same function, eagerly
                self._fn = None
                self.description = "eager noise add, eager classifier (torch.compile failed)"
        return self.module(y)


@dataclass
class ClassifierAudit:
    """One planted classifier: its certificate at x and the counts at x'."""

    classifier: str
    cA: int
    n0A: int
    nA: int
    pA_lower: float
    radius: float
    abstain: bool
    counts_x_prime: list
    predicted_x_prime: int
    nA_x_prime: int
    upper_x_prime: float
    implied_lower: float
    inside_ball: bool
    unsound: bool


@dataclass
class AuditResult:
    """The audit of one engine path: ``verdict`` (UNSOUND / no contradiction found), the settings, the distance
    ||x' - x||_2 and one :class:`ClassifierAudit` per planted classifier."""

    verdict: str
    noise: str
    sigma: float
    shape: tuple
    x_pixel: int
    x_prime_pixel: int
    distance: float
    n0: int
    n: int
    alpha: float
    audit_alpha: float
    slack: float
    seed: int
    compiled: bool
    device: str
    forward: str
    seconds: float
    torch_version: str = field(default_factory=lambda: torch.__version__)
    classifiers: list = field(default_factory=list)

    @property
    def unsound(self) -> bool:
        return self.verdict == UNSOUND

    def to_dict(self) -> dict:
        """The witness as a JSON-shaped dict: the fields and ``witness_rule`` (what makes it UNSOUND);
        :func:`check_witness` recomputes its verdict."""
        d = asdict(self)
        d["shape"] = list(self.shape)
        d["witness_rule"] = ("UNSOUND iff for some classifier the one-sided (1 - audit_alpha) Clopper-Pearson upper "
                             "bound of counts_x_prime[cA] / n is below Phi(Phi^-1(pA_lower) - distance / sigma) - "
                             "slack; a sound engine produces that with probability <= alpha + audit_alpha per "
                             "classifier; pA_lower = CP lower bound (1 - alpha) of nA / n, less slack for "
                             "gaussian-lattice")
        return d

    def to_json(self, path) -> Path:
        """Write the witness (:meth:`to_dict`) as JSON; returns ``path`` (``python -m empirical audit-fp --out``)."""
        return dump_json(self.to_dict(), path, indent=1, ensure_ascii=True)

    @classmethod
    def from_dict(cls, d: dict) -> AuditResult:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        kw["shape"] = tuple(d["shape"])
        kw["classifiers"] = [ClassifierAudit(**c) for c in d["classifiers"]]
        return cls(**kw)

    @classmethod
    def from_json(cls, path) -> AuditResult:
        """Read a witness written by :meth:`to_json`; a file that is not one is a ``ValueError`` naming it."""
        return load_result(path, "an audit-fp witness", cls.from_dict)

    def summary(self) -> str:
        lines = [f"audit-fp {self.noise} sigma={self.sigma:g} shape={'x'.join(map(str, self.shape))} "
                 f"x={self.x_pixel}/255 x'={self.x_prime_pixel}/255 ||x'-x||={self.distance:.4f} n0={self.n0} "
                 f"n={self.n} ({self.forward}, {self.device}, {self.seconds:.1f} s): {self.verdict}"]
        for c in self.classifiers:
            lines.append(f"  {c.classifier:15s} cA={c.cA} R={c.radius:.4f} pA_lower={c.pA_lower:.6f} at x'"
                         f"{' (inside the ball)' if c.inside_ball else ''}: predicted {c.predicted_x_prime}, "
                         f"counts {c.counts_x_prime}, P_x'(cA) <= {c.upper_x_prime:.3g} vs implied >= "
                         f"{c.implied_lower:.4f}{'  <-- UNSOUND' if c.unsound else ''}")
        return "\n".join(lines)


def _marginal(joint: np.ndarray, i: int) -> np.ndarray:
    """Counts of classifier i's classes {0, 1} from the joint counts."""
    idx = np.arange(len(joint))
    bit = (idx >> i) & 1
    return np.array([int(joint[bit == 0].sum()), int(joint[bit == 1].sum())])


def audit_fp(noise: str = "gaussian", sigma: float = 0.25, shape=(3, 32, 32), *, n0: int = 100, n: int = 100000,
             alpha: float = 0.001, audit_alpha: float = AUDIT_ALPHA, seed: int = 0, compiled: bool = False,
             device="cpu", batch: int = 1000, x_pixel: int = 0, x_prime_pixel: int = 2,
             classifiers=CLASSIFIERS, progress=None) -> AuditResult:
    """Plant :data:`CLASSIFIERS`, certify at x = x_pixel/255 and measure at x' = x_prime_pixel/255 through the
    engine's own :meth:`empirical.core.Smooth.sample_counts` (module doc); the verdict is UNSOUND when a
    certificate's implied bound at x' is contradicted.

    Parameters
    ----------
    noise : 'gaussian' | 'gaussian-lattice'
    sigma : float
        Noise standard deviation (pixel units), > 0.
    shape : tuple of int
        Image shape, e.g. (3, 32, 32).
    n0, n : int
        Selection and estimation draws of CERTIFY; n also draws at x'.
    alpha, audit_alpha : float
        CERTIFY's failure probability and the audit's Clopper-Pearson level at x', in (0, 1).
    compiled : bool
        Run the forward pass through :class:`empirical.core.FastForward` (torch.compile, the noise add fused into
        its graph for 'gaussian') instead of eager.
    device : str
        'cpu' | 'cuda' | 'auto' (on CUDA the Gaussian noise is drawn by the fused compiled sampler).
    x_pixel, x_prime_pixel : int
        The two constant images' pixel values in [0, 255], distinct.
    """
    from empirical.core import FastForward, Smooth, resolve_device
    from empirical.noise import example_seed, make_generator

    noise = V.choice("noise", noise, NOISES)
    sigma = V.positive("sigma", sigma)
    shape = tuple(V.count("shape", s, minimum=1) for s in shape)
    if not shape:
        raise ValueError("shape: at least one dimension")
    n0 = V.count("n0", n0, minimum=1)
    n = V.count("n", n, minimum=1)
    alpha = V.in_open_interval("alpha", alpha, 0.0, 1.0)
    audit_alpha = V.in_open_interval("audit_alpha", audit_alpha, 0.0, 1.0)
    seed = V.count("seed", seed)
    batch = V.count("batch", batch, minimum=1)
    for nm, v in (("x_pixel", x_pixel), ("x_prime_pixel", x_prime_pixel)):
        if not (isinstance(v, int | np.integer) and 0 <= v <= 255):
            raise ValueError(f"{nm} must be an integer in [0, 255], got {v!r}")
    if x_pixel == x_prime_pixel:
        raise ValueError("x_prime_pixel: must differ from x_pixel")
    classifiers = tuple(classifiers)
    if not classifiers:
        raise ValueError("classifiers: at least one")
    dev = resolve_device(device)
    d = int(np.prod(shape))
    planted = PlantedClassifiers(classifiers, x_pixel, x_prime_pixel, sigma, shape).to(dev)
    # compiled: the engine's FastForward (noise add fused into the compiled graph); otherwise the engine adds the noise
    # eagerly and only the planted classifier (exact operations: power-of-2 scaling, round, compare) is compiled
    # (compiling pays off from ~5e7 input coordinates on; below, eager)
    fwd: FastForward | _Quick
    if compiled:
        fwd = FastForward(planted, dev, compile=True, channels_last=False)
    else:
        fwd = _Quick(planted, compile=(2 * n + n0) * d >= 5 * 10 ** 7)
    smooth = Smooth(planted, planted.k, noise, sigma, dev, forward=fwd)
    x = torch.full(shape, float(np.float32(x_pixel) / np.float32(255)), dtype=torch.float32)
    xp = torch.full(shape, float(np.float32(x_prime_pixel) / np.float32(255)), dtype=torch.float32)
    distance = abs(x_prime_pixel - x_pixel) / 255 * math.sqrt(d)
    t0 = time.perf_counter()
    smooth.warmup(x, (n0, n), batch)
    g = make_generator(dev, example_seed(seed, 0))
    say = progress or (lambda _m: None)
    say(f"audit-fp: {noise}: {n0} + {n} draws at x, {n} at x'")
    c0 = smooth.sample_counts(x, n0, batch, g).cpu().numpy()
    c1 = smooth.sample_counts(x, n, batch, g).cpu().numpy()
    g.manual_seed(example_seed(seed, 1))
    c2 = smooth.sample_counts(xp, n, batch, g).cpu().numpy()
    slack = d * smooth._lattice_for(xp).eta if noise == "gaussian-lattice" else 0.0  # the sampler just used
    seconds = time.perf_counter() - t0
    rows = []
    for i, nm in enumerate(classifiers):
        m0, m1, m2 = _marginal(c0, i), _marginal(c1, i), _marginal(c2, i)
        rows.append(_judge(nm, m0, m1, m2, n, alpha, audit_alpha, sigma, d, distance, noise, slack))
    verdict = UNSOUND if any(r.unsound for r in rows) else SOUND
    return AuditResult(verdict, noise, sigma, shape, x_pixel, x_prime_pixel, distance, n0, n, alpha, audit_alpha,
                       slack, seed, bool(compiled), str(dev), fwd.description,
                       seconds, classifiers=rows)


def _certify(nA: int, n: int, alpha: float, sigma: float, d: int, noise: str, slack: float):
    if noise == "gaussian-lattice":
        return lattice_certify_from_counts(nA, n, alpha, sigma, d, slack / d)
    return C.certify_from_counts(nA, n, alpha, sigma, "cohen")


def _judge(name, m0, m1, m2, n, alpha, audit_alpha, sigma, d, distance, noise, slack) -> ClassifierAudit:
    cA = int(np.argmax(m0))
    nA = int(m1[cA])
    res = _certify(nA, n, alpha, sigma, d, noise, slack)
    # the Neyman-Pearson bound holds for every pA, so it is checked even when CERTIFY abstains
    pA_bound = res.pA_lower
    implied = shift_lower_bound(pA_bound, distance, sigma, slack)
    nAp = int(m2[cA])
    upper = C.clopper_pearson_upper(nAp, n, audit_alpha)
    return ClassifierAudit(name, cA, int(m0[cA]), nA, float(res.pA_lower), float(res.radius), bool(res.abstain),
                           [int(v) for v in m2], int(np.argmax(m2)), nAp, float(upper), float(implied),
                           bool(not res.abstain and distance < res.radius), bool(upper < implied))


def check_witness(w: dict) -> bool:
    """Recompute a witness's verdict from its counts (``AuditResult.to_dict()`` or its JSON): True iff every
    classifier's numbers and the verdict follow from them (CERTIFY, the implied bound, the Clopper-Pearson upper
    bound).  Raises ValueError on a malformed witness."""
    try:
        n, alpha, aa, sigma = int(w["n"]), float(w["alpha"]), float(w["audit_alpha"]), float(w["sigma"])
        d = int(np.prod(w["shape"]))
        distance = abs(int(w["x_prime_pixel"]) - int(w["x_pixel"])) / 255 * math.sqrt(d)
        rows = w["classifiers"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"witness: malformed ({exc})") from None
    if not math.isclose(distance, float(w["distance"]), rel_tol=1e-12):
        return False
    any_unsound = False
    for r in rows:
        res = _certify(int(r["nA"]), n, alpha, sigma, d, w["noise"], float(w["slack"]))
        implied = shift_lower_bound(res.pA_lower, distance, sigma, float(w["slack"]))
        upper = C.clopper_pearson_upper(int(r["counts_x_prime"][int(r["cA"])]), n, aa)
        if not (math.isclose(res.radius, r["radius"], rel_tol=1e-9, abs_tol=1e-12)
                and math.isclose(implied, r["implied_lower"], rel_tol=1e-9, abs_tol=1e-12)
                and math.isclose(upper, r["upper_x_prime"], rel_tol=1e-9, abs_tol=1e-15)
                and (upper < implied) == bool(r["unsound"])):
            return False
        any_unsound |= upper < implied
    return (w["verdict"] == UNSOUND) == any_unsound
