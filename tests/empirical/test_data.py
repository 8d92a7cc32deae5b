"""Data loaders (issue 6): digits, synthetic, MNIST (npz + idx, gzipped or not), CIFAR-10 (npz HWC/CHW +
binary version), ImageNet ImageFolder (needs torchvision), errors, and the real data when present."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
import torch

from empirical.data import DATASETS, dataset_info, load_dataset, read_idx
from empirical.models import build_model


def _check_split(s, n, shape, k):
    assert len(s) == n
    assert s.x.dtype == torch.float32 and tuple(s.x.shape) == (n, *shape)
    assert float(s.x.min()) >= 0.0 and float(s.x.max()) <= 1.0
    assert s.y.dtype == torch.int64 and int(s.y.min()) >= 0 and int(s.y.max()) < k


def test_digits_default_offline():
    tr, te = load_dataset("digits", "train"), load_dataset("digits", "test")
    _check_split(tr, 1347, (1, 8, 8), 10)
    _check_split(te, 450, (1, 8, 8), 10)
    assert float(te.x.max()) == 1.0  # 16/16


def test_synthetic_labels_are_the_bayes_classifier():
    s = load_dataset("synthetic:32:3", "test")
    _check_split(s, 500, (1, 1, 32), 3)
    bayes = build_model("bayes", s.info)
    with torch.no_grad():
        pred = bayes(s.x).argmax(1)
    assert torch.equal(pred, s.y)  # Bayes error 0: the labels are argmax_k (W x + b)_k
    assert len(set(s.y.tolist())) == 3


def _write_idx(path, arr, gz):
    header = struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    data = header + arr.astype(np.uint8).tobytes()
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(data)


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_idx(tmp_path, gz):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, 7).astype(np.uint8)
    sfx = ".gz" if gz else ""
    _write_idx(tmp_path / f"t10k-images-idx3-ubyte{sfx}", x, gz)
    _write_idx(tmp_path / f"t10k-labels-idx1-ubyte{sfx}", y, gz)
    s = load_dataset("mnist", "test", tmp_path)
    _check_split(s, 7, (1, 28, 28), 10)
    assert torch.equal(s.x[:, 0], torch.from_numpy(x).float() / 255)
    assert torch.equal(s.y, torch.from_numpy(y.astype(np.int64)))


def test_idx_bad_magic(tmp_path):
    p = tmp_path / "bad"
    p.write_bytes(struct.pack(">HBB", 0, 0x0D, 1) + struct.pack(">I", 1) + b"\0\0\0\0")
    with pytest.raises(ValueError, match="unsigned-byte idx"):
        read_idx(p)


def test_mnist_npz_layout(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    (tmp_path / "mnist").mkdir()
    np.savez(tmp_path / "mnist" / "train.npz", x=x, y=np.arange(5, dtype=np.int64))
    s = load_dataset("mnist", "train", tmp_path)  # found under DATA_DIR/mnist/
    _check_split(s, 5, (1, 28, 28), 10)
    assert torch.equal(s.y, torch.arange(5))


@pytest.mark.parametrize("layout", ["hwc", "chw"])
def test_cifar_npz(tmp_path, layout):
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    arr = x if layout == "hwc" else x.transpose(0, 3, 1, 2)
    np.savez(tmp_path / "test.npz", x=arr, y=np.array([0, 9, 3, 3]), classes=np.array(["a"] * 10))
    s = load_dataset("cifar10", "test", tmp_path)
    _check_split(s, 4, (3, 32, 32), 10)
    assert torch.equal(s.x, torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).float() / 255)


def test_cifar_binary(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, (6, 3, 32, 32), dtype=np.uint8)
    y = np.array([1, 2, 3, 4, 5, 9], dtype=np.uint8)
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    rec = np.concatenate([y[:, None], x.reshape(6, -1)], axis=1)
    rec.tofile(d / "test_batch.bin")
    for i in range(1, 6):  # train: five batches
        rec[i - 1:i + 1].tofile(d / f"data_batch_{i}.bin")
    s = load_dataset("cifar10", "test", tmp_path)
    _check_split(s, 6, (3, 32, 32), 10)
    assert torch.equal(s.x, torch.from_numpy(x).float() / 255) and s.y.tolist() == y.tolist()
    tr = load_dataset("cifar10", "train", tmp_path)
    assert len(tr) == 10 and tr.y.tolist()[:2] == [1, 2]
    (d / "test_batch.bin").write_bytes(b"\0" * 100)
    with pytest.raises(ValueError, match="record size"):
        load_dataset("cifar10", "test", tmp_path)


def test_npz_never_unpickles(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    import zipfile

    with zipfile.ZipFile(tmp_path / "test.npz", "w") as z:
        z.write(tmp_path / "obj.npy", "x.npy")
        z.write(tmp_path / "obj.npy", "y.npy")
    with pytest.raises(ValueError, match="[Pp]ickle"):
        load_dataset("cifar10", "test", tmp_path)


def test_imagenet_imagefolder(tmp_path):
    pytest.importorskip("torchvision", reason="torchvision is not installed: the ImageNet loader needs it")
    from PIL import Image

    for c in ("n01", "n02"):
        (tmp_path / "val" / c).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(np.full((300, 260, 3), 40 * i, dtype=np.uint8)).save(tmp_path / "val" / c / f"{i}.JPEG")
    s = load_dataset("imagenet", "val", tmp_path)
    assert len(s) == 4 and s.info.num_classes == 2
    x, y = s[3]
    assert tuple(x.shape) == (3, 224, 224) and y == 1 and 0 <= float(x.min()) <= float(x.max()) <= 1


def test_imagenet_without_torchvision_is_clear(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torchvision", None)
    (tmp_path / "val").mkdir()
    with pytest.raises(ValueError, match="torchvision"):
        load_dataset("imagenet", "val", tmp_path)


@pytest.mark.parametrize("name", ["mnist", "cifar10", "imagenet"])
def test_missing_data_dir(name, tmp_path, monkeypatch):
    monkeypatch.delenv("RS_DATA_DIR", raising=False)
    with pytest.raises(ValueError, match="data_dir"):
        load_dataset(name, "test", None)
    with pytest.raises(ValueError, match="data_dir"):
        load_dataset(name, "test", tmp_path / "nope")


def test_env_default_data_dir(tmp_path, monkeypatch):
    np.savez(tmp_path / "test.npz", x=np.zeros((2, 28, 28), np.uint8), y=np.zeros(2, np.int64))
    monkeypatch.setenv("RS_DATA_DIR", str(tmp_path))
    assert len(load_dataset("mnist", "test")) == 2


@pytest.mark.parametrize("bad", ["svhn", "synthetic:0", "synthetic:4:1", "synthetic:x", 3])
def test_unknown_dataset(bad):
    with pytest.raises(ValueError, match="dataset"):
        dataset_info(bad)


def test_registry():
    assert set(DATASETS) == {"digits", "mnist", "cifar10", "imagenet", "synthetic"}
    assert dataset_info("cifar10").shape == (3, 32, 32) and dataset_info("mnist").dim == 784


@pytest.mark.data
def test_real_shared_data(data_dir):
    m = load_dataset("mnist", "test", data_dir)
    _check_split(m, 10000, (1, 28, 28), 10)
    c = load_dataset("cifar10", "test100", data_dir)  # cifar10-lossless100/test100.npz
    _check_split(c, 100, (3, 32, 32), 10)
