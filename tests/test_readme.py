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


def _pattern(name: str) -> str:
    """A canonical name with its index made generic: `dL/dz_f[3]` and `dL/dz_f[t]` alike."""
    import re
    name = re.sub(r"\[[^\]]*\]", "[·]", name)
    name = re.sub(r"\b(dL/d[WUb]|dL/dz|[WUbz])_[ficourhg]\b", r"\1_G", name)  # `g` in the README: any gate
    return re.sub(r"_(\d+|n)\b", "_N", name)  # an mlp's layer number


def test_readme_documents_every_reported_name_of_the_new_networks():
    import re

    from bptt_trace.networks.run import run
    from bptt_trace.scenario.loader import load_scenario
    from bptt_trace.record.names import is_reported
    readme = (ROOT / "README.md").read_text()
    spans, fenced = [], False
    for line in readme.splitlines():
        fenced ^= line.startswith("```")
        spans += [line] if fenced else re.findall(r"`([^`]+)`", line)
    documented = {_pattern(tok) for span in spans
                  for tok in re.findall(r"[\w/\-]+(?:\[[^\]]*\])?", span)}
    for scenario in ("xor", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"):
        trace = run(load_scenario(ROOT / "scenarios" / f"{scenario}.yaml"))
        names = {n for k in (1, None) for n in trace.names(k) if is_reported(n)}
        missing = sorted(n for n in names if _pattern(n) not in documented)
        assert not missing, (scenario, missing)
