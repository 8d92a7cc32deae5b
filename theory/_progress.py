"""One progress display for every long computation (:mod:`theory` and :mod:`empirical`); needs no optional
dependency.

On a terminal (stderr is a TTY) it is one line rewritten in place (``\\r``), at most every 0.2 s, and cleared
at the end; otherwise (a log file, a pipe, CI) it writes a plain line at most every 10 s, so a long run is
never silent and a short one writes nothing; with ``enabled=False`` it writes nothing at all.

    >>> bar = progress_bar(total=2, desc="demo", enabled=False)
    >>> bar.update(2); bar.close()
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sized
from typing import Any, TextIO, cast

#: seconds between redraws on a terminal / between lines elsewhere
TTY_INTERVAL_S = 0.2
LOG_INTERVAL_S = 10.0


def _now() -> float:
    return time.monotonic()


def _hms(s: float) -> str:
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class Progress:
    """A progress display with the part of tqdm's interface the project uses: iteration, ``update``,
    ``set_description``, ``set_postfix_str``, ``clear``, ``refresh``, ``close``."""

    def __init__(self, iterable: Iterable[Any] | None = None, *, total: int | None = None, desc: str | None = None,
                 enabled: bool = True, stream: TextIO | None = None, initial: int = 0,
                 seconds_per_item: float | None = None) -> None:
        self._it = iterable
        if total is None and iterable is not None:
            try:
                total = len(cast(Sized, iterable))  # cast only: objects without __len__ raise TypeError
            except TypeError:
                total = None
        self.total, self.n, self.desc, self.postfix = total, int(initial), desc or "", ""
        self.initial = int(initial)  # items done before (a resumed run): not part of this run's rate
        self.seconds_per_item = seconds_per_item  # an estimate for the ETA until the first item is done
        self.enabled = bool(enabled)
        self._stream = stream
        self._tty = False
        if self.enabled:
            s = self._out()
            isatty = getattr(s, "isatty", None)
            self._tty = bool(isatty()) if callable(isatty) else False
        self._t0 = _now()
        self._last = self._t0
        self._width = 0
        self._closed = False

    def _out(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def __iter__(self) -> Iterator[Any]:
        for x in (self._it if self._it is not None else ()):
            yield x
            self.update(1)
        self.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def line(self, now: float | None = None) -> str:
        """The status text: ``desc: n/total (pct%) elapsed, ETA ... [postfix]``."""
        now = _now() if now is None else now
        el = now - self._t0
        head = f"{self.desc}: " if self.desc else ""
        if self.total:
            s = f"{head}{self.n}/{self.total} ({100 * self.n / self.total:.0f}%) {_hms(el)}"
            done = self.n - self.initial
            if done > 0 and self.n < self.total:
                s += f", ETA {_hms(el / done * (self.total - self.n))}"
            elif self.seconds_per_item is not None and self.n < self.total:
                s += f", ETA ~{_hms(self.seconds_per_item * (self.total - self.n))} (estimate)"
        else:
            s = f"{head}{self.n} {_hms(el)}"
        return s + (f" [{self.postfix}]" if self.postfix else "")

    def refresh(self) -> None:
        """Draw now (e.g. the estimated ETA before the first item)."""
        self._show(force=True)

    def _show(self, force: bool = False) -> None:
        if not self.enabled or self._closed:
            return
        now = _now()
        if not force and now - self._last < (TTY_INTERVAL_S if self._tty else LOG_INTERVAL_S):
            return
        self._last = now
        text = self.line(now)
        out = self._out()
        if self._tty:
            pad = max(self._width - len(text), 0)
            out.write("\r" + text + " " * pad)
            self._width = len(text)
        else:
            out.write(text + "\n")
        out.flush()

    def update(self, n: int = 1) -> None:
        self.n += n
        self._show(force=self._tty and self.total is not None and self.n >= self.total)

    def clear(self) -> None:
        """Erase the line on a terminal (so that another message does not land on it); no-op elsewhere."""
        if self.enabled and self._tty and self._width and not self._closed:
            out = self._out()
            out.write("\r" + " " * self._width + "\r")
            out.flush()
            self._width = 0

    def set_description(self, desc: str | None = None) -> None:
        self.desc = desc or ""
        self._show()

    def set_postfix_str(self, s: str = "") -> None:
        self.postfix = s or ""
        self._show()

    def close(self) -> None:
        if self._closed:
            return
        if self.enabled and not self._tty and self._last != self._t0:  # a log got lines: say it ended
            self._last = self._t0 - LOG_INTERVAL_S
            self._show(force=True)
        self.clear()  # on a terminal the line is erased at the end, like tqdm's leave=False
        self._closed = True


def progress_bar(iterable: Iterable[Any] | None = None, *, total: int | None = None, desc: str | None = None,
                 enabled: bool = True, initial: int = 0, seconds_per_item: float | None = None) -> Progress:
    """A :class:`Progress` on stderr (cleared when done, like tqdm's ``leave=False``), silent when ``enabled``
    is False.  Iterate over it when ``iterable`` is given, else call ``update``.  ``initial``: items done
    before (not counted in the rate); ``seconds_per_item``: an estimate shown as the ETA until the first
    item of this run is done."""
    return Progress(iterable, total=total, desc=desc, enabled=enabled, initial=initial,
                    seconds_per_item=seconds_per_item)
