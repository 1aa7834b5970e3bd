"""The homework checker on the LSTM, GRU, MLP and bidirectional RNN: true answers pass, and a slip
is the first mistake with honest work after it carried forward."""

from __future__ import annotations

import numpy as np
import pytest

from bptt_trace.networks.run import run
from bptt_trace.marking.blanks import answerable
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.marking.test_checker import answers_file, check

sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731


def true_values(trace) -> dict:
    names = answerable(trace)
    out = {(n, k): np.asarray(trace.value(n, k), dtype=float) for k in (1, 2) for n in trace.names(k) if n in names}
    params = trace.scenario.parameter_names
    for n in ("loss",) + tuple(f"dL/d{p}" for p in params) + tuple(f"{p}_new" for p in params):
        out[(n, None)] = np.asarray(trace.value(n), dtype=float)
    return out


@pytest.mark.parametrize("name", ["lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor"])
def test_true_answers_are_all_correct(tmp_path, name):
    trace = run(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    report = check(trace, answers_file(tmp_path, true_values(trace), 4))
    assert report.first_mistake is None and report.counts["correct"] == len(true_values(trace)) > 40


def _slips(trace, name):
    """(slipped values, honestly recomputed dependents), the dependents written with plain numpy."""
    v = lambda n, k=1: np.asarray(trace.value(n, k), dtype=float)  # noqa: E731
    P = {p: np.asarray(trace.value(p), dtype=float) for p in trace.scenario.parameter_names}
    if name == "lstm_sentiment":
        c2 = v("c[2]") + [0.05, 0]
        return {("c[2]", 1): c2}, {("tanh_c[2]", 1): np.tanh(c2), ("h[2]", 1): v("o_gate[2]") * np.tanh(c2)}
    if name == "gru_sentiment":
        u2 = v("u[2]") + [0, 0.05]
        return {("u[2]", 1): u2}, {("1-u[2]", 1): 1 - u2, ("h[2]", 1): (1 - u2) * v("h[1]") + u2 * v("h_tilde[2]")}
    if name == "birnn_sentiment":
        h = v("h_bw[2]") + [0.05, 0]
        return {("h_bw[2]", 1): h}, {("z_bw[1]", 1): P["W_xh_bw"] @ v("x[1]") + P["W_hh_bw"] @ h + P["b_h_bw"]}
    h1 = v("h[1]") + [0.05, 0]
    return {("h[1]", 1): h1}, {("o", 1): P["W_2"] @ h1 + P["b_2"], ("y_hat", 1): sig(P["W_2"] @ h1 + P["b_2"])}


@pytest.mark.parametrize("name", ["lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor"])
def test_a_slip_is_the_first_mistake_and_honest_work_after_it_is_carried_forward(tmp_path, name):
    trace = run(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    slip, after = _slips(trace, name)
    report = check(trace, answers_file(tmp_path, {**true_values(trace), **slip, **after}, 4))
    ((slipped, example), _), = slip.items()
    assert (report.first_mistake.name, report.first_mistake.answer.example) == (slipped, example)
    assert report.counts["wrong"] == 1
    for (n, k) in after:
        verdict = next(v for v in report.verdicts if v.name == n and v.answer.example == k)
        assert verdict.verdict == "carried_forward", (n, k)


@pytest.mark.parametrize("name", ["lstm_sentiment", "gru_sentiment", "birnn_sentiment", "xor"])
def test_forward_and_backward_blanks_split_every_quantity_by_pass(name):
    from bptt_trace.marking.blanks import select
    trace = run(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    forward, backward = select(trace, "forward"), select(trace, "backward")
    assert forward | backward == set(answerable(trace)) and not forward & backward
    phase = {s.name: s.phase for s in reversed(trace.steps)}  # where each is first computed
    assert all(phase[n] in ("forward", "loss") for n in forward), sorted(n for n in forward if phase[n] not in ("forward", "loss"))
    assert all(phase.get(n, "update") in ("loss", "backward", "gradients", "update") for n in backward)


def test_a_slope_taken_from_the_pre_activation_is_named_in_an_mlp(tmp_path):
    trace = run(load_scenario(ROOT / "scenarios" / "xor.yaml"))
    z = np.asarray(trace.value("z[1]", 1), dtype=float)
    slip = {("dh/dz[1]", 1): z * (1 - z)}  # the slope h(1 − h) written with z in place of h
    report = check(trace, answers_file(tmp_path, {**true_values(trace), **slip}, 4))
    assert report.first_mistake.name == "dh/dz[1]"
    assert report.first_mistake.misconception == "derivative_from_pre_activation"


@pytest.mark.parametrize("name,quantity,misconception", [
    ("lstm_sentiment", "dL/dc[3]", "cell_path_dropped"),
    ("lstm_sentiment", "dL/dh[6]", None),  # the last step has no next step to drop
    ("gru_sentiment", "dL/dh[2]", "direct_path_dropped"),
    ("lstm_sentiment", "dL/dh[3]", "future_term_dropped"),  # many-to-many below: δh_3 has an output term
])
def test_gated_misconceptions_are_named(tmp_path, name, quantity, misconception):
    text = (ROOT / "scenarios" / f"{name}.yaml").read_text().replace("  loss: bce\n", "  loss: bce\n  outputs_at: every\n")
    text = text.replace("target: 1", "target: [1, 1, 1, 1, 1, 1]").replace("target: 0", "target: [0, 0, 0, 0]")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    trace = run(load_scenario(path))
    step = trace.step(quantity, 1)
    v = {o: np.asarray(x, dtype=float) for o, x in zip(step.operands, step.inputs)}
    slip = {"cell_path_dropped": lambda: next(x for o, x in v.items() if "dtanh_c" in o),
            "direct_path_dropped": lambda: step.value - next(x for o, x in v.items() if o.startswith("1-u[")),
            "future_term_dropped": lambda: next(x for o, x in v.items() if o.startswith("W_hy^T")),
            None: lambda: np.asarray(step.value, dtype=float) + 0.05}[misconception]()
    report = check(trace, answers_file(tmp_path, {**true_values(trace), (quantity, 1): slip}, 4, name="b.yaml"))
    assert report.first_mistake.name == quantity and report.first_mistake.misconception == misconception
