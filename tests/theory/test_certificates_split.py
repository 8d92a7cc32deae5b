"""The split of theory/certificates.py into a package (issue 12 items 3, 4): every name of the former module is
still importable from ``theory.certificates`` (and is the submodule's object), the registry is built with keyword
arguments in the former order, and ``radius`` / ``inverse`` have explicit keyword signatures."""

import ast
import inspect
import math
from pathlib import Path

import pytest

from theory import certificates as C

# The public names of the package (issue 22: the 38 private names the split re-exported for compatibility are gone).
PUBLIC = (
    "CERTIFICATES", "Certificate", "CertifyResult", "DEFAULT_NUM_CLASSES", "EXCEED_RTOL", "PredictResult",
    "Probabilities", "RADIUS_COLUMNS", "SOUNDNESS_NUM_CLASSES", "SOUNDNESS_SETTINGS", "certified_radii",
    "certify_from_class_counts", "certify_from_counts", "clopper_pearson_interval", "clopper_pearson_lower",
    "clopper_pearson_upper", "exceeds_tight", "get", "inverse", "min_runner_up", "multiclass_exceeds_tight",
    "predict_from_counts", "probabilities", "radius", "register", "soundness_table", "yang_linf_check_1d",
    "yang_linf_check_mc",
)
FORMER_PRIVATE = ("_COLUMN_SPEC", "_c11", "_cohen", "_inv_cohen", "_mk_inverse_numeric", "_register", "_eq6_samples",
                  "_COMPAT_PRIVATE")

SUBMODULES = ("counts", "logprob", "radii", "registry", "columns", "tight_search", "yang_check")


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_importable_and_is_the_submodule_object(name):
    obj = getattr(C, name)
    homes = [m for m in SUBMODULES if name in vars(getattr(C, m))]
    assert homes, f"{name} is defined in no submodule"
    assert all(vars(getattr(C, m))[name] is obj for m in homes)


def test_public_names_are_all_and_no_private_reexports():
    assert set(C.__all__) == set(PUBLIC)
    for name in FORMER_PRIVATE:
        assert not hasattr(C, name), name


def test_registry_formulas_are_public_functions_not_lambdas():
    for cert in C.CERTIFICATES.values():
        for fn in (cert._radius, cert._inverse):
            assert fn.__name__ != "<lambda>" and not fn.__name__.startswith("_"), (cert.name, fn.__name__)
            assert fn.__module__ == "theory.certificates.radii" and fn.__doc__, (cert.name, fn.__name__)


def test_all_names_resolve():
    for name in C.__all__:
        assert getattr(C, name) is not None


def test_registry_order_unchanged():
    # the order of `python -m theory radius --list / --compare` columns
    assert list(C.CERTIFICATES) == ["cohen", "c11", "t18", "cohen-linf", "pixeldp", "li-renyi", "t13", "yang-linf",
                                    "laplace-l1", "uniform-l1", "uniform-linf"]


def test_registry_entries_built_with_keywords():
    src = Path(C.registry.__file__).read_text(encoding="utf-8")
    calls = [n for n in ast.walk(ast.parse(src))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Certificate"]
    assert len(calls) == len(C.CERTIFICATES)
    for call in calls:
        assert not call.args, ast.unparse(call)[:80]
        assert {k.arg for k in call.keywords} >= {"name", "mechanism", "norm", "params", "tight", "_radius"}


def test_positional_certificate_construction_still_works():
    # theory.audit_certificate builds a temporary entry positionally: the field order is part of the interface
    cert = C.Certificate("x", "gaussian", "l2", "n", "ref", (), False, "x", "f", lambda p, s: 1.0, lambda *a: 0.0)
    assert (cert.name, cert.tight, cert.formula, cert.paper) == ("x", "x", "f", False)


def test_radius_and_inverse_have_explicit_keyword_signatures():
    for fn, names in ((C.radius, ("sigma", "pA", "one_minus_pA", "log_one_minus_pA", "pB", "log_pB", "c", "d")),
                      (C.inverse, ("sigma", "pB", "log_pB", "log", "c", "d"))):
        sig = inspect.signature(fn)
        for n in names:
            assert sig.parameters[n].kind is inspect.Parameter.KEYWORD_ONLY, (fn.__name__, n)
        assert "References" in fn.__doc__ and ">>>" in fn.__doc__


def test_c_and_d_are_passed_on():
    # T18 from the printed formula sqrt(2) sigma (log pA - log pB) / (2 (1 + c) sqrt(d)), pA = 0.9 binary
    want = math.sqrt(2) * 0.5 * math.log(9) / (2 * 4 * math.sqrt(16))
    assert C.radius("t18", pA=0.9, sigma=0.5, c=3, d=16) == pytest.approx(want, rel=1e-13)
    assert C.inverse("t18", want, sigma=0.5, c=3, d=16) == pytest.approx(0.1, rel=1e-12)
    with pytest.raises(ValueError, match="needs parameter c"):
        C.radius("t18", pA=0.9, sigma=0.5, d=16)
    with pytest.raises(ValueError, match="unexpected"):
        C.radius("cohen", pA=0.9, sigma=0.5, c=1)


def test_predict_snippet_of_the_mutation_harness_present_once():
    src = Path(C.counts.__file__).read_text(encoding="utf-8")
    assert src.count("return PredictResult(p > alpha, p)") == 1
