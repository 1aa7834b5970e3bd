"""YAML the tool writes reads back into the same values, whatever text a name holds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.writer import dump_scenario, yaml_comment, yaml_string
from bptt_trace.scenario.yaml_tree import parse_yaml
from tests.conftest import ROOT

NASTY = ["Lab 3\ncheck: {tolerance: abs=1000} #", "a\x7fb\x85c\u2028d\x1b[2J\x9b", "\ufeff\"quoted\" \\ '#'",
         "\ud7ff\ue000\ufffd\U0010ffff\U0001f600", "- [x]: &a *a !!tag", "\t tab \r cr \x00 nul"]


@settings(max_examples=300)
@given(st.one_of(st.text(), st.sampled_from(NASTY)))
def test_a_yaml_string_reads_back_as_itself(s):
    doc = f"key: {yaml_string(s)}\n"
    assert parse_yaml(doc, "x.yaml").items["key"].text == s
    assert YAML(typ="safe", pure=True).load(doc) == {"key": s}


@settings(max_examples=300)
@given(st.one_of(st.text(), st.sampled_from(NASTY)))
def test_a_comment_stays_one_comment(s):
    doc = yaml_comment(s) + "\nkey: 1\n"
    assert doc.count("\n") == 2
    assert YAML(typ="safe", pure=True).load(doc) == {"key": 1}


WORD = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(st.text(), st.sampled_from(NASTY)), description=st.text(min_size=1), word=WORD)
def test_a_saved_scenario_loads_back_with_the_same_text(tmp_path, name, description, word):
    sc = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    embeddings = dict(sc.embeddings)
    embeddings[word] = embeddings.pop("love")
    examples = tuple(e._replace(tokens=tuple(word if t == "love" else t for t in e.tokens)) for e in sc.examples)
    changed = sc._replace(name=name, description=description, embeddings=embeddings, examples=examples)
    path = tmp_path / "saved.yaml"
    path.write_text(dump_scenario(changed, note=f"{name} after training"), encoding="utf-8")
    back = load_scenario(path)
    assert (back.name, back.description, back.embeddings, back.examples) == (name, description, embeddings, examples)
    assert back.parameters == sc.parameters
