"""Worksheets of long sequences, laid out from one walk over the trace, equal those the step-by-step loop made:
the same text for people, the same blanks and answer-key marks (what each shown number reveals)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from bptt_trace import jobs
from bptt_trace.record.steps import Step, Trace, partial_sums
from bptt_trace.render.blocks import Answers, Para, Prose, cell
from bptt_trace.render.cells import feeds
from bptt_trace.render.documents import MarkdownWriter
from bptt_trace.render.step_choice import StepChoice, elision_text, parse_steps
from bptt_trace.render.step_walk import Plan, shown_feeds, walk
from bptt_trace.render.sums import by_time_step, running_totals
from bptt_trace.render.terminal import TerminalWriter
from bptt_trace.render.worksheet import PHASE_TITLES, Worksheet, _part
from bptt_trace.scenario.bundled import BUNDLED_DIR
from bptt_trace.scenario.loader import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from terminal_output import scenario_text  # noqa: E402


def _old_hidden_run(t: int, shown: frozenset[int], steps: int) -> tuple[int, int]:
    a = b = t
    while a > 1 and a - 1 not in shown:
        a -= 1
    while b < steps and b + 1 not in shown:
        b += 1
    return a, b


class StepByStep(Worksheet):
    """The worksheet as it was laid out before the walk: every step of an example looked at in turn."""

    def example(self, trace: Trace, k: int):
        ex = trace.scenario.examples[k - 1]
        what = f'"{" ".join(ex.tokens)}"' if ex.tokens else \
            f"x = {self.fmt.vector(ex.inputs[0])}" if trace.scenario.model.cell == "mlp" else f"{ex.steps} input vectors"
        from bptt_trace.render.blocks import Heading
        yield Heading(1, cell(Prose(f"Example {k}: {what} → target {ex.target}")))
        phase, group, told = None, None, {}
        two_way = trace.scenario.model.bidirectional
        shown, phases = self.elided_steps(trace, ex)
        for step in trace.of_example(k):
            if step.phase != phase:
                phase, group = step.phase, None
                title = "Backward pass (backpropagation)" if phase == "backward" and trace.scenario.model.cell == "mlp" \
                    else PHASE_TITLES[phase]
                yield Heading(2, cell(Prose(title)))
            part = _part(step) if two_way else ""
            if shown is not None and step.phase in phases and step.t is not None and 0 < step.t <= ex.steps \
                    and step.t not in shown:
                a, b = told.get((step.phase, part), (0, -1))
                if not a <= step.t <= b:
                    told[step.phase, part] = a, b = _old_hidden_run(step.t, shown, ex.steps)
                    yield Para(cell(Prose(elision_text(a, b))), note=True)
                continue
            if (step.t, part) != group and step.phase in ("forward", "backward") and step.t is not None:
                group = (step.t, part)
                yield self.layer(step) if trace.scenario.model.cell == "mlp" else self.timestep(ex, step, part)
            yield from self.step(step)


def _scenario(tmp_path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return str(path)


def _long(tmp_path) -> dict[str, str]:
    """Long scenarios of every cell: many-to-one, many-to-many, bidirectional, LSTM, GRU, two examples."""
    rnn = scenario_text(30, hidden=3, inputs=2)
    every = rnn.replace("  loss: bce", "  loss: bce\n  outputs_at: every").replace(
        "    target: 1", "    target: [" + ", ".join(str(t % 2) for t in range(30)) + "]")
    two = rnn.replace("examples:\n", "examples:\n" + rnn.split("examples:\n")[1].replace("target: 1", "target: 0"))
    return {"rnn": _scenario(tmp_path, "rnn", rnn), "every": _scenario(tmp_path, "every", every),
            "two": _scenario(tmp_path, "two", two),
            "birnn": _scenario(tmp_path, "birnn", (BUNDLED_DIR / "birnn_sentiment.yaml").read_text().replace(
                "text: i hate this book", "text: " + " ".join(["i", "love", "this", "book", "its", "amazing"] * 5))),
            "lstm": _scenario(tmp_path, "lstm", scenario_text(20, hidden=2, inputs=2, cell="lstm")),
            "gru": _scenario(tmp_path, "gru", scenario_text(20, hidden=2, inputs=2, cell="gru")),
            "exploding": str(BUNDLED_DIR / "exploding.yaml"), "sentiment": str(BUNDLED_DIR / "sentiment.yaml")}


def _both(path: str, steps: StepChoice | None, round_=None, answers: Answers | None = None) -> tuple[str, str]:
    job = jobs.prepare(path, round_=round_, readers="people", steps=None)._replace(steps=steps)
    out = []
    for kind in (Worksheet, StepByStep):
        sheet = kind(max_items=8)
        sheet.steps = steps
        blocks = list(sheet.build(job.trace, job.chosen, job.drift))
        if answers is None:
            out.append("\n".join(line.text for line in TerminalWriter(100).write(blocks)))
        else:
            out.append(MarkdownWriter(answers).write(iter(blocks), "t"))
    return out[0], out[1]


@pytest.mark.parametrize("name", ["rnn", "every", "two", "birnn", "lstm", "gru", "exploding", "sentiment"])
def test_the_walk_lays_out_what_the_step_by_step_loop_did(tmp_path, name):
    path = _long(tmp_path)[name]
    longest = max(ex.steps for ex in load_scenario(path).examples)
    for steps in (StepChoice(), parse_steps(f"2,5-6,{longest}", longest), None):
        new, old = _both(path, steps, "off")
        assert new == old, (name, steps)
        if steps is None or steps == StepChoice() and longest <= 12:
            assert "not shown" not in new, name
        else:
            assert "not shown" in new, (name, steps)


@pytest.mark.parametrize("name", ["rnn", "every", "birnn", "lstm"])
def test_blanks_and_answer_keys_reveal_the_same(tmp_path, name):
    path = _long(tmp_path)[name]
    names = frozenset({"h[2]", "z[29]", "dL/dz[3]", "dL/dh[1]", "dL/dW_hh", "W_hh_new", "loss", "h_fw[2]", "h_bw[2]",
                       "c[2]", "f[1]"})
    for rounding in ("off", 2):
        shown, _ = _both(path, StepChoice(), rounding, Answers())
        for mode in ("blank", "key"):
            new, old = _both(path, StepChoice(), rounding, Answers(names, mode))
            assert new == old and new != shown, (name, mode)  # the same blanks (or marks), and some


def test_shown_feeds_equal_the_full_feeds_on_every_key_a_shown_step_asks(tmp_path):
    for name, path in _long(tmp_path).items():
        job = jobs.prepare(path, round_="off", steps=None)
        trace = job.trace
        plans = {k: Plan(StepChoice().shown(trace.scenario.examples[k - 1].steps), ("forward", "backward", "loss"),
                         trace.scenario.examples[k - 1].steps) for k in job.chosen}
        w = walk(trace, plans, _part if trace.scenario.model.bidirectional else None)
        full, some = feeds(trace), shown_feeds(trace, w)
        asked = {(n, s.example) for s in w.globals + [s for ev in w.examples.values() for s, m in ev if m is None]
                 for n in (s.name, *s.operands)}
        assert all(some.get(k) == v for k, v in full.items() if k in asked), name  # every key asked, alike
        assert all(full[k] == v for k, v in some.items()), name  # and nothing else differs


def test_running_totals_are_the_partial_sums_asked():
    parts = tuple(np.arange(6.0).reshape(3, 2) * k / 7 for k in range(1, 40))
    step = Step("sum", "gradients", 1, None, "dL/dW", tuple(f"dL/dW[{t}]" for t in range(39, 0, -1)), parts, sum(parts))
    every = partial_sums(step)
    got = running_totals(step, [0, 1, 6, 38])
    assert sorted(got) == [0, 1, 6, 38] and all(np.array_equal(got[k], every[k]) for k in got)
    assert by_time_step(step.operands) and by_time_step(()) and by_time_step(["h[²]"]) == ("²".isdigit())
    assert not by_time_step(["dL/dW[1]", "x"]) and not by_time_step(["a[1][2]"]) and not by_time_step(["a[1]\x00b[2]"])


def test_an_elided_hand_worksheet_makes_decimals_only_of_what_it_shows(tmp_path, monkeypatch):
    """A hand-rounded trace holds integers; the sums over 400 steps show a few running totals, so the
    worksheet turns only those (and the shown steps' values) into Decimals, not every contribution."""
    from bptt_trace.record import fixed
    made = []
    real = fixed.to_decimals
    monkeypatch.setattr(fixed, "to_decimals", lambda m, places: made.append(np.size(m)) or real(m, places))
    path = _scenario(tmp_path, "long", scenario_text(400, hidden=3, inputs=2))
    job = jobs.prepare(path, readers="people")
    assert job.mode.round == 3 and any(type(s).__name__ == "LazyStep" for s in job.trace.steps)
    made.clear()
    sheet = Worksheet(max_items=8)
    sheet.steps = StepChoice()  # the default elision, as `run` asks
    text = "\n".join(line.text for line in TerminalWriter(100).write(sheet.build(job.trace, job.chosen, job.drift)))
    assert "time steps 4–397 not shown (394)" in text
    contributions = 400 * (3 * 2 + 3 * 3 + 3)  # dL/dW_xh[t], dL/dW_hh[t], dL/db_h[t] over every step
    assert 0 < sum(made) < contributions / 4


def test_an_elided_hand_worksheet_works_out_only_the_contributions_it_shows(tmp_path):
    """The gradients' sums take their per-step contributions without keeping them; a worksheet that shows
    a few steps works out those few (each alone), not the other 390-odd of each kind."""
    path = _scenario(tmp_path, "long", scenario_text(400, hidden=3, inputs=2))
    job = jobs.prepare(path, readers="people")
    sheet = Worksheet(max_items=8)
    sheet.steps = StepChoice()
    text = "\n".join(line.text for line in TerminalWriter(100).write(sheet.build(job.trace, job.chosen, job.drift)))
    assert "time steps 4–397 not shown (394)" in text
    outers = [s for s in job.trace.steps if s.op == "outer" and s.name.startswith(("dL/dW_xh[", "dL/dW_hh["))]
    worked = [s for s in outers if _worked_out(tuple.__getitem__(s, 7))]
    assert len(outers) == 800 and 0 < len(worked) <= 40


def _worked_out(value) -> bool:
    """Whether a Fixed holds its mantissas (not waiting on its batch)."""
    from bptt_trace.record.fixed import Fixed
    try:
        Fixed.__dict__["m"].__get__(value)
    except AttributeError:
        return False
    return True
