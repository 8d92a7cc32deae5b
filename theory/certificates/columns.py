"""The radius columns of the empirical TSV: :func:`certified_radii` (every certificate of a mechanism at one
Clopper-Pearson bound) and their stable names :data:`RADIUS_COLUMNS`."""

from __future__ import annotations

from typing import Any

from theory import noises
from theory import validate as V
from theory.certificates.registry import get

__all__ = ["RADIUS_COLUMNS", "certified_radii"]

# =====================================================================================================
# The radius columns of the empirical TSV
# =====================================================================================================

#: noise -> its radius columns, from the noise table (:func:`theory.noises.radius_columns`; the noises with a
#: torch sampler); a snapshot at import -- :func:`certified_radii` reads the live table
RADIUS_COLUMNS: dict[str, tuple[str, ...]] = noises.radius_columns()


def certified_radii(mechanism: str, pA_lower: Any, sigma: Any, d: Any, *,
                    one_minus_pA_lower: Any = None) -> dict[str, float]:
    """Every certified radius of ``mechanism`` at ``pA_lower`` (binary form, pB = 1 - pA_lower).

    Columns (stable names, see :data:`RADIUS_COLUMNS`):

    * ``"gaussian"``: ``radius_cohen`` (tight l2, Cohen et al. 2019), ``radius_c11_c1`` / ``radius_c11_c3``
      (C11, c = 1, 3), ``radius_t18_linf_c1`` / ``radius_t18_linf_c3`` (T18, l_inf, c = 1, 3),
      ``radius_cohen_linf`` (l2 -> l_inf conversion cohen / sqrt(d); tight for the Gaussian),
      ``radius_pixeldp`` (Lecuyer et al. 2019), ``radius_li_renyi`` (Li et al. 2019);
    * ``"exponential-linf"`` (eq. 6): ``radius_t13_linf`` (T13, D_inf) and ``radius_yang_linf``
      (tight, Yang et al. 2020).

    pA_lower in [0, 1); pA_lower <= 1/2 gives 0.0 everywhere (no certificate), never NaN.
    ``one_minus_pA_lower`` (optional) gives 1 - pA_lower exactly when it is below float resolution.

    Parameters
    ----------
    mechanism : str
        ``"gaussian"`` or ``"exponential-linf"`` (a noise of :mod:`theory.noises` with TSV columns).
    pA_lower : float
        The Clopper-Pearson lower bound of CERTIFY, in [0, 1).
    sigma : float
        Noise scale, > 0.
    d : int
        Input dimension, >= 1 (for the l_inf columns).
    one_minus_pA_lower : float, optional
        1 - pA_lower in (0, 1), exact (takes precedence over ``pA_lower``).

    Returns
    -------
    dict of str to float
        One radius per column of ``RADIUS_COLUMNS[mechanism]``, in that order.

    References
    ----------
    Cohen et al. 2019 (Theorem 1); the paper's C11, T13, T18; Lecuyer et al. 2019; Li et al. 2019;
    Yang et al. 2020.

    Examples
    --------
    >>> certified_radii("exponential-linf", 0.75, 1.0, 1)    # T13: log(3)/2; Yang: log(1/(2 * 0.25)) = log 2
    {'radius_t13_linf': 0.5493061443340548, 'radius_yang_linf': 0.6931471805599453}
    >>> set(certified_radii("gaussian", 0.5, 1.0, 3072).values())
    {0.0}
    """
    columns = noises.radius_columns()
    V.choice("mechanism", mechanism, columns)
    sigma = V.positive("sigma", sigma)
    d = V.dimension("d", d)
    if one_minus_pA_lower is not None:
        e = V.in_open_interval("one_minus_pA_lower", one_minus_pA_lower, 0.0, 1.0)
    else:
        pa = V.real("pA_lower", pA_lower)
        if not 0.0 <= pa < 1.0:
            raise ValueError(f"pA_lower must lie in [0, 1) (pass one_minus_pA_lower for pA_lower -> 1), got {pa}")
        e = 1.0 - pa
    out: dict[str, float] = {}
    spec = noises.column_spec()
    for col in columns[mechanism]:
        if e >= 0.5:
            out[col] = 0.0
            continue
        name, prm = spec[col]
        given: dict[str, float] = {k: (d if v is None else v) for k, v in prm.items()}
        out[col] = get(name).radius(one_minus_pA=e, sigma=sigma, **given)
    return out

