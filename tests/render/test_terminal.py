"""The terminal renderer: every op renders, unknown ops fail loudly, exact golden output."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.render.terminal import TerminalWriter
from bptt_trace.render.worksheet import Worksheet
from bptt_trace.record.steps import OPS, Step
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "render" / "golden"
SCENARIOS = ["sentiment", "i_love_ai", "time_series", "xor", "lstm_sentiment", "gru_sentiment", "birnn_sentiment"]


def render(trace, examples=None, width=80, **kw) -> str:
    blocks = Worksheet(**kw).build(trace, examples or list(range(1, len(trace.scenario.examples) + 1)))
    return "".join(line.text + "\n" for line in TerminalWriter(width).write(blocks))


def traces():
    out = [run(load_scenario(ROOT / "scenarios" / f"{n}.yaml")) for n in SCENARIOS]
    relu = (ROOT / "scenarios" / "sentiment.yaml").read_text().replace("activation: tanh", "activation: relu")
    return out, relu


def test_every_op_is_emitted_by_the_shipped_scenarios_and_renders(tmp_path):
    ts, relu_text = traces()
    (tmp_path / "relu.yaml").write_text(relu_text + "  clip: {value: 0.01}\n")
    ts.append(run(load_scenario(tmp_path / "relu.yaml")))
    ts.append(run(load_scenario(ROOT / "scenarios" / "exploding.yaml")))
    ts.append(run(load_scenario(ROOT / "scenarios" / "sentiment.yaml")._replace(truncate=2)))
    seen = {s.op for t in ts for s in t.steps}
    assert seen == set(OPS)
    sheet = Worksheet()
    for op in OPS:
        step = next(s for t in ts for s in t.steps if s.op == op)
        list(TerminalWriter().write(sheet.step(step)))  # must not raise
    assert set(sheet.handlers) == set(OPS)


def test_unknown_op_fails_loudly():
    step = Step("warp", "forward", 1, 1, "q", (), (), 0.0)
    with pytest.raises(ValueError, match="no handler for op 'warp'"):
        list(Worksheet().step(step))


@pytest.mark.parametrize("name", SCENARIOS)
def test_golden_output(name):
    """The default output people read: the hand calculation at 3 decimals, with its drift table."""
    from bptt_trace import jobs
    job = jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), readers="people")
    text = "".join(line.text + "\n" for line in TerminalWriter(80).write(jobs.blocks(job)))
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("BPTT_REGENERATE_GOLDEN") == "1":  # deliberate regeneration only
        path.write_text(text)
    assert text == path.read_text()


def test_markup_in_scenario_text_is_shown_literally(tmp_path):
    text = (ROOT / "scenarios" / "sentiment.yaml").read_text().replace("name: sentiment", "name: '[bold]x[/bold]'")
    (tmp_path / "s.yaml").write_text(text)
    out = render(run(load_scenario(tmp_path / "s.yaml")))
    assert "[bold]x[/bold]" in out


def test_eighty_columns_fit_the_sentiment_example():
    out = render(run(load_scenario(ROOT / "scenarios" / "sentiment.yaml")), width=80)
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "0.3×0.226 + 0.2×0.310 + 0.1×0.264   = 0.0678 + 0.0619 + 0.0264   = 0.156" in out


def test_number_format():
    f = NumberFormat(3)
    assert [f(0.13), f(0.22602835), f(-0.3148), f(1.0), f(-0.0), f(0.0000123), f(0.0678, 1)] == \
        ["0.13", "0.226", "-0.315", "1", "0", "1.23e-5", "0.0678"]
    assert [f(Decimal("0.310")), f(Decimal("-0.000")), f(Decimal("0.07006"), 1), f(Decimal("-0.1"))] == \
        ["0.310", "0.000", "0.0701", "-0.1"]  # a hand-rounded -0.000 keeps its decimals
    assert f.vector([0.1, 0.2, 0.3]) == "[0.1, 0.2, 0.3]"
