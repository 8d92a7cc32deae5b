"""Base classifiers and checkpoints (issue 6).

Every model is ``nn.Sequential(NormalizeLayer(mean, std), net)``: the normalisation is the FIRST
layer, so randomized smoothing adds its noise in pixel space ([0, 1]) before it (Cohen et al. 2019).

Architectures (``ARCHS``):

* ``cnn``   -- small CNN for digits / MNIST (any input size): conv3x3(32) - conv3x3(64, stride 2) -
               conv3x3(64, stride 2) - adaptive avg-pool 4x4 - fc(128) - fc(K), ReLU between.
* ``cnn_fast`` -- a smaller, faster CNN for MNIST-size inputs (certification at n = 100,000 on a 2-core
               CPU): conv5x5(16, stride 2) - conv3x3(32, stride 2) - fc(K) on the 4x-downsampled map, ReLU
               between (about 0.3 M multiply-adds per 28x28 image, ~18x fewer than ``cnn``).
* ``mlp``   -- two hidden layers of 256 (for ``synthetic``).
* ``resnet20`` / ``resnet56`` / ``resnet110`` -- the CIFAR ResNets of He et al. (2016, Sec. 4.2):
               depth 6n + 2, three stages of n basic blocks with 16/32/64 channels, 1x1-conv
               projection shortcuts where the shape changes, global average pooling; ResNet-110 is
               the model of Cohen et al.'s CIFAR-10 experiments.
* ``resnet50`` -- torchvision's ResNet-50 (ImageNet, as Cohen et al.); needs torchvision.
* ``bayes``  -- the exact Bayes classifier of the ``synthetic`` data set (linear, no training).

Checkpoints: ``{"state_dict": ..., "meta": {...}}`` written with ``torch.save`` and read with
``torch.load(weights_only=True)`` -- a checkpoint that needs anything beyond tensors and plain
containers (e.g. a crafted pickle) is refused with a ValueError and never executed.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import torch
from torch import nn

from empirical.data import DatasetInfo, dataset_info, synthetic_weights
from theory.report.provenance import library_versions, package_version

ARCHS = ("cnn", "cnn_fast", "mlp", "resnet20", "resnet56", "resnet110", "resnet50", "bayes")


class NormalizeLayer(nn.Module):
    """x -> (x - mean_c) / std_c per channel; the model's first layer (noise is added before it)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


class SmallCNN(nn.Module):
    def __init__(self, in_ch: int, num_classes: int):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_ch, 32, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(64, 64, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(4))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(inplace=True),
                                  nn.Linear(128, num_classes))

    def forward(self, x):
        return self.head(self.features(x))


class FastCNN(nn.Module):
    """conv5x5(16, s2) - ReLU - conv3x3(32, s2) - ReLU - fc(K) (input side a multiple of 4)."""

    def __init__(self, in_ch: int, num_classes: int, side: int):
        super().__init__()
        s = (side + 3) // 4
        self.features = nn.Sequential(
            nn.Conv2d(in_ch, 16, 5, stride=2, padding=2), nn.ReLU(inplace=True),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * s * s, num_classes))

    def forward(self, x):
        return self.head(self.features(x))


class MLP(nn.Module):
    def __init__(self, dim: int, num_classes: int, hidden: int = 256):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(dim, hidden), nn.ReLU(inplace=True),
                                 nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.net(x)


class BayesLinear(nn.Module):
    """argmax_k (W x + b)_k -- the synthetic data set's Bayes classifier as logits (fixed weights)."""

    def __init__(self, info: DatasetInfo):
        super().__init__()
        w, b = synthetic_weights(info)
        self.lin = nn.Linear(info.dim, info.num_classes)
        with torch.no_grad():
            self.lin.weight.copy_(torch.from_numpy(w))
            self.lin.bias.copy_(torch.from_numpy(b))

    def forward(self, x):
        return self.lin(x.flatten(1))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """He et al. (2016) CIFAR ResNet of depth 6n + 2."""

    def __init__(self, depth: int, num_classes: int = 10, in_ch: int = 3):
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"depth must be 6n + 2, got {depth}")
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_ch, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(n):
                layers.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def build_model(arch: str, dataset) -> nn.Sequential:
    """``nn.Sequential(NormalizeLayer, net)`` for architecture ``arch`` on data set ``dataset``
    (a name or a :class:`DatasetInfo`)."""
    info = dataset if isinstance(dataset, DatasetInfo) else dataset_info(dataset)
    if arch not in ARCHS:
        raise ValueError(f"arch must be one of {list(ARCHS)}, got {arch!r}")
    c, k = info.shape[0], info.num_classes
    net: nn.Module
    if arch == "cnn":
        net = SmallCNN(c, k)
    elif arch == "cnn_fast":
        net = FastCNN(c, k, info.shape[-1])
    elif arch == "mlp":
        net = MLP(info.dim, k)
    elif arch.startswith("resnet") and arch != "resnet50":
        net = CifarResNet(int(arch[len("resnet"):]), k, c)
    elif arch == "resnet50":
        try:
            from torchvision.models import resnet50
        except ImportError:
            raise ValueError("arch 'resnet50' needs torchvision (pip install torchvision); "
                             "it is not installed") from None
        net = resnet50(num_classes=k)
    else:  # bayes
        if not info.name.startswith("synthetic"):
            raise ValueError(f"arch 'bayes' exists only for the synthetic data set, got dataset {info.name!r}")
        net = BayesLinear(info)
        # the Bayes rule is stated on raw pixels: identity normalisation
        return nn.Sequential(NormalizeLayer((0.0,), (1.0,)), net)
    return nn.Sequential(NormalizeLayer(info.mean, info.std), net)


