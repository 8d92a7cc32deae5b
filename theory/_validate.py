"""Deprecated private name of :mod:`theory.validate` (kept so that old imports keep working)."""

from theory.validate import *  # noqa: F403
from theory.validate import _is_real  # noqa: F401
