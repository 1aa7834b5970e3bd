"""Notations: every preset renders with no canonical name leaking; parameters may use its names."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bptt_trace.networks.run import run
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.notation import PRESETS, parameter_aliases, symbols
from bptt_trace.analysis.paths import chain_paths
from bptt_trace.render.labels import Labels
from bptt_trace.render.paths_view import PathsWorksheet
from bptt_trace.render.terminal import TerminalWriter
from tests.conftest import ROOT, SENTIMENT

CANONICAL = re.compile(r"W_xh|W_hh|W_hy|b_h|b_y")


@pytest.mark.parametrize("preset", ["wi-wh-wo", "uvw"])
@pytest.mark.parametrize("scenario", ["sentiment", "i_love_ai", "time_series"])
def test_no_canonical_name_leaks(preset, scenario):
    trace = run(load_scenario(ROOT / "scenarios" / f"{scenario}.yaml"))
    sheet, writer = PathsWorksheet(labels=Labels(preset)), TerminalWriter(200)
    text = "\n".join(line.text for line in writer.write(sheet.build(trace, [1])))
    paths = sheet.build_paths(chain_paths(trace, "W_hh", None, [1]), trace)
    text += "\n".join(line.text for line in writer.write(paths))
    assert not CANONICAL.search(text), CANONICAL.search(text)
    sym = symbols(preset)
    for canonical in ("h", "z", "o"):
        if sym[canonical] != canonical:
            assert not re.search(rf"(?<![\w∂δ]){canonical}_\d|δ{canonical}_", text), canonical
    assert f"{sym['W_hh']}·" in text


def test_scenario_parameters_in_the_chosen_notation(write):
    text = SENTIMENT.replace("parameters:", "notation: uvw\nparameters:")
    for canonical, shown in (("W_xh", "U"), ("W_hh", "W"), ("W_hy", "V"), ("b_h", "b"), ("b_y", "c")):
        text = text.replace(f"  {canonical}:", f"  {shown}:")
    sc = load_scenario(write(text))
    base = load_scenario(ROOT / "scenarios" / "sentiment.yaml")
    assert sc.parameters == base.parameters and sc.display.notation == "uvw"
    assert np.allclose(run(sc).value("W_hh_new"), run(base).value("W_hh_new"))


def test_notation_mapping_and_both_names_refused(write):
    from bptt_trace.errors import InputError
    text = SENTIMENT.replace("parameters:", "notation: {W_hh: R}\nparameters:")
    assert load_scenario(write(text)).display.notation == {"W_hh": "R"}
    with pytest.raises(InputError, match="'R' and 'W_hh' both give W_hh"):
        load_scenario(write(text.replace("  b_y:  [0.1]", "  b_y:  [0.1]\n  R: [[0, 0, 0], [0, 0, 0], [0, 0, 0]]")))
    with pytest.raises(InputError, match="notation.W_q: unknown key"):
        load_scenario(write(SENTIMENT.replace("parameters:", "notation: {W_q: R}\nparameters:")))


def test_presets_are_complete():
    for preset in PRESETS:
        shown = symbols(preset)
        assert len(set(shown.values())) == len(shown)  # no two symbols look alike
        assert set(parameter_aliases(preset).values()) <= {"W_xh", "W_hh", "W_hy", "b_h", "b_y"}


def test_default_renderer_labels():
    trace = run(load_scenario(ROOT / "scenarios" / "sentiment.yaml"))
    text = "\n".join(line.text for line in TerminalWriter().write(PathsWorksheet().build(trace, [1])))
    assert "z_2 = W_xh·x_2 + W_hh·h_1 + b_h" in text and "δz_6 = δh_6 ⊙ f′(z_6)" in text
