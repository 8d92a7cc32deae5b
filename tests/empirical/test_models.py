"""Models and checkpoints (issue 6): architectures, normalisation as the first layer, parameter counts of
the CIFAR ResNets against He et al. (2016, Table 6), and safe checkpoint loading (weights_only=True:
a crafted pickle is refused and never executed)."""

from __future__ import annotations

import pickle

import pytest
import torch

from empirical.models import ARCHS, NormalizeLayer, build_model, load_checkpoint, make_meta, save_checkpoint


@pytest.mark.parametrize("arch,dataset", [("cnn", "digits"), ("cnn", "mnist"), ("cnn", "cifar10"),
                                          ("cnn_fast", "digits"), ("cnn_fast", "mnist"), ("cnn_fast", "cifar10"),
                                          ("mlp", "synthetic:20:3"), ("resnet20", "cifar10"),
                                          ("bayes", "synthetic:20:3")])
def test_forward_shapes_and_first_layer(arch, dataset):
    m = build_model(arch, dataset).eval()
    from empirical.data import dataset_info

    info = dataset_info(dataset)
    assert isinstance(m[0], NormalizeLayer)  # noise goes in before the normalisation
    with torch.no_grad():
        out = m(torch.rand(3, *info.shape))
    assert out.shape == (3, info.num_classes)


@pytest.mark.parametrize("arch,published_millions,digits", [("resnet20", 0.27, 2), ("resnet56", 0.85, 2),
                                                            ("resnet110", 1.7, 1)])
def test_cifar_resnet_parameter_counts(arch, published_millions, digits):
    """He et al. 2016, Table 6: ResNet-20 0.27M, ResNet-56 0.85M, ResNet-110 1.7M parameters, counted with
    their parameter-free (option A) shortcuts.  Ours, like Cohen et al.'s code, uses 1x1-conv + BN projections
    at the two stage changes: 16*32 + 32*64 conv weights + 2*(32 + 64) BN parameters = 2,752 more."""
    n = sum(p.numel() for p in build_model(arch, "cifar10").parameters())
    projection = 16 * 32 + 32 * 64 + 2 * (32 + 64)
    assert round((n - projection) / 1e6, digits) == published_millions


def test_unknown_arch():
    with pytest.raises(ValueError, match="arch"):
        build_model("vgg", "cifar10")
    with pytest.raises(ValueError, match="bayes"):
        build_model("bayes", "digits")


def test_checkpoint_roundtrip(tmp_path):
    torch.manual_seed(0)
    m = build_model("cnn", "digits").eval()
    meta = make_meta("digits", "cnn", "gaussian", 0.25, 3, note="x")
    save_checkpoint(tmp_path / "ck.pt", m, meta)
    m2, meta2 = load_checkpoint(tmp_path / "ck.pt")
    x = torch.rand(4, 1, 8, 8)
    with torch.no_grad():
        assert torch.equal(m(x), m2(x))
    for key in ("dataset", "arch", "noise", "sigma", "seed", "versions", "input_shape", "num_classes"):
        assert key in meta2
    assert meta2["sigma"] == 0.25 and meta2["input_shape"] == [1, 8, 8] and "torch" in meta2["versions"]
    # the file itself loads with weights_only=True
    ck = torch.load(tmp_path / "ck.pt", weights_only=True)
    assert set(ck) == {"state_dict", "meta"}


class _Payload:
    """Unpickling this object calls open(marker, 'w'): it creates a file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("fmt", ["torch-zip", "raw-pickle"])
def test_malicious_checkpoint_refused_never_executed(tmp_path, fmt):
    marker = tmp_path / "pwned"
    # the payload is live: unpickling it unsafely does create a file (so the test below can fail)
    live = tmp_path / "live"
    pickle.loads(pickle.dumps(_Payload(live))).close()
    assert live.exists()
    path = tmp_path / "evil.pt"
    obj = {"state_dict": {}, "meta": {"dataset": "digits", "arch": "cnn", "x": _Payload(marker)}}
    if fmt == "torch-zip":
        torch.save(obj, path)
    else:
        path.write_bytes(pickle.dumps(obj))
    with pytest.raises(ValueError, match="checkpoint.*refused|checkpoint.*not"):
        load_checkpoint(path)
    assert not marker.exists()


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all", None])
def test_unreadable_checkpoint(tmp_path, content):
    p = tmp_path / "ck.pt"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(ValueError, match="checkpoint"):
        load_checkpoint(p)


def test_checkpoint_not_ours_or_mismatched(tmp_path):
    torch.save({"weights": torch.zeros(2)}, tmp_path / "a.pt")
    with pytest.raises(ValueError, match="not an empirical checkpoint"):
        load_checkpoint(tmp_path / "a.pt")
    m = build_model("cnn", "digits")
    save_checkpoint(tmp_path / "b.pt", m, make_meta("digits", "resnet20", "gaussian", 0.25, 0))
    with pytest.raises(ValueError, match="does not match"):
        load_checkpoint(tmp_path / "b.pt")


def test_all_archs_listed():
    assert set(ARCHS) >= {"cnn", "resnet20", "resnet56", "resnet110", "resnet50"}


def test_resnet50_needs_torchvision():
    try:
        import torchvision  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="torchvision"):
            build_model("resnet50", "imagenet")
    else:
        assert build_model("resnet50", "imagenet")[1].fc.out_features == 1000


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_non_pickle_checkpoint_is_not_called_unsafe(tmp_path):
    """Random bytes are not a checkpoint; the message says so and gives the real reason, instead of claiming
    the file 'would need to unpickle arbitrary objects' (issue 15)."""
    p = tmp_path / "noise.pt"
    p.write_bytes(bytes(range(256)) * 3)
    with pytest.raises(ValueError) as e:
        load_checkpoint(p)
    msg = str(e.value)
    assert "not a readable torch checkpoint" in msg and "arbitrary objects" not in msg
    assert "Unsupported operand" in msg or "invalid load key" in msg or "Error" in msg


def test_unsafe_checkpoint_message_names_the_global(tmp_path):
    p = tmp_path / "g.pt"
    p.write_bytes(pickle.dumps({"f": print}, protocol=2))
    with pytest.raises(ValueError, match="arbitrary objects.*print"):
        load_checkpoint(p)
