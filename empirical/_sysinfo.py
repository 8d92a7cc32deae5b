"""Small helpers shared by the empirical modules (issue 22: no module borrows a private helper of a sibling).

* :func:`loadavg` -- the machine's 1/5/15-minute load averages (bench and train record them: timings measured on
  a shared machine say so);
* :func:`state_dict_sha256` -- a device- and memory-format-independent hash of a model's weights (experiments,
  the JPEG-gap measurement and resume checks compare checkpoints by content, not by path).

Importing this module does not import torch (``state_dict_sha256`` does, when called).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

__all__ = ["loadavg", "state_dict_sha256"]


def loadavg() -> list[float] | None:
    """The 1/5/15-minute load averages rounded to 0.01 (None where the OS has none): the machine may be shared.

    >>> v = loadavg()
    >>> v is None or (len(v) == 3 and all(x >= 0 for x in v))
    True
    """
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def state_dict_sha256(model: Any) -> str:
    """sha256 of a model's weights: every state-dict entry's name, dtype, shape and values (C order, on
    the CPU), so the same weights give the same hash whatever the device or memory format."""
    import torch

    h = hashlib.sha256()
    for name, t in model.state_dict().items():
        h.update(f"{name}\t{t.dtype}\t{tuple(t.shape)}\n".encode())
        flat = t.detach().to("cpu").contiguous().reshape(-1)
        if flat.numel():
            h.update(flat.view(torch.uint8).numpy().tobytes())
    return h.hexdigest()
