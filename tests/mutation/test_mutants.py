"""The mutation harness itself: every listed snippet exists exactly once; (slow) every mutant is caught."""

import pytest

from tests.mutation import harness as H
from tests.mutation.mutants import MUTANTS


def test_ids_unique_and_snippets_present_once():
    assert len({m.id for m in MUTANTS}) == len(MUTANTS)
    for m in MUTANTS:
        src = (H.ROOT / m.file).read_text(encoding="utf-8")
        assert src.count(m.old) == 1, (m.id, m.file)
        assert m.old != m.new and m.tests


def test_missing_snippet_is_an_error_not_caught():
    o = H.run_mutant(H.Mutant("x", "theory/divergences.py", "no such snippet 123", "", ("tests",)))
    assert o.status.startswith("error")


@pytest.mark.slow
@pytest.mark.parametrize("m", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_is_caught(m):
    o = H.run_mutant(m)
    assert o.status == "caught", o
