"""Data sets for the empirical experiments (issue 6), pixels in [0, 1], float32, NCHW.

Randomized smoothing adds its noise in *pixel space*; the per-channel normalisation is the
model's first layer (:class:`empirical.models.NormalizeLayer`), as in Cohen et al. (2019).

Data sets (``DATASETS``):

* ``digits``   -- scikit-learn's bundled 8x8 digits (1,797 images, 10 classes): the offline default.
                  Deterministic split: image ``i`` is in ``test`` when ``i % 4 == 0``, else in ``train``.
* ``mnist``    -- from ``--data-dir`` (default ``$RS_DATA_DIR``): the npz layout of ``../shared/data``
                  (``train.npz`` / ``test.npz`` with ``x`` uint8 [N,28,28], ``y`` int64 [N]), or the
                  official idx files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
                  ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each optionally ``.gz``).
* ``cifar10``  -- from ``--data-dir``: npz (``x`` uint8 [N,32,32,3] HWC or [N,3,32,32], ``y`` int64;
                  any ``SPLIT.npz``, e.g. ``test100`` in ``cifar10-lossless100``), or the official
                  *binary* version (``data_batch_{1..5}.bin``, ``test_batch.bin``; records of
                  1 label byte + 3,072 pixel bytes, channel-major).  Never the pickle version.
* ``imagenet`` -- an ImageFolder directory ``DATA_DIR/SPLIT/CLASS/*.JPEG`` (needs torchvision;
                  resize 256, centre crop 224, as Cohen et al.).  Loaded lazily.
* ``synthetic[:D[:K]]`` -- D-dimensional data (default D = 64, K = 2 classes), x ~ U[0, 1]^D with the
                  label given by a *known Bayes classifier* ``y = argmax_k (W (x - 1/2))_k``
                  (W ~ N(0, 1) from a fixed seed); deterministic labels, Bayes error 0.  The
                  Bayes classifier itself is available as the model ``bayes``
                  (:func:`empirical.models.build_model`).  Shape [N, 1, 1, D].

npz files are read with ``numpy.load(path, allow_pickle=False)``; nothing is ever unpickled.
"""

from __future__ import annotations

import gzip
import os
import struct
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

DATASETS = ("digits", "mnist", "cifar10", "imagenet", "synthetic")
ENV_DATA_DIR = "RS_DATA_DIR"

# Per-channel normalisation constants (of the training set): MNIST and CIFAR-10 as in Cohen et al.'s
# code (datasets.py), ImageNet the usual torchvision ones; digits computed from the bundled data
# (mean 0.3053, std 0.3760 of pixels / 16).
_INFO: dict[str, dict[str, Any]] = {
    "digits": dict(shape=(1, 8, 8), num_classes=10, mean=(0.3053,), std=(0.3760,)),
    "mnist": dict(shape=(1, 28, 28), num_classes=10, mean=(0.1307,), std=(0.3081,)),
    "cifar10": dict(shape=(3, 32, 32), num_classes=10, mean=(0.4914, 0.4822, 0.4465),
                    std=(0.2023, 0.1994, 0.2010)),
    "imagenet": dict(shape=(3, 224, 224), num_classes=1000, mean=(0.485, 0.456, 0.406),
                     std=(0.229, 0.224, 0.225)),
}


@dataclass(frozen=True)
class DatasetInfo:
    """What a model needs to know about a data set (no data is read)."""

    name: str           # canonical spec, e.g. "cifar10" or "synthetic:64:2"
    shape: tuple[int, ...]  # (C, H, W)
    num_classes: int
    mean: tuple[float, ...]
    std: tuple[float, ...]

    @property
    def dim(self) -> int:
        return int(np.prod(self.shape))


def _parse_synthetic(spec: str) -> tuple[int, int]:
    parts = spec.split(":")
    if parts[0] != "synthetic" or len(parts) > 3:
        raise ValueError(f"dataset must be one of {list(DATASETS)} (synthetic as synthetic[:D[:K]]), got {spec!r}")
    try:
        d = int(parts[1]) if len(parts) > 1 else 64
        k = int(parts[2]) if len(parts) > 2 else 2
    except ValueError:
        raise ValueError(f"dataset synthetic[:D[:K]] needs integers D >= 1, K >= 2, got {spec!r}") from None
    if d < 1 or k < 2:
        raise ValueError(f"dataset synthetic[:D[:K]] needs D >= 1 and K >= 2, got {spec!r}")
    return d, k


