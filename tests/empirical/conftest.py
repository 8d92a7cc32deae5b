"""Without torch (an install without the ``empirical`` extra) every test module here is reported as skipped,
with the reason, instead of failing to import: the theory suite still runs (issue 15.2)."""

from __future__ import annotations

import importlib.util

import pytest

REASON = 'torch is not installed: the empirical tests need the `empirical` extra (pip install -e ".[empirical]")'


def _torch_missing() -> bool:
    try:
        return importlib.util.find_spec("torch") is None
    except (ImportError, ValueError):
        return True


class _SkippedModule(pytest.File):
    """Stands in for a test module that cannot be imported without torch."""

    def collect(self):
        pytest.skip(REASON)


def pytest_pycollect_makemodule(module_path, parent):
    if _torch_missing():
        return _SkippedModule.from_parent(parent, path=module_path)
    return None
