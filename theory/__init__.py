"""theory: divergences, mechanisms, certificates and claims of the paper
"A Unified Framework for Randomized Smoothing Based Certified Defenses" (ICLR 2020 submission),
encoded symbolically (sympy) and numerically (numpy, scipy, mpmath).

Data flows one way: mechanism -> divergence -> certificate -> claims / audit / scaling / report.
This package never imports torch.

The main names are importable from here; submodules and names load on first use, so ``import theory``
stays fast.

Examples
--------
>>> import theory
>>> round(theory.radius("cohen", pA=0.99, sigma=0.5), 4)       # Cohen et al. (2019): sigma Phi^-1(pA)
1.1632
>>> theory.certificates.radius is theory.radius
True
>>> theory.noises.names()[:2]                                       # the noise table
('gaussian', 'exponential-linf')
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    # submodules
    "audit", "certificates", "claim_witness", "claims", "divergences", "jsonio", "mechanisms", "eq6_quadrature",
    "neyman_pearson", "noises", "report", "scaling", "soundness", "symbolic", "validate", "witness",
    # certificates from counts and from probabilities
    "radius", "inverse", "certify_from_counts", "certify_from_class_counts", "predict_from_counts",
    "certified_radii", "clopper_pearson_lower", "clopper_pearson_upper", "probabilities", "Certificate",
    "CertifyResult", "PredictResult",
    # divergences
    "renyi_discrete", "kl_discrete", "dinf_discrete", "dmr_discrete", "dmr_from_renyi", "renyi_density",
    "DMRResult",
    # mechanisms
    "Mechanism", "Gaussian", "Laplace", "ExponentialLinf", "RandomizedResponse", "get_mechanism",
    # claims
    "Claim", "get_claim", "claim_ids",
    # long jobs: compute -> typed result -> report
    "compute_scaling", "ScalingResult", "write_scaling_report",
    "compute_soundness", "SoundnessResult", "write_soundness_report",
    "__version__",
]

_SUBMODULES = {"audit", "certificates", "claim_witness", "claims", "divergences", "jsonio", "mechanisms",
               "eq6_quadrature", "neyman_pearson", "noises", "report", "scaling", "soundness", "symbolic", "validate",
               "witness"}

#: public name -> (module, attribute)
_NAMES = {
    **{n: ("theory.certificates", n) for n in (
        "radius", "inverse", "certify_from_counts", "certify_from_class_counts", "predict_from_counts",
        "certified_radii", "clopper_pearson_lower", "clopper_pearson_upper", "probabilities", "Certificate",
        "CertifyResult", "PredictResult")},
    **{n: ("theory.divergences", n) for n in (
        "renyi_discrete", "kl_discrete", "dinf_discrete", "dmr_discrete", "dmr_from_renyi", "renyi_density",
        "DMRResult")},
    **{n: ("theory.mechanisms", n) for n in (
        "Mechanism", "Gaussian", "Laplace", "ExponentialLinf", "RandomizedResponse", "get_mechanism")},
    "Claim": ("theory.claims", "Claim"),
    "get_claim": ("theory.claims", "get"),
    "claim_ids": ("theory.claims", "ids"),
    **{n: ("theory.scaling", n) for n in ("compute_scaling", "ScalingResult", "write_scaling_report")},
    **{n: ("theory.soundness", n) for n in ("compute_soundness", "SoundnessResult", "write_soundness_report")},
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from theory.report.provenance import package_version

        return package_version()
    if name in _SUBMODULES:
        return importlib.import_module(f"theory.{name}")
    if name in _NAMES:
        module, attr = _NAMES[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'theory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