def dataset_info(name: str) -> DatasetInfo:
    """Shape, number of classes and normalisation of data set ``name`` (ValueError if unknown)."""
    if not isinstance(name, str):
        raise ValueError(f"dataset must be one of {list(DATASETS)}, got {name!r}")
    if name.split(":")[0] == "synthetic":
        d, k = _parse_synthetic(name)
        return DatasetInfo(f"synthetic:{d}:{k}", (1, 1, d), k, (0.5,), (0.2887,))  # U[0,1]: sd 1/sqrt(12)
    if name not in _INFO:
        raise ValueError(f"dataset must be one of {list(DATASETS)} (synthetic as synthetic[:D[:K]]), got {name!r}")
    i = _INFO[name]
    return DatasetInfo(name, i["shape"], i["num_classes"], i["mean"], i["std"])


@dataclass
class Split:
    """One split of a data set: ``len(split)``, ``split[i] -> (x [C,H,W] float32 in [0,1], y int)``.

    In-memory splits hold ``x`` ([N,C,H,W] float32) and ``y`` ([N] int64); lazy ones (ImageNet)
    hold ``_lazy`` (an indexable returning ``(x, y)``).
    """

    info: DatasetInfo
    split: str
    x: torch.Tensor | None = None
    y: torch.Tensor | None = None
    source: str = ""
    _lazy: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        if self._lazy is not None:
            return len(self._lazy)
        assert self.y is not None  # an in-memory split holds x and y
        return int(self.y.shape[0])

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        if self._lazy is not None:
            x, y = self._lazy[i]
            return x, int(y)
        assert self.x is not None and self.y is not None  # an in-memory split holds x and y
        return self.x[i], int(self.y[i])

    @property
    def in_memory(self) -> bool:
        return self._lazy is None


def default_data_dir() -> Path | None:
    """``$RS_DATA_DIR`` if set, else None."""
    v = os.environ.get(ENV_DATA_DIR)
    return Path(v) if v else None


def _require_dir(data_dir: str | os.PathLike[str] | None, dataset: str) -> Path:
    if data_dir is None:
        data_dir = default_data_dir()
    if data_dir is None:
        raise ValueError(f"data_dir: dataset {dataset!r} needs --data-dir (or ${ENV_DATA_DIR}); none given")
    p = Path(data_dir)
    if not p.is_dir():
        raise ValueError(f"data_dir: {str(p)!r} is not an existing directory (needed by dataset {dataset!r})")
    return p


def _to_float_nchw(x: np.ndarray, channels: int) -> torch.Tensor:
    """uint8 NHW / NHWC / NCHW -> float32 NCHW in [0, 1]."""
    if x.dtype != np.uint8:
        raise ValueError(f"image array must be uint8, got {x.dtype}")
    if x.ndim == 3:
        x = x[:, None, :, :]
    elif x.ndim == 4 and x.shape[-1] == channels and x.shape[1] != channels:
        x = x.transpose(0, 3, 1, 2)
    elif not (x.ndim == 4 and x.shape[1] == channels):
        raise ValueError(f"image array must be NHW, NHWC or NCHW with {channels} channels, got shape {x.shape}")
    x = np.ascontiguousarray(x)
    if not x.flags.writeable:  # e.g. np.frombuffer of an idx file
        x = x.copy()
    return torch.from_numpy(x).float().div_(255.0)


def _check_labels(y: np.ndarray, n: int, k: int, where: str) -> torch.Tensor:
    y = np.asarray(y).astype(np.int64).reshape(-1)
    if y.shape[0] != n:
        raise ValueError(f"{where}: {n} images but {y.shape[0]} labels")
    if n and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"{where}: labels must lie in [0, {k - 1}], found [{y.min()}, {y.max()}]")
    return torch.from_numpy(y)


