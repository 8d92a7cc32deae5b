"""Figures for reports, built on :class:`matplotlib.figure.Figure` (no pyplot, no global backend switch).

``matplotlib.use("Agg")`` in library code silently changes a notebook user's backend; a bare ``Figure``
needs no backend at all: ``Figure.savefig`` renders PNGs with Agg by itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["new_figure", "save_figure", "DPI"]

#: Resolution of every report PNG (dots per inch).
DPI = 110


def new_figure(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (6, 4),
               **subplot_kw: Any) -> tuple[Any, Any]:
    """A new figure and its axes, like ``plt.subplots`` but without pyplot.

    Parameters
    ----------
    nrows, ncols
        Grid of axes.
    figsize
        Size in inches.
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``, ``sharey``, ``squeeze``, ...).

    Returns
    -------
    (Figure, Axes or array of Axes)
        A single ``Axes`` for a 1x1 grid (unless ``squeeze=False``), else a numpy array of them.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([1, 2], [3, 4])
    >>> type(fig).__name__, len(fig.axes)
    ('Figure', 1)
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, axes


def save_figure(fig: Any, path: str | Path, *, dpi: int = DPI) -> Path:
    """Save ``fig`` as a PNG at ``path`` (folders created) with fixed resolution and no metadata.

    The PNG's ``Software`` text chunk (which names the matplotlib version) is dropped, so the same
    figure saved twice, or by another matplotlib patch release, gives the same bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig, ax = new_figure(figsize=(2, 2))
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> p = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "line.png")
    >>> p.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"path must end in .png, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png", metadata={"Software": None})
    return path
