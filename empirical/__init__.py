"""empirical: randomized-smoothing experiments in torch (CUDA when available, else CPU),
compared with the certificates of :mod:`theory` (which it calls, never re-derives).

``import empirical`` does not import torch: the names below load their module (and torch) on first use.

Examples
--------
>>> import empirical, sys
>>> empirical.__version__.count(".") >= 1
True
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Smooth", "CertifyOutput", "PredictOutput", "resolve_device",      # empirical.core
    "NoiseSampler", "sample_noise",                                    # empirical.noise
    "certify_dataset",                                                 # empirical.certify
    "read_cohen_log", "replay_log",                                    # empirical.replay
    "run_experiment",                                                  # empirical.experiments
    "compute_experiment", "write_experiment_report", "ExperimentResult",  # empirical.experiments
    "compute_replay", "ReplayResult",                                  # empirical.replay_result
    "write_replay_report",                                             # empirical.replay_report
    "compute_jpeg_gap", "write_jpeg_gap_report", "JpegGapResult",      # empirical.jpeg_gap
    "analyze", "write_analyze_report", "AnalyzeResult",                # empirical.analysis
    "compute_device_check", "write_device_check_report",               # empirical.device_check
    "DeviceCheckResult", "DeviceCheckSettings",                        # empirical.device_check
    "__version__",
]

_NAMES = {
    **{n: "empirical.core" for n in ("Smooth", "CertifyOutput", "PredictOutput", "resolve_device")},
    **{n: "empirical.noise" for n in ("NoiseSampler", "sample_noise")},
    "certify_dataset": "empirical.certify",
    **{n: "empirical.replay" for n in ("read_cohen_log", "replay_log")},
    "run_experiment": "empirical.experiments",
    **{n: "empirical.experiments" for n in ("compute_experiment", "write_experiment_report", "ExperimentResult")},
    **{n: "empirical.replay_result" for n in ("compute_replay", "ReplayResult")},
    "write_replay_report": "empirical.replay_report",
    **{n: "empirical.jpeg_gap" for n in ("compute_jpeg_gap", "write_jpeg_gap_report", "JpegGapResult")},
    **{n: "empirical.analysis" for n in ("analyze", "write_analyze_report", "AnalyzeResult")},
    **{n: "empirical.device_check" for n in ("compute_device_check", "write_device_check_report",
                                              "DeviceCheckResult", "DeviceCheckSettings")},
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from theory.report.provenance import package_version

        return package_version()
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'empirical' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
