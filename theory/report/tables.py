"""Markdown tables and number formatting for reports."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["fmt", "md_table", "md_cell"]


def fmt(x: Any, digits: int = 4, *, sci_below: float = 1e-3, sci_above: float = 1e5, none: str = "—",
        style: str = "auto") -> str:
    """Format one value for a report.

    Parameters
    ----------
    x
        A number (Python, numpy or mpmath), ``None``, a bool or a string (returned unchanged).
    digits
        Significant digits.
    sci_below, sci_above
        With ``style="auto"``, numbers with ``sci_below <= |x| < sci_above`` (and 0) are written with
        ``digits`` significant digits in ``g`` notation, the others in scientific notation with
        ``digits - 1`` decimals (the same number of significant digits).
    none
        What ``None`` becomes (an em dash by default).
    style
        ``"auto"`` (above) or ``"g"`` (always Python's ``g`` notation with ``digits`` digits).

    Returns
    -------
    str
        ``"inf"``, ``"-inf"``, ``"nan"`` for the non-finite values; ints (not bools) as integers; bools
        as ``"yes"``/``"no"``.

    Examples
    --------
    >>> [fmt(v) for v in (0.123456, 1234567.0, 2.5e-7, 0, 42, float("inf"), None, True)]
    ['0.1235', '1.235e+06', '2.500e-07', '0', '42', 'inf', '—', 'yes']
    >>> fmt(1234567.0, 3, style="g")
    '1.23e+06'
    """
    if style not in ("auto", "g"):
        raise ValueError(f"style must be one of ['auto', 'g'], got {style!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be an integer >= 1, got {digits!r}")
    if x is None:
        return none
    if isinstance(x, str):
        return x
    import numpy as np

    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(xf):
        return "nan"
    if math.isinf(xf):
        return "inf" if xf > 0 else "-inf"
    if xf == 0:
        return "0"
    if style == "g" or sci_below <= abs(xf) < sci_above:
        return f"{xf:.{digits}g}"
    return f"{xf:.{digits - 1}e}"


def md_cell(x: Any, digits: int = 4) -> str:
    """One Markdown table cell: :func:`fmt`, then '|' escaped and newlines flattened.

    Examples
    --------
    >>> md_cell("a|b")
    'a\\\\|b'
    """
    return fmt(x, digits).replace("|", "\\|").replace("\r\n", " ").replace("\n", " ")


def md_table(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, digits: int = 4,
             align: str | None = None) -> str:
    """A GitHub-flavoured Markdown table (no trailing newline).

    Parameters
    ----------
    headers
        Column titles.
    rows
        One sequence of cells per row, each as long as ``headers``; cells pass through :func:`fmt`
        (strings unchanged) and have '|' escaped, so a cell such as ``"‖z‖ | d"`` cannot split a column.
    digits
        Significant digits for numeric cells.
    align
        One letter per column, ``"l"`` (``---``, the default for every column) or ``"r"`` (``---:``,
        right-aligned numbers).

    Raises
    ------
    ValueError
        If ``headers`` is empty, a row's length differs from the number of headers, or ``align`` is not one
        letter ``l`` / ``r`` per column.

    Examples
    --------
    >>> print(md_table(["norm", "radius"], [["ℓ2", 0.25], ["a|b", float("inf")]]))
    | norm | radius |
    |---|---|
    | ℓ2 | 0.25 |
    | a\\|b | inf |
    >>> print(md_table(["R", "accuracy %"], [[0.5, 81]], align="lr"))
    | R | accuracy % |
    |---|---:|
    | 0.5 | 81 |
    """
    headers = list(headers)
    if not headers:
        raise ValueError("headers must be a non-empty sequence of column titles")
    if align is None:
        align = "l" * len(headers)
    if not isinstance(align, str) or len(align) != len(headers) or set(align) - {"l", "r"}:
        raise ValueError(f"align must be one letter 'l' or 'r' per column ({len(headers)}), got {align!r}")
    lines = ["| " + " | ".join(md_cell(h, digits) for h in headers) + " |",
             "|" + "".join("---|" if a == "l" else "---:|" for a in align)]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(headers):
            raise ValueError(f"rows[{i}] must have {len(headers)} cells (one per header), got {len(row)}")
        lines.append("| " + " | ".join(md_cell(c, digits) for c in row) + " |")
    return "\n".join(lines)
