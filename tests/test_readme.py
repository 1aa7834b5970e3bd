"""The README's output excerpt is real: every line of it appears in the golden sentiment output."""

from __future__ import annotations

from tests.conftest import ROOT


def test_readme_excerpt_is_real_output():
    readme = (ROOT / "README.md").read_text()
    excerpt = readme.split("```text\n", 1)[1].split("```", 1)[0]
    golden = (ROOT / "tests" / "render" / "golden" / "sentiment.txt").read_text().splitlines()
    lines = [line for line in excerpt.splitlines() if line != "…"]
    assert len(lines) > 20
    for line in lines:
        assert line in golden, line


def test_readme_names_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "pip install -e . && bptt-trace run scenarios/sentiment.yaml" in readme
    assert "pip install -e '.[test]' && pytest" in readme