def _npz_member(z: Any, key: str, path: Path) -> np.ndarray:
    """z[key], with any read error (object array = pickle, truncated member) naming the file and the key."""
    try:
        arr: np.ndarray = z[key]
        return arr
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: array {key!r} cannot be read ({exc.__class__.__name__}: {exc})") from None


def read_npz_arrays(path: str | os.PathLike[str], keys: Iterable[str]) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of the npz archive ``path``, read without pickle; ValueError naming the file for a
    damaged archive, a single .npy array, a missing key or an unreadable member (e.g. an object array)."""
    path = Path(path)
    # The file is opened here (not by numpy.load) so that it is closed even when numpy fails on a damaged
    # archive, which otherwise leaks numpy's own handle.
    with open(path, "rb") as fh:
        try:
            z = np.load(fh, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: not a readable npz archive ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise ValueError(f"{path}: not an npz archive (a single .npy array)")
        with z:
            if any(k not in z for k in keys):
                raise ValueError(f"{path}: npz must hold arrays {' and '.join(repr(k) for k in keys)}, "
                                 f"found {sorted(z.files)}")
            return {k: _npz_member(z, k, path) for k in keys}


def _load_npz(path: Path, info: DatasetInfo, split: str) -> Split:
    arrays = read_npz_arrays(path, ("x", "y"))
    x, y = arrays["x"], arrays["y"]
    try:
        xt = _to_float_nchw(x, info.shape[0])
    except ValueError as exc:
        raise ValueError(f"{path}: array 'x': {exc}") from None
    if tuple(xt.shape[1:]) != info.shape:
        raise ValueError(f"{path}: images have shape {tuple(xt.shape[1:])}, dataset {info.name} needs {info.shape}")
    return Split(info, split, xt, _check_labels(y, xt.shape[0], info.num_classes, str(path)), str(path))


def _find_maybe_gz(base: Path) -> Path | None:
    """``base`` or ``base.gz``, whichever is a file (None if neither); opened later by :func:`read_idx`."""
    for cand in (base, base.with_name(base.name + ".gz")):
        if cand.is_file():
            return cand
    return None


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an MNIST idx file (magic 0x0000TTDD, big-endian dimensions), gzipped or not; uint8 only."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    if len(data) < 4:
        raise ValueError(f"{path}: not an idx file (too short)")
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte idx file (magic {data[:4].hex()})")
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"{path}: idx header cut short ({len(data)} bytes, {ndim} dimensions need {4 + 4 * ndim})")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {int(np.prod(dims))} bytes of data for dims {dims}, found {body.size}")
    return body.reshape(dims)


def _load_mnist(data_dir: Path, split: str, info: DatasetInfo) -> Split:
    prefix = {"train": "train", "test": "t10k"}.get(split)
    for d in (data_dir, data_dir / "mnist", data_dir / "MNIST" / "raw"):
        if (d / f"{split}.npz").is_file():
            return _load_npz(d / f"{split}.npz", info, split)
        if prefix:
            ip = _find_maybe_gz(d / f"{prefix}-images-idx3-ubyte")
            lp = _find_maybe_gz(d / f"{prefix}-labels-idx1-ubyte")
            if ip is not None and lp is not None:
                x = read_idx(ip)
                y = read_idx(lp)
                xt = _to_float_nchw(x, 1)
                return Split(info, split, xt, _check_labels(y, xt.shape[0], 10, str(lp)), str(ip))
    raise ValueError(f"data_dir: no MNIST split {split!r} under {str(data_dir)!r} (looked for {split}.npz and "
                     f"{prefix}-images-idx3-ubyte[.gz] in it, mnist/ and MNIST/raw/)")


def _load_cifar_bin(files: Sequence[Path], info: DatasetInfo, split: str) -> Split:
    rec = 1 + 3 * 32 * 32
    xs, ys = [], []
    for f in files:
        raw = np.fromfile(f, dtype=np.uint8)
        if raw.size % rec:
            raise ValueError(f"{f}: size {raw.size} is not a multiple of the CIFAR-10 record size {rec}")
        raw = raw.reshape(-1, rec)
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    xt = _to_float_nchw(x, 3)
    return Split(info, split, xt, _check_labels(y, xt.shape[0], 10, str(files[0])), ",".join(map(str, files)))


def _load_cifar10(data_dir: Path, split: str, info: DatasetInfo) -> Split:
    cands = (data_dir, data_dir / "cifar10", data_dir / "cifar-10-batches-bin", data_dir / "cifar10-lossless100",
             data_dir / "cifar10-jpeg75")
    for d in cands:
        if (d / f"{split}.npz").is_file():
            return _load_npz(d / f"{split}.npz", info, split)
        if split == "train":
            files = [d / f"data_batch_{i}.bin" for i in range(1, 6)]
            if all(f.is_file() for f in files):
                return _load_cifar_bin(files, info, split)
        elif split == "test" and (d / "test_batch.bin").is_file():
            return _load_cifar_bin([d / "test_batch.bin"], info, split)
    raise ValueError(f"data_dir: no CIFAR-10 split {split!r} under {str(data_dir)!r} (looked for {split}.npz and the "
                     f"binary batches in it and in {[c.name for c in cands[1:]]})")


def _load_imagenet(data_dir: Path, split: str, info: DatasetInfo) -> Split:
    try:
        from torchvision import datasets, transforms
    except ImportError:
        raise ValueError("dataset 'imagenet' needs torchvision (pip install torchvision); "
                         "it is not installed") from None
    root = data_dir / split
    if not root.is_dir():
        raise ValueError(f"data_dir: ImageNet split directory {str(root)!r} does not exist "
                         "(layout DATA_DIR/SPLIT/CLASS/*)")
    tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()])
    ds = datasets.ImageFolder(str(root), transform=tf)
    k = len(ds.classes)
    info = DatasetInfo(info.name, info.shape, k, info.mean, info.std)
    return Split(info, split, source=str(root), _lazy=ds)


def synthetic_weights(info: DatasetInfo, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(W [K, D], b [K]) of the synthetic data set's Bayes classifier argmax_k (W x + b)_k, b = -W 1/2."""
    d, k = info.dim, info.num_classes
    rng = np.random.default_rng([20190208, d, k, seed])
    w = rng.standard_normal((k, d))
    return w, -w.sum(axis=1) / 2


