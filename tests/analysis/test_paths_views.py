"""The lecture's path views: the output weights' chain ∂L/∂ŷ · ∂ŷ/∂o · ∂o/∂W_hy, and the notation's names."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from bptt_trace import jobs
from bptt_trace.cli import main
from tests.conftest import ROOT


@pytest.mark.parametrize("name", ["sentiment", "time_series", "i_love_ai"])
@pytest.mark.parametrize("param", ["W_hy", "b_y"])
def test_the_output_weights_paths_sum_to_the_bptt_gradient(name, param):
    job = jobs.prepare(str(ROOT / "scenarios" / f"{name}.yaml"), paths=param)
    for ex in job.report.examples:
        sc_ex = job.trace.scenario.examples[ex.example - 1]
        assert [p.output_step for p in ex.paths] == list(job.trace.scenario.loss_steps(sc_ex))
        assert all(p.factors[-1] == f"do[{p.output_step}]/d{param}" and len(p.factors) == 3 for p in ex.paths)
        assert ex.agrees and ex.max_abs_difference < 1e-14 and not ex.jacobians
        s = ex.paths[-1].output_step
        d_o = np.asarray(job.trace.value(f"dL/do[{s}]", ex.example), dtype=float)
        h = np.asarray(job.trace.value(f"h[{s}]", ex.example), dtype=float)
        np.testing.assert_allclose(ex.paths[-1].value, np.outer(d_o, h) if param == "W_hy" else d_o, atol=1e-15)


def test_paths_take_the_notation_s_names():
    runner = CliRunner()
    path = str(ROOT / "scenarios" / "sentiment.yaml")
    result = runner.invoke(main, ["run", path, "--paths", "Wh", "--notation", "wi-wh-wo"])
    assert result.exit_code == 0, result.output
    assert "path t=5: ∂L/∂ŷ_6 · ∂ŷ/∂v_6 · ∂v_6/∂O_6 · ∂O_6/∂O_5 · ∂O_5/∂Wh" in result.output
    assert "the paths and BPTT agree" in result.output and "W_hh" not in result.output
    out = runner.invoke(main, ["run", path, "--paths", "Wo[1,2]", "--notation", "wi-wh-wo"]).output
    assert "path t=6: ∂L/∂ŷ_6 · ∂ŷ/∂v_6 · ∂v_6/∂Wo" in out
    bad = runner.invoke(main, ["run", path, "--paths", "Wh"])
    assert bad.exit_code == 2 and "expected one of W_hh, W_xh, b_h, W_hy, b_y" in bad.output
