"""Bad input: one clear message naming file, key and line, exit code 2, no traceback; one test per class."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from tests.conftest import ROOT, SENTIMENT

LSTM = (ROOT / "scenarios" / "lstm_sentiment.yaml").read_text()
XOR = (ROOT / "scenarios" / "xor.yaml").read_text()
BIRNN = (ROOT / "scenarios" / "birnn_sentiment.yaml").read_text()


def run_cli(path):
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.stdout == ""  # diagnostics go to stderr only
    return result.exit_code, result.stderr


CASES = [
    ("lstm missing gate", LSTM.replace("  U_o: [[0.2, 0.3], [0.1, 0.2]]\n", ""), ["parameters.U_o", "missing required key 'U_o'"]),
    ("lstm rnn weight", LSTM.replace("  b_o: [0.0, 0.0]\n", "  b_o: [0.0, 0.0]\n  W_hh: [[1]]\n"),
     ["parameters.W_hh", "unknown key 'W_hh'", ":31:3"]),
    ("lstm gate shape", LSTM.replace("U_f: [[0.1, 0.2], [0.3, 0.1]]", "U_f: [[0.1, 0.2, 0.3], [0.3, 0.1, 0.1]]"),
     ["parameters.U_f", "U_f must be 2×2 (hidden_size × hidden_size), got 2×3", ":20:9"]),
    ("lstm activation", LSTM.replace("  cell: lstm\n", "  cell: lstm\n  activation: relu\n"),
     ["model.activation", "an lstm's gates use sigmoid and tanh"]),
    ("lstm bidirectional", LSTM.replace("  cell: lstm\n", "  cell: lstm\n  bidirectional: true\n"),
     ["model.bidirectional", "offered for cell rnn, not lstm"]),
    ("lstm truncate", LSTM.replace("  reduction: sum", "  reduction: sum\n  truncate: 2"),
     ["training.truncate", "vanilla RNN (cell: rnn) only"]),
    ("mlp hidden_size", XOR.replace("  cell: mlp\n", "  cell: mlp\n  hidden_size: 2\n"),
     ["model.hidden_size", "an mlp gives its hidden layers in 'layers'"]),
    ("mlp without layers", XOR.replace("  layers:\n    - {size: 2, activation: sigmoid}\n", ""),
     ["model.layers", "missing required key 'layers'"]),
    ("mlp layer activation", XOR.replace("activation: sigmoid}", "activation: softplus}"),
     ["model.layers[0].activation", "tanh | sigmoid | relu | identity", ":9:29"]),
    ("mlp layer size", XOR.replace("{size: 2,", "{size: 3,"), ["parameters.W_1", "W_1 must be 3×m (layers[0].size × input_size)"]),
    ("mlp text", XOR.replace("  - inputs: [0, 0]", "  - text: a b"), ["examples[0].text", "an mlp example gives 'inputs'"]),
    ("mlp output layer", XOR.replace("W_2: [[-1.2, 1.1]]", "W_2: [[-1.2, 1.1, 0.3]]"),
     ["parameters.W_2", "W_2 must be n×2 (output_size × layers[0].size), got 1×3"]),
    ("birnn output weights", BIRNN.replace("W_hy: [[0.3, 0.2, 0.4, -0.2]]", "W_hy: [[0.3, 0.2]]"),
     ["parameters.W_hy", "W_hy must be n×4 (output_size × 2 × hidden_size), got 1×2"]),
    ("birnn flag", BIRNN.replace("bidirectional: true", "bidirectional: yes please"),
     ["model.bidirectional", "expected true or false, got 'yes please'"]),
    ("rnn layers", SENTIMENT.replace("  cell: rnn\n", "  cell: rnn\n  layers: [2]\n"),
     ["model.layers", "'layers' is for cell mlp; an rnn has one hidden_size"]),
    ("invalid YAML", "name: [unclosed\n", ["invalid YAML", ":2:"]),
    ("empty file", "", ["the file is empty"]),
    ("not a mapping", "- 1\n- 2\n", ["expected a mapping of keys for the file, got a list"]),
    ("missing key", SENTIMENT.replace("parameters:", "params_gone:"), ["unknown key 'params_gone'"]),
    ("missing required", SENTIMENT.replace("  loss: bce\n", ""), ["model.loss", "missing required key 'loss'"]),
    ("unknown key", SENTIMENT.replace("  b_y:  [0.1]", "  b_y:  [0.1]\n  W_hx: [[1]]"),
     ["parameters.W_hx", "did you mean 'W_xh'?", ":30:3"]),
    ("wrong shape", SENTIMENT.replace("[0.1, 0.3, 0.4]]", "[0.1, 0.3]]"),
     ["parameters.W_hh", "W_hh must be 3×3 (hidden_size × hidden_size), got rows of lengths [3, 3, 2]", ":26:10"]),
    ("wrong rows", SENTIMENT.replace("  W_hh: [[0.3, 0.2, 0.1],\n         [0.5, 0.4, 0.2],\n", "  W_hh: [[0.3, 0.2, 0.1],\n"),
     ["W_hh must be 3×3 (hidden_size × hidden_size), got 2×3"]),
    ("not a number", SENTIMENT.replace("b_h:  [0.1, 0.1, 0.1]", "b_h:  [0.1, abc, 0.1]"),
     ["parameters.b_h[1]", "expected a number", "'abc'", ":27:15"]),
    ("quoted number", SENTIMENT.replace("b_y:  [0.1]", "b_y:  ['0.1']"), ["parameters.b_y[0]", "expected a number, got text"]),
    ("missing word", SENTIMENT.replace("i hate this book", "i hates this book"),
     ["examples[1].text", "word 'hates' is not in embeddings", "did you mean 'hate'?"]),
    ("no examples", SENTIMENT.split("examples:")[0] + "examples: []\n", ["examples", "non-empty list"]),
    ("bad target", SENTIMENT.replace("target: 0", "target: 2"), ["examples[1].target", "bce expects targets of 0 or 1"]),
    ("loss/output mismatch", SENTIMENT.replace("loss: bce", "loss: ce"), ["model.loss", "loss 'ce' goes with output softmax, not 'sigmoid'"]),
    ("bad choice", SENTIMENT.replace("activation: tanh", "activation: tahn"), ["model.activation", "did you mean 'tanh'?"]),
    ("python tag", SENTIMENT.replace("name: sentiment", "name: !!python/object/apply:os.system ['echo hi']"),
     ["YAML tag", "not allowed", ":1:"]),
    ("duplicate key", SENTIMENT.replace("  b_y:  [0.1]", "  b_y:  [0.1]\n  b_h: [0, 0, 0]"),
     ["parameters.b_h: duplicate key 'b_h' (first given on line 27)", ":30:3"]),
    ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
     ["anchors and aliases", ":1:"]),
    ("huge exponent", SENTIMENT.replace("b_y:  [0.1]", "b_y:  [1e10000000]"), ["parameters.b_y[0]", "exponent"]),
    ("long number", SENTIMENT.replace("b_y:  [0.1]", "b_y:  [0." + "1" * 200 + "]"), ["at most 60 characters"]),
    ("zero denominator", SENTIMENT.replace("b_y:  [0.1]", "b_y:  [1/0]"), ["non-zero denominator"]),
    ("two documents", SENTIMENT + "---\nname: x\n", ["second YAML document"]),
    ("softmax with one unit", SENTIMENT.replace("output: sigmoid", "output: softmax").replace("loss: bce", "loss: ce"),
     ["parameters", "softmax needs at least 2 output units"]),
    ("text and inputs", SENTIMENT.replace("  - text: i hate this book", "  - text: i hate this book\n    inputs: [[1, 2, 3]]"),
     ["examples[1]", "exactly one of 'text'"]),
    ("every needs per-step targets", SENTIMENT.replace("outputs_at: last", "outputs_at: every"),
     ["examples[0].target", "expected a list of 6 targets"]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_one_clear_message(write, text, expected):
    path = write(text)
    code, out = run_cli(path)
    assert code == 2, out
    assert "Traceback" not in out
    assert out.startswith(f"bptt-trace: error: {path}")
    assert out.count("\n") == 1
    for piece in expected:
        assert piece in out


def test_missing_file_is_bad_input(tmp_path):
    code, out = run_cli(tmp_path / "nope.yaml")
    assert code == 2 and "no such file" in out


def test_oversized_file_is_refused(write):
    code, out = run_cli(write("name: x\n" + "# padding\n" * 120_000))
    assert code == 2 and "the limit is 1000000 bytes" in out


def test_scientific_notation_and_fractions_are_numbers(write):
    text = SENTIMENT.replace("learning_rate: 0.1", "learning_rate: 1e-1").replace("b_y:  [0.1]", "b_y:  [1/10]")
    from bptt_trace.scenario.loader import load_scenario
    from fractions import Fraction
    sc = load_scenario(write(text))
    assert sc.learning_rate == Fraction(1, 10) and sc.parameters["b_y"] == (Fraction(1, 10),)


def test_a_small_file_cannot_ask_for_a_long_trace(write):
    words = " ".join(["i"] * 120_000)  # 240 kB of text, 120,000 steps
    code, out = run_cli(write(SENTIMENT.replace("text: i hate this book", f"text: {words}")))
    assert code == 2 and "120006 time steps in all; the limit is 10,000" in out, out


def test_a_small_file_cannot_ask_for_a_huge_trace(write):
    n = 300  # hidden 300: 10 steps of 300 × 600 entries fit; 400 steps do not
    row = "[" + ", ".join(["0"] * n) + "]"
    text = (f"name: big\nmodel: {{hidden_size: {n}, output: sigmoid, loss: bce}}\nparameters:\n"
            f"  W_xh: [{', '.join([row] * n)}]\n  W_hh: [{', '.join([row] * n)}]\n  b_h: {row}\n"
            f"  W_hy: [{row}]\n  b_y: [0]\nexamples:\n  - inputs: [{', '.join([row] * 400)}]\n    target: 1\n")
    code, out = run_cli(write(text))
    assert code == 2 and "the limit is 50,000,000" in out, out
