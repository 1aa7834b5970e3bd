"""The command line: help, version, output formats, colour rules, exit codes, lazy imports."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bptt_trace.version import __version__
from bptt_trace.cli import main
from bptt_trace.printing import wants_color
from tests.conftest import ROOT

SENTIMENT = str(ROOT / "scenarios" / "sentiment.yaml")


def invoke(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"bptt-trace, version {__version__}"


@pytest.mark.parametrize("command", [[], ["run"]])
def test_every_command_has_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_run_prints_the_worked_example_plain_when_piped():
    result = invoke("run", SENTIMENT, "--width", "100")
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b[" not in out
    assert "Timestep 2: word = love, x_2 = [0.4, 0.1, 0.5]" in out
    assert "0.2×0.4 + 0.4×0.1 + 0.1×0.5   = 0.08 + 0.04 + 0.05   = 0.170" in out  # the hand calculation
    assert "0.3×0.226 + 0.2×0.310 + 0.1×0.264   = 0.0678 + 0.0620 + 0.0264   = 0.156" in out
    assert "loss = −[y·ln ŷ + (1 − y)·ln(1 − ŷ)] = -ln(0.685) = 0.378" in out


def test_color_can_be_forced_and_is_off_when_piped():
    colored, plain = invoke("run", SENTIMENT, "--color").stdout, invoke("run", SENTIMENT).stdout
    assert "\x1b[" in colored and "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain  # same characters, only styled


@pytest.mark.parametrize("flag,tty,env,want", [
    (None, True, {}, True), (None, False, {}, False), (None, True, {"NO_COLOR": "1"}, False),
    (None, True, {"TERM": "dumb"}, False), (True, False, {"NO_COLOR": "1"}, True), (False, True, {}, False)])
def test_color_rules(flag, tty, env, want):
    assert wants_color(flag, tty, env) is want


def test_decimals_change_only_the_display():
    out = invoke("run", SENTIMENT, "--decimals", "4", "--round", "off", "--width", "120").stdout
    assert "0.3×0.2260 + 0.2×0.3095 + 0.1×0.2636   = 0.06781 + 0.06190 + 0.02636   = 0.1561" in out


def test_json_holds_the_canonical_names_in_full_precision():
    result = invoke("run", SENTIMENT, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["scenario"] == "sentiment"
    ex1 = doc["examples"][0]
    assert ex1["tokens"] == ["i", "love", "this", "book", "its", "amazing"] and ex1["target"] == 1
    assert ex1["values"]["h[1]"] == pytest.approx([math.tanh(0.23), math.tanh(0.32), math.tanh(0.27)], rel=1e-15)
    for name in ["x[1]", "z[6]", "h[0]", "o[6]", "y_hat[6]", "loss", "dL/do[6]", "dL/dh[3]", "dL/dz[1]",
                 "dL/dh[0]", "dL/dW_xh[2]", "dL/dW_hh[2]", "dL/dx[4]", "dL/dW_xh", "dL/dW_hh", "dL/db_h",
                 "dL/dW_hy", "dL/db_y", "dL/de[love]"]:
        assert name in ex1["values"], name
    assert not any(" " in name for name in ex1["values"])
    assert set(doc["total"]) == {"loss", "dL/dW_xh", "dL/dW_hh", "dL/db_h", "dL/dW_hy", "dL/db_y"}
    assert set(doc["updated"]) == {"W_xh", "W_hh", "b_h", "W_hy", "b_y"}
    assert doc["total"]["loss"] == pytest.approx(ex1["values"]["loss"] + doc["examples"][1]["values"]["loss"])
    w, g = [[0.3, 0.2, 0.4]], doc["total"]["dL/dW_hy"]
    assert doc["updated"]["W_hy"][0] == pytest.approx([w[0][j] - 0.1 * g[0][j] for j in range(3)], abs=1e-15)


def test_example_option_traces_one_example():
    doc = json.loads(invoke("run", SENTIMENT, "--format", "json", "--example", "2").stdout)
    assert [e["example"] for e in doc["examples"]] == [2]
    assert doc["total"]["loss"] == doc["examples"][0]["values"]["loss"]


def test_example_out_of_range_is_bad_input():
    result = invoke("run", SENTIMENT, "--example", "3")
    assert result.exit_code == 2 and "--example must be from 1 to 2" in result.stderr


def test_overflow_is_bad_input_with_a_message(write):
    path = write((ROOT / "scenarios" / "sentiment.yaml").read_text().replace("[[0.3, 0.2, 0.4]]", "[[900, 900, 900]]"))
    result = invoke("run", str(path), "--round", "off")
    assert result.exit_code == 2 and "overflowed" in result.stderr and "nan" not in result.stdout
    result = invoke("run", str(path))  # the hand calculation: ŷ rounds to 1, so ln(1 − ŷ) has no value
    assert result.exit_code == 2 and "the log of a value that rounds to 0" in result.stderr


def test_large_model_is_elided_and_says_how_to_see_all(write):
    import numpy as np
    rng = np.random.default_rng(0)
    m = lambda r, c: [[round(float(v), 2) for v in row] for row in rng.uniform(-0.3, 0.3, (r, c))]  # noqa: E731
    doc = {"name": "big", "model": {"hidden_size": 12, "output": "sigmoid", "loss": "bce"},
           "parameters": {"W_xh": m(12, 10), "W_hh": m(12, 12), "b_h": m(1, 12)[0], "W_hy": m(1, 12), "b_y": [0]},
           "examples": [{"inputs": m(3, 10), "target": 1}]}
    path = write(json.dumps(doc))
    out = invoke("run", str(path), "--width", "120").stdout
    assert "… " in out and "--full shows every entry" in out
    full = invoke("run", str(path), "--full", "--width", "400").stdout
    assert "--full shows every entry" not in full


def test_default_run_never_imports_sympy():
    code = ("import sys; from bptt_trace.cli import main\n"
            "try:\n    main(['run', %r], standalone_mode=False)\nfinally:\n"
            "    sys.stdout.flush(); assert 'sympy' not in sys.modules, 'sympy imported'" % SENTIMENT)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_python_dash_m_works():
    proc = subprocess.run([sys.executable, "-m", "bptt_trace", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_round_option_and_drift():
    result = invoke("run", SENTIMENT, "--round", "3", "--width", "100")
    assert result.exit_code == 0
    out = result.stdout
    assert "0.3×0.226 + 0.2×0.310 + 0.1×0.264   = 0.0678 + 0.0620 + 0.0264   = 0.156" in out
    assert "Drift from full precision (hand-rounded to 3 decimals" in out
    doc = json.loads(invoke("run", SENTIMENT, "--round", "3", "--format", "json").stdout)
    assert doc["number_system"] == "hand-rounded to 3 decimals"
    assert doc["examples"][0]["values"]["h[2]"] == [0.402, 0.611, 0.572]
    assert {r["name"] for r in doc["drift"]} >= {"loss", "dL/dW_hh", "W_hh_new"}


def test_round_from_the_scenario_and_off(write):
    path = write((ROOT / "scenarios" / "sentiment.yaml").read_text() + "display:\n  round: 2\n  round_mode: truncate\n")
    doc = json.loads(invoke("run", str(path), "--format", "json").stdout)
    assert doc["number_system"] == "hand-truncated to 2 decimals"
    off = json.loads(invoke("run", str(path), "--format", "json", "--round", "off").stdout)
    assert off["number_system"] == "float64"


def test_exact_mode_output_and_json():
    out = invoke("run", SENTIMENT, "--exact", "--width", "100").stdout
    assert "13/100 + 0 + 1/10   = 23/100" in out and "tanh(23/100)   = tanh(23/100) ≈ 0.226028" in out
    assert "Named values" in out
    doc = json.loads(invoke("run", SENTIMENT, "--exact", "--digits", "8", "--format", "json").stdout)
    ex = doc["examples"][0]
    assert ex["exact"]["z[1]"] == ["23/100", "8/25", "27/100"] and ex["exact"]["h[1]"][0] == "tanh(23/100)"
    assert ex["values"]["h[1]"][0] == pytest.approx(math.tanh(0.23), rel=1e-15)
    assert set(doc["symbols"]) and all("definition" in s for s in doc["symbols"].values())


def test_exact_and_round_together_is_bad_input():
    result = invoke("run", SENTIMENT, "--exact", "--round", "3")
    assert result.exit_code == 2 and "cannot be used together" in result.stderr


def test_bad_round_value():
    result = invoke("run", SENTIMENT, "--round", "three")
    assert result.exit_code == 2 and "whole number of decimals" in result.stderr


def test_notation_option():
    out = invoke("run", SENTIMENT, "--notation", "wi-wh-wo").stdout
    assert "s_2 = Wi·x_2 + Wh·O_1 + b" in out and "W_hh" not in out


def test_paths_option_terminal_and_json():
    out = invoke("run", SENTIMENT, "--paths", "W_hh[1,2]", "--example", "1").stdout
    assert "path t=5: ∂L/∂ŷ_6 · ∂ŷ/∂o_6 · ∂o_6/∂h_6 · ∂h_6/∂h_5 · ∂h_5/∂W_hh" in out
    assert "the paths and BPTT agree" in out
    doc = json.loads(invoke("run", SENTIMENT, "--paths", "b_h", "--format", "json").stdout)
    assert doc["param"] == "b_h" and [e["agrees"] for e in doc["examples"]] == [True, True]
    assert len(doc["examples"][0]["paths"]) == 6 and "dh[6]/dh[5]" in doc["examples"][0]["jacobians"]
    bad = invoke("run", SENTIMENT, "--paths", "W_zz")
    assert bad.exit_code == 2 and "--paths: expected one of W_hh, W_xh, b_h" in bad.stderr


def test_terminal_width_follows_columns_then_the_terminal():
    from bptt_trace.printing import terminal_width
    assert terminal_width({"COLUMNS": "132"}) == 132
    assert terminal_width({"COLUMNS": "wide"}) >= 1  # not a number: the terminal's width, else 80
    assert terminal_width({}) >= 1


def test_colour_is_written_as_rich_writes_it_without_loading_rich():
    from rich.console import Console
    from rich.text import Text

    from bptt_trace.jobs import blocks, prepare
    from bptt_trace.printing import sgr_codes
    from bptt_trace.render.terminal import TerminalWriter
    lines = list(TerminalWriter(100).write(blocks(prepare(SENTIMENT, readers="people"))))
    text = Text(no_wrap=True, overflow="ignore")
    for line in lines:
        text.append(line.text + "\n", style=line.style or None)
    console = Console(width=100, force_terminal=True, highlight=False, color_system="standard", record=False,
                      file=__import__("io").StringIO())
    console.print(text, end="", soft_wrap=True)
    assert invoke("run", SENTIMENT, "--color", "--width", "100").stdout == console.file.getvalue()
    assert sgr_codes("bold cyan") == "1;36" and sgr_codes("red on bright_white") == "31;107"
    assert sgr_codes("#ff0000") is None and sgr_codes("") == ""
    probe = ("import sys; from bptt_trace.cli import main\ntry:\n main(['run', sys.argv[1], '--color'], standalone_mode=False)"
             "\nfinally:\n print('RICH' if 'rich.console' in sys.modules else 'NORICH', file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe, SENTIMENT], capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.strip().endswith("NORICH")
