"""Honest work is never marked wrong (issue 12 §2): blanks in the chain, partly blank vectors,
rounding inside a step, another valid formula, `--round 3` on precise work, column vectors; and
a matrix of the wrong shape is malformed, with a transposed one named."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")
LOVE = str(ROOT / "scenarios" / "i_love_ai.yaml")


@pytest.fixture(scope="module")
def trace():
    return run(load_scenario(SCENARIO))


def w(v, places=3) -> str:
    """A value written to `places` decimals, as a student does."""
    v = np.asarray(v, dtype=float)
    return f"{float(v):.{places}f}" if v.ndim == 0 else "[" + ", ".join(w(x, places) for x in v) + "]"


def marked(tmp_path, text, *options, scenario=SCENARIO) -> dict:
    path = tmp_path / "a.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["check", scenario, str(path), "--format", "json", *options])
    assert result.exit_code in (0, 1), result.output
    return {(a["name"], a["example"]): a for a in json.loads(result.stdout)["sheets"][0]["answers"]}


def value(trace, name, k=1):
    return np.asarray(trace.value(name, k), dtype=float)


def test_a_total_over_blank_per_step_terms_is_checked_against_the_students_own_deltas(tmp_path, trace):
    dz = {t: value(trace, f"dL/dz[{t}]") for t in range(1, 7)}
    dz[6] = dz[6] + [0.05, 0, 0]  # a slip the rest of the work carries
    x = {t: value(trace, f"x[{t}]") for t in range(1, 7)}
    total = sum(np.outer(np.round(dz[t], 3), x[t]) for t in range(1, 7))
    lines = ["examples:", "  1:"] + [f'    "dL/dz[{t}]": {w(dz[t])}' for t in range(1, 7)]
    lines += [f'    "dL/dW_xh": {w(total)}']
    answers = marked(tmp_path, "\n".join(lines) + "\n")
    assert answers[("dL/dz[6]", 1)]["verdict"] == "wrong"
    assert answers[("dL/dW_xh", 1)]["verdict"] == "carried_forward"


def test_a_blank_step_under_a_written_sum_is_redone_from_the_students_numbers(tmp_path, trace):
    do = value(trace, "dL/do[6]") + 0.1
    text = f"examples:\n  1:\n    dL/do[6]: {w(do)}\n    dL/dW_hy: {w(np.outer(np.round(do, 3), value(trace, 'h[6]')))}\n"
    answers = marked(tmp_path, text)
    assert answers[("dL/do[6]", 1)]["verdict"] == "wrong"
    assert answers[("dL/dW_hy", 1)]["verdict"] == "carried_forward"


def test_a_partly_blank_vector_is_used_for_checking_and_for_what_follows(tmp_path, trace):
    h1 = np.round(value(trace, "h[1]"), 3)
    h1[0] += 0.02
    W_xh, W_hh, b = (np.asarray(trace.value(n), dtype=float) for n in ("W_xh", "W_hh", "b_h"))
    z2 = W_xh @ value(trace, "x[2]") + W_hh @ h1 + b
    text = f"answers:\n  h[1]: [{h1[0]:.3f}, ~, {h1[2]:.3f}]\n  z[2]: {w(z2)}\n"
    answers = marked(tmp_path, text)
    assert answers[("h[1]", 1)]["verdict"] == "wrong" and answers[("h[1]", 1)]["off"] == [[0]]
    assert answers[("h[1]", 1)]["blank"] == [[1]]
    assert answers[("z[2]", 1)]["verdict"] == "carried_forward"


def test_products_rounded_or_truncated_before_they_are_added_are_honest(tmp_path, trace):
    W_xh, W_hh, b = (np.asarray(trace.value(n), dtype=float) for n in ("W_xh", "W_hh", "b_h"))
    found = 0
    for t in range(2, 7):
        h, x = np.round(value(trace, f"h[{t - 1}]"), 3), value(trace, f"x[{t}]")
        for cut in (lambda a: np.trunc(a * 1000 + 1e-9) / 1000, lambda a: np.floor(a * 1000 + 0.5 + 1e-9) / 1000):
            z = cut(cut(cut(W_xh * x).sum(axis=1)) + cut(cut(W_hh * h).sum(axis=1)) + b)
            text = f"answers:\n  h[{t - 1}]: {w(h)}\n  z[{t}]: {w(z)}\n"
            answers = marked(tmp_path, text)
            assert answers[(f"z[{t}]", 1)]["verdict"] in ("correct", "carried_forward"), (t, z)
            found += np.abs(z - value(trace, f"z[{t}]")).max() > 1e-3
    assert found  # at least one case where the rounding inside the step shows beyond the tolerance


def test_delta_o_by_the_chain_rule_is_accepted(tmp_path, trace):
    y = round(float(value(trace, "y_hat[6]")[0]), 3)
    g, s = round(-1 / y, 3), round(y * (1 - y), 3)
    text = f"answers:\n  y_hat[6]: {y}\n  dL/dy_hat[6]: {g}\n  dy_hat/do[6]: {s}\n  dL/do[6]: {g * s:.3f}\n"
    answers = marked(tmp_path, text)
    assert {answers[k]["verdict"] for k in answers} <= {"correct", "carried_forward"}


@pytest.mark.parametrize("places", [4, 6, 17])
def test_round_3_on_precise_work_and_on_the_key_itself(tmp_path, trace, places):
    from tests.test_check_trust import full_sheet
    fmt = repr if places == 17 else (lambda x: f"{x:.{places}f}")
    path = tmp_path / "p.yaml"
    path.write_text(full_sheet(trace, fmt))
    result = CliRunner().invoke(main, ["check", SCENARIO, str(path), "--round", "3", "--width", "200"])
    assert result.exit_code == 0 and "157 of 157 correct" in result.stdout, result.stdout[-2000:]
    key = run(load_scenario(SCENARIO), __import__("bptt_trace.numbers.systems", fromlist=["HandDecimal"]).HandDecimal(3))
    path.write_text(full_sheet(key, lambda x: f"{x:.3f}"))
    result = CliRunner().invoke(main, ["check", SCENARIO, str(path), "--round", "3"])
    assert result.exit_code == 0


def test_column_vectors_and_matrix_shapes(tmp_path, trace):
    h1 = np.round(value(trace, "h[1]"), 3)
    column = "[" + ", ".join(f"[{x:.3f}]" for x in h1) + "]"
    answers = marked(tmp_path, f"answers:\n  h[1]: {column}\n  y_hat[6]: {value(trace, 'y_hat[6]')[0]:.3f}\n")
    assert answers[("h[1]", 1)]["verdict"] == "correct" and answers[("y_hat[6]", 1)]["verdict"] == "correct"
    love = run(load_scenario(LOVE))
    new = np.asarray(love.value("W_xh_new"), dtype=float)
    assert new.shape == (3, 2)
    answers = marked(tmp_path, f"updated:\n  W_xh: {w(new.T)}\n  W_hy: {w(np.asarray(love.value('W_hy_new')).ravel())}\n",
                     scenario=LOVE)
    a = answers[("W_xh_new", None)]
    assert a["verdict"] == "malformed" and a["problem"] == "expected 3×2 (3 rows of 2 numbers), got 2×3 (2 rows of 3 numbers)"
    assert a["misconception"] == "transposed"
    b = answers[("W_hy_new", None)]
    assert b["verdict"] == "malformed" and "expected 2×3" in b["problem"] and "6 numbers" in b["problem"]
