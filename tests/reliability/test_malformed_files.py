"""Malformed files given to the empirical loaders (issue 8): a clear ``ValueError`` naming the file and the
line or key -- never another exception, never a silent partial read.

Covers the npz layout (object arrays, missing keys, wrong dtype, garbage, a truncated zip), MNIST idx files
(truncated header, wrong magic, short body), CIFAR-10 binary batches, Cohen et al.-format logs for replay
(bad header, truncated line, unparsable value, non-UTF-8 bytes, empty file), checkpoints that are not
checkpoints, and certify TSVs / shards (wrong header, short line, bad idx, binary garbage).  The
malicious-pickle checkpoint and the SIGKILL/resume tests live with the empirical engine's tests.
Every file is written by the test into a temporary directory.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from empirical import certify as EC  # noqa: E402
from empirical import data as ED  # noqa: E402
from empirical import models as EM  # noqa: E402
from empirical import replay as ER  # noqa: E402
from tests.reliability.test_fuzz_cli import assert_clean_error, run_cli  # noqa: E402


def expect_error(fn, *must_contain):
    """fn() raises ValueError whose message is one line and contains every string of must_contain."""
    with pytest.raises(ValueError) as exc:
        fn()
    msg = str(exc.value)
    for s in must_contain:
        assert str(s) in msg, f"{s!r} not in error message {msg!r}"
    return msg


# ------------------------------------------------------------------------------------------------------
# npz (layout of ../shared/data)
# ------------------------------------------------------------------------------------------------------

def _mnist_npz(tmp_path, **arrays):
    p = tmp_path / "test.npz"
    np.savez(p, **arrays)
    return p


def _good_mnist(n=4):
    return {"x": np.zeros((n, 28, 28), np.uint8), "y": np.arange(n, dtype=np.int64) % 10}


def test_npz_good_file_loads(tmp_path):
    _mnist_npz(tmp_path, **_good_mnist())
    s = ED.load_dataset("mnist", "test", tmp_path)
    assert len(s) == 4


def test_npz_object_array_names_file_and_key(tmp_path):
    bad = _good_mnist()
    bad["x"] = np.array([np.zeros((28, 28), np.uint8)] * 4 + [None], dtype=object)[:4]
    p = _mnist_npz(tmp_path, **bad)
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p), "'x'")


def test_npz_object_labels_names_key(tmp_path):
    bad = _good_mnist()
    bad["y"] = np.array([1, 2, "three", None], dtype=object)
    p = _mnist_npz(tmp_path, **bad)
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p), "'y'")


def test_npz_missing_key(tmp_path):
    p = _mnist_npz(tmp_path, x=np.zeros((2, 28, 28), np.uint8))
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p), "'y'")


def test_npz_wrong_dtype_and_shape_name_file(tmp_path):
    bad = _good_mnist()
    bad["x"] = bad["x"].astype(np.float32)
    p = _mnist_npz(tmp_path, **bad)
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p), "uint8")
    bad = _good_mnist()
    bad["x"] = np.zeros((4, 27, 28), np.uint8)
    p = _mnist_npz(tmp_path, **bad)
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p))


def test_npz_labels_out_of_range_or_wrong_count(tmp_path):
    bad = _good_mnist()
    bad["y"] = np.array([0, 1, 2, 10])
    p = _mnist_npz(tmp_path, **bad)
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p), "labels")
    bad = _good_mnist()
    bad["y"] = np.array([0, 1, 2])
    p = _mnist_npz(tmp_path, **bad)
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p), "labels")


@pytest.mark.parametrize("content", [b"", b"not a zip file at all", b"PK\x03\x04" + b"\x00" * 20,
                                     b"\x93NUMPY garbage"], ids=["empty", "text", "zip-magic", "npy-magic"])
def test_npz_garbage_names_file(tmp_path, content):
    p = tmp_path / "test.npz"
    p.write_bytes(content)
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p))


def test_npz_truncated_names_file(tmp_path):
    p = _mnist_npz(tmp_path, **_good_mnist(50))
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p))


def test_npz_pickled_member_is_not_unpickled(tmp_path):
    """An npz member saved with pickle (object array) is refused, never unpickled."""
    marker = tmp_path / "executed"

    class Boom:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    p = tmp_path / "test.npz"
    with zipfile.ZipFile(p, "w") as z:
        buf = io.BytesIO()
        np.save(buf, np.array([Boom()], dtype=object), allow_pickle=True)
        z.writestr("x.npy", buf.getvalue())
        buf = io.BytesIO()
        np.save(buf, np.zeros(1, np.int64))
        z.writestr("y.npy", buf.getvalue())
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(p), "'x'")
    assert not marker.exists()


# ------------------------------------------------------------------------------------------------------
# MNIST idx and CIFAR-10 binary
# ------------------------------------------------------------------------------------------------------

def _idx_bytes(arr: np.ndarray) -> bytes:
    return struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


@pytest.mark.parametrize("case", ["short-header", "dims-cut", "bad-magic", "short-body", "empty"])
def test_idx_malformed_names_file(tmp_path, case):
    good = _idx_bytes(np.zeros((3, 28, 28), np.uint8))
    data = {"short-header": good[:2], "dims-cut": good[:9], "bad-magic": b"\x01\x02" + good[2:],
            "short-body": good[:-5], "empty": b""}[case]
    p = tmp_path / "t10k-images-idx3-ubyte"
    p.write_bytes(data)
    expect_error(lambda: ED.read_idx(p), str(p))


def test_idx_gz_garbage_names_file(tmp_path):
    p = tmp_path / "t10k-images-idx3-ubyte.gz"
    p.write_bytes(b"\x1f\x8b not really gzip")
    expect_error(lambda: ED.read_idx(p), str(p))
    p.write_bytes(gzip.compress(_idx_bytes(np.zeros((3, 28, 28), np.uint8)))[:-12])  # truncated gzip
    expect_error(lambda: ED.read_idx(p), str(p))


def test_mnist_idx_label_count_mismatch(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(np.zeros((3, 28, 28), np.uint8)))
    lp = tmp_path / "t10k-labels-idx1-ubyte"
    lp.write_bytes(_idx_bytes(np.zeros(2, np.uint8)))
    expect_error(lambda: ED.load_dataset("mnist", "test", tmp_path), str(lp), "labels")


def test_cifar_binary_wrong_size_names_file(tmp_path):
    p = tmp_path / "test_batch.bin"
    p.write_bytes(b"\x00" * (3073 * 2 + 7))
    expect_error(lambda: ED.load_dataset("cifar10", "test", tmp_path), str(p), "3073")
    p.write_bytes(bytes([11]) + b"\x00" * 3072)  # label 11 out of range
    expect_error(lambda: ED.load_dataset("cifar10", "test", tmp_path), str(p), "labels")


# ------------------------------------------------------------------------------------------------------
# Cohen et al. logs (replay)
# ------------------------------------------------------------------------------------------------------

GOOD_LOG = "idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t3\t3\t0.512\t1\t0:00:01.5\n20\t8\t-1\t0.0\t0\t1.25\n"


def _log(tmp_path, text, name="noise_0.50_sigma_0.50.tsv", raw=None):
    p = tmp_path / name
    if raw is not None:
        p.write_bytes(raw)
    else:
        p.write_text(text)
    return p


def test_log_good_file_reads(tmp_path):
    log = ER.read_cohen_log(_log(tmp_path, GOOD_LOG))
    assert log.n_rows == 2 and log.cert_sigma == 0.5


@pytest.mark.parametrize("text,needle", [
    ("idx\tlabel\tpredicted\tradius\tcorrect\ttime\n0\t3\t3\t0.5\t1\t1.0\n", "predict"),  # bad header
    ("index label predict radius correct time\n0 3 3 0.5 1 1.0\n", "idx"),  # wrong delimiter
    ("", "empty"),
    ("idx\tlabel\tpredict\tradius\tcorrect\ttime\n", "no data rows"),
], ids=["bad-header", "spaces", "empty", "header-only"])
def test_log_bad_header_names_file(tmp_path, text, needle):
    p = _log(tmp_path, text)
    expect_error(lambda: ER.read_cohen_log(p), str(p), needle)


@pytest.mark.parametrize("text,line", [
    (GOOD_LOG + "40\t1\t1\t0.3", 4),  # truncated last line (fewer fields)
    (GOOD_LOG + "40\t1\tone\t0.3\t1\t1.0\n", 4),  # unparsable predict
    (GOOD_LOG.replace("0.512", "0.5.12"), 2),  # unparsable radius
    (GOOD_LOG.replace("0:00:01.5", "yesterday"), 2),  # unparsable time
], ids=["truncated", "bad-int", "bad-float", "bad-time"])
def test_log_bad_row_names_file_and_line(tmp_path, text, line):
    p = _log(tmp_path, text)
    msg = expect_error(lambda: ER.read_cohen_log(p), str(p))
    assert f"line {line}" in msg, msg


@pytest.mark.parametrize("bad,what", [("nan", "radius"), ("-0.5", "radius"), ("inf", "radius")])
def test_log_bad_radius_value(tmp_path, bad, what):
    p = _log(tmp_path, GOOD_LOG.replace("0.512", bad))
    expect_error(lambda: ER.read_cohen_log(p), str(p), what)


def test_log_binary_garbage_names_file(tmp_path):
    p = _log(tmp_path, None, raw=b"idx\tlabel\xff\xfe\x00\x81 predict\n\x00\x01\x02")
    expect_error(lambda: ER.read_cohen_log(p), str(p))


def test_replay_cli_bad_log_one_line(tmp_path):
    p = _log(tmp_path, "idx\tlabel\tpredicted\tradius\tcorrect\ttime\n0\t3\t3\t0.5\t1\t1.0\n")
    argv = ["replay", "--log", str(p), "--out", str(tmp_path / "out"), "--no-progress"]
    rc, out, err = run_cli("empirical", argv, tmp_path)
    assert_clean_error("empirical", argv, rc, err)
    assert str(p) in err


# ------------------------------------------------------------------------------------------------------
# checkpoints that are not checkpoints
# ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["text", "random", "empty", "npz", "zip", "plain-tensor", "no-meta", "meta-no-arch",
                                  "truncated"])
def test_non_checkpoint_refused_naming_file(tmp_path, kind):
    p = tmp_path / "model.pt"
    if kind == "text":
        p.write_text("this is not a checkpoint\n")
    elif kind == "random":
        p.write_bytes(np.random.default_rng(0).bytes(4096))
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "npz":
        np.savez(p, x=np.zeros(3))
        p = p.with_suffix(".pt.npz") if not p.exists() else p
    elif kind == "zip":
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("hello.txt", "hi")
    elif kind == "plain-tensor":
        torch.save(torch.zeros(3), p)
    elif kind == "no-meta":
        torch.save({"state_dict": {"w": torch.zeros(2)}}, p)
    elif kind == "meta-no-arch":
        torch.save({"state_dict": {"w": torch.zeros(2)}, "meta": {"dataset": "digits"}}, p)
    elif kind == "truncated":
        torch.save({"state_dict": {"w": torch.zeros(1000)}, "meta": {"dataset": "digits", "arch": "cnn"}}, p)
        data = p.read_bytes()
        p.write_bytes(data[: len(data) // 2])
    expect_error(lambda: EM.load_checkpoint(p), "checkpoint", str(p))


def test_checkpoint_wrong_architecture(tmp_path):
    p = tmp_path / "model.pt"
    torch.save({"state_dict": {"w": torch.zeros(2)}, "meta": {"dataset": "digits", "arch": "cnn"}}, p)
    expect_error(lambda: EM.load_checkpoint(p), "checkpoint", str(p), "cnn")


def test_checkpoint_unknown_dataset_or_arch_in_meta(tmp_path):
    p = tmp_path / "model.pt"
    torch.save({"state_dict": {}, "meta": {"dataset": "no-such-data", "arch": "cnn"}}, p)
    expect_error(lambda: EM.load_checkpoint(p), "no-such-data")
    torch.save({"state_dict": {}, "meta": {"dataset": "digits", "arch": "no-such-arch"}}, p)
    expect_error(lambda: EM.load_checkpoint(p), "no-such-arch")


# ------------------------------------------------------------------------------------------------------
# certify TSVs and shards
# ------------------------------------------------------------------------------------------------------

HEAD = "idx\tlabel\tpredict\tradius\tcorrect\ttime\tnA\tpA_lower\n"


def test_tsv_partial_last_line_is_not_a_row(tmp_path):
    p = tmp_path / "c.tsv"
    p.write_text(HEAD + "0\t1\t1\t0.5\t1\t0.1\t99\t0.9\n20\t2\t2\t0.")
    rows = EC.read_tsv(p)
    assert [r["idx"] for r in rows] == ["0"]


@pytest.mark.parametrize("text,needles", [
    (HEAD + "0\t1\t1\t0.5\n20\t2\t2\t0.5\t1\t0.1\t99\t0.9\n", ["line 2"]),
    ("idx\tlabel\n0\t1\n", []),
], ids=["short-line", "other-header"])
def test_merge_malformed_shard_names_file(tmp_path, text, needles):
    good = tmp_path / "c.tsv.rank0-of-2"
    good.write_text(HEAD + "0\t1\t1\t0.5\t1\t0.1\t99\t0.9\n")
    bad = tmp_path / "c.tsv.rank1-of-2"
    bad.write_text(text)
    msg = expect_error(lambda: EC.merge_shards(tmp_path / "c.tsv", [good, bad]), str(bad))
    for s in needles:
        assert s in msg, msg
    assert not (tmp_path / "c.tsv").exists()


@pytest.mark.parametrize("text", [HEAD + "zero\t1\t1\t0.5\t1\t0.1\t99\t0.9\n",
                                  None], ids=["bad-idx", "binary"])
def test_merge_bad_values_name_file(tmp_path, text):
    bad = tmp_path / "c.tsv.rank0-of-1"
    if text is None:
        bad.write_bytes(HEAD.encode() + b"\xff\xfe\x00\x81\t\x01\n")
    else:
        bad.write_text(text)
    expect_error(lambda: EC.merge_shards(tmp_path / "c.tsv", [bad]), str(bad))


def test_merge_cli_one_line(tmp_path):
    bad = tmp_path / "c.tsv.rank0-of-1"
    bad.write_bytes(HEAD.encode() + b"\xff\xfe\x00\x81\t\x01\n")
    argv = ["merge", "--out", str(tmp_path / "c.tsv"), str(bad)]
    rc, out, err = run_cli("empirical", argv, tmp_path)
    assert_clean_error("empirical", argv, rc, err)
