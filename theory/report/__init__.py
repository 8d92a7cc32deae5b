"""One report toolkit for every generated report (``reports/*.md`` and their PNGs).

* :func:`md_table` -- the one Markdown table writer ('|' in cells escaped, cells formatted by :func:`fmt`);
* :func:`fmt` -- the one number formatter (None, bool, int, inf, nan, fixed or scientific notation);
* :func:`new_figure` / :func:`save_figure` -- figures on :class:`matplotlib.figure.Figure`, never touching
  the global pyplot backend (a notebook user's backend stays what it was), saved as reproducible PNGs;
* :class:`Provenance` -- the block that says which command, seed, commit and library versions made a report.

Examples
--------
>>> from theory.report import md_table
>>> print(md_table(["x", "x²"], [[0.5, 0.25], [2, 4]]))
| x | x² |
|---|---|
| 0.5 | 0.25 |
| 2 | 4 |
"""

from theory.report.figures import new_figure, save_figure
from theory.report.provenance import Provenance
from theory.report.tables import fmt, md_table

__all__ = ["md_table", "fmt", "new_figure", "save_figure", "Provenance"]
