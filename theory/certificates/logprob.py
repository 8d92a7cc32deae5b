"""Class probabilities (pA, pB) in log space: the precision convention of every certified radius.

Near pA -> 1 the interesting quantity is ``1 - pA``; every radius accepts it directly (``one_minus_pA``) or as its
logarithm (``log_one_minus_pA``), so that ``1 - pA`` down to 1e-300 (and below, in log form) is represented
exactly.  Internally everything is in log space: ``log pA = log1p(-(1 - pA))``,
``Phi^{-1}(pA) = -Phi^{-1}(1 - pA) = -ndtri_exp(log(1 - pA))``.

Binary form: pB = 1 - pA.  Multi-class form: pB is the runner-up probability, 0 < pB <= 1 - pA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import special

from theory import validate as V

__all__ = ["Probabilities", "probabilities"]

_LOG2 = math.log(2.0)

# =====================================================================================================
# Probabilities in log space
# =====================================================================================================

@dataclass(frozen=True)
class Probabilities:
    """(pA, pB) held as logarithms: ``log_pA``, ``log_one_minus_pA`` = log(1 - pA), ``log_pB``.

    ``binary`` is True when pB was not given (pB = 1 - pA, so ``log_pB == log_one_minus_pA``).

    Examples
    --------
    >>> p = probabilities(pA=0.75)
    >>> p.pA, p.one_minus_pA, p.pB, p.binary
    (0.75, 0.25, 0.25, True)
    """

    log_pA: float
    log_one_minus_pA: float
    log_pB: float
    binary: bool

    @property
    def pA(self) -> float:
        return math.exp(self.log_pA)

    @property
    def one_minus_pA(self) -> float:
        return math.exp(self.log_one_minus_pA)

    @property
    def pB(self) -> float:
        return math.exp(self.log_pB)


def _log1mexp(x: float) -> float:
    """log(1 - e^x) for x < 0, accurate on both sides of -log 2 (Maechler 2012)."""
    if x > -_LOG2:
        return math.log(-math.expm1(x))
    return math.log1p(-math.exp(x))


# Relative slack for pA + pB <= 1 when both are given as decimal floats (0.9 + 0.1 rounds above 1).
_SUM_SLACK = 1e-12


def probabilities(pA: Any = None, one_minus_pA: Any = None, log_one_minus_pA: Any = None, pB: Any = None,
                  log_pB: Any = None) -> Probabilities:
    """Validate and convert class probabilities to log space.

    Give exactly one of ``pA`` in (0, 1), ``one_minus_pA`` in (0, 1), ``log_one_minus_pA`` in (-inf, 0);
    optionally at most one of ``pB`` in (0, 1) / ``log_pB`` in (-inf, 0) (multi-class form), with
    pB <= 1 - pA (checked with a relative slack of 1e-12 for decimal inputs such as 0.9 and 0.1).

    Parameters
    ----------
    pA, one_minus_pA, log_one_minus_pA : float, optional
        Exactly one: the top-class probability, 1 - pA (exact near pA = 1), or log(1 - pA).
    pB, log_pB : float, optional
        At most one: the runner-up probability (multi-class form) or its logarithm.

    Returns
    -------
    Probabilities
        The logarithms; ``binary`` is True when pB was not given.

    Raises
    ------
    ValueError
        Naming the parameter and its range, for a missing / duplicate / out-of-range input.

    Examples
    --------
    >>> probabilities(one_minus_pA=1e-300).log_one_minus_pA    # 300 log(10), no underflow
    -690.7755278982137
    >>> probabilities(pA=0.7, pB=0.2).binary
    False
    """
    given = [k for k, v in (("pA", pA), ("one_minus_pA", one_minus_pA), ("log_one_minus_pA", log_one_minus_pA))
             if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of pA, one_minus_pA, log_one_minus_pA "
                         f"(got {', '.join(given) if given else 'none'})")
    if pA is not None:
        pA = V.in_open_interval("pA", pA, 0.0, 1.0)
        lm = math.log1p(-pA) if pA < 0.5 else math.log(1.0 - pA)  # 1 - pA exact for pA >= 1/2 (Sterbenz)
        lpa = math.log(pA)
    elif one_minus_pA is not None:
        e = V.in_open_interval("one_minus_pA", one_minus_pA, 0.0, 1.0)
        lm = math.log(e)
        lpa = math.log1p(-e)
    else:
        lm = V.real("log_one_minus_pA", log_one_minus_pA)
        if not lm < 0:
            raise ValueError(f"log_one_minus_pA must lie in (-inf, 0), got {lm}")
        lpa = _log1mexp(lm)
    if pB is not None and log_pB is not None:
        raise ValueError("give at most one of pB, log_pB")
    if pB is None and log_pB is None:
        return Probabilities(lpa, lm, lm, True)
    if pB is not None:
        lpb = math.log(V.in_open_interval("pB", pB, 0.0, 1.0))
    else:
        lpb = V.real("log_pB", log_pB)
        if not lpb < 0:
            raise ValueError(f"log_pB must lie in (-inf, 0), got {lpb}")
    if lpb > lm + _SUM_SLACK:
        raise ValueError(f"pB must lie in (0, 1 - pA] = (0, {math.exp(lm)!r}], got {math.exp(lpb)!r}")
    return Probabilities(lpa, lm, min(lpb, lm), False)


def _phi_inv_of_log(logp: float) -> float:
    """Phi^{-1}(e^logp), via scipy.special.ndtri_exp (accurate for e^logp down to 1e-300 and beyond)."""
    return float(special.ndtri_exp(logp))