def _load_synthetic(info: DatasetInfo, split: str, n: int | None = None) -> Split:
    sizes = {"train": 4000, "test": 500}
    if split not in sizes:
        raise ValueError(f"split must be 'train' or 'test' for the synthetic data set, got {split!r}")
    n = sizes[split] if n is None else n
    w, b = synthetic_weights(info)
    rng = np.random.default_rng([7, info.dim, info.num_classes, 0 if split == "train" else 1])
    x = rng.random((n, info.dim))
    y = np.argmax(x @ w.T + b, axis=1)
    xt = torch.from_numpy(x.astype(np.float32)).reshape(n, *info.shape)
    return Split(info, split, xt, torch.from_numpy(y.astype(np.int64)), "synthetic")


def load_dataset(name: str, split: str = "test", data_dir: str | os.PathLike[str] | None = None) -> Split:
    """Load ``split`` ('train', 'test', or for npz any ``SPLIT.npz``) of data set ``name``.

    ``data_dir`` defaults to ``$RS_DATA_DIR``; digits and synthetic need none.  Raises ValueError
    (naming ``dataset`` / ``data_dir`` / ``split``) for anything missing or malformed.
    """
    info = dataset_info(name)
    if not isinstance(split, str) or not split or "/" in split:
        raise ValueError(f"split must be a name such as 'train' or 'test', got {split!r}")
    base = info.name.split(":")[0]
    if base == "digits":
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test' for digits, got {split!r}")
        from sklearn.datasets import load_digits

        dg = load_digits()
        idx = np.arange(dg.images.shape[0])
        sel = idx % 4 == 0 if split == "test" else idx % 4 != 0
        x = torch.from_numpy((dg.images[sel] / 16.0).astype(np.float32))[:, None]
        return Split(info, split, x, torch.from_numpy(dg.target[sel].astype(np.int64)), "sklearn.datasets.load_digits")
    if base == "synthetic":
        return _load_synthetic(info, split)
    d = _require_dir(data_dir, base)
    if base == "mnist":
        return _load_mnist(d, split, info)
    if base == "cifar10":
        return _load_cifar10(d, split, info)
    return _load_imagenet(d, split, info)
