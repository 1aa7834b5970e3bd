"""Whatever an answers file holds, it is marked or reported unreadable with a reason: never a traceback.

Random names (the scenario's, its notation's, near misses and garbage), values (numbers,
fractions, calculator output, text, blanks, nested lists of every shape, mappings) and layouts
(answers, examples, total, updated, student, example) go through the reader, the checker, the
score, the class report and every renderer.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptt_trace.check_job import mark_one
from bptt_trace.cli import main
from bptt_trace.marking.blanks import answerable
from bptt_trace.marking.checker import Checker
from bptt_trace.marking.classroom import ClassReport
from bptt_trace.marking.scoring import Scorer
from bptt_trace.networks.run import run
from bptt_trace.numbers.systems import Float64, HandDecimal
from bptt_trace.numbers.tolerance import Tolerance
from bptt_trace.render.check_view import CheckWorksheet, batch_blocks, report_csv, report_json
from bptt_trace.render.class_view import class_blocks
from bptt_trace.render.documents import MarkdownWriter
from bptt_trace.render.terminal import TerminalWriter
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

SCENARIOS = ("sentiment", "xor", "lstm_sentiment", "gru_sentiment")
_TRACES: dict = {}


def trace_of(name: str, hand: bool = False):
    if (name, hand) not in _TRACES:
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        _TRACES[(name, hand)] = run(sc, HandDecimal(3)) if hand else run(sc)
    return _TRACES[(name, hand)]


WEIRD = st.sampled_from(["-1/0.685", "1/0", "0/0", "1e400", "1e-400", "-0", ".5", "5.", "1_000", "0x10", "1,5", "nan",
                         "inf", "-.inf", ".nan", "~", "null", "''", "'0.5'", "true", "[]", "{}", "1/3", "2/-3", "1e5/2",
                         "0.28123456789012345", "-0.0310", "3e-3", "---", "&a 1", "*a", "!!str 1", "0.5 # c", "_"])
PLAIN = st.one_of(st.tuples(st.floats(-3, 3), st.integers(0, 17)).map(lambda p: f"{p[0]:.{p[1]}f}"),
                  st.tuples(st.integers(-9, 9), st.integers(1, 999)).map(lambda p: f"{p[0]}/{p[1] / 100}"),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-10**30, 10**30).map(str))
NUMBERS = st.one_of(PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, WEIRD,
                    st.text(alphabet="0123456789.-+e/ ~x", max_size=12).map(lambda s: s or "0"))


@st.composite
def values(draw, depth: int = 0):
    """A YAML value: a number-ish scalar, or a list of them nested to a random shape."""
    kind = draw(st.integers(0, 9 if depth < 3 else 5))
    if kind <= 4:
        return draw(NUMBERS)
    if kind == 5 and depth == 0:
        return "{a: 1}"
    n = draw(st.integers(0, 4))
    inner = st.lists(NUMBERS, min_size=draw(st.integers(1, 3)), max_size=3).map(lambda r: "[" + ", ".join(r) + "]")
    items = draw(st.lists(inner if kind == 9 else NUMBERS if kind >= 7 else values(depth + 1), min_size=n, max_size=n))
    return "[" + ", ".join(items) + "]"


@st.composite
def answers_files(draw, names: list[str]) -> str:
    """An answers file's text with a random layout, mostly of the scenario's names."""
    odd = st.one_of(st.sampled_from(["O[2]", "Wh", "h[99]", "h[x]", "dy_hat/do", "o", "loss", "W_hh", "dL/dW_hh",
                                     "  h[1] ", "é", "[", "a: b"]), st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8))
    name = st.one_of(*[st.sampled_from(names)] * 6, odd)
    entry = st.tuples(name, values()).map(lambda p: f"  {json.dumps(p[0], ensure_ascii=False)}: {p[1]}")
    lines = []
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"student: {draw(st.sampled_from(['Ada', '[1, 2]', '{a: 1}', '~', 'Bo']))}")
    if draw(st.integers(0, 5)) == 0:
        lines.append(f"example: {draw(st.sampled_from(['1', '2', '0', '-1', 'x', '99']))}")
    sections = draw(st.lists(st.sampled_from(["answers", "total", "updated", "examples"] * 5 + ["bogus"]),
                             min_size=1, max_size=3, unique=True))
    for section in sections:
        if section == "examples":
            lines.append("examples:")
            for k in draw(st.lists(st.sampled_from(["1", "2", "3", "1", "2", "x", "0"]), min_size=1, max_size=2,
                                   unique=True)):
                lines.append(f"  {k}:")
                lines += ["  " + e for e in draw(st.lists(entry, max_size=8))] or ["    {}"]
        else:
            lines.append(f"{section}:")
            lines += draw(st.lists(entry, max_size=8)) or ["  {}"]
    return "\n".join(lines) + "\n"


def render_everything(checker, trace, sheets) -> None:
    view = CheckWorksheet(labels=None)
    view.asked = 3
    klass = ClassReport()
    for s in sheets:
        klass.add(s.student, s.report)
        if s.report is not None:
            TerminalWriter(80).write(view.build_report(s.report, s))
            MarkdownWriter().write(view.build_report(s.report, s), "t")
    TerminalWriter(80).write(batch_blocks(sheets))
    TerminalWriter(80).write(class_blocks(klass))
    json.loads(report_json(sheets, view, klass, trace.scenario.name))
    report_csv(sheets)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("numbers", ["float64", "hand"])
def test_no_answers_file_raises(tmp_path_factory, scenario, numbers):
    trace = trace_of(scenario, numbers == "hand")
    num = Float64() if numbers == "float64" else HandDecimal(3)
    checker = Checker(trace, num, Tolerance(asked=3))
    names = answerable(trace) + [p for p in trace.scenario.parameter_names]
    folder = tmp_path_factory.mktemp("fuzz")
    spec = Scorer(trace.scenario.check)

    @settings(max_examples=60 if numbers == "float64" else 25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(answers_files(names), min_size=1, max_size=3))
    def run_batch(texts):
        paths = []
        for i, text in enumerate(texts):
            path = folder / f"s{i}.yaml"
            path.write_text(text)
            paths.append(str(path))
        sheets = [mark_one(checker, spec, p) for p in paths]
        for s in sheets:  # marked, or unreadable with a reason given by the reader, never by a crash
            assert s.report is not None or (s.problem and "could not be marked" not in s.problem), s.problem
        render_everything(checker, trace, sheets)
    run_batch()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(answers_files(answerable(trace_of("xor"))), min_size=1, max_size=3),
       st.sampled_from(["terminal", "json", "markdown"]))
def test_the_cli_never_shows_a_traceback(tmp_path_factory, texts, fmt):
    folder = tmp_path_factory.mktemp("cli")
    paths = []
    for i, text in enumerate(texts):
        (folder / f"s{i}.yaml").write_text(text)
        paths.append(str(folder / f"s{i}.yaml"))
    result = CliRunner().invoke(main, ["check", str(ROOT / "scenarios" / "xor.yaml"), *paths, "--format", fmt,
                                       "--csv", str(folder / "g.csv"), "--force"])
    assert result.exit_code in (0, 1) and result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert len(doc["sheets"]) == len(paths) and {"scenario", "sheets", "class"} == set(doc)
