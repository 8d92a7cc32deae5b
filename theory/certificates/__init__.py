"""Certified radii of randomized smoothing, and Cohen et al.'s CERTIFY / PREDICT as pure functions of counts.

A package split along its seams; the public names are re-exported here (``from theory.certificates import X``);
the formulas and private helpers are imported from their submodule:

* :mod:`~theory.certificates.counts` -- **statistics of counts** (used by :mod:`empirical`, which must not
  re-derive them): :func:`clopper_pearson_lower`, :func:`clopper_pearson_upper`, :func:`clopper_pearson_interval`,
  :func:`certify_from_counts`, :func:`certify_from_class_counts`, :func:`predict_from_counts`.
* :mod:`~theory.certificates.logprob` -- class probabilities in log space (:class:`Probabilities`,
  :func:`probabilities`).
* :mod:`~theory.certificates.radii` -- the **certified radii** as pure functions of the class probabilities, with
  their derivations: the paper's C11 (Gaussian, l2, DMR), T13 (eq.-6 exponential noise, l_inf, D_inf) and T18
  (Gaussian, l_inf, DMR), and the references Cohen et al. 2019 (tight l2), Lecuyer et al. 2019 (PixelDP),
  Li et al. 2019 (Renyi), the l2 -> l_inf conversion, Yang et al. 2020 (eq.-6 noise, l_inf), Teng et al. 2020
  (Laplace, l1) and uniform noise.
* :mod:`~theory.certificates.registry` -- the registry :data:`CERTIFICATES` of :class:`Certificate` entries,
  :func:`get`, :func:`radius`, :func:`inverse` (both broadcast over NumPy arrays), :func:`register`.
* :mod:`~theory.certificates.columns` -- :func:`certified_radii`, the radius columns of the empirical TSV
  (:data:`RADIUS_COLUMNS`).
* :mod:`~theory.certificates.tight_search` -- soundness against the tight radius: :func:`exceeds_tight`,
  :func:`multiclass_exceeds_tight`, :func:`soundness_table`.
* :mod:`~theory.certificates.yang_check` -- independent checks of the yang-linf radius in low dimension.

Precision convention: near pA -> 1 every radius accepts ``1 - pA`` (``one_minus_pA``) or its logarithm
(``log_one_minus_pA``), exact down to 1e-300 and below.  A radius is 0.0 when the certificate certifies nothing
(pA <= pB, e.g. pA <= 1/2 in binary form); never NaN.

Examples
--------
>>> from theory.certificates import certify_from_counts, radius
>>> round(radius("cohen", pA=0.975, sigma=0.5), 4)          # sigma Phi^-1(pA) = 0.5 * 1.96
0.98
>>> certify_from_counts(100, 100, 0.001, 0.5).abstain       # pA_lower = 0.001^(1/100) = 0.933 > 1/2
False
"""

from __future__ import annotations

from theory.certificates.columns import RADIUS_COLUMNS, certified_radii
from theory.certificates.counts import (
    CertifyResult,
    PredictResult,
    certify_from_class_counts,
    certify_from_counts,
    clopper_pearson_interval,
    clopper_pearson_lower,
    clopper_pearson_upper,
    predict_from_counts,
)
from theory.certificates.logprob import Probabilities, probabilities
from theory.certificates.registry import CERTIFICATES, Certificate, get, inverse, radius, register
from theory.certificates.tight_search import (
    DEFAULT_NUM_CLASSES,
    EXCEED_RTOL,
    SOUNDNESS_NUM_CLASSES,
    SOUNDNESS_SETTINGS,
    exceeds_tight,
    min_runner_up,
    multiclass_exceeds_tight,
    soundness_table,
)
from theory.certificates.yang_check import yang_linf_check_1d, yang_linf_check_mc

__all__ = [
    "clopper_pearson_lower",
    "clopper_pearson_upper",
    "clopper_pearson_interval",
    "CertifyResult",
    "PredictResult",
    "certify_from_counts",
    "certify_from_class_counts",
    "predict_from_counts",
    "certified_radii",
    "RADIUS_COLUMNS",
    "Probabilities",
    "probabilities",
    "Certificate",
    "CERTIFICATES",
    "get",
    "radius",
    "inverse",
    "register",
    # soundness against the tight radius, and the yang-linf checks (importable as before the split)
    "SOUNDNESS_SETTINGS",
    "EXCEED_RTOL",
    "DEFAULT_NUM_CLASSES",
    "SOUNDNESS_NUM_CLASSES",
    "min_runner_up",
    "multiclass_exceeds_tight",
    "exceeds_tight",
    "soundness_table",
    "yang_linf_check_1d",
    "yang_linf_check_mc",
]
