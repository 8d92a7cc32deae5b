"""JSON helpers shared by every report: numbers (numpy, mpmath, inf, nan) and dataclasses to JSON-safe values.

JSON has no infinity or NaN, so ``to_jsonable`` writes them as the strings ``"inf"``, ``"-inf"`` and
``"nan"``; :func:`json_float` reads them back.  Results (frozen dataclasses) are written field by
field in declaration order, so ``dataclasses.asdict(result)`` and the JSON file hold the same keys.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

_R = TypeVar("_R")

__all__ = ["to_jsonable", "dump_json", "load_json", "json_float", "load_result"]


def to_jsonable(obj: Any) -> Any:
    """Convert ``obj`` to plain JSON-safe values (dict, list, str, int, float, bool, None).

    Parameters
    ----------
    obj
        Nested dicts, lists, tuples, numpy scalars and arrays, mpmath numbers, dataclass instances.
        Infinite and NaN floats become ``"inf"``, ``"-inf"``, ``"nan"``; dict keys become strings;
        anything else is returned unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"r": np.float64(0.5), "n": np.int64(3), "bad": float("inf"), "v": np.arange(2)})
    {'r': 0.5, 'n': 3, 'bad': 'inf', 'v': [0, 1]}
    """
    import numpy as np

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    try:
        import mpmath

        if isinstance(obj, mpmath.mpf):
            obj = float(obj)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        if math.isnan(f):
            return "nan"
        return f
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    return obj


def json_float(x: Any) -> float:
    """The float written by :func:`to_jsonable` (``"inf"``, ``"-inf"``, ``"nan"`` or a number).

    Examples
    --------
    >>> json_float("inf"), json_float(2)
    (inf, 2.0)
    """
    if isinstance(x, str):
        if x in ("inf", "-inf", "nan"):
            return float(x)
        raise ValueError(f"x must be a number or one of 'inf', '-inf', 'nan', got {x!r}")
    return float(x)


def dump_json(obj: Any, path: str | Path, *, indent: int | None = 1, ensure_ascii: bool = False,
              sort_keys: bool = False) -> Path:
    """Write ``to_jsonable(obj)`` to ``path`` (parent folders created), ending with a newline.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = dump_json({"sigma": 0.25}, pathlib.Path(tempfile.mkdtemp()) / "a" / "r.json")
    >>> load_json(p)
    {'sigma': 0.25}
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(obj), indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def load_json(path: str | Path) -> Any:
    """Read a JSON file written by :func:`dump_json` (strings ``"inf"``/``"nan"`` stay strings; see
    :func:`json_float`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = dump_json([1, float("nan")], pathlib.Path(tempfile.mkdtemp()) / "x.json")
    >>> load_json(p)
    [1, 'nan']
    """
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_result(path: str | Path, what: str, from_dict: Callable[[dict[str, Any]], _R]) -> _R:
    """``from_dict`` of the JSON object in ``path``; every way the file can be wrong (not JSON, not an object --
    a list, a string --, a wrong ``schema_version``, missing or mistyped fields) is one ``ValueError`` naming
    ``path`` and ``what`` it should hold (issue 20.14: a JSON list gave ``AttributeError``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.json"
    >>> _ = p.write_text("[1, 2]")
    >>> load_result(p, "a scaling result", dict)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../r.json: not a scaling result (a JSON object is expected, got a list)
    """
    p = Path(path)
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: not {what} (not JSON: line {exc.lineno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{p}: not {what} (not UTF-8 text)") from None
    if not isinstance(d, dict):
        kind = {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(d), "a number")
        raise ValueError(f"{p}: not {what} (a JSON object is expected, got {kind})")
    try:
        return from_dict(d)
    except ValueError as exc:
        raise ValueError(f"{p}: {exc}") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{p}: not {what} ({exc.__class__.__name__}: {exc})") from None
