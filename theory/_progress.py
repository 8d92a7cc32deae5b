"""One progress bar for every long computation of :mod:`theory` (tqdm on stderr when it is installed).

theory does not depend on tqdm; without it the bar is a silent stand-in with the same methods.
"""

from __future__ import annotations

import sys


class _Silent:
    """What the reports use of a tqdm bar, doing nothing (tqdm missing)."""

    def __init__(self, iterable=None):
        self._it = iterable

    def __iter__(self):
        return iter(self._it if self._it is not None else ())

    def update(self, n=1):
        pass

    def set_description(self, desc=None):
        pass

    def set_postfix_str(self, s=""):
        pass

    def close(self):
        pass


def progress_bar(iterable=None, *, total=None, desc=None, enabled: bool = True):
    """A tqdm bar on stderr (``leave=False``), disabled when ``enabled`` is False; a silent stand-in
    when tqdm is not installed.  Iterate over it when ``iterable`` is given, else call ``update``."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _Silent(iterable)
    return tqdm(iterable, total=total, desc=desc, disable=not enabled, file=sys.stderr, leave=False)
