"""The README's "Python API" examples run as written and print what the README says."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _api_section() -> str:
    text = README.read_text(encoding="utf-8")
    m = re.search(r"^## Python API\n(.*?)^## ", text, flags=re.S | re.M)
    assert m, "README.md must have a '## Python API' section"
    return m.group(1)


N_EXAMPLES = 7


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", _api_section(), flags=re.S)


def test_the_section_has_one_example_per_task():
    blocks = _blocks()
    # a radius, a divergence, a claim check, a scaling curve, a certification, a sequential certification,
    # paired JPEG-gap statistics
    assert len(blocks) == N_EXAMPLES
    for b in blocks:
        assert b.lstrip().startswith(">>> ")


@pytest.mark.parametrize("i", range(N_EXAMPLES))
def test_readme_example_runs_as_written(i, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    block = _blocks()[i].replace("/tmp/rs-verify-scaling", str(tmp_path / "scaling"))
    test = doctest.DocTestParser().get_doctest(block, {}, f"README example {i + 1}", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0 and res.attempted >= 2