def versions() -> dict:
    """The checkpoint's ``versions``: :func:`theory.report.provenance.library_versions` (with torch) and the
    ``rs-verify`` version -- the same record as every report's :class:`theory.report.Provenance`."""
    return {**library_versions(), "rs-verify": package_version()}


def make_meta(dataset, arch: str, noise: str, sigma: float, seed: int, **extra) -> dict:
    info = dataset if isinstance(dataset, DatasetInfo) else dataset_info(dataset)
    meta = {"dataset": info.name, "arch": arch, "noise": noise, "sigma": float(sigma), "seed": int(seed),
            "input_shape": list(info.shape), "num_classes": int(info.num_classes), "mean": list(info.mean),
            "std": list(info.std), "versions": versions()}
    meta.update(extra)
    return meta


def save_checkpoint(path, model: nn.Module, meta: dict) -> None:
    """Write ``{"state_dict", "meta"}`` (tensors on the CPU) with ``torch.save``."""
    sd = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": sd, "meta": dict(meta)}, path)


def read_checkpoint(path) -> dict:
    """``torch.load(path, weights_only=True)``; ValueError (naming ``checkpoint``) when the file is
    missing, unreadable, not a checkpoint, or needs arbitrary unpickling (never executed)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"checkpoint: {str(p)!r} is not a readable file")
    try:
        ck = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        unsafe = next((ln for ln in lines if "GLOBAL" in ln or "Unsupported global" in ln), None)
        if unsafe is not None:  # a pickle that names a class / function: refused, never executed
            why = unsafe.replace("WeightsUnpickler error: ", "").split(". Please use")[0]
            raise ValueError(f"checkpoint: {str(p)!r} refused: it is not loadable with weights_only=True "
                             f"(it would need to unpickle arbitrary objects; nothing was executed): {why}") from None
        # anything else (random bytes, a text file, a truncated file) is simply not a checkpoint
        hint = next((ln for ln in lines if "Unsupported operand" in ln or "invalid load key" in ln), None)
        if hint is None:
            hint = next((ln.split("WeightsUnpickler error:", 1)[1].strip() for ln in lines
                        if "WeightsUnpickler error:" in ln and ln.split("WeightsUnpickler error:", 1)[1].strip()),
                       lines[0] if lines else "unreadable")
        raise ValueError(f"checkpoint: {str(p)!r} is not a readable torch checkpoint "
                         f"(not a torch.save file: UnpicklingError: {hint})") from None
    except (RuntimeError, EOFError, OSError, zipfile.BadZipFile, AttributeError, KeyError, TypeError, IndexError,
            ValueError) as exc:  # IndexError: torch.load of a text file ("pop from empty list")
        raise ValueError(f"checkpoint: {str(p)!r} is not a readable torch checkpoint "
                         f"({exc.__class__.__name__}: "
                         f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})") from None
    if not (isinstance(ck, dict) and isinstance(ck.get("state_dict"), dict) and isinstance(ck.get("meta"), dict)):
        raise ValueError(f"checkpoint: {str(p)!r} is not an empirical checkpoint (needs keys 'state_dict' and 'meta')")
    for key in ("dataset", "arch"):
        if key not in ck["meta"]:
            raise ValueError(f"checkpoint: {str(p)!r} meta lacks {key!r}")
    return ck


def load_checkpoint(path, device="cpu") -> tuple[nn.Module, dict]:
    """(model in eval mode on ``device``, meta) from a checkpoint written by :func:`save_checkpoint`."""
    ck = read_checkpoint(path)
    meta = ck["meta"]
    info = dataset_info(meta["dataset"])
    if "num_classes" in meta and int(meta["num_classes"]) != info.num_classes:
        info = DatasetInfo(info.name, info.shape, int(meta["num_classes"]), info.mean, info.std)
    model = build_model(meta["arch"], info)
    try:
        model.load_state_dict(ck["state_dict"])
    except RuntimeError as exc:
        raise ValueError(f"checkpoint: {str(path)!r} does not match architecture {meta['arch']!r}: "
                         f"{str(exc).splitlines()[0]}") from None
    return model.to(device).eval(), meta
