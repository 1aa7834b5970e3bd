"""The lecture's views: the eigenvalue rule in `gradients`, the loss curve of `train -o FILE.svg`."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from click.testing import CliRunner

from bptt_trace.analysis.gradient_flow import gradient_flow
from bptt_trace.cli import main
from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT


def test_gradients_state_the_eigenvalue_rule_and_what_this_sequence_shows():
    out = CliRunner().invoke(main, ["gradients", str(ROOT / "scenarios" / "sentiment.yaml"), "--width", "200"]).output
    assert "spectral radius of W_hh is 0.830 < 1, so the rule predicts vanishing gradients over long sequences" in out
    assert "Over this sequence's 6 steps the reading is stable." in out
    assert "about 0.427 per step, the gradient would vanish (pass 0.001) after about 9 steps" in out
    flow = gradient_flow(run(load_scenario(ROOT / "scenarios" / "sentiment.yaml")), 1)
    assert flow.per_step ** flow.steps_to_reading < 1e-3 < flow.per_step ** (flow.steps_to_reading - 1)
    exploding = CliRunner().invoke(main, ["gradients", str(ROOT / "scenarios" / "exploding.yaml"),
                                          "--width", "200"]).output
    assert re.search(r"spectral radius of W_hh is [\d.]+ > 1, so the rule allows exploding", exploding)


def test_train_draws_the_loss_curve_as_svg_and_says_so(tmp_path):
    out = tmp_path / "loss.svg"
    result = CliRunner().invoke(main, ["train", str(ROOT / "scenarios" / "xor.yaml"), "--epochs", "30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    svg = ElementTree.fromstring(out.read_text())
    assert svg.tag.endswith("svg")
    texts = [t.text for t in svg.iter() if t.tag.endswith("text")]
    assert "epoch" in texts and "total loss" in texts and any("loss per epoch" in (t or "") for t in texts)
    line = next(e for e in svg.iter() if e.tag.endswith("polyline"))
    assert len(line.get("points").split()) == 30
    again = CliRunner().invoke(main, ["train", str(ROOT / "scenarios" / "xor.yaml"), "--epochs", "3", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_gradients_svg_says_wrote(tmp_path):
    out = tmp_path / "flow.svg"
    result = CliRunner().invoke(main, ["gradients", str(ROOT / "scenarios" / "sentiment.yaml"), "-o", str(out)])
    assert result.exit_code == 0 and f"wrote {out}" in result.stderr and out.read_text().startswith("<svg")
