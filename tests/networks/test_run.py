"""Gradient clipping: by norm keeps the direction and caps the norm; by value clamps each entry."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace.networks.run import run
from bptt_trace.cli import main
from bptt_trace.errors import InputError
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.spec import PARAMETER_NAMES
from bptt_trace.analysis.training import train
from tests.conftest import ROOT, SENTIMENT
from tests.reference import reference

EXPLODING = ROOT / "scenarios" / "exploding.yaml"


def grads(trace, suffix=""):
    return {p: np.asarray(trace.value(f"dL/d{p}{suffix}"), dtype=float) for p in PARAMETER_NAMES}


def joint_norm(g: dict) -> float:
    return float(np.sqrt(sum(np.sum(v ** 2) for v in g.values())))


def test_norm_clipping_keeps_the_direction_and_caps_the_norm():
    trace = run(load_scenario(EXPLODING))
    raw, clipped = grads(trace), grads(trace, " (clipped)")
    assert joint_norm(raw) > 1
    assert trace.value("‖∇L‖") == pytest.approx(joint_norm(raw), rel=1e-12)
    assert joint_norm(clipped) == pytest.approx(1.0, rel=1e-12) == trace.value("‖∇L‖ (clipped)")
    factor = trace.value("clip_factor")
    for p in PARAMETER_NAMES:
        assert np.allclose(clipped[p], raw[p] * factor, rtol=1e-12)
    flat_raw = np.concatenate([v.ravel() for v in raw.values()])
    flat_clipped = np.concatenate([v.ravel() for v in clipped.values()])
    assert np.dot(flat_raw, flat_clipped) / (np.linalg.norm(flat_raw) * np.linalg.norm(flat_clipped)) == pytest.approx(1)


def test_under_the_limit_nothing_changes(write):
    sc = load_scenario(write(SENTIMENT.replace("  reduction: sum", "  reduction: sum\n  clip: {norm: 100}")))
    trace = run(sc)
    assert trace.value("clip_factor") == 1.0
    for p in PARAMETER_NAMES:
        assert np.array_equal(grads(trace)[p], grads(trace, " (clipped)")[p])


def test_value_clipping_and_the_update_use_the_clipped_gradient(write):
    sc = load_scenario(write(SENTIMENT.replace("  reduction: sum", "  reduction: sum\n  clip: {value: 0.05}")))
    trace = run(sc)
    ref = reference(sc)
    for p in PARAMETER_NAMES:
        want = np.clip(ref["total"][f"dL/d{p}"], -0.05, 0.05)
        assert np.allclose(trace.value(f"dL/d{p} (clipped)"), want, rtol=1e-12, atol=1e-15)
        old = np.array(sc.parameters[p], dtype=float)
        assert np.allclose(trace.value(f"{p}_new"), old - 0.1 * want, rtol=1e-12, atol=1e-15)


def test_training_with_norm_clipping_equals_numpy():
    sc = load_scenario(EXPLODING)
    result = train(sc, 5)
    params = {p: np.array(sc.parameters[p], dtype=float) for p in PARAMETER_NAMES}
    for _ in range(5):
        g = reference(sc, params)["total"]
        norm = np.sqrt(sum(np.sum(g[f"dL/d{p}"] ** 2) for p in PARAMETER_NAMES))
        scale = min(1.0, 1.0 / norm)
        params = {p: params[p] - 0.01 * scale * g[f"dL/d{p}"] for p in PARAMETER_NAMES}
    for p in PARAMETER_NAMES:
        assert np.allclose(result.parameters[p], params[p], rtol=1e-9, atol=1e-12)


def test_clipping_in_the_output():
    out = CliRunner().invoke(main, ["run", str(EXPLODING)]).stdout
    assert "gradient clipping by norm: c = 1" in out and "clip factor = min(1, c/‖∇L‖)" in out
    doc = json.loads(CliRunner().invoke(main, ["run", str(EXPLODING), "--format", "json"]).stdout)
    assert doc["clipped"]["norm_after"] == pytest.approx(1.0) and doc["clipped"]["norm_before"] > 1


@pytest.mark.parametrize("clip,message", [("{norm: 1, value: 2}", "give one of norm"), ("{norm: 0}", "above 0"),
                                          ("{size: 1}", "unknown key 'size'")])
def test_bad_clip_settings(write, clip, message):
    with pytest.raises(InputError, match=message):
        load_scenario(write(SENTIMENT.replace("  reduction: sum", f"  reduction: sum\n  clip: {clip}")))


@pytest.mark.parametrize("was_on", [True, False])
def test_the_cycle_collector_is_paused_during_a_run_and_left_as_it_was(was_on, monkeypatch):
    import gc

    from bptt_trace.networks import run as run_module
    seen = []
    real = run_module._run
    monkeypatch.setattr(run_module, "_run", lambda *a: (seen.append(gc.isenabled()), real(*a))[1])
    (gc.enable if was_on else gc.disable)()
    try:
        trace = run_module.run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))
        assert seen == [False] and gc.isenabled() is was_on and trace.has("loss")
    finally:
        gc.enable()
