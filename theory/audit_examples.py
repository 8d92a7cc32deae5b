"""Example plug-in certificates for ``python -m theory audit-certificate`` (the reports in reports/audit_certificate/).

Each has the plug-in signature ``radius(pA, pB, sigma, d, **params) -> float`` and imports nothing from the package
but the formula it scales (a user's module would import nothing from it at all).

  python -m theory audit-certificate --radius theory.audit_examples:cohen_scaled --mechanism gaussian --norm l2 \\
      --param scale=1.05
"""

from __future__ import annotations

import math

from scipy.special import ndtri


def cohen_scaled(pA: float, pB: float, sigma: float, d: int, scale: float = 1.0) -> float:
    """scale * Cohen et al. 2019's radius sigma/2 (Phi^-1(pA) - Phi^-1(pB)) (binary: sigma Phi^-1(pA))."""
    if pA <= pB:
        return 0.0
    return float(scale * 0.5 * sigma * (-ndtri(1.0 - pA) - ndtri(pB)))


def laplace_scaled(pA: float, pB: float, sigma: float, d: int, scale: float = 1.0) -> float:
    """scale * Teng et al. 2020's l1 radius -sigma log(2 (1 - pA)) for product Laplace noise (binary form)."""
    return max(0.0, -scale * sigma * math.log(2.0 * (1.0 - pA)))
