"""`template --notation` writes the notation's names, and the checker reads them back."""

from __future__ import annotations

import json
import re

import numpy as np
from click.testing import CliRunner

from bptt_trace import jobs

from bptt_trace.cli import main
from bptt_trace.scenario.notation import free_prefix, notation_name
from tests.conftest import ROOT

SENTIMENT = str(ROOT / "scenarios" / "sentiment.yaml")


def test_names_in_a_notation():
    assert [notation_name(n, "wi-wh-wo") for n in ("h[2]", "z[3]", "dL/dW_hh", "dL/dz[3]", "W_hh_new", "dh/dz[3]",
                                                   "dy_hat/do[6]", "y_hat[6]", "loss", "dL/dW_xh[2]")] == \
        ["O[2]", "s[3]", "dL/dWh", "dL/ds[3]", "Wh_new", "dO/ds[3]", "dy_hat/dv[6]", "y_hat[6]", "loss", "dL/dWi[2]"]
    assert notation_name("h[2]", None) == "h[2]"
    assert free_prefix(None) == "s" and free_prefix("wi-wh-wo") == "q"


def filled(text: str, values) -> str:
    """The template with each blank replaced by the full-precision value of the trace."""
    out, section = [], None
    for line in text.splitlines():
        m = re.match(r"^  (\d+):$", line)
        section = int(m.group(1)) if m else ("total" if line == "total:" else "updated" if line == "updated:" else section)
        m = re.match(r'^(\s+)"?([^":]+(?:\[[^\]]*\])?)"?: (.*~.*)$', line)
        if m:
            name = m.group(2) + ("_new" if section == "updated" else "")
            value = np.asarray(values.value(name, section if isinstance(section, int) else None), dtype=float)
            line = f"{m.group(1)}{json.dumps(m.group(2))}: {json.dumps(value.tolist())}"
        out.append(line)
    return "\n".join(out) + "\n"


def test_a_template_in_the_lecture_s_notation_is_marked_all_correct(tmp_path):
    runner = CliRunner()
    canonical, lecture = tmp_path / "c.yaml", tmp_path / "w.yaml"
    assert runner.invoke(main, ["template", SENTIMENT, "-o", str(canonical)]).exit_code == 0
    assert runner.invoke(main, ["template", SENTIMENT, "-o", str(lecture), "--notation", "wi-wh-wo"]).exit_code == 0
    text = lecture.read_text()
    assert '"O[2]"' in text and '"dL/ds[3]"' in text and "  Wh: " in text and '"h[2]"' not in text
    assert '"W_hh·h[1]"' in text and '"W_xh·x[2]"' in text and '"dL/db[3]"' in text  # partial results too
    rows = filled(canonical.read_text(), jobs.prepare(SENTIMENT).trace).splitlines()
    names = [line.split(":")[0] for line in text.splitlines()]
    answers = tmp_path / "answers.yaml"
    answers.write_text("\n".join(n + (":" + r.split(":", 1)[1] if ":" in r and r.split(":", 1)[1].strip() else ":")
                                  for n, r in zip(names, rows)).replace('"scenario":', "scenario:") + "\n")
    result = runner.invoke(main, ["check", SENTIMENT, str(answers), "--notation", "wi-wh-wo", "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    summary = json.loads(result.stdout)["sheets"][0]["summary"]  # the JSON shape of issue 12
    assert summary["unknown"] == 0 and summary["unanswered"] == 0 and summary["malformed"] == 0
    assert summary.get("correct", 0) > 100
