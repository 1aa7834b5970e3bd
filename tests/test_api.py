"""The Python API: the same numbers and documents as the command line, numpy values by canonical name,
ScenarioError with the command line's message, display in Jupyter, and a lazy import."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner

import bptt_trace as bt
from bptt_trace.cli import main
from bptt_trace.marking.answers_dict import answers_yaml
from tests.conftest import ROOT

SENTIMENT = str(ROOT / "scenarios" / "sentiment.yaml")


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_importing_the_package_does_not_import_the_api_nor_does_run():
    code = ("import sys, bptt_trace as bt; assert 'bptt_trace.api' not in sys.modules; "
            "assert callable(bt.trace) and bt.trace.__module__ == 'bptt_trace.api'; "
            "assert 'bptt_trace.api' in sys.modules; print(sorted(set(bt.__all__) - set(dir(bt))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = ("import sys, atexit; atexit.register(lambda: print(sorted(m for m in sys.modules if m in "
            "('bptt_trace.api', 'bptt_trace.results')), file=sys.stderr)); from bptt_trace.cli import main; "
            "main(['run', 'sentiment'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stderr.strip() == "[]"


def test_unknown_attributes_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        bt.nope  # noqa: B018


def test_load_by_name_or_path():
    assert bt.load("sentiment") == bt.load(SENTIMENT)
    assert isinstance(bt.load("xor"), bt.Scenario)


def test_errors_carry_the_message_the_command_line_prints(tmp_path):
    broken = tmp_path / "b.yaml"
    broken.write_text((ROOT / "scenarios" / "sentiment.yaml").read_text().replace("hidden_size: 3", "hidden_size: x"))
    for call, args in [(lambda: bt.load(broken), ["run", str(broken)]),
                       (lambda: bt.load("sentimnt"), ["run", "sentimnt"]),
                       (lambda: bt.trace("sentiment", example=9), ["run", "sentiment", "--example", "9"]),
                       (lambda: bt.gradients("xor"), ["gradients", "xor"])]:
        with pytest.raises(bt.ScenarioError) as caught:
            call()
        printed = cli(*args).stderr
        assert printed == f"bptt-trace: error: {caught.value.message}\n" and str(caught.value) == caught.value.message


@pytest.mark.parametrize("call, message", [
    (lambda: bt.trace("sentiment", round=13), "round: expected a whole number of decimals from 0 to 12"),
    (lambda: bt.trace("sentiment", round=3, round_mode="chop"), "round_mode: expected one of round, truncate"),
    (lambda: bt.trace("sentiment", round=3, exact=True), "--exact and --round cannot be used together"),
    (lambda: bt.train("xor", update="online"), "update: expected one of batch, example"),
    (lambda: bt.train("xor", epochs=3, trace_epoch=4), "--trace-epoch must be at most the number of epochs (3)"),
    (lambda: bt.check("sentiment", {"answers": {}}, tolerance="abs=x"), "--tolerance"),
])
def test_bad_options_raise_scenario_errors(call, message):
    with pytest.raises(bt.ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_a_trace_gives_numpy_values_by_canonical_name_as_the_json_does():
    tr = bt.trace("sentiment")
    doc = json.loads(cli("run", "sentiment", "--format", "json").stdout)
    assert tr.to_dict() == doc and tr.examples == [1, 2] and tr.number_system == "float64"
    for k, example in enumerate(doc["examples"], start=1):
        values = tr.values(k)
        assert list(values) == list(example["values"])
        for name, value in example["values"].items():
            assert isinstance(values[name], np.ndarray) and values[name].dtype == float
            np.testing.assert_array_equal(values[name], np.asarray(value))
    np.testing.assert_array_equal(tr["dL/dW_hh"], doc["total"]["dL/dW_hh"])
    np.testing.assert_array_equal(tr["W_hy_new"], doc["updated"]["W_hy"])
    with pytest.raises(KeyError, match=r"recorded for examples 1, 2: use .value\('h\[1\]', example=N\)"):
        tr["h[1]"]  # noqa: B018
    with pytest.raises(KeyError, match=r"'h\[9\]' is not recorded for example 2; did you mean"):
        tr.value("h[9]", example=2)


def test_hand_rounded_and_exact_values_are_float_arrays():
    rounded = bt.trace("sentiment", round=3, example=1)
    assert rounded["h[1]"].tolist() == [0.226, 0.31, 0.264] and rounded["y_hat[6]"].tolist() == [0.685]
    exact = bt.trace("sentiment", exact=True, example=1)
    assert exact["z[1]"].tolist() == [0.23, 0.32, 0.27] and exact.number_system == "exact"
    assert abs(exact["loss"] - bt.trace("sentiment", example=1)["loss"]) < 1e-12


def test_documents_equal_the_exports(tmp_path):
    tr = bt.trace("xor", round=3)
    cli("export", "xor", "-o", str(tmp_path / "w.md"), "--round", "3", "--no-figures")  # the API draws no SVG files
    assert tr.markdown() == (tmp_path / "w.md").read_text()
    assert tr.markdown() == cli("export", "xor", "-o", "-", "--round", "3").stdout
    assert tr.latex() == cli("export", "xor", "-o", "-", "--round", "3", "--format", "latex").stdout
    blank = cli("export", "xor", "-o", "-", "--round", "3", "--blank", "backward").stdout
    assert tr.markdown(blank="backward") == blank != tr.markdown()
    assert tr.text(width=100) == cli("run", "xor", "--round", "3", "--width", "100").stdout
    assert tr._repr_markdown_() == tr.markdown() and "$" in tr.markdown()


def test_check_takes_a_dict_or_a_file_and_marks_them_alike(tmp_path):
    sheet = {"example": 1, "answers": {"h[1]": ["0.226", "0.310", "0.264"], "z[2]": [0.5, 0.6, 0.5],
                                       "loss": None}, "total": {"loss": "1.512"}}
    path = tmp_path / "ada.yaml"
    path.write_text(answers_yaml(sheet))
    by_dict, by_file = bt.check("sentiment", sheet), bt.check("sentiment", path)
    expected = {"h[1] (example 1)": "correct", "z[2] (example 1)": "wrong", "loss (example 1)": "unanswered",
                "loss": "correct"}
    assert by_dict.verdicts == by_file.verdicts == expected and by_dict.has_wrong
    assert by_dict.counts["wrong"] == 1 and by_dict.report.first_mistake.name == "z[2]"
    from_cli = json.loads(cli("check", "sentiment", str(path), "--format", "json").stdout)
    assert by_file.to_dict() == from_cli
    assert [a["verdict"] for a in by_dict.to_dict()["sheets"][0]["answers"]] == \
        [a["verdict"] for a in from_cli["sheets"][0]["answers"]]
    both = bt.check("sentiment", [sheet, path])
    assert len(both.reports) == 2 and "answers 1" in both.markdown() and "ada" in both.markdown()
    assert "wrong" in by_dict._repr_markdown_() and "$h_{1}" in by_dict._repr_markdown_()


def test_answers_from_python_values_keep_what_was_written():
    text = answers_yaml({"answers": {"h[1]": np.array([0.25, 1.0]), "a": Fraction(1, 3), "b": "0.310", "c": None,
                                     "d": True, "e": "x y", "f": np.float64(2.5)}, "examples": {2: {"z[1]": 1}}})
    assert text == ('{"answers": {"h[1]": [0.25, 1.0], "a": 1/3, "b": 0.310, "c": ~, "d": "true", "e": "x y", '
                    '"f": 2.5}, "examples": {"2": {"z[1]": 1}}}\n')
    with pytest.raises(TypeError):
        answers_yaml([1, 2])


def test_train_and_gradients_give_what_the_commands_give(tmp_path):
    report = bt.train("xor", epochs=100, update="example")
    assert json.loads(report.to_json()) == json.loads(cli("train", "xor", "--epochs", "100", "--update", "example",
                                                          "--format", "json").stdout)
    assert len(report.epoch_losses) == 100 and report.parameters.keys() == {"W_1", "b_1", "W_2", "b_2"}
    assert "$" in report._repr_markdown_() and "Loss per epoch" in report.markdown()
    flow = bt.gradients("vanishing")
    assert flow.reading == "vanishing" and flow.to_json() == cli("gradients", "vanishing", "--format", "json").stdout
    cli("gradients", "vanishing", "-o", str(tmp_path / "f.svg"))
    assert flow.svg() == (tmp_path / "f.svg").read_text()
    assert "vanishing" in flow._repr_markdown_()
    assert repr(flow) == "<bptt_trace.GradientReport of 'vanishing': vanishing>"


def test_scenarios_lists_the_bundled_ones():
    listed = bt.scenarios()
    assert list(listed)[:3] == ["birnn_sentiment", "exploding", "gru_sentiment"] and len(listed) == 11
    assert listed["xor"].startswith("Backpropagation in a feedforward network")


def test_options_without_effect_warn_in_python_terms(capsys):
    with pytest.warns(UserWarning, match="round_mode has no effect without round=K"):
        plain = bt.trace("sentiment", round_mode="truncate", example=1)
    with pytest.warns(UserWarning, match="digits has no effect without exact=True"):
        bt.trace("sentiment", digits=4, example=1)
    assert capsys.readouterr().err == "" and plain.number_system == "float64"


def test_a_trace_draws_its_unrolled_network_for_a_notebook():
    import xml.etree.ElementTree as ET
    tr = bt.trace("sentiment")
    pic = tr.draw(example=2)
    ET.fromstring(pic._repr_svg_())  # well-formed SVG
    assert pic.svg == cli("draw", "sentiment", "--example", "2", "-o", "-", "--round", "off").stdout
    with pytest.raises(bt.ScenarioError, match="phase: expected forward, backward or both"):
        tr.draw(phase="sideways")
