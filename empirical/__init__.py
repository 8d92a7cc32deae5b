"""empirical: randomized-smoothing experiments in torch (CUDA when available, else CPU),
compared with the certificates of :mod:`theory` (which it calls, never re-derives)."""

__version__ = "0.1.0"
